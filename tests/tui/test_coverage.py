"""Tracking plan coverage in the UI: ``P`` opens it, it follows live traffic, names are literal."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Static

from inspector.config import Settings
from inspector.ingest.service import Capture
from inspector.runtime import build_engine
from inspector.store import Store
from inspector.tui.app import InspectorApp
from inspector.tui.screens.coverage import NO_PLAN, CoverageScreen
from tests.tui.conftest import SIZE, make_demo_session, post, wait_for
from tests.tui.screen import screen_text

PLAN = Path(__file__).resolve().parents[2] / "examples" / "plan.yaml"


@pytest.fixture
def plan_app(tmp_path: Path) -> Iterator[InspectorApp]:
    """A live app checking against examples/plan.yaml (the engine `inspector` builds)."""
    settings = Settings(port=0, plan=str(PLAN))
    store = Store(tmp_path / "session.sqlite")
    capture = Capture(store, build_engine(settings))
    app = InspectorApp(capture=capture, settings=settings, refresh_interval=0.02)
    yield app
    store.close()


def row_of(lines: list[str], name: str) -> str:
    rows = [line for line in lines if name in line]
    assert len(rows) == 1, (name, lines)
    return rows[0]


def status_text(app: InspectorApp) -> str:
    return str(app._main.query_one("#status", Static).render())


async def test_coverage_screen_follows_live_traffic(plan_app: InspectorApp) -> None:
    app = plan_app
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.url is not None and app.plan is not None)
        await wait_for(pilot, lambda: "plan: 0/5 events seen" in status_text(app))
        viewed = {
            "userId": "u1",
            "event": "Product Viewed",
            "properties": {"product_id": "p1", "price": 9.5},
        }
        assert await post(app, "/v1/track", viewed) == 200
        assert await post(app, "/v1/track", {"userId": "u1", "event": "Wishlist Opened"}) == 200
        await wait_for(pilot, lambda: "plan: 1/5 events seen" in status_text(app), timeout=5)

        await pilot.press("P")
        await wait_for(pilot, lambda: isinstance(app.screen, CoverageScreen))
        screen = app.screen
        assert isinstance(screen, CoverageScreen)
        await pilot.pause(0.05)
        lines = screen.table_lines()
        seen = row_of(lines, "Product Viewed")
        assert "✓ seen" in seen and " 1 " in seen
        never = row_of(lines, "Checkout Started")
        assert "✗ never seen" in never
        assert "(identify)" in row_of(lines, "(identify)") and "never seen" in row_of(
            lines, "(identify)"
        )
        text = screen.text()
        assert "Tracking plan coverage" in text and str(PLAN) in text and "(simple)" in text
        assert "1/5 planned events seen" in text
        assert "Unplanned events seen: Wishlist Opened ×1" in text

        # live: a second event sent while the screen is open shows within a refresh
        added = {"userId": "u1", "event": "Product Added", "properties": {"quantity": 2}}
        assert await post(app, "/v1/track", added) == 200
        await wait_for(
            pilot, lambda: "✓ seen" in row_of(screen.table_lines(), "Product Added"), timeout=5
        )
        # seen without its required product_id: listed as never present
        assert "properties.product_id" in row_of(screen.table_lines(), "Product Added")
        assert "2/5 planned events seen" in screen.text()
        assert "Tracking plan coverage" in screen_text(app)

        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, CoverageScreen)
        assert "plan: 2/5 events seen" in status_text(app)

        # the command palette has it too
        await pilot.press("ctrl+p")
        await pilot.pause(0.1)
        await pilot.press(*"plan coverage")
        await wait_for(pilot, lambda: "Tracking plan coverage" in screen_text(app))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CoverageScreen))
        await pilot.press("q")
        await pilot.pause()
        assert not isinstance(app.screen, CoverageScreen) and app.is_running


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    """A writable demo session of the test's own."""
    return make_demo_session(tmp_path / "demo.sqlite")


async def test_live_session_with_stored_messages_counts_each_once(demo_copy: Path) -> None:
    """A live session that already holds messages (`open FILE --plan PLAN --listen`): the
    stored ones are scanned once, what arrives is counted by the engine, nothing twice."""
    settings = Settings(port=0, plan=str(PLAN))
    store = Store(demo_copy)
    try:
        app = InspectorApp(
            capture=Capture(store, build_engine(settings)), settings=settings, refresh_interval=0.02
        )
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: app.url is not None)
            await wait_for(pilot, lambda: "plan: 4/5 events seen" in status_text(app))
            order = {
                "userId": "u1",
                "event": "Order Completed",
                "properties": {"order_id": "ord_1", "revenue": 1.0},
            }
            assert await post(app, "/v1/track", order) == 200
            await pilot.press("P")
            await wait_for(pilot, lambda: isinstance(app.screen, CoverageScreen))
            screen = app.screen
            assert isinstance(screen, CoverageScreen)
            await wait_for(
                pilot, lambda: "  3  " in row_of(screen.table_lines(), "Order Completed")
            )
            await pilot.pause(1.2)  # a scan tick later: the new message is not scanned again
            assert app.plan is not None
            seen = {e["name"]: e["seen"] for e in app.plan.coverage_summary()["entries"]}
            assert seen["Order Completed"] == 3 and seen["Product Viewed"] == 1
    finally:
        store.close()


async def test_no_plan_notifies(live_app: InspectorApp) -> None:
    app = live_app
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.url is not None)
        await pilot.press("P")
        await pilot.pause(0.1)
        assert not isinstance(app.screen, CoverageScreen)
        assert NO_PLAN == "No tracking plan: start with --plan PLAN"
        assert any(n.message == NO_PLAN for n in app._notifications)
        assert "plan:" not in status_text(app)


async def test_read_only_session_is_scanned_and_names_are_literal(
    tmp_path: Path, demo_session: Path
) -> None:
    """`inspector open FILE --plan PLAN`: the app loads the plan and scans the stored messages;
    an event name that looks like markup is shown as written, and clicking does nothing."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "events:\n"
        "  '[@click=app.quit]x':\n"
        "    properties:\n"
        "      id: {type: string, required: true}\n"
        "  '[red]y[/red]': {}\n"
        "  Order Completed:\n"
        "    properties:\n"
        "      '[b]order_id': {type: string, required: true}\n"
    )
    store = Store(demo_session, readonly=True)
    try:
        app = InspectorApp(store=store, settings=Settings(plan=str(plan)))
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: app.plan is not None and app.builds_done > 0)
            await wait_for(pilot, lambda: "plan: 1/3 events seen" in status_text(app))
            await pilot.press("P")
            await wait_for(pilot, lambda: isinstance(app.screen, CoverageScreen))
            screen = app.screen
            assert isinstance(screen, CoverageScreen)
            await pilot.pause(0.05)
            lines = screen.table_lines()
            assert "✗ never seen" in row_of(lines, "[@click=app.quit]x")
            assert "✗ never seen" in row_of(lines, "[red]y[/red]")
            done = row_of(lines, "Order Completed")
            assert "✓ seen" in done and 'properties["[b]order_id"]' in done
            # unplanned names from the network are literal too (the demo sends "click")
            assert "Unplanned events seen:" in screen.text()
            shown = screen_text(app)
            assert "[@click=app.quit]x" in shown and "[red]y[/red]" in shown
            for y, line in enumerate(screen.table_lines()):
                if "[@click=app.quit]x" in line:
                    await pilot.click("#cov-table", offset=(3, y))
            await pilot.pause(0.1)
            assert app.is_running and app.return_code is None
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, CoverageScreen)
    finally:
        store.close()


async def test_plan_edit_reloads_without_traffic(tmp_path: Path, demo_session: Path) -> None:
    """The app watches the plan file: a broken edit shows as the last reload error."""
    plan = tmp_path / "plan.yaml"
    plan.write_text("events:\n  Order Completed: {}\n")
    store = Store(demo_session, readonly=True)
    try:
        app = InspectorApp(store=store, settings=Settings(plan=str(plan)))
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: app.plan is not None)
            await pilot.press("P")
            await wait_for(pilot, lambda: isinstance(app.screen, CoverageScreen))
            screen = app.screen
            assert isinstance(screen, CoverageScreen)
            plan.write_text("events:\n  Order Completed: {}\n  Refund Issued: {}\n")
            await wait_for(pilot, lambda: "Refund Issued" in screen.text(), timeout=6)
            plan.write_text("events: [not, a, mapping\n")
            await wait_for(pilot, lambda: "Plan reload failed" in screen.text(), timeout=6)
            assert "Refund Issued" in screen.text()  # the previous plan stays in force
    finally:
        store.close()


async def test_a_broken_plan_edit_is_said_on_the_main_screen(
    tmp_path: Path, demo_session: Path
) -> None:
    """Without opening P: a toast and the status bar say the reload failed, and the fix."""
    plan = tmp_path / "plan.yaml"
    plan.write_text("events:\n  Order Completed: {}\n")
    store = Store(demo_session, readonly=True)
    try:
        app = InspectorApp(store=store, settings=Settings(plan=str(plan)))
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: app.plan is not None and "plan:" in status_text(app))
            assert not [n for n in app._notifications if "Plan" in n.message]
            plan.write_text("events: [not, a, mapping\n")
            await wait_for(pilot, lambda: "reload failed" in status_text(app), timeout=6)
            toasts = [n.message for n in app._notifications]
            assert any(t.startswith("Plan reload failed, the previous plan") for t in toasts)
            plan.write_text("events:\n  Order Completed: {}\n  Refund Issued: {}\n")
            await wait_for(pilot, lambda: "reload failed" not in status_text(app), timeout=6)
            toasts = [n.message for n in app._notifications]
            assert "Plan reloaded: 2 events" in toasts
            assert "2 events" in status_text(app) or "/2" in status_text(app)
    finally:
        store.close()


def test_the_coverage_screen_rounds_as_check_does() -> None:
    from inspector.tui.screens.coverage import summary_text

    report = {
        "totals": {"events_seen": 2, "events": 3, "required_seen": 7, "required": 8},
        "unplanned": [],
    }
    text = summary_text(report).plain
    assert "2/3 planned events seen (67%)" in text
    assert "7/8 required properties/traits of seen calls present (88%)" in text
