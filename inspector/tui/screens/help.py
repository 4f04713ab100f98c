"""The help screen: keys, filter terms, and how to point each SDK here."""

from __future__ import annotations

from rich.console import Group
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import ScrollableContainer
from textual.screen import ModalScreen
from textual.widgets import Static

from inspector.tui.diff_actions import DIFF_KEYS
from inspector.tui.widgets.snippets import snippets_text

KEYS: list[tuple[str, str]] = [
    ("↑ ↓  j k", "move in the stream (PgUp/PgDn, g/G or Home/End: top/bottom and follow)"),
    ("enter", "focus the detail (tab cycles focus; mouse works too)"),
    ("/", "filter the whole session; escape clears it and returns to the stream"),
    ("p  space", "pause / resume following new messages"),
    ("c", "clear the view (messages stay in the session file)"),
    ("n  N", "next / previous message with an error"),
    ("m", "toggle the request metadata (endpoint, writeKey, headers, size, gzip)"),
    ("y", "copy the selected message JSON (or a rejected body) to the clipboard"),
    ("e", "export the current view (filtered) to a file"),
    *DIFF_KEYS,
    ("P", "tracking plan coverage (with --plan)"),
    ("ctrl+p", "command palette"),
    ("? f1", "this help"),
    ("q", "quit"),
]


#: The filter terms (inspector/filters.py), as docs/ui.md lists them.
FILTER_TERMS: list[tuple[str, str]] = [
    ("type:track", "call type: track, identify, page, screen, group, alias"),
    ('event:"Order Completed"', "exact event name (quote names with spaces)"),
    ("name:order", "event / page / screen name contains this (any case)"),
    ("user:ID", "userId or anonymousId"),
    ("has:error|warning|info|violation", "messages with such findings (has:errors works too)"),
    ("rule:event-name/non-descriptive", "messages that break this rule"),
    ("lib:analytics.js", "library name contains this"),
    ("writekey:K", "sent with this writeKey"),
    ("seq:10..20", "message numbers: seq:10, seq:>10, seq:10..20"),
    ("-term", "negates a term, e.g. -type:page"),
    ("free text", "bare words search names and ids"),
]

KEY_STYLE = Style(bold=True, color="#a6e22e")
HEADING = Style(bold=True, underline=True)


def two_columns(rows: list[tuple[str, str]]) -> Table:
    """Key column kept whole, description wrapped to the width left."""
    table = Table.grid(padding=(0, 2), pad_edge=False)
    # A long term folds on a narrow screen rather than leave its description no room.
    table.add_column(style=KEY_STYLE, overflow="fold")
    table.add_column(ratio=1, overflow="fold", min_width=24)
    for key, what in rows:
        table.add_row(key, what)
    return table


def help_text(url: str, write_key: str | None) -> Group:
    """Keys and filter terms (they wrap to the screen's width)."""
    terms_intro = Text("Terms are ANDed; -term negates; bare words search names and ids.")
    return Group(
        Text("Keys", HEADING),
        two_columns(KEYS),
        Text(""),
        Text("Filter terms", HEADING),
        two_columns(FILTER_TERMS),
        terms_intro,
        Text(""),
    )


def snippets_heading(url: str) -> Text:
    out = Text(end="")
    out.append("Point an SDK at ", HEADING)
    out.append(url, Style(bold=True, color="#a6e22e"))
    out.append("\n")
    return out


class HelpScreen(ModalScreen[None]):
    """Keys and filter terms wrap to the width; the code snippets never wrap (copied
    code must stay valid): the box scrolls down, and sideways for a long code line."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > ScrollableContainer {
        width: 90%; height: 90%; border: thick $accent; background: $surface; padding: 0 1;
        overflow: auto auto;
    }
    HelpScreen #help-text, HelpScreen #help-sdk-title { width: 1fr; height: auto; }
    HelpScreen #help-snippets { width: auto; height: auto; }
    """

    BINDINGS = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close"),
    ]

    def __init__(self, url: str, write_key: str | None) -> None:
        super().__init__()
        self.url = url
        self.write_key = write_key

    def compose(self) -> ComposeResult:
        with ScrollableContainer(id="help-box") as v:
            v.border_title = "inspector help"
            yield Static(help_text(self.url, self.write_key), id="help-text")
            yield Static(snippets_heading(self.url), id="help-sdk-title")
            yield Static(snippets_text(self.url, self.write_key), id="help-snippets")

    def on_mount(self) -> None:
        self.query_one("#help-box").focus()
