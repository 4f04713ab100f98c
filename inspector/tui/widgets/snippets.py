"""The SDK snippets (inspector.snippets) as display text for the empty state and help."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from inspector.safety import clean
from inspector.snippets import snippets

TITLE = Style(bold=True, color="#66d9ef")
CODE = Style(color="#e0e0e0", bgcolor="#262626")
NOTE = Style(color="#8a8a8a", italic=True)


def snippets_text(
    url: str, write_key: str | None = None, only: tuple[str, ...] | None = None
) -> Text:
    """SDK snippets as plain text objects (the write key may come from the command line)."""
    out = Text(end="")
    for s in snippets(url, write_key):
        if only is not None and s.sdk not in only:
            continue
        out.append(f"{s.sdk}\n", TITLE)
        for line in s.code.split("\n"):
            out.append("  ")
            out.append(clean(line, None), CODE)
            out.append("\n")
        if s.note:
            out.append(f"  {s.note}\n", NOTE)
        out.append("\n")
    out.rstrip()
    return out
