"""What the main screen shows before the first message: where to send events, and how."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, ScrollableContainer
from textual.widgets import Static

from inspector.tui.widgets.snippets import snippets_text, text_width

LEFT = ("curl", "Python", "Node", "analytics.js")
RIGHT = ("Swift", "Kotlin")
#: Cells around the two columns: padding (2 + 2), the gap (4) and the scrollbar (2).
CHROME = 10


class EmptyState(ScrollableContainer):
    """Shown instead of the stream while the view has no rows.

    The snippets are never wrapped (copied code must stay valid): two columns when both fit
    side by side, otherwise one column without indentation, scrolling sideways if a line is
    still wider than the terminal.
    """

    DEFAULT_CSS = """
    EmptyState { padding: 0 2; background: $surface; overflow: auto auto; }
    EmptyState #empty-intro { width: 1fr; height: auto; padding: 1 0; }
    EmptyState #empty-cols { height: auto; width: auto; }
    EmptyState #empty-left { width: auto; height: auto; margin-right: 4; }
    EmptyState #empty-right { width: auto; height: auto; }
    EmptyState.-narrow { padding: 0; scrollbar-size-vertical: 1; }
    EmptyState.-narrow #empty-intro { padding: 1 1; }
    EmptyState.-narrow #empty-cols { layout: vertical; }
    EmptyState.-narrow #empty-left { margin: 0 0 1 0; }
    """

    def __init__(self, url: str, write_key: str | None, live: bool, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.url = url
        self.write_key = write_key
        self.live = live
        self.narrow = False

    def compose(self) -> ComposeResult:
        yield Static(id="empty-intro")
        with Horizontal(id="empty-cols"):
            yield Static(id="empty-left")
            yield Static(id="empty-right")

    def on_mount(self) -> None:
        self.refresh_text()

    def on_resize(self, event: events.Resize) -> None:
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
        left = snippets_text(self.url, self.write_key, LEFT)
        right = snippets_text(self.url, self.write_key, RIGHT)
        width = self.size.width
        self.narrow = bool(width) and width < text_width(left) + text_width(right) + CHROME
        self.set_class(self.narrow, "-narrow")
        if self.narrow:
            left = snippets_text(self.url, self.write_key, LEFT, indent="")
            right = snippets_text(self.url, self.write_key, RIGHT, indent="")
        self.query_one("#empty-left", Static).update(left)
        self.query_one("#empty-right", Static).update(right)
