"""The SDK snippets (inspector.snippets) as display text for the empty state and help.

Code lines are never wrapped (a curl line broken after ``POST`` is not valid shell once
copied): the texts are ``no_wrap`` and the widgets showing them are as wide as their longest
line, inside containers that scroll sideways when the terminal is narrower.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text

from inspector.safety import clean
from inspector.snippets import snippets

TITLE = Style(bold=True, color="#66d9ef")
CODE = Style(color="#e0e0e0", bgcolor="#262626")
NOTE = Style(color="#8a8a8a", italic=True)


def snippets_text(
    url: str,
    write_key: str | None = None,
    only: tuple[str, ...] | None = None,
    indent: str = "  ",
) -> Text:
    """SDK snippets as plain text objects (the write key may come from the command line)."""
    out = Text(end="", no_wrap=True, overflow="crop")
    for s in snippets(url, write_key):
        if only is not None and s.sdk not in only:
            continue
        out.append(f"{s.sdk}\n", TITLE)
        for line in s.code.split("\n"):
            out.append(indent)
            out.append(clean(line, None), CODE)
            out.append("\n")
        if s.note:
            out.append(f"{indent}{s.note}\n", NOTE)
        out.append("\n")
    out.rstrip()
    return out


def text_width(text: Text) -> int:
    """Cells of the longest line of ``text``."""
    return max((cell_len(line) for line in text.plain.split("\n")), default=0)
