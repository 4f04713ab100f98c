"""JSON parsing that never changes a value, fast in the common case.

orjson is several times faster than the standard library, but it turns integers beyond 64
bits into floats and refuses lone surrogates. A text that may hold such an integer (a run
of 19 or more digits) or that orjson refuses is parsed by the standard library instead.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
from collections.abc import Iterator
from typing import Any

import orjson

# Every digit becomes "0" and every other byte a space; then a run of 19 digits is a plain
# substring search. Both steps are C loops: ~20x faster than re.search(rb"\d{19}").
_DIGITS = bytes(0x30 if 0x30 <= b <= 0x39 else 0x20 for b in range(256))
_RUN = b"0" * 19


def has_long_digit_run(data: bytes) -> bool:
    return _RUN in data.translate(_DIGITS)


def loads_exact(raw: bytes) -> Any:
    """Parse JSON exactly; raises ValueError (or RecursionError) on invalid input."""
    if not has_long_digit_run(raw):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    with deep_recursion():
        return json.loads(raw.decode("utf-8", "surrogatepass"), parse_constant=_not_json)


def _not_json(name: str) -> Any:
    # The standard library accepts NaN and Infinity; JSON (and Segment) do not.
    raise ValueError(f"{name} is not valid JSON")


def dumps_exact(value: Any) -> bytes:
    """JSON bytes for any parsed value: orjson, or the standard library (ASCII, lone
    surrogates escaped) for what orjson refuses (integers beyond 64 bits, lone surrogates,
    nesting beyond 255 levels)."""
    try:
        return orjson.dumps(value)
    except (TypeError, orjson.JSONEncodeError):
        with deep_recursion():
            return json.dumps(value, separators=(",", ":"), ensure_ascii=True).encode("ascii")


@contextlib.contextmanager
def deep_recursion(limit: int = 6000) -> Iterator[None]:
    """Let the standard library's JSON code reach the nesting the endpoint accepts (orjson
    parses up to 1,024 levels; Python's default limit stops at about 1,000 frames)."""
    old = sys.getrecursionlimit()
    if old >= limit:
        yield
        return
    sys.setrecursionlimit(limit)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


#: Python refuses to turn a run of more digits than this into an int (CVE-2020-10735).
_INT_DIGITS_LIMIT = 4300


def parse_int(text: str) -> int | float:
    """A JSON integer as ``int``; one too long for Python's int parser (more than 4,300
    digits) as the float it denotes (±inf), as the standard library reads ``1e999``."""
    if len(text) <= _INT_DIGITS_LIMIT:
        return int(text)
    return float(text)


def loads_any(raw: bytes | str) -> Any:
    """``loads_exact`` for bytes or text, also reading integers of any length (see
    ``parse_int``); raises ValueError (orjson's message) or RecursionError."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as first:
        text = raw.decode("utf-8", "surrogatepass") if isinstance(raw, bytes) else raw
        try:
            with deep_recursion():
                return json.loads(text, parse_constant=_not_json, parse_int=parse_int)
        except ValueError:
            raise ValueError(str(first)) from None


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def dumps_pretty(value: Any) -> bytes:
    """Indented JSON (two spaces) for any parsed value, UTF-8. Falls back to the standard
    library for what orjson refuses; lone surrogates are then written as ``\\udXXX``
    escapes, so the output is always valid UTF-8 JSON."""
    try:
        return orjson.dumps(value, option=orjson.OPT_INDENT_2)
    except (TypeError, orjson.JSONEncodeError):
        pass
    with deep_recursion():
        text = json.dumps(value, indent=2, ensure_ascii=False)
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text).encode("utf-8")
