"""Tracking plan coverage: which planned events and required properties the session showed.

The data is :meth:`inspector.plan.Plan.coverage_summary` (what ``inspector check --plan PLAN
--coverage`` prints); the screen reads it again every second while open, so live traffic
shows up. The app's side is :class:`PlanActions` (a mixin of
:class:`~inspector.tui.app.InspectorApp`, like the diff actions):

- live, the plan is the capture engine's (``runtime.build_engine`` sets ``engine.plan``):
  the engine's rule records coverage as messages arrive;
- otherwise, with ``Settings.plan`` (``inspector open FILE --plan PLAN``), the app loads the
  plan itself and checks the stored messages in a worker thread (by seq, so messages added
  later are scanned once each).

A live session may already hold messages (``open FILE --plan PLAN --listen``, a reused
``--session``): the engine never checked those, so they are scanned once too, up to the last
seq before the endpoint starts (``start_plan`` runs first), hence none is counted twice.

Either way ``Plan.watch()`` runs while the app is up, so an edited plan reloads without
traffic. Every event name, property path and error comes from the plan file or the network:
all of it goes through :mod:`inspector.safety` into ``Text`` objects, never markup.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static
from textual.worker import get_current_worker

from inspector.safety import clean, safe_text

if TYPE_CHECKING:
    from inspector.plan import Plan
    from inspector.tui.app import InspectorApp

#: Seconds between refreshes of the screen and of the status bar's plan note.
REFRESH_SECONDS = 1.0
#: Unplanned event names listed at most (the rest are counted).
MAX_UNPLANNED = 50
#: Required paths listed at most per event.
MAX_PATHS = 20

LABEL = Style(color="#8a8a8a")
SEEN = Style(color="#5faf5f", bold=True)
UNSEEN = Style(color="#ff5f87", bold=True)
WARN = Style(color="#e6db74")
NAME = Style(bold=True)

NO_PLAN = "No tracking plan: start with --plan PLAN"

PLAN_BINDINGS = [Binding("P", "coverage", "Plan coverage", show=False)]


def _pct(n: int, total: int) -> str:
    from inspector.plan.report import percent  # the one rounding, as `check --coverage`

    return percent(n, total)


def status_note(report: dict[str, Any]) -> str:
    """``plan: N/M events seen`` for the status bar."""
    tot = report["totals"]
    return f"plan: {tot['events_seen']}/{tot['events']} events seen"


def title_text(report: dict[str, Any]) -> Text:
    out = Text(no_wrap=True, overflow="ellipsis", end="")
    out.append("Tracking plan coverage  ", Style(bold=True))
    out.append_text(safe_text(report["plan"], "bold #a6e22e", 200))
    out.append("  (", LABEL)
    out.append_text(safe_text(report["format"], "", 40))
    out.append(")", LABEL)
    return out


def summary_text(report: dict[str, Any], scanning: bool = False) -> Text:
    tot = report["totals"]
    out = Text(end="")
    n, m = tot["events_seen"], tot["events"]
    out.append(f"{n}/{m}", SEEN if m and n == m else UNSEEN if m else NAME)
    out.append(f" planned events seen ({_pct(n, m)})", LABEL)
    out.append("  ·  ", LABEL)
    out.append(f"{tot['required_seen']}/{tot['required']}", NAME)
    out.append(
        f" required properties/traits of seen calls present ({_pct(tot['required_seen'], tot['required'])})",
        LABEL,
    )
    unplanned = report["unplanned"]
    if unplanned:
        out.append("  ·  ", LABEL)
        out.append(f"{len(unplanned):,}", WARN)
        out.append(" unplanned event names", LABEL)
    if scanning:
        out.append("  ·  checking the session…", WARN)
    return out


def error_text(report: dict[str, Any]) -> Text | None:
    """The last failed reload (the previous plan stays in force), if any."""
    if not report.get("error"):
        return None
    out = Text(end="")
    out.append("Plan reload failed, the previous plan is still in force: ", UNSEEN)
    out.append(clean(report["error"], 500))
    return out


def unplanned_text(report: dict[str, Any]) -> Text | None:
    """One line of the unplanned event names seen, most frequent first."""
    unplanned: dict[str, int] = report["unplanned"]
    if not unplanned:
        return None
    out = Text(end="")
    out.append("Unplanned events seen: ", WARN + Style(bold=True))
    items = sorted(unplanned.items(), key=lambda kv: (-kv[1], kv[0]))
    for i, (name, n) in enumerate(items[:MAX_UNPLANNED]):
        if i:
            out.append(", ", LABEL)
        out.append_text(safe_text(name, "", 80))
        out.append(f" ×{n:,}", LABEL)
    if len(items) > MAX_UNPLANNED:
        out.append(f", … {len(items) - MAX_UNPLANNED:,} more", LABEL)
    return out


COLUMNS = (
    ("event", "event"),
    ("seen", "seen"),
    ("status", "status"),
    ("issues", "issues"),
    ("required, never present", "required"),
)


def entry_key(entry: dict[str, Any]) -> str:
    return f"{entry['kind']}\x00{entry['name']}"


def entry_cells(entry: dict[str, Any]) -> tuple[Text, ...]:
    """Display cells of one planned thing (a track event, or the identify / group call)."""
    if entry["kind"] == "track":
        name = safe_text(entry["name"], "bold", 80)
    else:
        name = Text(f"({entry['kind']})", style=LABEL, no_wrap=True, end="")
    seen = int(entry["seen"])
    if seen:
        status = Text("✓ seen", style=SEEN, no_wrap=True, end="")
    else:
        status = Text("✗ never seen", style=UNSEEN, no_wrap=True, end="")
    issues = Text(no_wrap=True, end="")
    if entry["errors"]:
        issues.append(f"{entry['errors']:,} err", UNSEEN)
    if entry["warnings"]:
        if entry["errors"]:
            issues.append(" ")
        issues.append(f"{entry['warnings']:,} warn", WARN)
    missing = Text(no_wrap=True, end="")
    if seen:
        paths: list[str] = entry["required_unseen"]
        for i, p in enumerate(paths[:MAX_PATHS]):
            if i:
                missing.append(", ", LABEL)
            missing.append(clean(p, 80), WARN)
        if len(paths) > MAX_PATHS:
            missing.append(f", … {len(paths) - MAX_PATHS} more", LABEL)
    return (
        name,
        Text(f"{seen:,}", style=LABEL if not seen else "", justify="right", end=""),
        status,
        issues,
        missing,
    )


class CoverageScreen(ModalScreen[None]):
    """Coverage of the tracking plan by the session, refreshed every second."""

    DEFAULT_CSS = """
    CoverageScreen { layout: vertical; background: $surface; }
    CoverageScreen #cov-title { height: 1; padding: 0 1; background: $panel; }
    CoverageScreen #cov-summary { height: auto; padding: 0 1; }
    CoverageScreen #cov-error { height: auto; max-height: 4; padding: 0 1; display: none; }
    CoverageScreen #cov-error.-shown { display: block; }
    CoverageScreen #cov-table { height: 1fr; }
    CoverageScreen #cov-unplanned {
        height: auto; max-height: 6; padding: 0 1; border-top: solid $panel; display: none;
    }
    CoverageScreen #cov-unplanned.-shown { display: block; }
    """

    BINDINGS = [Binding("escape,q", "dismiss", "Close")]

    def __init__(self, plan: Plan, scanning: Callable[[], bool] = lambda: False) -> None:
        super().__init__()
        self.plan = plan
        self.scanning = scanning
        self.report: dict[str, Any] | None = None
        self._keys: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static(Text("Tracking plan coverage", Style(bold=True)), id="cov-title")
        yield Static(id="cov-summary")
        yield Static(id="cov-error")
        yield DataTable(id="cov-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="cov-unplanned")
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[Text] = self.query_one(DataTable)
        for title, key in COLUMNS:
            table.add_column(Text(title), key=key)
        self.refresh_coverage()
        self.set_interval(REFRESH_SECONDS, self.refresh_coverage)
        table.focus()

    def refresh_coverage(self) -> None:
        try:
            report = self.plan.coverage_summary()
        except Exception as exc:  # a plan bug must not take the screen down
            self.query_one("#cov-summary", Static).update(
                Text(f"Coverage unavailable: {clean(exc, 300)}", UNSEEN)
            )
            return
        self.report = report
        self.query_one("#cov-title", Static).update(title_text(report))
        self.query_one("#cov-summary", Static).update(summary_text(report, self.scanning()))
        self._show_optional("#cov-error", error_text(report))
        self._show_optional("#cov-unplanned", unplanned_text(report))
        self._fill_table(report["entries"])

    def _show_optional(self, selector: str, text: Text | None) -> None:
        w = self.query_one(selector, Static)
        w.set_class(text is not None, "-shown")
        w.update(text or "")

    def _fill_table(self, entries: list[dict[str, Any]]) -> None:
        table: DataTable[Text] = self.query_one(DataTable)
        keys = [entry_key(e) for e in entries]
        rows = [entry_cells(e) for e in entries]
        if keys == self._keys:
            for key, cells in zip(keys, rows, strict=True):
                old = table.get_row(key)
                for (_title, col), new, was in zip(COLUMNS, cells, old, strict=True):
                    if new != was:
                        table.update_cell(key, col, new)
            return
        # the plan changed (reloaded): rebuild, keeping the cursor on the same event
        current = self._keys[table.cursor_row] if 0 <= table.cursor_row < len(self._keys) else None
        table.clear()
        for key, cells in zip(keys, rows, strict=True):
            table.add_row(*cells, key=key)
        self._keys = keys
        if current in keys:
            table.move_cursor(row=keys.index(current))

    def table_lines(self) -> list[str]:
        """The table as shown (one string a screen line)."""
        table = self.query_one(DataTable)
        return [table.render_line(y).text for y in range(table.size.height)]

    def text(self) -> str:
        """Everything shown, as plain text (title, summary, error, table, unplanned)."""
        parts = [
            str(self.query_one(f"#cov-{name}", Static).render())
            for name in ("title", "summary", "error")
        ]
        parts.extend(self.table_lines())
        parts.append(str(self.query_one("#cov-unplanned", Static).render()))
        return "\n".join(parts)


@dataclass
class PlanState:
    plan: Plan | None = None
    #: The ``Plan.watch()`` task (reloads the plan file on change without traffic).
    task: asyncio.Task[None] | None = None
    #: Scan the stored messages up to this seq (None: all, as they come, when no engine
    #: checks with the plan). The seqs up to ``scanned`` were scanned.
    scan_upto: int | None = None
    scanned: int = 0
    scanning: bool = False
    note: str = ""
    #: What the user was last told about reloads: the error shown, successful reloads seen.
    told_error: str | None = None
    told_reloads: int = 0


class PlanActions:
    """The app's tracking plan: which plan, its watch task, the scan, ``P`` and the note."""

    # ---------------------------------------------------------------- plumbing

    def _plan_ui(self) -> InspectorApp:
        return cast("InspectorApp", self)

    @property
    def _plan_state(self) -> PlanState:
        state = self.__dict__.get("_plan_state_")
        if state is None:
            state = self.__dict__["_plan_state_"] = PlanState()
        return cast(PlanState, state)

    @property
    def plan(self) -> Plan | None:
        """The tracking plan in use (None without --plan)."""
        return self._plan_state.plan

    @property
    def plan_note(self) -> str:
        """``plan: N/M events seen`` for the status bar ("" without a plan)."""
        return self._plan_state.note

    @property
    def plan_scanning(self) -> bool:
        return self._plan_state.scanning

    # ---------------------------------------------------------------- lifecycle

    def start_plan(self) -> None:
        """From on_mount, before the endpoint starts: find or load the plan, start watching
        it, fill coverage from the stored messages."""
        app = self._plan_ui()
        st = self._plan_state
        engine = getattr(app.capture, "engine", None)
        plan = getattr(engine, "plan", None)
        if plan is None and app.settings.plan:
            from inspector.plan import load_error, load_plan

            try:
                plan = load_plan(app.settings.plan)
            except Exception as exc:
                line = load_error(app.settings.plan, exc)
                app.notify(
                    line[:1].upper() + line[1:],
                    severity="error",
                    markup=False,
                )
                return
        elif plan is not None:
            # the engine checks what arrives from now on; what is stored was never checked
            st.scan_upto = app.store.last_seq
        if plan is None:
            return
        st.plan = plan
        st.told_reloads = plan.reloads
        st.task = asyncio.create_task(plan.watch())
        app.set_interval(REFRESH_SECONDS, self._plan_tick)
        self._plan_tick()

    def stop_plan(self) -> None:
        """From on_unmount: stop watching the plan file (a scan is cancelled by Textual)."""
        st = self._plan_state
        if st.task is not None:
            st.task.cancel()
            st.task = None

    def _plan_tick(self) -> None:
        st = self._plan_state
        plan = st.plan
        if plan is None:
            return
        last = self._plan_ui().store.last_seq
        if st.scan_upto is not None:
            last = min(last, st.scan_upto)
        if not st.scanning and last > st.scanned:
            st.scanning = True
            self._plan_scan(plan, st.scanned, last)
        self._tell_reloads(plan)
        try:
            st.note = status_note(plan.coverage_summary())
        except Exception:  # the screen says what went wrong
            st.note = ""
        if plan.last_error is not None:
            st.note = "plan: reload failed (P)"

    def _tell_reloads(self, plan: Plan) -> None:
        """A plan edit that does not load is said at once (and stays in the status bar),
        not only on the coverage screen; so is the reload that fixes it."""
        st = self._plan_state
        app = self._plan_ui()
        err = plan.last_error
        if err is not None and err != st.told_error:
            app.notify(
                f"Plan reload failed, the previous plan is still in force: {clean(err, 300)}",
                severity="error",
                timeout=10,
                markup=False,
            )
        elif plan.reloads != st.told_reloads:
            n = len(plan.event_names)
            app.notify(
                f"Plan reloaded: {n:,} event{'' if n == 1 else 's'}", timeout=3, markup=False
            )
        st.told_error = err
        st.told_reloads = plan.reloads

    @work(thread=True, exclusive=True, group="plan-scan", exit_on_error=False)
    def _plan_scan(self, plan: Plan, after: int, upto: int) -> None:
        worker = get_current_worker()
        store = self._plan_ui().store

        def messages() -> Iterator[Any]:
            for m in store.iter_messages("m.seq > ? AND m.seq <= ?", (after, upto)):
                if worker.is_cancelled:
                    return
                yield m.data

        try:
            plan.scan(messages())
        finally:
            if not worker.is_cancelled:
                self._plan_ui().call_from_thread(self._plan_scanned, upto)

    def _plan_scanned(self, upto: int) -> None:
        st = self._plan_state
        st.scanning = False
        st.scanned = upto
        self._plan_tick()

    # ---------------------------------------------------------------- actions

    def action_coverage(self) -> None:
        app = self._plan_ui()
        plan = self.plan
        if plan is None:
            app.notify(NO_PLAN, severity="warning", timeout=3, markup=False)
            return
        if not isinstance(app.screen, CoverageScreen):
            app.push_screen(CoverageScreen(plan, lambda: self.plan_scanning))

    def plan_system_commands(self) -> Iterator[SystemCommand]:
        yield SystemCommand(
            "Tracking plan coverage",
            "Planned events and required properties never seen in the session",
            self.action_coverage,
        )
