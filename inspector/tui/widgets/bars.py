"""Header, filter bar and status bar."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static

from inspector.filters import HELP


class HeaderBar(Static):
    """Where the inspector listens and which session file it writes."""

    DEFAULT_CSS = """
    HeaderBar {
        height: 1; background: $primary-background; color: $text; padding: 0 1;
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    """

    def show(self, url: str | None, session: str, readonly: bool, error: str | None = None) -> None:
        self._args = (url, session, readonly, error)
        self._fit()

    def on_resize(self, event: events.Resize) -> None:
        if getattr(self, "_args", None) is not None:
            self._fit()

    def _fit(self) -> None:
        url, session, readonly, error = self._args
        width = self.content_region.width
        # The session path is cut from the left (the file name matters most), never dropped;
        # then the wording around the URL goes.
        choices = [
            (short, label, path)
            for short, label in ((False, "   session: "), (True, "  "))
            for path in _shorter_paths(session)
        ]
        for short, label, path in choices:
            t = self._where(url, readonly, error, short)
            if not width or t.cell_len + len(label) + len(path) <= width:
                break
        t.append(label, Style(color="#8a8a8a"))
        t.append(path)
        self.update(t, layout=False)

    @staticmethod
    def _where(url: str | None, readonly: bool, error: str | None, short: bool = False) -> Text:
        t = Text(no_wrap=True, overflow="ellipsis", end="")
        t.append("inspector", Style(bold=True))
        t.append(" " if short else "  ")
        if readonly:
            t.append(
                "read-only" if short else "read-only session", Style(bold=True, color="#e6db74")
            )
        elif url:
            t.append("● ", Style(color="#5faf5f"))
            if not short:
                t.append("listening on ")
            t.append(url, Style(bold=True, color="#a6e22e"))
        elif error:
            t.append("● ", Style(color="#ff5f87"))
            t.append(error)
        else:
            t.append("starting…")
        return t


def _shorter_paths(path: str) -> list[str]:
    """``path``, then shorter forms of it: ``…/dir/name``, ``…/name``, the name."""
    parts = path.replace("\\", "/").rstrip("/").split("/")
    out = [path]
    for keep in (2, 1):
        if len(parts) > keep:
            out.append("…/" + "/".join(parts[-keep:]))
    out.append(parts[-1] or path)
    return out


class FilterInput(Input):
    BINDINGS = [Binding("escape", "clear_or_leave", "Clear filter", show=False)]

    def action_clear_or_leave(self) -> None:
        """Escape clears the filter and goes back to the stream (one press does both)."""
        self.value = ""
        for stream in self.screen.query("#stream"):
            stream.focus()
            return
        self.screen.focus_next()


class FilterBar(Vertical):
    """The filter input and its match count; a filter error gets a (wrapped) line below."""

    DEFAULT_CSS = """
    FilterBar { height: auto; background: $boost; }
    FilterBar #filter-row { height: 1; }
    FilterBar #filter-label { width: auto; padding: 0 1; color: $text-muted; }
    FilterBar #filter { width: 1fr; border: none; height: 1; padding: 0; }
    FilterBar #match { width: 30; padding: 0 1; text-align: right; }
    FilterBar #match.-error { color: $error; width: auto; }
    FilterBar #filter-error { display: none; height: auto; padding: 0 1; color: $error; }
    FilterBar.-error #filter-error { display: block; }
    """

    def compose(self) -> ComposeResult:
        with Horizontal(id="filter-row"):
            yield Static("filter /", id="filter-label")
            yield FilterInput(placeholder=HELP, id="filter", compact=True)
            yield Static("", id="match")
        yield Static("", id="filter-error")

    def set_match(self, text: str, error: bool = False) -> None:
        m = self.query_one("#match", Static)
        relayout = self.has_class("-error") != error
        m.set_class(error, "-error")
        self.set_class(error, "-error")
        if error:
            # The whole message wraps on its own line; the match column just says so.
            self.query_one("#filter-error", Static).update(Text(text, end=""))
            text = "✖ filter not applied"
        m.update(Text(text, no_wrap=True, overflow="ellipsis", end=""), layout=relayout)


class StatusBar(Static):
    DEFAULT_CSS = """
    StatusBar {
        height: 1; background: $panel; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis;
    }
    """

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self._last = ""

    def show(
        self,
        *,
        messages: int,
        rejected: int,
        errors: int,
        warnings: int,
        rate: float,
        following: bool,
        new: int,
        note: str = "",
        plan: str = "",
    ) -> None:
        key = (
            f"{messages}|{rejected}|{errors}|{warnings}|{rate:.0f}|{following}|{new}|{note}|{plan}"
        )
        if key == self._last:
            return
        self._last = key

        def count(n: int, word: str, color: str | None = None, plural: bool = True) -> Text:
            t = Text(end="")
            t.append(f"{n:,}", Style(bold=True, color=color if n else None))
            t.append(f" {word}" if n == 1 or not plural else f" {word}s")
            return t

        state = Text(end="")
        if following:
            state.append("▶ following", Style(color="#5faf5f"))
        else:
            more = f" · {new:,} new" if new else ""
            state.append(f"⏸ paused{more}", Style(bold=True, color="#e6db74"))
        rate_t = Text(end="")
        rate_t.append(f"{rate:,.0f}", Style(bold=True))
        rate_t.append(" msg/s")
        # (priority, text) in screen order: when the bar is too narrow the highest
        # priorities go first; the following/paused state (0) is never dropped.
        parts: list[tuple[int, Text]] = [
            (1, count(messages, "message")),
            (4, count(rejected, "rejected", "#ff5f87", plural=False)),
            (2, count(errors, "error", "#ff5f87")),
            (3, count(warnings, "warning", "#e6db74")),
            (6, rate_t),
            (0, state),
        ]
        if note:
            parts.append((7, Text(note, Style(color="#8a8a8a"), end="")))
        if plan:
            parts.append((5, Text(plan, Style(color="#66d9ef"), end="")))
        self._parts = parts
        self._fit()

    def on_resize(self, event: events.Resize) -> None:
        if getattr(self, "_parts", None) is not None:
            self._fit()

    def _fit(self) -> None:
        parts = list(self._parts)
        width = self.content_region.width

        def join(ps: list[tuple[int, Text]]) -> Text:
            t = Text(no_wrap=True, overflow="ellipsis", end="")
            for n, (prio, p) in enumerate(ps):
                if n:
                    # counters are two spaces apart; the state and what follows it, three
                    t.append("  " if prio in (2, 3, 4, 6) else "   ")
                t.append_text(p)
            return t

        out = join(parts)
        while width and out.cell_len > width and any(p[0] for p in parts):
            parts.remove(max(parts, key=lambda p: p[0]))
            out = join(parts)
        self.update(out, layout=False)
