"""Pilot tests: the real app, real HTTP posts to its bound port, assertions on what is shown."""

from __future__ import annotations

import gzip
import json
import socket
from pathlib import Path

import orjson
from textual.widgets import Static

from inspector.config import Settings
from inspector.ingest.service import Capture
from inspector.store import Store
from inspector.tui.app import InspectorApp
from inspector.tui.screens.help import HelpScreen
from tests.tui.conftest import SIZE, post, stream_lines, wait_for, wait_rows
from tests.tui.screen import screen_text


def text_of(app: InspectorApp, selector: str) -> str:
    w = app._main.query_one(selector, Static)
    return str(w.render())


async def test_empty_state_shows_url_and_snippets(live_app: InspectorApp) -> None:
    async with live_app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: live_app.url is not None and live_app.builds_done > 0)
        await pilot.pause(0.05)
        shown = screen_text(live_app)
        assert f"Waiting for the first event at {live_app.url}" in shown
        assert f"analytics.host = '{live_app.url}'" in shown
        assert f"curl -X POST {live_app.url}/v1/track" in shown
        assert "listening on " + live_app.url in shown


async def test_stream_shows_posted_messages(live_app: InspectorApp) -> None:
    app = live_app
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.url is not None)
        ctx = {"library": {"name": "analytics-python", "version": "2.3.2"}}
        assert (
            await post(
                app,
                "/v1/track",
                {
                    "userId": "u1",
                    "event": "Order Completed",
                    "properties": {"revenue": 19.99},
                    "context": ctx,
                },
            )
            == 200
        )
        assert await post(app, "/v1/identify", {"userId": "u1", "traits": {"plan": "pro"}}) == 200
        assert await post(app, "/v1/page", {"anonymousId": "anon-7", "name": "Pricing"}) == 200
        await wait_rows(pilot, app, 3)
        lines = stream_lines(app)
        assert len(lines) == 3
        assert "track" in lines[0] and "Order Completed" in lines[0] and "u1" in lines[0]
        assert "analytics-python" in lines[0]
        assert "identify" in lines[1]
        assert "page" in lines[2] and "Pricing" in lines[2] and "anon anon-7" in lines[2]
        status = text_of(app, "#status")
        assert "3 messages" in status and "0 rejected" in status and "following" in status
        # following the tail: the newest row is selected and shown in the detail
        assert "#3 page Pricing" in text_of(app, "#detail-title")
        assert "3 messages" in text_of(app, "#match")


async def test_rejected_request_is_a_marked_row(live_app: InspectorApp) -> None:
    app = live_app
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.url is not None)
        await post(app, "/v1/track", {"userId": "u1", "event": "Signed Up"})
        assert (
            await post(
                app, "/v1/batch", data=b"{not json", headers={"Content-Type": "application/json"}
            )
            == 400
        )
        await post(app, "/v1/track", {"userId": "u1", "event": "Trial Started"})
        await wait_rows(pilot, app, 3)
        lines = stream_lines(app)
        assert "Signed Up" in lines[0]
        assert "REJECTED" in lines[1] and "400 POST /v1/batch" in lines[1]
        assert "Invalid JSON" in lines[1]
        assert "Trial Started" in lines[2]
        assert "1 rejected" in text_of(app, "#status")
        await pilot.press("up")
        await wait_for(pilot, lambda: "REJECTED" in text_of(app, "#detail-title"))
        assert "{not json" in text_of(app, "#json")


async def test_detail_marks_violated_lines_and_metadata(live_app: InspectorApp) -> None:
    app = live_app
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.url is not None)
        body = orjson.dumps(
            {
                "batch": [
                    {
                        "type": "track",
                        "userId": "u9",
                        "event": "Order Completed",
                        "properties": {"revenue": "12.50", "currency": "USD"},
                    }
                ],
                "writeKey": "wk_test",
            }
        )
        status = await post(
            app,
            "/v1/batch",
            data=gzip.compress(body),
            headers={
                "Content-Type": "application/json",
                "Content-Encoding": "gzip",
                "User-Agent": "pilot-test/1",
            },
        )
        assert status == 200
        await wait_rows(pilot, app, 1)
        violations = text_of(app, "#violations")
        assert "reserved/revenue-type" in violations and "properties.revenue" in violations
        json_lines = text_of(app, "#json").split("\n")
        marked = [line for line in json_lines if line.startswith("▌")]
        assert any('"revenue": "12.50"' in line for line in marked)
        assert any('"currency": "USD"' in line and not line.startswith("▌") for line in json_lines)
        assert "1 error" in text_of(app, "#detail-title")
        await pilot.press("m")
        await pilot.pause(0.1)
        shown = screen_text(app)
        assert "POST /v1/batch" in shown and "wk_test" in shown  # on screen at once
        meta = text_of(app, "#request")
        assert "Content-Encoding: gzip" in meta
        assert "User-Agent: pilot-test/1" in meta
        assert f"{len(body):,} bytes after inflating" in meta


async def test_filter_applies_to_whole_session(live_app: InspectorApp) -> None:
    app = live_app
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.url is not None)
        for i in range(4):
            await post(
                app,
                "/v1/track",
                {"userId": f"user{i}", "event": "Order Completed" if i % 2 else "Cart Viewed"},
            )
        await post(app, "/v1/identify", {"userId": "abc", "traits": {}})
        await post(app, "/v1/track", {"userId": "abc", "event": "click"})
        await wait_rows(pilot, app, 6)
        await pilot.press("slash")
        await pilot.press(*'event:"Order Completed"')
        await pilot.press("enter")
        await wait_for(pilot, lambda: "match" in text_of(app, "#match") and not app._building)
        assert text_of(app, "#match") == "2 of 6 match"
        lines = stream_lines(app)
        assert len(lines) == 2 and all("Order Completed" in line for line in lines)
        # more terms: user and has:warning / rule
        app.apply_filter("user:abc")
        await wait_for(
            pilot, lambda: text_of(app, "#match") == "2 of 6 match" and app.flt.text == "user:abc"
        )
        app.apply_filter("rule:event-name/non-descriptive")
        await wait_for(pilot, lambda: text_of(app, "#match") == "1 of 6 match")
        assert "click" in stream_lines(app)[0]
        # new matching messages arrive into the filtered view; others do not
        await post(app, "/v1/track", {"userId": "zz", "event": "tap"})
        await post(app, "/v1/track", {"userId": "zz", "event": "Video Played"})
        await wait_for(pilot, lambda: text_of(app, "#match") == "2 of 8 match")
        # a bad filter says how to fix it and keeps the view
        app.apply_filter("colour:red")
        await pilot.pause(0.05)
        assert "unknown filter term colour:" in text_of(app, "#filter-error")
        assert "filter not applied" in text_of(app, "#match")
        assert len(app.stream.index) == 2
        # escape in the filter bar clears it
        await pilot.press("slash", "escape")
        await wait_for(pilot, lambda: text_of(app, "#match") == "8 messages")
        assert len(app.stream.index) == 8


async def test_untrusted_strings_are_shown_literally(live_app: InspectorApp) -> None:
    app = live_app
    nasty = [
        "[@click=app.quit]x[/]",
        "[red]x",
        "\x1b[2J",
        "\x1b]52;c;ZXZpbA==\x07",
        "abc\u202edef",
        "N" * 10_000,
    ]
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.url is not None)
        for name in nasty:
            assert (
                await post(
                    app,
                    "/v1/track",
                    {"userId": name[:50], "event": name, "properties": {"v": name, name[:30]: 1}},
                )
                == 200
            )
        await wait_rows(pilot, app, len(nasty))
        lines = stream_lines(app)
        assert "[@click=app.quit]x[/]" in lines[0]
        assert "[red]x" in lines[1]
        assert "\\e[2J" in lines[2]
        assert "\\e]52;c;ZXZpbA==\\x07" in lines[3]
        assert "abc\\u202edef" in lines[4]
        assert "NNNNNNNNNN" in lines[5] and lines[5].count("…") >= 1
        # click every row (mouse), read its detail: the app stays up and shows text literally
        for y in range(len(nasty)):
            await pilot.click("#stream", offset=(30, y))
            await pilot.pause(0.08)
            assert app.is_running and app.return_code is None
            title = text_of(app, "#detail-title")
            body = text_of(app, "#json")
            assert "\x1b" not in title + body and "\u202e" not in title + body
        # The detail follows the cursor once it settles (DETAIL_SETTLE): wait, bounded.
        await pilot.click("#stream", offset=(30, 0))
        await wait_for(pilot, lambda: '"[@click=app.quit]x[/]"' in text_of(app, "#json"))
        await pilot.click("#stream", offset=(30, 3))
        await wait_for(pilot, lambda: '"\\u001b]52;c;ZXZpbA==\\u0007"' in text_of(app, "#json"))
        await pilot.click("#stream", offset=(30, 4))
        await wait_for(pilot, lambda: '"abc\\u202edef"' in text_of(app, "#json"))
        shown = screen_text(app)
        assert "\x1b" not in shown and "\u202e" not in shown and "\x07" not in shown
        for strip in app.screen._compositor.render_full_update().strips:  # type: ignore[attr-defined]
            for seg in strip:
                assert "\x1b" not in seg.text and "\u202e" not in seg.text
        await pilot.press("m")
        await pilot.pause(0.05)
        assert app.is_running


async def test_pause_resume_and_new_count(live_app: InspectorApp) -> None:
    app = live_app
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.url is not None)
        await post(app, "/v1/track", {"userId": "u", "event": "First Event"})
        await wait_rows(pilot, app, 1)
        await pilot.press("p")
        for _ in range(3):
            await post(app, "/v1/track", {"userId": "u", "event": "Later Event"})
        await wait_rows(pilot, app, 4)
        assert "paused · 3 new" in text_of(app, "#status")
        assert app.stream.cursor == 0  # the selection did not move
        assert "First Event" in text_of(app, "#detail-title")
        await pilot.press("p")
        await pilot.pause(0.1)
        assert "following" in text_of(app, "#status")
        assert app.stream.cursor == 3


async def test_scrolling_up_stops_following(live_app: InspectorApp) -> None:
    app = live_app
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.url is not None)
        batch = [{"type": "track", "userId": "u", "event": f"Step {i} Done"} for i in range(60)]
        await post(app, "/v1/batch", {"batch": batch})
        await wait_rows(pilot, app, 60)
        assert "Step 59 Done" in stream_lines(app)[-1]
        await pilot.press("up", "up")
        await post(app, "/v1/track", {"userId": "u", "event": "Another One"})
        await wait_rows(pilot, app, 61)
        assert "paused · 1 new" in text_of(app, "#status")
        assert "Step 57 Done" in text_of(app, "#detail-title")
        await pilot.press("G")
        await wait_for(pilot, lambda: "Another One" in text_of(app, "#detail-title"))
        assert "Another One" in stream_lines(app)[-1]


async def test_next_and_previous_error(live_app: InspectorApp) -> None:
    app = live_app
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.url is not None)
        batch = [
            {"type": "track", "userId": "u", "event": "Fine One", "messageId": "m1"},
            {
                "type": "track",
                "userId": "u",
                "event": "Bad One",
                "messageId": "m2",
                "timestamp": "yesterday",
            },
            {"type": "track", "userId": "u", "event": "Fine Two", "messageId": "m3"},
            {
                "type": "track",
                "userId": "u",
                "event": "Bad Two",
                "messageId": "m4",
                "properties": {"revenue": "1"},
            },
        ]
        await post(app, "/v1/batch", {"batch": batch})
        await wait_rows(pilot, app, 4)
        await pilot.press("g", "n")
        await wait_for(pilot, lambda: "Bad One" in text_of(app, "#detail-title"))
        assert app.stream.cursor == 1
        await pilot.press("n")
        await wait_for(pilot, lambda: "Bad Two" in text_of(app, "#detail-title"))
        assert app.stream.cursor == 3
        await pilot.press("N")
        await pilot.pause(0.1)
        assert app.stream.cursor == 1


async def test_clear_view_copy_and_export(live_app: InspectorApp, tmp_path: Path) -> None:
    app = live_app
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.url is not None)
        await post(app, "/v1/track", {"userId": "u", "event": "Old Event"})
        await wait_rows(pilot, app, 1)
        await pilot.press("y")
        await pilot.pause()
        assert json.loads(app.clipboard)["event"] == "Old Event"
        await pilot.press("c")
        await pilot.pause(0.1)
        assert len(app.stream.index) == 0
        assert "Waiting for the first event" in screen_text(app)
        await post(app, "/v1/track", {"userId": "u", "event": "New Event"})
        await post(app, "/v1/track", {"userId": "u", "event": "Newer Event"})
        await wait_rows(pilot, app, 2)
        lines = stream_lines(app)
        assert len(lines) == 2 and "New Event" in lines[0]
        assert "2 messages" in text_of(app, "#status")
        await pilot.press("e")
        session = app.store.path
        await wait_for(pilot, lambda: any(session.parent.glob("*-export-*")))
        out = next(session.parent.glob("*-export-*"))
        await wait_for(pilot, lambda: out.stat().st_size > 0)
        assert "New Event" in out.read_text() and "Old Event" not in out.read_text()


async def test_help_screen_and_palette(live_app: InspectorApp) -> None:
    app = live_app
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.url is not None)
        await pilot.press("question_mark")
        await pilot.pause(0.1)
        assert isinstance(app.screen, HelpScreen)
        shown = screen_text(app)
        assert "Keys" in shown and "move in the stream" in shown
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("ctrl+p")
        await pilot.pause(0.1)
        await pilot.press(*"clear view")
        await pilot.pause(0.2)
        assert "Clear view" in screen_text(app)
        await pilot.press("escape")


async def test_typing_in_filter_does_not_trigger_keys(live_app: InspectorApp) -> None:
    app = live_app
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.url is not None)
        await pilot.press("slash", *"qpcyemn")
        await pilot.pause(0.1)
        assert app.is_running and app.stream.following
        assert app._main.query_one("#filter").value == "qpcyemn"  # type: ignore[attr-defined]


async def test_busy_port_exits_with_code_2(tmp_path: Path) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    port = sock.getsockname()[1]
    store = Store(tmp_path / "s.sqlite")
    try:
        app = InspectorApp(capture=Capture(store), settings=Settings(port=port))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause(0.2)
        assert app.return_code == 2
        assert app.startup_error is not None
        assert app.startup_error.startswith(f"cannot listen on 127.0.0.1:{port}:")
        assert "Pick another port with --port N" in app.startup_error
    finally:
        sock.close()
        store.close()


async def test_read_only_session(demo_session: Path) -> None:
    store = Store(demo_session, readonly=True)
    try:
        app = InspectorApp(store=store)
        async with app.run_test(size=SIZE) as pilot:
            await wait_rows(pilot, app, 10)
            shown = screen_text(app)
            assert "read-only" in shown and str(demo_session) in shown
            lines = stream_lines(app)
            assert any("REJECTED" in line for line in lines)
            assert any("Order Completed" in line and "✖" in line for line in lines)
            assert any("analytics-swift" in line for line in lines)
    finally:
        store.close()


def test_busy_port_from_the_command_line(tmp_path: Path) -> None:
    """`inspector --port BUSY`: one line on stderr, exit code 2, no traceback."""
    import subprocess
    import sys

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    port = sock.getsockname()[1]
    try:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "inspector",
                "--port",
                str(port),
                "--session",
                str(tmp_path / "s.sqlite"),
            ],
            capture_output=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
    finally:
        sock.close()
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 2
    assert "Traceback" not in err
    last = err.rsplit("\x1b", 1)[-1]  # after the terminal-restoring sequences
    assert (
        f"inspector: cannot listen on 127.0.0.1:{port}: address already in use. "
        "Pick another port with --port N"
    ) in last
    # Nothing was received: no empty session file is left behind to become `last`.
    assert not (tmp_path / "s.sqlite").exists()


async def test_match_total_counts_messages_that_do_not_match(live_app: InspectorApp) -> None:
    """A message outside the filter, arriving on its own, still moves "N of M match"."""
    app = live_app
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.url is not None)
        await post(app, "/v1/track", {"userId": "u", "event": "Order Completed"})
        await wait_rows(pilot, app, 1)
        app.apply_filter('event:"Order Completed"')
        await wait_for(pilot, lambda: text_of(app, "#match") == "1 of 1 match")
        await post(app, "/v1/track", {"userId": "u", "event": "Cart Viewed"})
        await wait_for(pilot, lambda: text_of(app, "#match") == "1 of 2 match")
