"""Context diff, baseline, side-by-side, drift and identity timeline in the UI.

Widgets and screens are tested on small hosts first (a session written through a Capture),
then through the real app: a Pilot test posting over HTTP and pressing ``d``, and a
snapshot of the side-by-side screen on the demo session.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from textual.app import App, ComposeResult
from textual.screen import Screen

from inspector.ingest.service import Capture
from inspector.spec import Engine
from inspector.store import Store
from inspector.tui.app import InspectorApp
from inspector.tui.demo import step_clock
from inspector.tui.screens.drift import DriftScreen
from inspector.tui.screens.side_by_side import SideBySideScreen
from inspector.tui.screens.timeline import TimelineScreen
from inspector.tui.widgets.context_diff import (
    ContextDiffView,
    FoldLine,
    IdentityLinks,
    compute_context_diff,
)
from tests.tui.conftest import SIZE, post, wait_for, wait_rows
from tests.tui.screen import screen_text

CTX_A = {
    "library": {"name": "analytics.js", "version": "1.0"},
    "page": {"url": "https://shop.example/a"},
    "locale": "en-US",
}
CTX_B = {
    "library": {"name": "analytics.js", "version": "1.1"},
    "page": {"url": "https://shop.example/b"},
    "timezone": "Europe/Paris",
}


def session_messages() -> list[dict[str, Any]]:
    """1 anonymous page, 2 identify linking it to u1, 3 another user, 4 u1 with new context,
    5 an alias linking anon-9 to u2."""
    return [
        {"type": "page", "anonymousId": "a1", "name": "Home", "context": CTX_A},
        {
            "type": "identify",
            "userId": "u1",
            "anonymousId": "a1",
            "traits": {"plan": "free", "email": "u1@example.com"},
            "context": CTX_A,
        },
        {"type": "track", "userId": "u2", "event": "Signed Up", "context": {"locale": "de-DE"}},
        {"type": "track", "userId": "u1", "event": "Order Completed", "context": CTX_B},
        {"type": "alias", "previousId": "anon-9", "userId": "u2", "context": {"locale": "de-DE"}},
        {"type": "identify", "userId": "u1", "traits": {"plan": "pro"}, "context": CTX_B},
    ]


async def write_session(path: Path, messages: list[dict[str, Any]]) -> Store:
    store = Store(path)
    capture = Capture(store, Engine(), clock=step_clock())
    body = orjson.dumps({"batch": messages})
    await capture.ingest(
        "POST",
        "/v1/batch",
        [("Content-Type", "application/json")],
        body,
        call_type=None,
        batch=True,
    )
    return store


@pytest.fixture
async def store(tmp_path: Path) -> Any:
    s = await write_session(tmp_path / "s.sqlite", session_messages())
    yield s
    s.close()


# ---------------------------------------------------------------------------- computing


async def test_identity_diff_follows_links_and_lists_changes(store: Store) -> None:
    r = compute_context_diff(store, 4, "identity")
    assert r.base_seq == 2 and r.note is None
    assert r.against == "vs previous message of user u1 (#2)"
    got = {(c.kind, c.path) for c in r.changed}
    assert got == {
        ("changed", "context.library.version"),
        ("changed", "context.page.url"),
        ("removed", "context.locale"),
        ("added", "context.timezone"),
    }
    assert [c.path for c in r.unchanged] == ["context.library.name"]
    # The identify links a1 -> u1 from its own message on: its previous is the anonymous page.
    r2 = compute_context_diff(store, 2, "identity")
    assert r2.base_seq == 1 and r2.changed == []


async def test_stream_baseline_and_nothing_to_compare(store: Store) -> None:
    r = compute_context_diff(store, 4, "stream")
    assert r.base_seq == 3 and r.against == "vs previous in stream (#3)"
    b = compute_context_diff(store, 4, "baseline", baseline=1)
    assert b.against == "vs baseline #1" and len(b.changed) == 4
    first = compute_context_diff(store, 1, "identity")
    assert first.note == "first message of this identity: nothing to compare"
    assert compute_context_diff(store, 3, "identity").base_seq is None
    assert compute_context_diff(store, 1, "stream").note is not None
    assert compute_context_diff(store, 99, "stream").note == "message #99 not found"


async def test_identity_links_are_incremental_and_dated(store: Store) -> None:
    links = IdentityLinks()
    links.update(store)
    assert links.hi_seq == 6
    assert links.members("u1") == ["a1", "u1"]
    assert links.members("u1", upto=1) == ["u1"]
    assert links.members("anon-9") == ["anon-9", "u2"]
    assert links.members("anon-9", upto=4) == ["anon-9"]
    links.update(store)  # nothing new: no re-read
    assert links.hi_seq == 6


# ---------------------------------------------------------------------------- hosts


class ViewHost(App[None]):
    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store

    def compose(self) -> ComposeResult:
        yield ContextDiffView(id="cd")


class ScreenHost(App[None]):
    def __init__(self, make: Callable[[], Screen[None]]) -> None:
        super().__init__()
        self._make = make

    def on_mount(self) -> None:
        self.push_screen(self._make())


async def test_view_shows_changed_paths_and_folds_unchanged(store: Store) -> None:
    app = ViewHost(store)
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(ContextDiffView)
        view.show(store, 4, "identity")
        await wait_for(pilot, lambda: view.result is not None)
        text = view.plain_text()
        assert "Context of #4 vs previous message of user u1 (#2)" in text
        assert "4 changed paths, 1 unchanged" in text
        assert '~ context.library.version  "1.0" → "1.1"' in text
        assert "~ context.page.url" in text and '"https://shop.example/b"' in text
        assert "- context.locale" in text and '"en-US"' in text
        assert "+ context.timezone" in text
        assert "▸ 1 unchanged path" in text
        assert "context.library.name" not in text
        view.focus()
        await pilot.press("u")
        text = view.plain_text()
        assert "▾ 1 unchanged path" in text and "context.library.name" in text
        await pilot.click(FoldLine)
        assert "context.library.name" not in view.plain_text()
        # nothing to compare
        view.show(store, 1, "identity")
        await wait_for(pilot, lambda: view.result is not None and view.result.seq == 1)
        assert "first message of this identity: nothing to compare" in view.plain_text()
        # requests made while one computes are coalesced: the latest one wins
        for seq in (2, 3, 5, 6):
            view.show(store, seq, "stream")
        await wait_for(pilot, lambda: view.result is not None and view.result.seq == 6)
        await pilot.pause(0.1)
        assert view.result is not None and view.result.seq == 6
        assert "Context of #6 vs previous in stream (#5)" in view.plain_text()


async def test_view_renders_network_text_literally(tmp_path: Path) -> None:
    evil = "[@click=app.quit]x[/]"
    msgs = [
        {"type": "track", "userId": "u", "event": "A", "context": {"k": "v"}},
        {"type": "track", "userId": "u", "event": "B", "context": {evil: "red\u202eder", "k": "v"}},
    ]
    s = await write_session(tmp_path / "evil.sqlite", msgs)
    try:
        app = ViewHost(s)
        async with app.run_test(size=(100, 20)) as pilot:
            view = app.query_one(ContextDiffView)
            view.show(s, 2, "identity")
            await wait_for(pilot, lambda: view.result is not None)
            text = view.plain_text()
            assert '+ context["[@click=app.quit]x[/]"]' in text
            assert '"red\\u202eder"' in text and "\u202e" not in text
            await pilot.click(ContextDiffView, offset=(12, 2))
            assert app.is_running
    finally:
        s.close()


async def test_side_by_side_rows_and_toggles(store: Store) -> None:
    a, b = store.get(4), store.get(2)
    assert a is not None and b is not None
    app = ScreenHost(lambda: SideBySideScreen(a, b))
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SideBySideScreen)
        assert screen.older.seq == 2 and screen.newer.seq == 4  # older on the left
        rows = screen.table_text().splitlines()
        assert '~ | context.library.version | "1.0" | "1.1"' in rows
        assert '- | context.locale | "en-US" | (absent)' in rows
        assert '+ | context.timezone | (absent) | "Europe/Paris"' in rows
        assert any(r.startswith("~ | type |") for r in rows)
        assert not any("messageId" in r for r in rows)  # volatile fields left out...
        title = str(screen.query_one("#sbs-title").render())
        assert "not compared: messageId, timestamp" in title  # ...and the title says so
        await pilot.press("c")
        rows = screen.table_text().splitlines()
        assert all("context." in r for r in rows)
        assert '  | context.library.name | "analytics.js" | "analytics.js"' in rows
        await pilot.press("u")
        rows = screen.table_text().splitlines()
        assert len(rows) == 4 and not any("library.name" in r for r in rows)
        await pilot.press("escape")
        assert not isinstance(app.screen, SideBySideScreen)


async def test_drift_screen_lists_drifting_paths(store: Store) -> None:
    app = ScreenHost(lambda: DriftScreen(store))
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, DriftScreen)
        await wait_for(pilot, lambda: screen.drift is not None)
        await pilot.pause()
        drift = screen.drift
        assert drift is not None and drift.messages == 6
        top = {p.path for p in drift.drifting}
        assert {"context.library.version", "context.page.url", "context.locale"} <= top
        assert "drifting" in str(screen.query_one("#drift-title").render())
        assert screen.detail_text().startswith(drift.paths[0].path)
        assert "changed" in screen.detail_text() or "disappeared" in screen.detail_text()


async def test_timeline_screen_shows_link_and_traits(store: Store) -> None:
    app = ScreenHost(lambda: TimelineScreen(store, "a1"))
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, TimelineScreen)
        await wait_for(pilot, lambda: screen.timeline is not None)
        text = screen.body_text()
        assert "user ids       u1" in text and "anonymous ids  a1" in text
        assert "anonymous→known at #2" in text
        assert "linked     anonymousId a1 → userId u1 via identify" in text
        assert '~plan "free" → "pro"' in text
        assert "traits now" in text and '"pro"' in text
        tl = screen.timeline
        assert tl is not None and tl.messages == 4  # the other user's messages are not read


async def test_timeline_of_unknown_user(store: Store) -> None:
    app = ScreenHost(lambda: TimelineScreen(store, "nobody"))
    async with app.run_test(size=(100, 20)) as pilot:
        screen = app.screen
        assert isinstance(screen, TimelineScreen)
        await wait_for(pilot, lambda: screen.timeline is not None)
        assert "No message of nobody in this session." in screen.body_text()


# ---------------------------------------------------------------------------- the real app


def _ctx(version: str, url: str, locale: str | None = None) -> dict[str, Any]:
    ctx: dict[str, Any] = {
        "library": {"name": "analytics.js", "version": version},
        "page": {"url": url, "title": "Shop"},
    }
    if locale:
        ctx["locale"] = locale
    return ctx


async def _post_three(app: InspectorApp, pilot: Any) -> None:
    await wait_for(pilot, lambda: app.url is not None)
    first = _ctx("1.0", "https://shop.example/a", "en-US")
    assert (
        await post(app, "/v1/track", {"userId": "u1", "event": "Viewed", "context": first}) == 200
    )
    other = {"library": {"name": "analytics-python", "version": "2.3.2"}}
    assert (
        await post(app, "/v1/track", {"userId": "u2", "event": "Billed", "context": other}) == 200
    )
    second = _ctx("1.1", "https://shop.example/b")
    assert (
        await post(app, "/v1/track", {"userId": "u1", "event": "Bought", "context": second}) == 200
    )
    await wait_rows(pilot, app, 3)


def squeeze(text: str) -> str:
    """Runs of spaces as one (diff rows pad their paths to a common width)."""
    return re.sub(" +", " ", text)


async def _diff_shown(pilot: Any, app: InspectorApp) -> str:
    view = app.context_view()
    assert view is not None
    await wait_for(pilot, lambda: view.result is not None and view.result.seq == view.pending[0])
    await pilot.pause()
    return view.plain_text()


async def test_pilot_context_diff_of_selected_message(live_app: InspectorApp) -> None:
    app = live_app
    async with app.run_test(size=SIZE) as pilot:
        await _post_three(app, pilot)
        await pilot.press("g", "down", "down")
        assert app.stream.cursor_key == ("m", 3)
        await pilot.press("d")
        text = await _diff_shown(pilot, app)
        assert "Context of #3 vs previous message of user u1 (#1)" in text
        assert "3 changed paths, 2 unchanged" in text
        assert '~ context.library.version  "1.0" → "1.1"' in text
        assert "~ context.page.url" in text
        assert '"https://shop.example/a" → "https://shop.example/b"' in text
        assert "- context.locale" in text and '"en-US"' in text
        assert "▸ 2 unchanged paths" in text and "context.page.title" not in text
        shown = screen_text(app)
        assert "Context diff" in shown and "~ context.library.version" in shown
        # d again: against the previous message in the stream (another user, another library)
        await pilot.press("d")
        text = await _diff_shown(pilot, app)
        assert "vs previous in stream (#2)" in text
        assert '~ context.library.name "analytics-python" → "analytics.js"' in squeeze(text)
        assert "+ context.page.url" in text
        # the tab follows the cursor
        await pilot.press("up")
        text = await _diff_shown(pilot, app)
        assert "Context of #2 vs previous in stream (#1)" in text
        await pilot.press("d")  # the first d on #2 keeps the comparison shown
        text = await _diff_shown(pilot, app)
        assert "Context of #2 vs previous in stream (#1)" in text
        await pilot.press("d")  # d again on #2: the next comparison
        text = await _diff_shown(pilot, app)
        assert "first message of this identity: nothing to compare" in text


async def test_pilot_baseline_pin_and_unpin(live_app: InspectorApp) -> None:
    app = live_app
    async with app.run_test(size=SIZE) as pilot:
        await _post_three(app, pilot)
        await pilot.press("g", "b", "down", "down", "d")
        text = await _diff_shown(pilot, app)
        assert "Context of #3 vs baseline #1" in text and "3 changed paths" in text
        await pilot.press("up")
        text = await _diff_shown(pilot, app)
        assert "Context of #2 vs baseline #1" in text
        assert '~ context.library.name "analytics.js" → "analytics-python"' in squeeze(text)
        await pilot.press("b")
        text = await _diff_shown(pilot, app)
        assert "Context of #2" in text and "baseline" not in text
        assert app.diff_state.baseline is None


async def test_pilot_first_d_on_another_message_keeps_the_pinned_baseline(
    live_app: InspectorApp,
) -> None:
    app = live_app
    async with app.run_test(size=SIZE) as pilot:
        await _post_three(app, pilot)
        await pilot.press("g", "b", "down", "down", "d")
        text = await _diff_shown(pilot, app)
        assert "Context of #3 vs baseline #1" in text
        await pilot.press("up")  # the tab follows the cursor, still against the baseline
        text = await _diff_shown(pilot, app)
        assert "Context of #2 vs baseline #1" in text
        await pilot.press("d")  # the first d here shows what it says, it does not cycle
        text = await _diff_shown(pilot, app)
        assert "Context of #2 vs baseline #1" in text
        await pilot.press("d")  # d again on the same message: the next comparison
        text = await _diff_shown(pilot, app)
        assert "baseline" not in text.splitlines()[0]


async def test_pilot_context_tab_on_a_rejected_request_says_why_it_is_empty(
    live_app: InspectorApp,
) -> None:
    app = live_app
    async with app.run_test(size=SIZE) as pilot:
        await _post_three(app, pilot)
        await pilot.press("d")
        await _diff_shown(pilot, app)
        assert await post(app, "/v1/batch", data=b"{bad") == 400
        await wait_rows(pilot, app, 4)
        await pilot.press("G")  # the rejected request is the last row
        view = app.context_view()
        assert view is not None
        await wait_for(pilot, lambda: "rejected request" in view.plain_text())
        assert "no context to diff" in view.plain_text()


async def test_pilot_marks_side_by_side_timeline_and_drift(live_app: InspectorApp) -> None:
    app = live_app
    async with app.run_test(size=SIZE) as pilot:
        await _post_three(app, pilot)
        await pilot.press("s")
        assert not isinstance(app.screen, SideBySideScreen)  # nothing marked yet
        await pilot.press("x", "g", "x")
        assert app.diff_state.marks == [3, 1]
        await pilot.press("D")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SideBySideScreen)
        assert (screen.older.seq, screen.newer.seq) == (1, 3)
        assert '~ | event | "Viewed" | "Bought"' in screen.table_text()
        await pilot.press("c")  # context only; app keys (c = clear) do not reach the app
        assert all("context." in r for r in screen.table_text().splitlines())
        assert app.totals.messages == 3
        await pilot.press("escape", "t")
        await pilot.pause()
        tl_screen = app.screen
        assert isinstance(tl_screen, TimelineScreen) and tl_screen.user == "u1"
        await wait_for(pilot, lambda: tl_screen.timeline is not None)
        assert "#1      first-seen userId u1 on track" in tl_screen.body_text()
        await pilot.press("escape", "R")
        await pilot.pause()
        drift_screen = app.screen
        assert isinstance(drift_screen, DriftScreen)
        await wait_for(pilot, lambda: drift_screen.drift is not None)
        drift = drift_screen.drift
        assert drift is not None and drift.messages == 3 and drift.identities == 2
        assert drift.paths[0].path in {
            "context.library.version",
            "context.page.url",
            "context.locale",
        }
        await pilot.press("escape")
        assert app.screen is app._main


async def test_pilot_stream_shows_baseline_and_marks_and_clear_forgets_them(
    live_app: InspectorApp,
) -> None:
    app = live_app
    async with app.run_test(size=SIZE) as pilot:
        await _post_three(app, pilot)

        def mark_column() -> list[str]:
            # First character of each message row as drawn on screen, top to bottom.
            rows = [ln for ln in screen_text(app).splitlines() if re.search(r"\d\d:\d\d:\d\d", ln)]
            return [ln.removeprefix("│")[:1] for ln in rows[:3]]

        await pilot.press("g", "b", "down", "down", "x")
        await pilot.pause()
        assert mark_column() == ["◆", " ", "●"]
        assert app.stream.tags == {1: "◆", 3: "●"}
        await pilot.press("d")
        await _diff_shown(pilot, app)
        await pilot.press("c")  # clear the view
        await pilot.pause()
        assert app.stream.tags == {} and app.diff_state.baseline is None
        assert app.diff_state.marks == []
        view = app.context_view()
        assert view is not None and view.result is None
        assert "Nothing selected" in view.plain_text()


def test_side_by_side_snapshot(snap_compare: Any, demo_app: Callable[[], InspectorApp]) -> None:
    """Two Order Completed events: the Node backend's (#8) and the browser's (#16)."""

    async def run_before(pilot: Any) -> None:
        app = pilot.app
        await wait_for(pilot, lambda: app.builds_done > 0 and not app._building)
        for seq in (8, 16):
            pos = app.stream.index.index_of_seq(seq)
            assert pos is not None
            app.stream.move_to(pos)
            await pilot.press("x")
        await pilot.press("D")
        await pilot.pause(0.1)

    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=run_before)
