"""Snapshot tests (pytest-textual-snapshot) of the main screens, on the demo session.

Deterministic: the demo session is written with a stepping clock, opened read-only, and the
session path and URL shown are fixed labels. Update with ``pytest tests/tui --snapshot-update``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from inspector.config import Settings
from inspector.ingest.service import Capture
from inspector.store import Store
from inspector.tui.app import InspectorApp
from tests.tui.conftest import SIZE, wait_for


async def _opened(pilot: Any) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: app.builds_done > 0 and not app._building)
    await pilot.pause(0.1)


def test_main_screen(snap_compare: Any, demo_app: Callable[[], InspectorApp]) -> None:
    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=_opened)


def test_detail_with_violations(snap_compare: Any, demo_app: Callable[[], InspectorApp]) -> None:
    async def run_before(pilot: Any) -> None:
        await _opened(pilot)
        await pilot.press("g", "n")  # first message with an error: Order Completed
        await pilot.pause(0.1)

    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=run_before)


def test_request_metadata(snap_compare: Any, demo_app: Callable[[], InspectorApp]) -> None:
    async def run_before(pilot: Any) -> None:
        await _opened(pilot)
        await pilot.press("g", "n", "m")
        await pilot.pause(0.1)

    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=run_before)


def test_help_screen(snap_compare: Any, demo_app: Callable[[], InspectorApp]) -> None:
    async def run_before(pilot: Any) -> None:
        await _opened(pilot)
        await pilot.press("question_mark")
        await pilot.pause(0.1)

    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=run_before)


def test_filter_applied(snap_compare: Any, demo_app: Callable[[], InspectorApp]) -> None:
    async def run_before(pilot: Any) -> None:
        await _opened(pilot)
        await pilot.press("slash", *"has:error", "enter")
        await wait_for(pilot, lambda: pilot.app.builds_done > 1 and not pilot.app._building)
        await pilot.pause(0.1)

    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=run_before)


def test_empty_live_screen(snap_compare: Any, tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite")
    try:
        app = InspectorApp(
            capture=Capture(store),
            settings=Settings(port=0),
            session_label="~/.local/share/inspector/sessions/session-20250314-092653.sqlite",
            url_label="http://127.0.0.1:8787",
        )
        assert snap_compare(app, terminal_size=SIZE, run_before=_opened)
    finally:
        store.close()
