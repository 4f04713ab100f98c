"""Header, filter bar and status bar."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Static

from inspector.filters import HELP


class HeaderBar(Static):
    """Where the inspector listens and which session file it writes."""

    DEFAULT_CSS = """
    HeaderBar { height: 1; background: $primary-background; color: $text; padding: 0 1; }
    """

    def show(self, url: str | None, session: str, readonly: bool, error: str | None = None) -> None:
        t = Text(no_wrap=True, overflow="ellipsis", end="")
        t.append("inspector", Style(bold=True))
        t.append("  ")
        if readonly:
            t.append("read-only session", Style(bold=True, color="#e6db74"))
        elif url:
            t.append("● ", Style(color="#5faf5f"))
            t.append("listening on ")
            t.append(url, Style(bold=True, color="#a6e22e"))
        elif error:
            t.append("● ", Style(color="#ff5f87"))
            t.append(error)
        else:
            t.append("starting…")
        t.append("   session: ", Style(color="#8a8a8a"))
        t.append(session)
        self.update(t, layout=False)


class FilterInput(Input):
    BINDINGS = [Binding("escape", "clear_or_leave", "Clear filter", show=False)]

    def action_clear_or_leave(self) -> None:
        if self.value:
            self.value = ""
        else:
            self.screen.focus_next()


class FilterBar(Horizontal):
    DEFAULT_CSS = """
    FilterBar { height: 1; background: $boost; }
    FilterBar #filter-label { width: auto; padding: 0 1; color: $text-muted; }
    FilterBar #filter { width: 1fr; border: none; height: 1; padding: 0; }
    FilterBar #match { width: 30; padding: 0 1; text-align: right; }
    FilterBar #match.-error { color: $error; width: auto; max-width: 70%; }
    """

    def compose(self) -> ComposeResult:
        yield Static("filter /", id="filter-label")
        yield FilterInput(placeholder=HELP, id="filter", compact=True)
        yield Static("", id="match")

    def set_match(self, text: str, error: bool = False) -> None:
        m = self.query_one("#match", Static)
        relayout = m.has_class("-error") != error or error
        m.set_class(error, "-error")
        m.update(Text(text, no_wrap=True, overflow="ellipsis", end=""), layout=relayout)


class StatusBar(Static):
    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; padding: 0 1; }
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
        t = Text(no_wrap=True, overflow="ellipsis", end="")
        t.append(f"{messages:,}", Style(bold=True))
        t.append(" messages  ")
        t.append(f"{rejected:,}", Style(bold=True, color="#ff5f87" if rejected else None))
        t.append(" rejected  ")
        t.append(f"{errors:,}", Style(bold=True, color="#ff5f87" if errors else None))
        t.append(" errors  ")
        t.append(f"{warnings:,}", Style(bold=True, color="#e6db74" if warnings else None))
        t.append(" warnings  ")
        t.append(f"{rate:,.0f}", Style(bold=True))
        t.append(" msg/s   ")
        if following:
            t.append("▶ following", Style(color="#5faf5f"))
        else:
            more = f" · {new:,} new" if new else ""
            t.append(f"⏸ paused{more}", Style(bold=True, color="#e6db74"))
        if note:
            t.append("   ")
            t.append(note, Style(color="#8a8a8a"))
        if plan:
            t.append("   ")
            t.append(plan, Style(color="#66d9ef"))
        self.update(t, layout=False)
