"""The message stream: a Line API ScrollView reading rows from the store on demand.

``render_line(y)`` maps the screen line to a row of the current :class:`ViewIndex`, the row
is read from a page cache (200 rows a query), and the rendered strip is cached by message
seq, width and selection. Nothing is built for rows that are not on screen, so a session of
a million messages costs one 8-byte seq per message and a screenful of strips.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static

from inspector.safety import clean
from inspector.store.session import Row
from inspector.tui.viewmodel import RejectedRow, RowCache, ViewIndex

SEVERITY_STYLE = {
    "error": Style(color="#ff5f87", bold=True),
    "warning": Style(color="#e6db74", bold=True),
    "info": Style(color="#66d9ef"),
    "ok": Style(color="#5faf5f", dim=True),
}


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int


def columns(width: int) -> list[Column]:
    """Column layout for a stream ``width`` cells wide (narrow terminals drop columns)."""
    fixed = [
        Column("mark", "", 1),
        Column("time", "time (UTC)", 12),
        Column("type", "type", 8),
        Column("name", "event / name", 0),
        Column("ident", "userId / anonymousId", 24),
        Column("lib", "library", 18),
        Column("badge", "issues", 7),
    ]
    if width < 100:
        fixed = [c for c in fixed if c.key != "lib"]
    if width < 70:
        fixed = [c for c in fixed if c.key != "ident"]
    used = sum(c.width for c in fixed) + len(fixed) - 1
    name_w = max(8, width - used)
    return [Column(c.key, c.title, name_w) if c.key == "name" else c for c in fixed]


def fit(text: str, width: int) -> str:
    """``text`` cut (with an ellipsis) or padded to exactly ``width`` cells."""
    if width <= 0:
        return ""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)


def badge(errors: int, warnings: int, infos: int) -> tuple[str, str]:
    n = errors + warnings + infos
    if errors:
        return f"✖ {n}", "error"
    if warnings:
        return f"▲ {n}", "warning"
    if infos:
        return f"ℹ {n}", "info"
    return "✓", "ok"


def row_cells(row: Row | RejectedRow) -> dict[str, tuple[str, str]]:
    """Column key -> (sanitized text, style name) for one row."""
    if isinstance(row, RejectedRow):
        what = f"{row.status} {clean(row.method, 10)} {clean(row.path, 120)} · {clean(row.reason, 300)}"
        return {
            "mark": ("✖", "rejected"),
            "time": (row.received_at[11:23], "time"),
            "type": ("REJECTED", "rejected"),
            "name": (what, "rejected"),
        }
    ident = (
        clean(row.user_id, 80)
        if row.user_id
        else ("anon " + clean(row.anonymous_id, 80) if row.anonymous_id else "—")
    )
    text, sev = badge(row.errors, row.warnings, row.infos)
    return {
        "mark": (" ", ""),
        "time": (row.received_at[11:23], "time"),
        "type": (clean(row.type or "?", 20), "type"),
        "name": (clean(row.name, 300) if row.name else "", "name"),
        "ident": (ident, "ident" if row.user_id else "anon"),
        "lib": (clean(row.library, 60) if row.library else "", "lib"),
        "badge": (text, sev),
    }


class StreamHeader(Static):
    """Column titles above the stream."""

    DEFAULT_CSS = """
    StreamHeader { height: 1; background: $panel; color: $text-muted; text-style: bold; }
    """

    def on_resize(self, event: events.Resize) -> None:
        # The stream below keeps a 2-cell gutter for its scrollbar.
        self.update(self._titles(event.size.width - 2))

    def _titles(self, width: int) -> str:
        return " ".join(fit(c.title, c.width) for c in columns(width))


class StreamView(ScrollView, can_focus=True):
    """One row per message (and per rejected request), newest at the bottom."""

    DEFAULT_CSS = """
    StreamView { background: $surface; scrollbar-gutter: stable; }
    StreamView > .stream--cursor { background: $accent 35%; }
    StreamView:focus > .stream--cursor { background: $accent 70%; }
    StreamView > .stream--rejected { color: $error; }
    StreamView > .stream--muted { color: $text-muted; }
    """

    COMPONENT_CLASSES = {"stream--cursor", "stream--rejected", "stream--muted"}

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home,g", "top", "Top", show=False),
        Binding("end,G", "bottom", "Bottom", show=False),
        Binding("enter", "app.focus_detail", "Detail", show=False),
    ]

    class CursorMoved(Message):
        """The selected row changed (``key`` is ('m', seq) or ('r', request id))."""

        def __init__(self, index: int, key: tuple[str, int] | None) -> None:
            super().__init__()
            self.index = index
            self.key = key

    class FollowChanged(Message):
        def __init__(self, following: bool) -> None:
            super().__init__()
            self.following = following

    def __init__(self, store: object, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.store = store
        self.index = ViewIndex()
        self.rows = RowCache()
        self.cursor = -1
        self.following = True
        self._strips: LRUCache[tuple[object, ...], Strip] = LRUCache(1024)
        #: seq -> glyph shown in the mark column (the pinned diff baseline, marked messages).
        self.tags: dict[int, str] = {}
        #: Cursor row drawn by the last paint (benchmarks measure keypress-to-repaint).
        self.painted_cursor = -1
        #: Number of cursor moves asked by the user (benchmarks wait for the next paint).
        self.moves = 0
        #: When the user last moved the cursor (the detail waits for it to settle).
        self.last_move = 0.0
        self._size_at = 0.0

    # ------------------------------------------------------------------ data

    def set_index(self, index: ViewIndex) -> None:
        """Show another view (a new filter, a cleared session); keep the selection if possible."""
        old = self.cursor_key
        self.index = index
        self.rows.clear()
        self._update_size()
        n = len(index)
        if self.following or n == 0:
            self.cursor = n - 1
        else:
            pos = index.index_of_seq(old[1]) if old and old[0] == "m" else None
            self.cursor = pos if pos is not None else min(max(self.cursor, 0), n - 1)
        self._after_change(scroll=True)

    def grew(self, added: int) -> None:
        """Rows were appended to the index."""
        if added <= 0:
            return
        n = len(self.index)
        first_new = n - added
        if first_new > 0:
            self.rows.drop_page_of(first_new - 1)
        self.rows.drop_page_of(first_new)
        if self.following or self.cursor < 0:
            self._update_size()
            self.cursor = n - 1
            self._after_change(scroll=True)
        elif first_new < self.scroll_offset.y + self.size.height:
            self._update_size()
            self.refresh()  # new rows are on screen
        else:
            # Rows arrived below the screen: only the scrollbar changes. A new virtual size
            # means a layout of the whole screen, so do it at most once a second.
            self.update_size_if_due()

    def _update_size(self) -> None:
        self._size_at = time.monotonic()
        size = Size(self.scrollable_content_region.width, len(self.index))
        if size != self.virtual_size:
            self.virtual_size = size

    def update_size_if_due(self, every: float = 1.0) -> None:
        """Catch the scrollbar up with rows added off screen (at most every ``every`` s)."""
        if (
            self.virtual_size.height != len(self.index)
            and time.monotonic() - self._size_at >= every
        ):
            self._update_size()

    @property
    def cursor_key(self) -> tuple[str, int] | None:
        if 0 <= self.cursor < len(self.index):
            return self.index.at(self.cursor)
        return None

    def row_at(self, i: int) -> Row | RejectedRow | None:
        return self.rows.get(self.store, self.index, i)

    # ------------------------------------------------------------------ cursor

    def _after_change(self, scroll: bool) -> None:
        if scroll and self.cursor >= 0:
            self._scroll_to_cursor()
            # The virtual size may have just changed: scroll again once it is laid out.
            self.call_after_refresh(self._scroll_to_cursor)
        self.refresh()
        self.post_message(self.CursorMoved(self.cursor, self.cursor_key))

    def _scroll_to_cursor(self) -> None:
        if self.cursor < 0:
            return
        if self.following:
            self.scroll_to(y=max(0, len(self.index) - self.size.height), animate=False)
        else:
            self.scroll_to_region(
                Region(0, self.cursor, 1, 1), animate=False, immediate=True, force=True
            )

    def set_following(self, following: bool) -> None:
        if following == self.following:
            return
        self.following = following
        if following and len(self.index):
            self.cursor = len(self.index) - 1
            self._after_change(scroll=True)
        self.post_message(self.FollowChanged(following))

    def move_to(self, i: int) -> None:
        n = len(self.index)
        if n == 0:
            return
        i = max(0, min(n - 1, i))
        if i >= self.virtual_size.height:
            self._update_size()
        self.moves += 1
        self.last_move = time.monotonic()
        old = self.cursor
        self.cursor = i
        if i < n - 1:
            self.set_following(False)
        top = self.scroll_offset.y
        height = self.size.height
        if not self.following and top <= old < top + height and top <= i < top + height:
            # Both rows are on screen: repaint just those two lines (virtual line numbers).
            self.refresh_lines(old)
            self.refresh_lines(i)
            self.post_message(self.CursorMoved(self.cursor, self.cursor_key))
            return
        self._after_change(scroll=True)

    def action_cursor(self, delta: int) -> None:
        self.move_to(self.cursor + delta)

    def action_page(self, delta: int) -> None:
        self.move_to(self.cursor + delta * max(1, self.size.height - 1))

    def action_top(self) -> None:
        self.set_following(False)
        self.move_to(0)

    def action_bottom(self) -> None:
        self.move_to(len(self.index) - 1)
        self.set_following(True)

    def on_click(self, event: events.Click) -> None:
        self.focus()
        self.move_to(event.y + self.scroll_offset.y)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self.set_following(False)

    # ------------------------------------------------------------------ painting

    def on_resize(self, event: events.Resize) -> None:
        self._update_size()
        self._strips.clear()
        if self.following:
            self._after_change(scroll=True)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def render_line(self, y: int) -> Strip:
        scroll_y = self.scroll_offset.y
        i = scroll_y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if i >= len(self.index):
            return Strip.blank(width, base)
        selected = i == self.cursor
        if selected:
            self.painted_cursor = i
        at = self.index.at(i)
        tag = self.tags.get(at[1]) if at[0] == "m" else None
        key = (at, width, selected, self.has_focus, tag)
        strip = self._strips.get(key)
        if strip is None:
            row = self.row_at(i)
            strip = self._render_row(row, width, selected, tag) if row else Strip.blank(width, base)
            self._strips[key] = strip
        return strip

    def set_tags(self, tags: dict[int, str]) -> None:
        """Show these glyphs in the mark column (seq -> glyph); repaints when they change."""
        if tags != self.tags:
            self.tags = dict(tags)
            self.refresh()

    def _render_row(
        self, row: Row | RejectedRow, width: int, selected: bool, tag: str | None = None
    ) -> Strip:
        base = self.rich_style
        if selected:
            base = base + self.get_component_rich_style("stream--cursor")
        muted = self.get_component_rich_style("stream--muted", partial=True)
        rejected = self.get_component_rich_style("stream--rejected", partial=True)
        styles = {
            "time": muted,
            "anon": muted,
            "lib": muted,
            "type": Style(bold=True),
            "rejected": rejected + Style(bold=True),
            **SEVERITY_STYLE,
        }
        cells = row_cells(row)
        if tag is not None:
            cells["mark"] = (tag, "tag")
            styles["tag"] = Style(color="#66d9ef", bold=True)
        segs: list[Segment] = []
        cols = columns(width)
        if isinstance(row, RejectedRow):
            # The reason spans every column after the type.
            start = next(n for n, c in enumerate(cols) if c.key == "name")
            span = sum(c.width for c in cols[start:]) + len(cols) - start - 1
            cols = [*cols[:start], Column("name", "", span)]
        for n, col in enumerate(cols):
            text, style_name = cells.get(col.key, ("", ""))
            style = styles.get(style_name)
            segs.append(Segment(fit(text, col.width), base + style if style else base))
            if n < len(cols) - 1:
                segs.append(Segment(" ", base))
        return Strip(segs).adjust_cell_length(width, base)
