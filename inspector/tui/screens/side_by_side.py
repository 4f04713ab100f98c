"""Side-by-side diff of two marked messages: left the older, right the newer.

Rows come from :func:`inspector.diff.compare_messages` (every leaf path, in document order):
changed rows are coloured (``+`` added, ``-`` removed, ``~`` changed), unchanged rows are
dimmed and ``u`` folds them away. ``c`` switches between the whole message and the context
only. Volatile fields (messageId, timestamps, writeKey...) are left out, as in the CLI.
A DataTable is fine here: the rows are one message's leaves, capped at ``MAX_ROWS``.
"""

from __future__ import annotations

from typing import Any

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static

from inspector.diff import VOLATILE, Change, compare_messages
from inspector.model import Message
from inspector.safety import clean, safe_text
from inspector.tui.widgets.context_diff import (
    KIND_STYLE,
    KIND_SYMBOL,
    LABEL,
    NEW_STYLE,
    OLD_STYLE,
    PATH_STYLE,
    compact_json,
    plural,
)

#: Rows shown at most.
MAX_ROWS = 5000
#: Widest path column.
PATH_MAX = 44


def describe(m: Message) -> Text:
    """``#12 track Order Completed · user u1`` for a column title."""
    out = Text(no_wrap=True, end="")
    out.append(f"#{m.seq} ", Style(bold=True))
    out.append_text(safe_text(m.type or "?", "bold", 20))
    data = m.data if isinstance(m.data, dict) else {}
    name = data.get("event") or data.get("name")
    if isinstance(name, str) and name:
        out.append(" ")
        out.append_text(safe_text(name, "bold #a6e22e", 60))
    who = data.get("userId") or data.get("anonymousId")
    if isinstance(who, str | int) and not isinstance(who, bool) and who != "":
        out.append(" · ", LABEL)
        out.append_text(safe_text(who, "", 40))
    return out


def _cell(value: Any, style: Style, width: int, absent: bool = False) -> Text:
    if absent:
        return Text("(absent)", style=LABEL, no_wrap=True, end="")
    return Text(clean(compact_json(value), width), style=style, no_wrap=True, end="")


def row_cells(c: Change, value_width: int, path_width: int) -> tuple[Text, Text, Text, Text]:
    """(symbol, path, left value, right value) display cells for one row."""
    kind = c.kind
    style = KIND_STYLE.get(kind, Style())
    dim = kind == "unchanged"
    sym = Text(KIND_SYMBOL.get(kind, "~"), style=style, end="")
    path = Text(
        clean(c.path or "(root)", path_width),
        style=Style(dim=True) if dim else PATH_STYLE,
        no_wrap=True,
        end="",
    )
    if dim:
        left = _cell(c.old, Style(dim=True), value_width)
        right = _cell(c.new, Style(dim=True), value_width)
    else:
        left = _cell(c.old, OLD_STYLE, value_width, absent=kind == "added")
        right = _cell(c.new, NEW_STYLE, value_width, absent=kind == "removed")
    return sym, path, left, right


class SideBySideScreen(ModalScreen[None]):
    """Two messages compared leaf by leaf."""

    DEFAULT_CSS = """
    SideBySideScreen { layout: vertical; background: $surface; }
    SideBySideScreen #sbs-title { height: auto; padding: 0 1; background: $panel; }
    SideBySideScreen #sbs-table { height: 1fr; }
    """

    BINDINGS = [
        Binding("c", "toggle_context", "Whole / context"),
        Binding("u", "toggle_unchanged", "Unchanged"),
        Binding("escape,q", "dismiss", "Close"),
    ]

    def __init__(self, a: Message, b: Message, *, context_only: bool = False) -> None:
        super().__init__()
        self.older, self.newer = (a, b) if a.seq <= b.seq else (b, a)
        self.context_only = context_only
        self.hide_unchanged = False
        self.changes: list[Change] = []

    def compose(self) -> ComposeResult:
        yield Static(id="sbs-title")
        yield DataTable(id="sbs-table", cursor_type="row", zebra_stripes=False)
        yield Footer()

    def on_mount(self) -> None:
        self.rebuild()
        self.query_one(DataTable).focus()

    # ---------------------------------------------------------------- content

    @property
    def changed(self) -> list[Change]:
        return [c for c in self.changes if c.kind != "unchanged"]

    def rebuild(self) -> None:
        self.changes = compare_messages(
            self.older.data, self.newer.data, context_only=self.context_only
        )
        rows = self.changed if self.hide_unchanged else self.changes
        shown = rows[:MAX_ROWS]
        width = max(self.app.size.width, 60)
        path_w = min(max((len(clean(c.path, PATH_MAX)) for c in shown), default=8), PATH_MAX)
        path_w = max(path_w, 8)
        value_w = max(12, (width - path_w - 12) // 2)

        title = Text(no_wrap=True, end="")
        title.append("Side by side  ", Style(bold=True))
        title.append("context only" if self.context_only else "whole message", Style(bold=True))
        title.append("  ·  ", LABEL)
        n_changed = len(self.changed)
        title.append(
            plural(n_changed, "changed path") if n_changed else "no differences",
            KIND_STYLE["changed"] if n_changed else Style(color="#5faf5f"),
        )
        title.append(f", {len(self.changes) - n_changed:,} unchanged", LABEL)
        if self.hide_unchanged:
            title.append(" (hidden)", LABEL)
        title.append("\n")
        title.append("left  ", LABEL)
        title.append_text(describe(self.older))
        title.append("\nright ", LABEL)
        title.append_text(describe(self.newer))
        if not self.context_only:
            # They differ on every message, so they are left out (diff.VOLATILE); say so.
            title.append(f"\nnot compared: {', '.join(VOLATILE)}", LABEL)
        self.query_one("#sbs-title", Static).update(title)

        table: DataTable[Text] = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_column(Text(" "), width=1, key="kind")
        table.add_column(Text("path"), width=path_w, key="path")
        table.add_column(Text(f"#{self.older.seq} (older)"), width=value_w, key="left")
        table.add_column(Text(f"#{self.newer.seq} (newer)"), width=value_w, key="right")
        for c in shown:
            table.add_row(*row_cells(c, value_w, path_w))
        if len(rows) > len(shown):
            table.add_row(
                Text(""),
                Text(f"… {len(rows) - len(shown):,} more rows not shown", LABEL),
                Text(""),
                Text(""),
            )
        if not rows:
            what = "context" if self.context_only else "message"
            table.add_row(Text(""), Text(f"(no {what} paths)", LABEL), Text(""), Text(""))

    # ---------------------------------------------------------------- actions

    def action_toggle_context(self) -> None:
        self.context_only = not self.context_only
        self.rebuild()

    def action_toggle_unchanged(self) -> None:
        self.hide_unchanged = not self.hide_unchanged
        self.rebuild()

    def table_text(self) -> str:
        """Every row as plain text (for tests): ``~ path | left | right``."""
        table: DataTable[Text] = self.query_one(DataTable)
        lines = []
        for row_key in table.rows:
            cells = table.get_row(row_key)
            lines.append(" | ".join(str(c) for c in cells))
        return "\n".join(lines)
