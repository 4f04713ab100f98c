"""The only way untrusted text (event names, properties, headers) becomes display text.

Control characters (C0, DEL, C1), bidi overrides/isolates and other invisible format
characters are replaced by visible escapes, and the result is a Rich ``Text`` object, never
a markup string, so ``[@click=app.quit]x[/]`` stays literal.
"""

from __future__ import annotations

from rich.text import Text

# What is escaped: every character Python calls non-printable except the plain space: C0
# and C1 controls, DEL, format characters (bidi embeddings, overrides, isolates and marks,
# zero-width characters, BOM, soft hyphen), line/paragraph separators, unusual spaces (a
# no-break space in an event name is a real bug worth seeing), surrogates, private-use and
# unassigned code points.
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\e"}

DEFAULT_MAX = 500


def _escape(ch: str) -> str:
    named = _NAMED.get(ch)
    if named:
        return named
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def clean(value: object, max_len: int | None = DEFAULT_MAX) -> str:
    """Plain string with every unsafe character made visible, cut to ``max_len`` chars."""
    s = value if isinstance(value, str) else str(value)
    if max_len is not None and len(s) > max_len:
        s = s[:max_len] + "…"
    if s.isprintable():  # nearly every string: one C call
        return s
    return "".join(ch if ch.isprintable() or ch == " " else _escape(ch) for ch in s)


def safe_text(value: object, style: str = "", max_len: int | None = DEFAULT_MAX) -> Text:
    """A Rich Text for display: never parsed as markup, never with raw control characters."""
    return Text(clean(value, max_len), style=style, no_wrap=True, end="")
