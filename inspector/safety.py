"""The only way untrusted text (event names, properties, headers) becomes display text.

Control characters (C0, DEL, C1), bidi overrides/isolates and other invisible format
characters are replaced by visible escapes, and the result is a Rich ``Text`` object, never
a markup string, so ``[@click=app.quit]x[/]`` stays literal.
"""

from __future__ import annotations

import re

from rich.text import Text

# C0 except nothing (tab/newline are escaped too: one message = one line in lists),
# DEL, C1, bidi embeddings/overrides/isolates, zero-width and other format characters,
# line/paragraph separators, BOM.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\e"}

DEFAULT_MAX = 500


def _escape(m: re.Match[str]) -> str:
    ch = m.group(0)
    named = _NAMED.get(ch)
    if named:
        return named
    code = ord(ch)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def clean(value: object, max_len: int | None = DEFAULT_MAX) -> str:
    """Plain string with every unsafe character made visible, cut to ``max_len`` chars."""
    s = value if isinstance(value, str) else str(value)
    if max_len is not None and len(s) > max_len:
        s = s[:max_len] + "…"
    return _UNSAFE.sub(_escape, s)


def safe_text(value: object, style: str = "", max_len: int | None = DEFAULT_MAX) -> Text:
    """A Rich Text for display: never parsed as markup, never with raw control characters."""
    return Text(clean(value, max_len), style=style, no_wrap=True, end="")
