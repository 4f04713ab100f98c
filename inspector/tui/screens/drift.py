"""Session-level context drift: which context paths change within an identity.

The summary (:func:`inspector.diff.drift_summary`) reads every message of the session, so
it runs in a worker thread on a private connection, with a progress bar, and can be
cancelled by closing the screen. The table lists paths most drifty first; the pane below
shows the highlighted path's values and its first drift events (seq, identity, old -> new).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, ProgressBar, Static
from textual.worker import get_current_worker

from inspector.diff import Drift, PathDrift, drift_summary
from inspector.safety import clean
from inspector.tui.widgets.context_diff import (
    KIND_STYLE,
    LABEL,
    NEW_STYLE,
    OLD_STYLE,
    PATH_STYLE,
    plural,
    value_text,
)

#: Messages read at most (the latest ones): the summary holds them in memory.
MAX_MESSAGES = 250_000
#: Paths listed at most.
MAX_PATHS = 1000
#: Progress updates every this many messages.
PROGRESS_EVERY = 2000


class _Cancelled(Exception):
    pass


def drift_rows(drift: Drift) -> list[tuple[PathDrift, tuple[Text, ...]]]:
    """(path drift, display cells) for the table, most drifty first."""
    out: list[tuple[PathDrift, tuple[Text, ...]]] = []
    for pd in drift.paths[:MAX_PATHS]:
        dim = not pd.drifting
        base = Style(dim=True) if dim else Style()
        first = pd.first_changed or pd.first_disappeared or pd.first_appeared
        first_txt = Text(no_wrap=True, end="")
        if first is not None:
            first_txt.append(f"#{first.seq} ", base + Style(bold=True))
            if first.kind == "changed":
                first_txt.append_text(value_text(first.old, OLD_STYLE, 24))
                first_txt.append(" → ", LABEL)
                first_txt.append_text(value_text(first.new, NEW_STYLE, 24))
            else:
                first_txt.append(
                    first.kind, KIND_STYLE["removed" if first.kind == "disappeared" else "added"]
                )
        cells = (
            Text(clean(pd.path, 80), style=base + (Style() if dim else PATH_STYLE), no_wrap=True),
            Text(
                str(pd.score),
                style=base + (Style() if dim else KIND_STYLE["changed"]),
                justify="right",
            ),
            Text(str(pd.changes), style=base, justify="right"),
            Text(str(pd.disappearances), style=base, justify="right"),
            Text(str(pd.appearances), style=base, justify="right"),
            Text(str(pd.distinct), style=base, justify="right"),
            Text(str(pd.max_per_identity), style=base, justify="right"),
            Text(f"{pd.messages:,}", style=base, justify="right"),
            first_txt,
        )
        out.append((pd, cells))
    return out


def summary_text(drift: Drift, total: int, read: int) -> Text:
    out = Text(no_wrap=True, end="")
    out.append("Context drift  ", Style(bold=True))
    scope = f"{read:,} messages" if read >= total else f"the latest {read:,} of {total:,} messages"
    out.append(f"{scope}, {plural(drift.identities, 'identity', 'identities')}", LABEL)
    out.append("  ·  ", LABEL)
    n = len(drift.drifting)
    if n:
        out.append(f"{plural(n, 'path')} drifting", KIND_STYLE["changed"])
    else:
        out.append("no context path changed within an identity", Style(color="#5faf5f"))
    out.append(f" of {len(drift.paths):,}", LABEL)
    if drift.skipped:
        out.append(f"  ·  {drift.skipped:,} non-object messages skipped", LABEL)
    return out


def path_detail(pd: PathDrift) -> Text:
    """Values and first events of one path."""
    out = Text(end="")
    out.append(clean(pd.path, 200), PATH_STYLE + Style(bold=True))
    out.append(
        f"  ·  first seen #{pd.first_seq} · {pd.messages:,} messages · "
        f"{pd.distinct:,} distinct values · up to {pd.max_per_identity} per identity\n",
        LABEL,
    )
    out.append("values  ", LABEL)
    for n, (value, count) in enumerate(pd.values()):
        if n:
            out.append("  ")
        out.append_text(value_text(value, "", 40))
        out.append(f" ×{count:,}", LABEL)
    out.append("\n")
    for e in pd.events:
        out.append(f"#{e.seq:<6}", Style(bold=True))
        kind_style = {"changed": "changed", "disappeared": "removed", "appeared": "added"}[e.kind]
        out.append(f"{e.kind:<12}", KIND_STYLE[kind_style])
        out.append(clean(e.identity or "(no id)", 40), LABEL)
        out.append(f" since #{e.since_seq}  ", LABEL)
        if e.kind == "changed":
            out.append_text(value_text(e.old, OLD_STYLE, 40))
            out.append(" → ", LABEL)
            out.append_text(value_text(e.new, NEW_STYLE, 40))
        elif e.kind == "disappeared":
            out.append_text(value_text(e.old, OLD_STYLE, 40))
        else:
            out.append_text(value_text(e.new, NEW_STYLE, 40))
        out.append("\n")
    shown = len(pd.events)
    if pd.score > shown:
        out.append(f"… {pd.score - shown:,} more events\n", LABEL)
    return out


class DriftScreen(ModalScreen[None]):
    """Drift summary of the whole session (computed in a worker)."""

    DEFAULT_CSS = """
    DriftScreen { layout: vertical; background: $surface; }
    DriftScreen #drift-title { height: auto; padding: 0 1; background: $panel; }
    DriftScreen #drift-progress { height: auto; padding: 1 2; }
    DriftScreen #drift-table { height: 1fr; }
    DriftScreen #drift-detail-scroll { height: 10; border-top: solid $panel; }
    DriftScreen #drift-detail { width: auto; padding: 0 1; }
    DriftScreen.-loading #drift-table, DriftScreen.-loading #drift-detail-scroll { display: none; }
    DriftScreen #drift-progress { display: none; }
    DriftScreen.-loading #drift-progress { display: block; }
    """

    BINDINGS = [Binding("escape,q", "dismiss", "Close"), Binding("r", "reload", "Recompute")]

    def __init__(self, store: Any) -> None:
        super().__init__()
        self.store = store
        self.drift: Drift | None = None
        self._rows: list[PathDrift] = []

    def compose(self) -> ComposeResult:
        yield Static(
            Text("Context drift  reading the session…", Style(bold=True)), id="drift-title"
        )
        yield ProgressBar(id="drift-progress", show_eta=False)
        yield DataTable(id="drift-table", cursor_type="row")
        with VerticalScroll(id="drift-detail-scroll"):
            yield Static(id="drift-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        self.add_class("-loading")
        self.query_one("#drift-title", Static).update(
            Text("Context drift  reading the session…", Style(bold=True))
        )
        self._compute()

    # ---------------------------------------------------------------- worker

    @work(thread=True, exclusive=True, group="drift", exit_on_error=False)
    def _compute(self) -> None:
        worker = get_current_worker()
        store = self.store
        hi = int(store.last_seq)
        total = next(iter(store.iter_query("SELECT count(*) FROM messages WHERE seq <= ?", (hi,))))[
            0
        ]
        lo = 0
        if total > MAX_MESSAGES:
            rows = list(
                store.iter_query(
                    "SELECT seq FROM messages WHERE seq <= ? ORDER BY seq DESC LIMIT 1 OFFSET ?",
                    (hi, MAX_MESSAGES - 1),
                )
            )
            lo = int(rows[0][0]) - 1 if rows else 0
        want = min(total, MAX_MESSAGES)
        bar = self.query_one(ProgressBar)
        self.app.call_from_thread(bar.update, total=max(want, 1), progress=0)
        read = 0

        def pairs() -> Iterator[tuple[int, Any]]:
            nonlocal read
            for m in store.iter_messages("seq > ? AND seq <= ?", (lo, hi)):
                if worker.is_cancelled:
                    raise _Cancelled
                read += 1
                if read % PROGRESS_EVERY == 0:
                    self.app.call_from_thread(bar.update, progress=read)
                yield m.seq, m.data

        try:
            drift = drift_summary(pairs())
        except _Cancelled:
            return
        except Exception as exc:  # a damaged session: say so
            self.app.call_from_thread(self._failed, str(exc))
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._install, drift, total, read)

    def _failed(self, reason: str) -> None:
        self.remove_class("-loading")
        self.query_one("#drift-title", Static).update(
            Text(
                f"Context drift could not be computed: {clean(reason, 300)}", KIND_STYLE["removed"]
            )
        )

    def _install(self, drift: Drift, total: int, read: int) -> None:
        self.drift = drift
        self.query_one("#drift-title", Static).update(summary_text(drift, total, read))
        table: DataTable[Text] = self.query_one(DataTable)
        table.clear(columns=True)
        for title, key in (
            ("path", "path"),
            ("drift", "score"),
            ("changed", "changes"),
            ("gone", "gone"),
            ("new", "new"),
            ("values", "distinct"),
            ("max/id", "max"),
            ("messages", "messages"),
            ("first drift", "first"),
        ):
            table.add_column(Text(title), key=key)
        rows = drift_rows(drift)
        self._rows = [pd for pd, _ in rows]
        for _pd, cells in rows:
            table.add_row(*cells)
        if not rows:
            self.query_one("#drift-detail", Static).update(
                Text("No message in this session has a context.", LABEL)
            )
        self.remove_class("-loading")
        table.focus()

    @on(DataTable.RowHighlighted, "#drift-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        i = event.cursor_row
        if 0 <= i < len(self._rows):
            self.query_one("#drift-detail", Static).update(path_detail(self._rows[i]))

    def detail_text(self) -> str:
        return str(self.query_one("#drift-detail", Static).render())
