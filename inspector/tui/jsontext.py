"""A message's JSON as display text: pretty-printed, sanitized, highlighted, violations marked.

The pretty-printer records the JSON path of every line (``properties.products[0].price``) so
the lines a violation points at can be marked. Every line goes through ``safety.clean``
*before* highlighting (orjson escapes C0 controls in strings but not DEL, C1 or bidi
overrides), and the result is a Rich ``Text`` built from Pygments tokens: no markup anywhere.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from pygments.lexers.data import JsonLexer
from pygments.token import Token, _TokenType
from rich.style import Style
from rich.text import Text

from inspector.model import SEVERITY_RANK, Violation
from inspector.safety import clean

#: Longest line shown (cells); the rest is cut with an ellipsis.
MAX_LINE = 2000

_LEXER = JsonLexer()

TOKEN_STYLES: dict[_TokenType, Style] = {
    Token.Name.Tag: Style(color="#66d9ef"),
    Token.String.Double: Style(color="#a6e22e"),
    Token.Literal.String.Double: Style(color="#a6e22e"),
    Token.Number: Style(color="#ae81ff"),
    Token.Literal.Number.Integer: Style(color="#ae81ff"),
    Token.Literal.Number.Float: Style(color="#ae81ff"),
    Token.Keyword.Constant: Style(color="#fd971f"),
    Token.Punctuation: Style(color="#a0a0a0"),
}

SEVERITY_COLOR = {"error": "#f92672", "warning": "#e6db74", "info": "#66d9ef"}
SEVERITY_BG = {"error": "#4a1622", "warning": "#3d3a14", "info": "#173a44"}


def _dump(value: Any) -> str:
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # integers beyond 64 bits, accepted by the stdlib parser at ingest
        return json.dumps(value, ensure_ascii=False)


def pretty_lines(data: Any) -> list[tuple[str, str]]:
    """``(line, path)`` pairs of ``data`` indented by two; closing brackets get path ''."""
    out: list[tuple[str, str]] = []

    def walk(value: Any, path: str, indent: int, prefix: str, comma: str) -> None:
        pad = " " * indent
        if isinstance(value, dict) and value:
            out.append((f"{pad}{prefix}{{", path))
            items = list(value.items())
            for n, (k, v) in enumerate(items):
                key = str(k)
                child = f"{path}.{key}" if path else key
                walk(v, child, indent + 2, f"{_dump(key)}: ", "," if n < len(items) - 1 else "")
            out.append((f"{pad}}}{comma}", ""))
        elif isinstance(value, list) and value:
            out.append((f"{pad}{prefix}[", path))
            for n, v in enumerate(value):
                walk(v, f"{path}[{n}]", indent + 2, "", "," if n < len(value) - 1 else "")
            out.append((f"{pad}]{comma}", ""))
        else:
            out.append((f"{pad}{prefix}{_dump(value)}{comma}", path))

    walk(data, "", 0, "", "")
    return out


def _parent(path: str) -> str:
    if path.endswith("]"):
        return path[: path.rindex("[")]
    return path.rsplit(".", 1)[0] if "." in path else ""


def marked_lines(lines: list[tuple[str, str]], violations: list[Violation]) -> dict[int, str]:
    """Line number -> worst severity of the violations whose path is on that line.

    A path that is not in the message (a missing field) marks its nearest present parent,
    unless that is the whole message.
    """
    where: dict[str, int] = {}
    for n, (_, p) in enumerate(lines):
        if p and p not in where:
            where[p] = n
    marks: dict[int, str] = {}
    for v in violations:
        p = v.path.strip().removeprefix("$.").removeprefix("$")
        while p and p not in where:
            p = _parent(p)
        if not p:
            continue
        n = where[p]
        old = marks.get(n)
        if old is None or SEVERITY_RANK.get(v.severity, 9) < SEVERITY_RANK.get(old, 9):
            marks[n] = v.severity
    return marks


def highlight(code: str) -> Text:
    """Pygments tokens of (already sanitized) JSON text as a Rich Text."""
    text = Text(no_wrap=True, end="")
    for ttype, value in _LEXER.get_tokens(code):
        style = None
        t: _TokenType | None = ttype
        while t is not None and style is None:
            style = TOKEN_STYLES.get(t)
            t = t.parent
        text.append(value, style or "")
    return text


def json_text(data: Any, violations: list[Violation] | None = None) -> tuple[Text, dict[int, str]]:
    """The highlighted, sanitized, marked JSON of a message and the marks it carries."""
    lines = pretty_lines(data)
    marks = marked_lines(lines, violations or [])
    code = "\n".join(clean(line, None) for line, _ in lines)
    hl = highlight(code)
    parts = hl.split("\n", include_separator=False)
    out = Text(no_wrap=True, end="")
    for n, part in enumerate(parts):
        sev = marks.get(n)
        if part.cell_len > MAX_LINE:
            part.truncate(MAX_LINE, overflow="ellipsis")
        if sev:
            out.append("▌", Style(color=SEVERITY_COLOR[sev], bold=True))
            line = part.copy()
            line.stylize(Style(bgcolor=SEVERITY_BG[sev]))
            out.append_text(line)
        else:
            out.append(" ")
            out.append_text(part)
        if n < len(parts) - 1:
            out.append("\n")
    return out, marks
