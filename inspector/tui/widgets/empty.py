"""What the main screen shows before the first message: where to send events, and how."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from inspector.tui.widgets.snippets import snippets_text


class EmptyState(VerticalScroll):
    """Shown instead of the stream while the view has no rows."""

    DEFAULT_CSS = """
    EmptyState { padding: 1 2; background: $surface; }
    EmptyState #empty-text { width: auto; }
    """

    def __init__(self, url: str, write_key: str | None, live: bool, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.url = url
        self.write_key = write_key
        self.live = live

    def compose(self) -> ComposeResult:
        yield Static(self.render_text(), id="empty-text")

    def render_text(self, filtered: bool = False) -> Text:
        out = Text(end="")
        if not self.live:
            out.append("This session has no messages in view.\n\n", Style(bold=True))
            out.append("Capture new ones with `inspector` and point an SDK at it:\n\n")
        else:
            out.append("Waiting for the first event at ", Style(bold=True))
            out.append(self.url, Style(bold=True, color="#a6e22e"))
            out.append("\n\nPoint an SDK here (press ? for help, q to quit):\n\n")
        out.append_text(snippets_text(self.url, self.write_key))
        return out
