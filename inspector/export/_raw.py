"""Edit a JSON object's text without parsing and re-encoding it.

Re-encoding a message changes what the sender wrote: ``1.10`` becomes ``1.1``, ``1E+2``
becomes ``100.0``, ``1e400`` becomes ``null`` (orjson) or ``Infinity`` (the standard
library, which is not JSON), and an integer past 64 bits turns every non-ASCII character
of the message into a ``\\u`` escape. Exports, the importer and replay therefore work on
the bytes: they set, add or remove top-level members of the object text and leave every
other byte as it was sent.

The input is always JSON that has been parsed successfully before (a stored message, a
line that was just parsed), so the scanner only needs to find the top-level members, not
to validate.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import NamedTuple

import orjson

from inspector.jsonutil import loads_exact

#: A JSON string (possessive, so long strings cost one C-level match) or a structural byte.
_TOKEN = re.compile(rb'"(?:[^"\\]++|\\.)*+"|[{}\[\],:]')
_WS = b" \t\r\n"


class Member(NamedTuple):
    """One top-level member of an object's text: its key and where it lies."""

    key: str
    #: Start of the key's text.
    start: int
    value_start: int
    value_end: int


def _key(text: bytes) -> str:
    if b"\\" not in text:
        return text[1:-1].decode("utf-8", "surrogatepass")
    value = loads_exact(text)
    return value if isinstance(value, str) else ""


def members(text: bytes, pos: int | None = None) -> list[Member] | None:
    """The members of the object whose ``{`` is at ``pos`` (default: the first non-space
    byte), with their byte spans. None when there is no object there."""
    if pos is None:
        pos = len(text) - len(text.lstrip(_WS))
    if text[pos : pos + 1] != b"{":
        return None
    out: list[Member] = []
    depth = 0
    key: str | None = None
    key_start = 0
    value_start = -1
    last_end = pos + 1  # end of the last token seen at depth 1
    for m in _TOKEN.finditer(text, pos):
        tok = m.group()
        c = tok[:1]
        if c == b'"':
            if depth == 1 and key is None and value_start < 0:
                key, key_start = _key(tok), m.start()
            elif depth == 1:
                last_end = m.end()
            continue
        if c in b"{[":
            depth += 1
            continue
        if c in b"}]":
            depth -= 1
            if depth == 1:
                last_end = m.end()
            elif depth == 0:
                if key is not None and value_start >= 0:
                    out.append(
                        Member(key, key_start, value_start, _value_end(text, last_end, m.start()))
                    )
                return out
            continue
        if depth != 1:
            continue
        if c == b":":
            value_start = m.end()
            while text[value_start : value_start + 1] in (b" ", b"\t", b"\r", b"\n"):
                value_start += 1
            last_end = value_start
        elif c == b",":
            if key is not None and value_start >= 0:
                out.append(
                    Member(key, key_start, value_start, _value_end(text, last_end, m.start()))
                )
            key, value_start = None, -1
    return None


def _value_end(text: bytes, last_end: int, stop: int) -> int:
    """End of a value: scalars (numbers, true, null) are not tokens, so the value runs to
    the next structural byte, less trailing whitespace."""
    end = stop
    while end > last_end and text[end - 1] in _WS:
        end -= 1
    return end


def _insert_at(text: bytes) -> int:
    """Where a new last member goes: right after the last value (whitespace before the
    closing brace stays where it was, so removing the member again restores the text)."""
    end = len(text.rstrip(_WS)) - 1  # the closing brace
    while end > 0 and text[end - 1] in _WS:
        end -= 1
    return end


def edit(
    text: bytes,
    set_members: Mapping[str, bytes] | Iterable[tuple[str, bytes]] = (),
    remove: Iterable[str] = (),
    *,
    move_to_end: Iterable[str] = (),
) -> bytes | None:
    """``text`` (a JSON object) with members replaced, added or removed, every other byte
    untouched. ``set_members`` values are JSON texts: an existing member keeps its place
    and gets the new value, a new one is added at the end. A key in ``move_to_end`` is
    removed where it is and added last. Returns None when ``text`` is not an object."""
    found = members(text)
    if found is None:
        return None
    pairs = list(set_members.items() if isinstance(set_members, Mapping) else set_members)
    to_set = dict(pairs)
    drop = set(remove) | set(move_to_end)
    # Edits as (start, end, replacement); they never overlap, applied from the end.
    edits: list[tuple[int, int, bytes]] = []
    kept = 0
    present: set[str] = set()
    for i, m in enumerate(found):
        if m.key in drop:
            if kept:  # the member with the comma before it
                edits.append((found[i - 1].value_end, m.value_end, b""))
            elif i + 1 < len(found):  # nothing kept before: with the comma after it
                edits.append((m.start, found[i + 1].start, b""))
            else:
                edits.append((m.start, m.value_end, b""))
            continue
        kept += 1
        if m.key in to_set:
            present.add(m.key)
            edits.append((m.value_start, m.value_end, to_set[m.key]))
    out = text
    for start, end, rep in sorted(edits, reverse=True):
        out = out[:start] + rep + out[end:]
    added = [(k, v) for k, v in pairs if k not in present]
    if added:
        new = b",".join(orjson.dumps(k) + b":" + v for k, v in added)
        pos = _insert_at(out)
        out = out[:pos] + (b"," if kept else b"") + new + out[pos:]
    return out


def member_values(text: bytes) -> list[tuple[str, bytes]] | None:
    """The top-level members of an object text as (key, value text) pairs."""
    found = members(text)
    if found is None:
        return None
    return [(m.key, text[m.value_start : m.value_end]) for m in found]


def apply_extra(raw: bytes, extra: bytes | None) -> bytes:
    """The message as Segment sees it: ``raw`` with the stored ``extra`` members (batch
    context merged in, ``type`` from the path) set over its top-level keys."""
    if not extra:
        return raw
    values = member_values(extra)
    if not values:
        return raw
    out = edit(raw, values)
    return raw if out is None else out


def with_received_at(raw: bytes, received_at: str) -> bytes:
    """``raw`` with ``"receivedAt"`` as its last member (one the sender wrote is dropped:
    Segment replaces it with the server's). A non-object is returned unchanged."""
    value = orjson.dumps(received_at)
    text = raw.strip(_WS)
    if not text.startswith(b"{"):
        return raw
    if b"receivedAt" not in text and b"\\u00" not in text:
        # Fast path: no member can be named receivedAt (an escaped letter would show as
        # \u00XX), so only append.
        pos = _insert_at(text)
        sep = b"," if pos > 1 else b""
        return text[:pos] + sep + b'"receivedAt":' + value + text[pos:]
    out = edit(text, [("receivedAt", value)], move_to_end=["receivedAt"])
    return text if out is None else out


def top_member(text: bytes, key: str) -> bytes | None:
    """The value text of the top-level member ``key`` of an object text (the last one when
    the key is repeated), else None."""
    if key.encode() not in text and b"\\u" not in text:
        return None  # fast path: no such key, not even escaped
    found = members(text)
    if not found:
        return None
    m = next((x for x in reversed(found) if x.key == key), None)
    return None if m is None else text[m.value_start : m.value_end]


def with_default(raw: bytes, key: str, value: bytes) -> bytes:
    """``raw`` with the member ``key`` set to the JSON text ``value`` when the object has no
    such member of its own (then it is added last); anything else is returned unchanged."""
    text = raw.strip(_WS)
    if not text.startswith(b"{"):
        return raw
    if key.encode() not in text and b"\\u" not in text:
        pos = _insert_at(text)
        sep = b"," if pos > 1 else b""
        return text[:pos] + sep + orjson.dumps(key) + b":" + value + text[pos:]
    found = members(text)
    if found is None or any(m.key == key for m in found):
        return raw
    out = edit(text, [(key, value)])
    return raw if out is None else out


def without(raw: bytes, *keys: str) -> bytes:
    """``raw`` with the top-level members ``keys`` removed (a non-object unchanged)."""
    if not any(k.encode() in raw for k in keys) and b"\\u00" not in raw:
        return raw
    out = edit(raw, remove=keys)
    return raw if out is None else out


def array_items(text: bytes, pos: int) -> list[tuple[int, int]] | None:
    """Byte spans of the elements of the array whose ``[`` is at ``pos``."""
    if text[pos : pos + 1] != b"[":
        return None
    out: list[tuple[int, int]] = []
    depth = 0
    start = -1
    last_end = pos + 1
    for m in _TOKEN.finditer(text, pos):
        tok = m.group()
        c = tok[:1]
        if c == b'"':
            if depth == 1:
                if start < 0:
                    start = m.start()
                last_end = m.end()
            continue
        if c in b"{[":
            depth += 1
            if depth == 2 and start < 0:
                start = m.start()
            continue
        if c in b"}]":
            depth -= 1
            if depth == 1:
                last_end = m.end()
            elif depth == 0:
                if start >= 0 or text[last_end : m.start()].strip(_WS):
                    out.append(_element(text, start, last_end, m.start()))
                return out
            continue
        if depth == 1 and c == b",":
            out.append(_element(text, start, last_end, m.start()))
            start, last_end = -1, m.end()
    return None


def _element(text: bytes, start: int, last_end: int, stop: int) -> tuple[int, int]:
    if start < 0:  # a scalar: from after the separator to the next structural byte
        seg = text[last_end:stop]
        lead = len(seg) - len(seg.lstrip(_WS))
        return last_end + lead, last_end + len(seg.rstrip(_WS))
    return start, _value_end(text, last_end, stop)
