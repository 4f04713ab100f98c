"""What the main screen shows before the first message: where to send events, and how."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static

from inspector.tui.widgets.snippets import snippets_text

LEFT = ("curl", "Python", "Node", "analytics.js")
RIGHT = ("Swift", "Kotlin")


class EmptyState(VerticalScroll):
    """Shown instead of the stream while the view has no rows."""

    DEFAULT_CSS = """
    EmptyState { padding: 0 2; background: $surface; }
    EmptyState #empty-intro { width: 1fr; height: auto; padding: 1 0; }
    EmptyState #empty-cols { height: auto; }
    EmptyState #empty-left { width: 3fr; height: auto; }
    EmptyState #empty-right { width: 2fr; height: auto; }
    """

    def __init__(self, url: str, write_key: str | None, live: bool, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.url = url
        self.write_key = write_key
        self.live = live

    def compose(self) -> ComposeResult:
        yield Static(id="empty-intro")
        with Horizontal(id="empty-cols"):
            yield Static(id="empty-left")
            yield Static(id="empty-right")

    def on_mount(self) -> None:
        self.refresh_text()

    def refresh_text(self) -> None:
        intro = Text(end="")
        if not self.live:
            intro.append("This session has no messages in view. ", Style(bold=True))
            intro.append("Capture new ones with `inspector` and point an SDK at it:")
        else:
            intro.append("Waiting for the first event at ", Style(bold=True))
            intro.append(self.url, Style(bold=True, color="#a6e22e"))
            intro.append("\nPoint an SDK here (? for help, q to quit):")
        self.query_one("#empty-intro", Static).update(intro)
        self.query_one("#empty-left", Static).update(snippets_text(self.url, self.write_key, LEFT))
        self.query_one("#empty-right", Static).update(
            snippets_text(self.url, self.write_key, RIGHT)
        )
