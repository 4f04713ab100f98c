"""Fixtures for the terminal UI: a live app on a free port, a prepared read-only session."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from inspector.config import Settings
from inspector.ingest.service import Capture
from inspector.spec import Engine
from inspector.store import Store
from inspector.tui.app import InspectorApp
from inspector.tui.demo import ingest_demo, step_clock

SIZE = (120, 36)


@pytest.fixture
def live_app(tmp_path: Path) -> Iterator[InspectorApp]:
    """A live app (not started yet: use ``async with app.run_test(size=SIZE)``) on port 0."""
    store = Store(tmp_path / "session.sqlite")
    capture = Capture(store, Engine())
    app = InspectorApp(capture=capture, settings=Settings(port=0), refresh_interval=0.02)
    yield app
    store.close()


def make_demo_session(path: Path) -> Path:
    store = Store(path)
    capture = Capture(store, Engine(), clock=step_clock())
    asyncio.run(ingest_demo(capture))
    store.close()
    return path


@pytest.fixture(scope="session")
def demo_session(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo_session(tmp_path_factory.mktemp("demo") / "demo.sqlite")


@pytest.fixture
def demo_app(demo_session: Path) -> Iterator[Callable[[], InspectorApp]]:
    """Factory of read-only apps on the demo session, with fixed labels (for snapshots)."""
    stores: list[Store] = []

    def make() -> InspectorApp:
        store = Store(demo_session, readonly=True)
        stores.append(store)
        return InspectorApp(
            store=store,
            session_label="~/.local/share/inspector/sessions/demo.sqlite",
            url_label="http://127.0.0.1:8787",
        )

    yield make
    for s in stores:
        s.close()


async def post(
    app: InspectorApp,
    path: str,
    body: Any = None,
    *,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> int:
    """POST to the app's bound port; returns the status."""
    assert app.url, "the endpoint is not started"
    async with aiohttp.ClientSession() as http:
        if data is not None:
            r = await http.post(app.url + path, data=data, headers=headers or {})
        else:
            r = await http.post(app.url + path, json=body, headers=headers or {})
        await r.read()
        return r.status


async def wait_for(pilot: Any, cond: Callable[[], bool], timeout: float = 5.0) -> None:
    """Let the app run until ``cond()`` holds (bounded)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not cond():
        if loop.time() > end:
            raise AssertionError("timed out waiting for the UI")
        await pilot.pause(0.02)
    await pilot.pause()


async def wait_rows(pilot: Any, app: InspectorApp, n: int) -> None:
    await wait_for(pilot, lambda: len(app.stream.index) >= n and not app._building)
    # one more refresh so the detail pane follows the cursor
    await pilot.pause(0.05)


def stream_lines(app: InspectorApp) -> list[str]:
    """The stream rows as the user sees them (screen lines of the stream widget)."""
    s = app.stream
    return [s.render_line(y).text for y in range(min(s.size.height, len(s.index)))]
