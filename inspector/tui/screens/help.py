"""The help screen: keys, filter terms, and how to point each SDK here."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from inspector.filters import HELP
from inspector.tui.diff_actions import DIFF_KEYS
from inspector.tui.widgets.snippets import snippets_text

KEYS: list[tuple[str, str]] = [
    ("↑ ↓  j k", "move in the stream (PgUp/PgDn, g/G or Home/End: top/bottom and follow)"),
    ("enter", "focus the detail (tab cycles focus; mouse works too)"),
    ("/", "filter the whole session; escape clears it"),
    ("p  space", "pause / resume following new messages"),
    ("c", "clear the view (messages stay in the session file)"),
    ("n  N", "next / previous message with an error"),
    ("m", "toggle the request metadata (endpoint, writeKey, headers, size, gzip)"),
    ("y", "copy the selected message JSON to the clipboard"),
    ("e", "export the current view (filtered) to a file"),
    *DIFF_KEYS,
    ("P", "tracking plan coverage (with --plan)"),
    ("ctrl+p", "command palette"),
    ("? f1", "this help"),
    ("q", "quit"),
]


def help_text(url: str, write_key: str | None) -> Text:
    out = Text(end="")
    out.append("Keys\n", Style(bold=True, underline=True))
    for key, what in KEYS:
        out.append(f"  {key:<12}", Style(bold=True, color="#a6e22e"))
        out.append(f"{what}\n")
    out.append("\nFilter terms\n", Style(bold=True, underline=True))
    out.append(f"  {HELP}\n")
    out.append("  Terms are ANDed; -term negates; bare words search names and ids.\n")
    out.append("\nPoint an SDK at ", Style(bold=True, underline=True))
    out.append(url, Style(bold=True, color="#a6e22e"))
    out.append("\n\n")
    out.append_text(snippets_text(url, write_key))
    return out


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90%; height: 90%; border: thick $accent; background: $surface; padding: 0 1;
    }
    HelpScreen #help-text { width: auto; }
    """

    BINDINGS = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close"),
    ]

    def __init__(self, url: str, write_key: str | None) -> None:
        super().__init__()
        self.url = url
        self.write_key = write_key

    def compose(self) -> ComposeResult:
        with VerticalScroll() as v:
            v.border_title = "inspector help"
            yield Static(help_text(self.url, self.write_key), id="help-text")
