"""Turn a request body into messages, keeping each message's exact bytes.

Pure functions, no I/O. The standard library's C JSON scanner parses each value and tells
where it ends (``raw_decode``), which gives every batch item's byte span in the body for
free: the store keeps the body once and each message as a slice of it.
"""

from __future__ import annotations

import json
import re
import zlib
from dataclasses import dataclass
from typing import Any

import orjson

from inspector.jsonutil import has_long_digit_run

#: Segment's limits (HTTP API docs): 32 KB per message, 500 KB per batch request.
MAX_MESSAGE_BYTES = 32 * 1024
MAX_BATCH_BYTES = 500 * 1024
MAX_BATCH_EVENTS = 2500
#: How much we inflate a gzip body before giving up (a gzip bomb must not eat memory).
#: Larger than MAX_BATCH_BYTES so an oversize batch is still captured and answered as such.
MAX_INFLATED_BYTES = 4 * 1024 * 1024

SHORT_TYPES = {
    "t": "track",
    "i": "identify",
    "p": "page",
    "s": "screen",
    "g": "group",
    "a": "alias",
}
LONG_TYPES = {"track", "identify", "page", "screen", "group", "alias"}

_BATCH_ROUTE = re.compile(r"^/v1/(?:batch|import|b)/?$")
_SINGLE_ROUTE = re.compile(r"^/v1/(track|identify|page|screen|group|alias|[tipsga])/?$")
#: The settings fetch, with or without ``/v1`` (analytics.js and the mobile SDKs differ).
SETTINGS_PATH = re.compile(r"^(?:/v1)?/projects/([^/]+)/settings/?$")


def ingest_route(path: str) -> tuple[str | None, bool] | None:
    """(call type, is batch) for a Segment ingestion path (a query is ignored), else None."""
    p = path.split("?", 1)[0]
    if _BATCH_ROUTE.match(p):
        return None, True
    m = _SINGLE_ROUTE.match(p)
    if m:
        name = m.group(1)
        return SHORT_TYPES.get(name, name), False
    return None


BATCH_PATHS = {"batch", "import", "b"}


class DecodeError(Exception):
    """The body cannot be accepted. ``code``/``message`` are what the client gets back."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


@dataclass(slots=True)
class Item:
    """One message of a request: its parsed value, its byte span, what we merged in."""

    data: Any
    start: int
    end: int
    #: Top-level fields set by the inspector (merged batch context, type from the path).
    extra: dict[str, Any] | None = None


@dataclass(slots=True)
class Decoded:
    items: list[Item]
    #: writeKey found in the body (top-level or the first item's).
    write_key: str | None
    #: The batch's own ``sentAt`` (any JSON value; checked per item), if it has one.
    sent_at: Any = None
    #: The writeKey of the body itself (top level), not borrowed from an item.
    body_key: str | None = None


def inflate(body: bytes, limit: int = MAX_INFLATED_BYTES, encoding: str = "gzip") -> bytes:
    """Inflate a gzip (or zlib; raw deflate for ``deflate``) body, refusing to produce more
    than ``limit`` bytes. Several gzip members in a row are one body (RFC 1952); anything
    else after the end of the stream is an error, not silently dropped."""
    name = "deflate" if encoding == "deflate" else "gzip"
    if not body:
        # Nothing at all was sent: that is an empty body, whatever the header says.
        raise DecodeError("invalid_json", "Empty body: send a JSON object")
    parts: list[bytes] = []
    size = 0
    data = body
    wbits = zlib.MAX_WBITS | 32  # auto-detect a gzip or zlib header
    while True:
        room = limit - size
        d = zlib.decompressobj(wbits)
        try:
            out = d.decompress(data, room) if room > 0 else b""
            if d.unconsumed_tail or (room <= 0 and data):
                raise DecodeError(
                    "payload_too_large",
                    f"{name} body inflates to more than {limit // (1024 * 1024)} MB; "
                    "Segment accepts at most 500 KB per batch",
                    413,
                )
            out += d.flush()
        except zlib.error as exc:
            if name == "deflate" and wbits > 0 and not parts:
                wbits = -zlib.MAX_WBITS  # Content-Encoding: deflate without the zlib header
                continue
            raise DecodeError(
                "invalid_gzip",
                f"Content-Encoding is {name} but the body is not valid {name} ({exc})",
            ) from None
        if not d.eof:
            raise DecodeError("invalid_gzip", f"{name} body is truncated")
        parts.append(out)
        size += len(out)
        data = d.unused_data
        if not data:
            return b"".join(parts)
        if name != "gzip" or data[:2] != b"\x1f\x8b":
            raise DecodeError(
                "invalid_gzip",
                f"{len(data)} bytes follow the end of the {name} stream; send one {name} body",
            )


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)
_WS = " \t\n\r"


def _value(text: str, pos: int) -> tuple[Any, int]:
    try:
        return _DECODER.raw_decode(text, pos)
    except RecursionError:
        raise DecodeError("invalid_json", "JSON is nested too deeply") from None
    except ValueError as exc:
        raise DecodeError("invalid_json", f"Invalid JSON: {exc}") from None


def _skip_ws(text: str, pos: int) -> int:
    n = len(text)
    while pos < n and text[pos] in _WS:
        pos += 1
    return pos


def _expect(text: str, pos: int, ch: str) -> int:
    pos = _skip_ws(text, pos)
    if pos >= len(text) or text[pos] != ch:
        got = repr(text[pos]) if pos < len(text) else "end of input"
        raise DecodeError("invalid_json", f"Invalid JSON: expected {ch!r} at char {pos}, got {got}")
    return pos + 1


class _Spans:
    """Converts character offsets of ``text`` to byte offsets of its UTF-8 encoding."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.ascii = text.isascii()
        self._char = 0
        self._byte = 0

    def byte(self, char_pos: int) -> int:
        if self.ascii:
            return char_pos
        # Offsets are asked for in increasing order: encode only the new stretch.
        if char_pos < self._char:
            self._char, self._byte = 0, 0
        self._byte += len(self.text[self._char : char_pos].encode("utf-8", "surrogatepass"))
        self._char = char_pos
        return self._byte


def _decode_text(body: bytes) -> str:
    if not body.strip():
        raise DecodeError("invalid_json", "Empty body: send a JSON object")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DecodeError(
            "invalid_json", f"Body is not UTF-8 ({exc.reason} at byte {exc.start})"
        ) from None


def decode_single(body: bytes, call_type: str | None) -> Decoded:
    """A single-call body (``/v1/track``, ``/v1/t`` ...): one JSON object."""
    if has_long_digit_run(body):
        return decode_single_exact(body, call_type)
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return decode_single_exact(body, call_type)
    if not isinstance(data, dict):
        return decode_single_exact(body, call_type)
    start = len(body) - len(body.lstrip(b" \t\r\n"))
    end = len(body.rstrip(b" \t\r\n"))
    extra = {"type": call_type} if call_type and "type" not in data else None
    wk = data.get("writeKey")
    return Decoded([Item(data, start, end, extra)], wk if isinstance(wk, str) else None)


def decode_single_exact(body: bytes, call_type: str | None) -> Decoded:
    text = _decode_text(body)
    spans = _Spans(text)
    start = _skip_ws(text, 0)
    data, end = _value(text, start)
    if _skip_ws(text, end) != len(text):
        raise DecodeError(
            "invalid_json", f"Invalid JSON: extra data after the object at char {end}"
        )
    if not isinstance(data, dict):
        raise DecodeError("invalid_json", f"Expected a JSON object, got {_kind(data)}")
    extra = None
    if call_type and "type" not in data:
        extra = {"type": call_type}
    item = Item(data, spans.byte(start), spans.byte(end), extra)
    wk = data.get("writeKey")
    return Decoded([item], wk if isinstance(wk, str) else None)


def decode_batch(body: bytes) -> Decoded:
    """A batch body: ``{"batch": [...], "context"?, "integrations"?, "writeKey"?, "sentAt"?}``.

    Fast path: orjson parses the body and item spans are left unknown (-1); the store finds
    them from the kept body when a message's exact bytes are read (``batch_spans``). Items
    that might be near the 32 KB limit, and anything orjson refuses (its error messages are
    terse; it rejects lone surrogates the standard library accepts), take the exact path.
    """
    if not body.strip():
        raise DecodeError("invalid_json", "Empty body: send a JSON object")
    numbers = body.translate(_NUMBER_CHARS)
    if _LONG_RUN in numbers:  # orjson would turn >64-bit integers into floats
        return decode_batch_exact(body)
    try:
        top = orjson.loads(body)
    except orjson.JSONDecodeError:
        return decode_batch_exact(body)
    if not isinstance(top, dict) or not isinstance(top.get("batch"), list):
        return decode_batch_exact(body)
    raw = top["batch"]
    if len(body) > MAX_MESSAGE_BYTES and not _items_surely_small(body, numbers, raw):
        return decode_batch_exact(body)  # measures every item's exact size
    return _merge(top, [(item, -1, -1) for item in raw])


# Digits become "0", e/E become "e", every other byte a space: C-speed scans for long
# integers ("0" * 19) and for numbers in exponent form ("0e").
_NUMBER_CHARS = bytes(
    0x30 if 0x30 <= b <= 0x39 else 0x65 if b in (0x45, 0x65) else 0x20 for b in range(256)
)
_LONG_RUN = b"0" * 19
#: At most how many bytes longer orjson writes a number given in exponent form ("1e5" ->
#: "100000.0"); every other difference makes the original text longer, not shorter.
_EXPONENT_GROWTH = 24


def _items_surely_small(body: bytes, numbers: bytes, items: list[Any]) -> bool:
    """Whether no item's original text can exceed 32 KB, without finding the items' spans.

    Re-encoding an item gives its compact size; the original is longer only by whitespace
    and escapes, and all of that is in ``len(body) - sum(compact sizes)``. Numbers in
    exponent form are the one thing re-encoding lengthens, which could hide slack, so they
    are allowed for at a bound each.
    """
    dumps = orjson.dumps
    try:
        sizes = [len(dumps(item)) for item in items]
    except orjson.JSONEncodeError:  # nesting deeper than orjson writes
        return False
    slack = len(body) - sum(sizes) + _EXPONENT_GROWTH * numbers.count(b"0e")
    return max(sizes, default=0) + slack <= MAX_MESSAGE_BYTES


def batch_spans(body: bytes) -> list[tuple[int, int]]:
    """Byte spans of each batch item's JSON text in ``body``."""
    return [(i.start, i.end) for i in decode_batch_exact(body).items]


def decode_batch_exact(body: bytes) -> Decoded:
    """The batch decoder that also records each item's exact byte span."""
    text = _decode_text(body)
    spans = _Spans(text)
    pos = _skip_ws(text, 0)
    if pos >= len(text) or text[pos] != "{":
        data, _ = _value(text, pos)  # raises for invalid JSON; else it is the wrong kind
        raise DecodeError(
            "invalid_json", f"Expected a JSON object with a batch array, got {_kind(data)}"
        )
    pos += 1
    top: dict[str, Any] = {}
    raw_items: list[tuple[Any, int, int]] | None = None
    pos = _skip_ws(text, pos)
    if pos < len(text) and text[pos] == "}":
        pos += 1
    else:
        while True:
            pos = _skip_ws(text, pos)
            key, pos = _value(text, pos)
            if not isinstance(key, str):
                raise DecodeError("invalid_json", "Invalid JSON: object keys must be strings")
            pos = _expect(text, pos, ":")
            pos = _skip_ws(text, pos)
            if key == "batch" and pos < len(text) and text[pos] == "[":
                raw_items, pos = _items(text, pos + 1)
                top["batch"] = raw_items
            else:
                top[key], pos = _value(text, pos)
            pos = _skip_ws(text, pos)
            if pos < len(text) and text[pos] == ",":
                pos += 1
                continue
            pos = _expect(text, pos, "}")
            break
    if _skip_ws(text, pos) != len(text):
        raise DecodeError(
            "invalid_json", f"Invalid JSON: extra data after the object at char {pos}"
        )
    if raw_items is None:
        got = _kind(top["batch"]) if "batch" in top else "no batch field"
        raise DecodeError("invalid_json", f"Expected a batch array in the body, got {got}")
    return _merge(top, [(d, spans.byte(a), spans.byte(b)) for d, a, b in raw_items])


def _merge(top: dict[str, Any], raw_items: list[tuple[Any, int, int]]) -> Decoded:
    """Merge batch-level context/integrations into each item (item keys win)."""
    batch_context = top.get("context")
    batch_integrations = top.get("integrations")
    wk = top.get("writeKey")
    items: list[Item] = []
    for data, start, end in raw_items:
        extra: dict[str, Any] | None = None
        if isinstance(data, dict):
            # Batch-level context/integrations are merged into each item (item keys win).
            if isinstance(batch_context, dict) and batch_context:
                own = data.get("context")
                merged = {**batch_context, **own} if isinstance(own, dict) else dict(batch_context)
                if own is None or isinstance(own, dict):
                    extra = {"context": merged}
            if isinstance(batch_integrations, dict) and batch_integrations:
                own_i = data.get("integrations")
                if own_i is None or isinstance(own_i, dict):
                    extra = extra or {}
                    extra["integrations"] = {**batch_integrations, **(own_i or {})}
            if not isinstance(wk, str):
                iwk = data.get("writeKey")
                if isinstance(iwk, str):
                    wk = iwk
        items.append(Item(data, start, end, extra))
    top_key = top.get("writeKey")
    return Decoded(
        items,
        wk if isinstance(wk, str) else None,
        top.get("sentAt"),
        top_key if type(top_key) is str else None,
    )


def _items(text: str, pos: int) -> tuple[list[tuple[Any, int, int]], int]:
    out: list[tuple[Any, int, int]] = []
    pos = _skip_ws(text, pos)
    if pos < len(text) and text[pos] == "]":
        return out, pos + 1
    while True:
        pos = _skip_ws(text, pos)
        start = pos
        data, pos = _value(text, pos)
        out.append((data, start, pos))
        pos = _skip_ws(text, pos)
        if pos < len(text) and text[pos] == ",":
            pos += 1
            continue
        return out, _expect(text, pos, "]")


def _kind(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, (int, float)):
        return "a number"
    if isinstance(v, str):
        return "a string"
    if isinstance(v, list):
        return "an array"
    return "an object"


_NAME_FIELD = {
    "track": "event",
    "page": "name",
    "screen": "name",
    "group": "groupId",
    "alias": "previousId",
}
_EMPTY: tuple[str | None, ...] = (None,) * 6


def summary_row(data: Any) -> tuple[str | None, ...]:
    """The indexed columns of a message: (type, name, userId, anonymousId, messageId,
    library name), each a string or None. On the ingest hot path, hence the plain code."""
    if type(data) is not dict:
        return _EMPTY
    get = data.get
    t = get("type")
    field = _NAME_FIELD.get(t) if type(t) is str else None
    name = get(field) if field else None
    lib = None
    ctx = get("context")
    if type(ctx) is dict:
        library = ctx.get("library")
        if type(library) is dict:
            lib = library.get("name")
    uid = get("userId")
    aid = get("anonymousId")
    mid = get("messageId")
    return (
        t if t is None or type(t) is str else _s(t),
        name if name is None or type(name) is str else _s(name),
        uid if uid is None or type(uid) is str else _s(uid),
        aid if aid is None or type(aid) is str else _s(aid),
        mid if mid is None or type(mid) is str else _s(mid),
        lib if lib is None or type(lib) is str else _s(lib),
    )


SUMMARY_KEYS = ("type", "name", "user_id", "anonymous_id", "message_id", "library")


def summarize(data: Any) -> dict[str, str | None]:
    """``summary_row`` as a dict keyed by column name."""
    return dict(zip(SUMMARY_KEYS, summary_row(data), strict=True))


def _s(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, (int, float, bool)):
        return json.dumps(v)
    return None
