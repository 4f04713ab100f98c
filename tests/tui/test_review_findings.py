"""Pilot tests for the defects an outside review found by driving the real app in tmux.

Each test asserts on what the user sees (screen text, the widgets' rendered text).
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

import orjson
import pytest
from textual.widgets import Input, Static

from inspector.config import Settings
from inspector.importer import import_into
from inspector.ingest.service import Capture
from inspector.snippets import snippets
from inspector.spec import Engine
from inspector.store import Store
from inspector.tui import app as app_module
from inspector.tui.app import InspectorApp, goodbye_line
from inspector.tui.screens.help import FILTER_TERMS, KEYS, HelpScreen
from inspector.tui.widgets.context_diff import ContextDiffView
from inspector.tui.widgets.detail import QUOTE_MAX
from tests.tui.conftest import SIZE, post, stream_lines, wait_for, wait_rows
from tests.tui.screen import screen_text

ROOT = Path(__file__).resolve().parents[2]
SCROLLBAR = re.compile("[\u2580-\u259f]")


def text_of(app: InspectorApp, selector: str) -> str:
    return str(app._main.query_one(selector, Static).render())


def toasts(app: InspectorApp) -> list[str]:
    """The notifications on screen."""
    return [n.message for n in app._notifications]


def filter_value(app: InspectorApp) -> str:
    return app._main.query_one("#filter", Input).value


async def started(pilot: Any, app: InspectorApp) -> None:
    await wait_for(pilot, lambda: app.url is not None and app.builds_done > 0)
    await pilot.pause(0.05)


# 1 ----------------------------------------------------------------------------------------


async def test_closing_a_modal_on_the_empty_screen_gives_keys_back_to_the_stream(
    live_app: InspectorApp,
) -> None:
    app = live_app
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        for opener in ("question_mark", "ctrl+p"):
            await pilot.press(opener)
            await pilot.pause(0.1)
            assert app.screen is not app._main
            await pilot.press("escape")
            await pilot.pause(0.1)
            assert app.screen is app._main
            await pilot.press("j", "k", "g")
            await pilot.pause(0.05)
            assert filter_value(app) == ""
            assert "filter / jkg" not in screen_text(app)
            assert app.focused is app.stream
        # the stream has the keys once rows arrive: k moves up, p pauses
        await post(app, "/v1/track", {"userId": "u", "event": "Signed Up"})
        await post(app, "/v1/track", {"userId": "u", "event": "Trial Started"})
        await wait_rows(pilot, app, 2)
        await pilot.press("k")
        await wait_for(pilot, lambda: "Signed Up" in text_of(app, "#detail-title"))


async def test_escape_in_the_filter_clears_it_and_returns_to_the_stream(
    live_app: InspectorApp,
) -> None:
    app = live_app
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await post(app, "/v1/track", {"userId": "u", "event": "Signed Up"})
        await post(app, "/v1/track", {"userId": "u", "event": "Trial Started"})
        await wait_rows(pilot, app, 2)
        await pilot.press("slash", *"trial", "enter")
        await wait_for(pilot, lambda: text_of(app, "#match") == "1 of 2 match")
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press("escape")  # one press: cleared and back in the stream
        await wait_for(pilot, lambda: text_of(app, "#match") == "2 messages")
        assert filter_value(app) == ""
        assert app.focused is app.stream
        await pilot.press("k")
        await wait_for(pilot, lambda: "Signed Up" in text_of(app, "#detail-title"))
        assert filter_value(app) == ""
        # Applied with Enter, then Escape from the stream: the filter is cleared too.
        await pilot.press("slash", *"trial", "enter")
        await wait_for(pilot, lambda: text_of(app, "#match") == "1 of 2 match")
        assert app.focused is app.stream
        await pilot.press("escape")
        await wait_for(pilot, lambda: text_of(app, "#match") == "2 messages")
        assert filter_value(app) == ""


# 2 ----------------------------------------------------------------------------------------


def _ctx(version: str) -> dict[str, Any]:
    return {"app": {"version": version}, "locale": "en-US", "library": {"name": "x"}}


async def test_u_unfolds_unchanged_paths_right_after_d(live_app: InspectorApp) -> None:
    app = live_app
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        for v in ("1.0", "1.1"):
            await post(app, "/v1/track", {"userId": "u1", "event": "Tap", "context": _ctx(v)})
        await wait_rows(pilot, app, 2)
        await pilot.press("d")
        view = app.detail.query_one(ContextDiffView)
        await wait_for(pilot, lambda: "unchanged path" in view.plain_text())
        assert "(u or click to show)" in view.plain_text()
        assert app.focused is app.stream
        await pilot.press("u")
        await wait_for(pilot, lambda: "(u or click to hide)" in view.plain_text())
        assert "context.locale" in view.plain_text()
        await pilot.press("u")
        await wait_for(pilot, lambda: "(u or click to show)" in view.plain_text())


# 3 ----------------------------------------------------------------------------------------


async def test_imported_message_says_it_was_imported(tmp_path: Path) -> None:
    source = tmp_path / "events.ndjson"
    source.write_bytes(
        orjson.dumps({"type": "track", "userId": "u", "event": "Order Completed"}) + b"\n"
    )
    session = tmp_path / "imported.sqlite"
    store = Store(session)
    import_into(store, source, engine=Engine())
    store.close()
    ro = Store(session, readonly=True)
    try:
        app = InspectorApp(store=ro)
        async with app.run_test(size=SIZE) as pilot:
            await wait_rows(pilot, app, 1)
            await wait_for(pilot, lambda: "Order Completed" in text_of(app, "#detail-title"))
            assert "imported" in text_of(app, "#detail-title")
            assert "/v1/batch" not in text_of(app, "#detail-title")
            await pilot.press("m")
            await pilot.pause(0.1)
            shown = text_of(app, "#request")
            assert "Imported from" in shown and "events.ndjson" in shown
            assert "not received over HTTP" in shown
            for made_up in ("POST /v1/batch", "Content-Type", "X-Inspector-Import", "headers\n"):
                assert made_up not in shown
            assert not re.search(r"^(status|endpoint)\s", shown, re.M)
    finally:
        ro.close()


# 4, 12 ------------------------------------------------------------------------------------


async def test_rejected_request_shows_basic_auth_key_and_utf8_headers(
    live_app: InspectorApp,
) -> None:
    app = live_app
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        agent = "Café-app/1 ☕"
        status = await post(
            app,
            "/v1/batch",
            data=b"{not json",
            headers={
                "Authorization": "Basic " + base64.b64encode(b"wk_basic:").decode(),
                "User-Agent": agent,  # sent as UTF-8 bytes
                "Content-Type": "text/plain",
            },
        )
        assert status == 400
        await wait_rows(pilot, app, 1)
        await pilot.press("m")
        await wait_for(pilot, lambda: "writeKey" in text_of(app, "#request"))
        shown = text_of(app, "#request")
        assert re.search(r"writeKey\s+wk_basic", shown)
        assert "(none)" not in shown
        assert agent in shown and "â" not in shown


# 5 ----------------------------------------------------------------------------------------


async def test_long_event_name_is_cut_so_the_title_keeps_its_details(
    live_app: InspectorApp,
) -> None:
    app = live_app
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        name = "Checkout Step Viewed With " + "Very Long Suffix " * 8
        await post(app, "/v1/track", {"userId": "u", "event": name})
        await wait_rows(pilot, app, 1)
        await wait_for(pilot, lambda: "#1 track" in text_of(app, "#detail-title"))

        def title_line() -> str:
            return next((ln for ln in screen_text(app).splitlines() if "#1 track" in ln), "")

        # What the user sees once the pane has been laid out: the name is cut, not the suffix.
        await wait_for(pilot, lambda: "/v1/track" in title_line())
        title = title_line()
        assert "Checkout Step Viewed" in title and "…" in title
        assert "/v1/track" in title and re.search(r"\d\d:\d\d:\d\d", title)
        assert "info" in title.rstrip()[-12:]


# 6 ----------------------------------------------------------------------------------------


async def test_empty_state_snippets_are_not_wrapped_at_80x24(live_app: InspectorApp) -> None:
    app = live_app
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, app)
        shown = [line.strip() for line in screen_text(app).splitlines()]
        url = str(app.url)
        curl = next(s for s in snippets(url) if s.sdk == "curl")
        for line in curl.code.split("\n"):
            assert line.strip() in shown, line
        # no line of code starts mid-token (what wrapping did: "Completed",...}}')
        assert not any(line.startswith("Completed") for line in shown)


# 7, 11 ------------------------------------------------------------------------------------


async def _help_text(app: InspectorApp, pilot: Any) -> str:
    """Everything the help screen shows, scrolling it page by page."""
    box = app.screen.query_one("#help-box")
    seen: list[str] = []
    step = max(1, box.scrollable_content_region.height - 4)
    y = 0
    while True:
        box.scroll_to(y=y, animate=False)
        await pilot.pause(0.05)
        r = box.region
        lines = screen_text(app).splitlines()[r.y : r.bottom]
        # the box without its border and scrollbars
        seen.extend(SCROLLBAR.sub(" ", line[r.x + 1 : r.right - 1]) for line in lines)
        if y >= box.max_scroll_y:
            break
        y += step
    return "\n".join(seen)


def _words(text: str) -> str:
    """Text with every run of whitespace (line ends too) made one space."""
    return " ".join(text.split())


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_help_wraps_descriptions_and_scrolls(
    live_app: InspectorApp, size: tuple[int, int]
) -> None:
    app = live_app
    async with app.run_test(size=size) as pilot:
        await started(pilot, app)
        await pilot.press("question_mark")
        await pilot.pause(0.1)
        assert isinstance(app.screen, HelpScreen)
        shown = await _help_text(app, pilot)
        # Each description is shown whole (wrapped, not cut at the box's edge): every word.
        seen = set(shown.split())
        for _, what in KEYS + FILTER_TERMS:
            missing = [w for w in what.split() if w not in seen]
            assert not missing, (what, missing)
        assert "Point an SDK at " + str(app.url) in shown
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert app.focused is app.stream


async def test_help_lists_the_filter_terms_of_the_docs(live_app: InspectorApp) -> None:
    doc = (ROOT / "docs" / "ui.md").read_text()
    para = doc[doc.index("**Filter bar**") : doc.index("**Stream**")]
    terms = [t for t in re.findall(r"`([^`]+)`", para) if ":" in t or t.startswith("-")]
    assert "writekey:K" in terms and "seq:10..20" in terms
    app = live_app
    async with app.run_test(size=(140, 60)) as pilot:
        await started(pilot, app)
        await pilot.press("question_mark")
        await pilot.pause(0.1)
        shown = await _help_text(app, pilot)
        for term in terms:
            assert term.replace("-term", "-term") in shown, term


# 8 ----------------------------------------------------------------------------------------


async def test_filter_errors_are_exact_and_fit(live_app: InspectorApp) -> None:
    app = live_app
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, app)
        await post(app, "/v1/track", {"userId": "u", "event": "x", "properties": {"revenue": "1"}})
        await post(app, "/v1/track", {"userId": "u", "event": "Order Completed"})
        await wait_rows(pilot, app, 2)
        app.apply_filter("has:bogus")
        await pilot.pause(0.05)
        assert "has:bogus is not known" in text_of(app, "#filter-error")
        app.apply_filter("has:")
        await pilot.pause(0.05)
        assert "has: needs a value, e.g. has:error" in screen_text(app)
        app.apply_filter("foo:bar")
        await pilot.pause(0.05)
        message = text_of(app, "#filter-error")
        assert message.startswith("unknown filter term foo:")
        # the whole message is on screen (wrapped if need be), nothing cut off
        assert message.split()[-1] in screen_text(app)
        assert _words(message) in _words(screen_text(app))
        app.apply_filter("has:errors")  # plural = singular
        await wait_for(pilot, lambda: text_of(app, "#match") == "1 of 2 match")
        assert "filter not applied" not in screen_text(app)


# 9 ----------------------------------------------------------------------------------------


async def test_small_sizes_keep_the_session_name_and_the_follow_state(
    live_app: InspectorApp,
) -> None:
    app = live_app
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, app)
        header = screen_text(app).splitlines()[0]
        assert "session: " in header and "session.sqlite" in header
        await post(app, "/v1/track", {"userId": "u", "event": "Signed Up"})
        await wait_rows(pilot, app, 1)
        await pilot.resize_terminal(60, 20)
        await pilot.pause(0.2)
        lines = screen_text(app).splitlines()
        assert "session.sqlite" in lines[0]
        status = lines[-2]
        assert "1 message" in status and "following" in status
        await pilot.press("p")
        await pilot.pause(0.2)
        assert "paused" in screen_text(app).splitlines()[-2]


# 10 ---------------------------------------------------------------------------------------


async def test_wording_singulars_copy_and_pause_label(live_app: InspectorApp) -> None:
    app = live_app
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        assert "p Pause" in screen_text(app)
        await post(app, "/v1/track", {"userId": "u", "properties": {"revenue": "1"}})
        await wait_rows(pilot, app, 1)
        shown = screen_text(app)
        assert "1 message " in text_of(app, "#status") + " "
        assert "1 messages" not in shown and "1 errors" not in shown
        assert "1 warnings" not in shown
        assert text_of(app, "#match") == "1 message"
        await post(app, "/v1/batch", data=b"{not json", headers={"Content-Type": "text/plain"})
        await wait_rows(pilot, app, 2)
        await pilot.press("y")
        await wait_for(pilot, lambda: any("Copied the body" in t for t in toasts(app)))
        assert not any("Copied the JSON" in t for t in toasts(app))
        await pilot.press("k")  # moving up pauses
        await pilot.pause(0.1)
        shown = screen_text(app)
        assert "p Resume" in shown and "p Pause" not in shown
        await pilot.press("p")
        await pilot.pause(0.1)
        assert "p Pause" in screen_text(app)


async def test_context_diff_notes_are_separated(live_app: InspectorApp) -> None:
    app = live_app
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await post(app, "/v1/track", {"userId": "u1", "event": "Tap", "context": _ctx("1")})
        await wait_rows(pilot, app, 1)
        await pilot.press("d")
        view = app.detail.query_one(ContextDiffView)
        await wait_for(pilot, lambda: "nothing to compare" in view.plain_text())
        assert "Context of #1 · first message of this identity" in view.plain_text()
        await pilot.press("b")  # pinning shows the diff against the new baseline
        await wait_for(pilot, lambda: "this is the baseline" in view.plain_text())
        assert "Context of #1 · this is the baseline #1" in view.plain_text()


async def test_read_only_header_says_read_only_once(demo_session: Path) -> None:
    store = Store(demo_session, readonly=True)
    try:
        app = InspectorApp(store=store, session_label=f"{demo_session} (read-only)")
        async with app.run_test(size=(200, 30)) as pilot:
            await wait_rows(pilot, app, 5)
            header = screen_text(app).splitlines()[0]
            assert header.count("read-only") == 1 and str(demo_session) in header
    finally:
        store.close()


# 13 ---------------------------------------------------------------------------------------


async def test_long_quotes_in_violations_are_capped_evenly(live_app: InspectorApp) -> None:
    app = live_app
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await post(
            app,
            "/v1/track",
            {"userId": "u", "event": "a" * 300, "properties": {"revenue": "12"}},
        )
        await wait_rows(pilot, app, 1)
        await wait_for(pilot, lambda: "#1 track" in text_of(app, "#detail-title"))
        shown = text_of(app, "#violations")
        quotes = re.findall(r'"(a+…?)"', shown)
        assert len(quotes) == 2
        assert all(len(q) <= QUOTE_MAX for q in quotes)
        assert len({len(q) for q in quotes}) == 1
        screen = screen_text(app)
        for rule in ("reserved/revenue-type", "event-name/non-descriptive"):
            assert rule in screen


# 14 ---------------------------------------------------------------------------------------


async def test_marked_baseline_shows_both_states(live_app: InspectorApp) -> None:
    app = live_app
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await post(app, "/v1/track", {"userId": "u", "event": "One"})
        await post(app, "/v1/track", {"userId": "u", "event": "Two"})
        await wait_rows(pilot, app, 2)
        await pilot.press("b")
        await pilot.pause(0.05)
        assert stream_lines(app)[1].startswith("◆")
        await pilot.press("x")
        await pilot.pause(0.05)
        assert stream_lines(app)[1].startswith("◈")
        await pilot.press("b")
        await pilot.pause(0.05)
        assert stream_lines(app)[1].startswith("●")


# 15 ---------------------------------------------------------------------------------------


def test_quitting_a_live_session_says_where_it_was_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    session = tmp_path / "my session.sqlite"

    def fake_run(self: InspectorApp, *a: Any, **k: Any) -> None:
        import asyncio

        capture: Capture = self.capture  # type: ignore[assignment]
        asyncio.run(
            capture.ingest(
                "POST",
                "/v1/track",
                [("Content-Type", "application/json")],
                b'{"type":"track","userId":"u","event":"Signed Up"}',
                call_type="track",
                batch=False,
            )
        )

    monkeypatch.setattr(InspectorApp, "run", fake_run)
    code = app_module.run(Settings(port=0, session=session))
    assert code == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [goodbye_line(session, 1)]
    assert err[0] == (
        f"inspector: session saved to {session} (1 message); "
        f"reopen it with `inspector open '{session}'`"
    )


# rate -------------------------------------------------------------------------------------


async def test_reopening_a_big_session_live_shows_no_rate_without_traffic(tmp_path: Path) -> None:
    # The rate counts messages received, not messages loaded from the file: reopening a
    # session with `open --listen` used to show a few msg/s with nothing arriving.
    path = tmp_path / "big.sqlite"
    item = b'{"type":"track","userId":"u1","event":"Order Completed","messageId":"m%d"}'
    nd = tmp_path / "big.ndjson"
    nd.write_bytes(b"\n".join(item % i for i in range(20_000)) + b"\n")
    store = Store(path)
    import_into(store, nd)
    store.close()
    store = Store(path)
    app = InspectorApp(
        capture=Capture(store, Engine()), settings=Settings(port=0), refresh_interval=0.02
    )
    try:
        async with app.run_test(size=SIZE) as pilot:
            seen: set[str] = set()
            loop_end = 40  # about 2 s of ticks, bounded
            for _ in range(loop_end):
                bar = text_of(app, "StatusBar")
                seen.update(re.findall(r"([\d,]+) msg/s", bar))
                await pilot.pause(0.05)
            await wait_rows(pilot, app, 20_000)
            assert "20,000 messages" in text_of(app, "StatusBar")
            assert seen == {"0"}, seen
            # Traffic does show.
            await post(
                app,
                "/v1/batch",
                {"batch": [{"type": "track", "userId": "u", "event": "Order Completed"}] * 20},
            )
            await wait_for(
                pilot,
                lambda: re.search(r"[1-9][\d,]* msg/s", text_of(app, "StatusBar")) is not None,
            )
    finally:
        store.close()


def test_plain_text_between_two_quoted_values_is_not_cut() -> None:
    from inspector.tui.widgets.detail import cap_quotes

    text = (
        '"order_completed" mixes naming conventions (snake_case and Title Case): pick one '
        'for every event (Segment recommends Title Case, e.g. "Order Completed").'
    )
    assert cap_quotes(text) == text
    long = "x" * (QUOTE_MAX + 20)
    cut = cap_quotes(f'name "{long}" then "short" and "a \\"q\\" b"')
    assert cut == f'name "{long[: QUOTE_MAX - 1]}…" then "short" and "a \\"q\\" b"'


async def test_help_and_quit_show_in_the_footer_of_an_80_column_terminal(
    live_app: InspectorApp,
) -> None:
    app = live_app
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, app)
        footer = screen_text(app).splitlines()[-1]
        assert footer.split()[:4] == ["?", "Help", "q", "Quit"], footer
