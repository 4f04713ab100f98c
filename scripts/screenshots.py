"""Make the README screenshots: SVGs of the real app on a realistic session.

Starts the inspector UI headless on a free port with a fresh session, posts the demo traffic
(browser, Node, Python, iOS and Android SDK requests, one malformed batch) over real HTTP to
it, and saves screenshots of the main screen, a message's violations, the request metadata,
the filter and the help screen. The clock is stepped and the URL/session labels fixed so the
output only changes when the UI does.

Run: ``make screenshots`` (or ``.venv/bin/python scripts/screenshots.py [OUT_DIR]``).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from inspector.config import Settings  # noqa: E402
from inspector.ingest.service import Capture  # noqa: E402
from inspector.spec import Engine  # noqa: E402
from inspector.store import Store  # noqa: E402
from inspector.tui.app import InspectorApp  # noqa: E402
from inspector.tui.demo import demo_requests, step_clock  # noqa: E402

SIZE = (120, 36)


async def wait_for(pilot, cond, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not cond():
        if loop.time() > end:
            raise RuntimeError("the UI did not get there in time")
        await pilot.pause(0.05)
    await pilot.pause(0.2)


async def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "session.sqlite")
        capture = Capture(store, Engine(), clock=step_clock())
        app = InspectorApp(
            capture=capture,
            settings=Settings(port=0),
            session_label="~/.local/share/inspector/sessions/session-20250314-092653.sqlite",
            url_label="http://127.0.0.1:8787",
        )
        try:
            async with app.run_test(size=SIZE) as pilot:
                await wait_for(pilot, lambda: app.url is not None and app.builds_done > 0)
                # The footer fills in after the first frames: picture it as a user sees it.
                await wait_for(pilot, lambda: len(app.screen.query("FooterKey")) > 0)
                app.save_screenshot("empty.svg", str(out))
                requests = demo_requests()
                async with aiohttp.ClientSession() as http:
                    for path, headers, body in requests:
                        async with http.post(app.url + path, data=body, headers=dict(headers)) as r:
                            await r.read()
                await wait_for(
                    pilot, lambda: app.totals.rejected == 1 and len(app.stream.index) >= 17
                )
                await pilot.pause(2.3)  # let msg/s settle to 0: the picture stays the same
                app.save_screenshot("main.svg", str(out))
                await pilot.press("g", "n")
                await pilot.pause(0.4)
                app.save_screenshot("detail.svg", str(out))
                await pilot.press("m")
                await pilot.pause(0.3)
                app.save_screenshot("request-metadata.svg", str(out))
                await pilot.press("m", "slash", *"has:error", "enter")
                await wait_for(pilot, lambda: app.flt.text == "has:error" and not app._building)
                await pilot.pause(0.4)
                app.save_screenshot("filter.svg", str(out))
                await pilot.press("question_mark")
                await pilot.pause(0.3)
                app.save_screenshot("help.svg", str(out))
                await pilot.press("escape", "slash", "escape")  # close help, clear the filter
                await wait_for(pilot, lambda: app.flt.empty and not app._building)
                app.action_focus_stream()
                # Context diff of the browser's Order Completed against that user's previous call.
                pos = app.stream.index.index_of_seq(16)
                if pos is not None:
                    app.stream.move_to(pos)
                    await pilot.pause(0.4)
                    await pilot.press("d")
                    await pilot.pause(1.0)
                    app.save_screenshot("context-diff.svg", str(out))
                # The Node backend's and the browser's Order Completed side by side.
                for seq in (8, 16):
                    pos = app.stream.index.index_of_seq(seq)
                    if pos is not None:
                        app.stream.move_to(pos)
                        await pilot.press("x")
                await pilot.press("D")
                await pilot.pause(0.6)
                app.save_screenshot("side-by-side.svg", str(out))
        finally:
            store.close()
    for name in sorted(p.name for p in out.glob("*.svg")):
        print(out / name)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "screenshots"))
