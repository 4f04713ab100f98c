"""Read messages from files: NDJSON, a JSON array, a batch body, an inspector JSON export,
a HAR capture, or a saved SQLite session. The format is detected from the content.

``load_messages(path)`` yields the messages; ``iter_records(path)`` yields them with what
is known about how they were sent (exact bytes, batch position, arrival time), which
``inspector check`` passes to the rules. ``"-"`` reads standard input.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from inspector.jsonutil import dumps_exact, loads_any
from inspector.model import CALL_TYPES

SQLITE_MAGIC = b"SQLite format 3\x00"

#: Request paths that carry messages (the last path segment), as the SDKs send them.
INGEST_PATHS: dict[str, str | None] = {
    "batch": None,
    "b": None,
    "import": None,
    "track": "track",
    "t": "track",
    "identify": "identify",
    "i": "identify",
    "page": "page",
    "p": "page",
    "screen": "screen",
    "s": "screen",
    "group": "group",
    "g": "group",
    "alias": "alias",
    "a": "alias",
}


class SourceError(Exception):
    """A file could not be read as messages; the text is one line, fit for the user."""


@dataclass(slots=True)
class Record:
    """One message and what is known about how it was sent."""

    message: Any
    #: The message's exact JSON bytes, when the file holds them (NDJSON lines).
    raw: bytes | None = None
    batch_count: int = 1
    batch_index: int = 0
    received_at: str | None = None
    endpoint: str = ""
    #: The ``sentAt`` of the batch the message came in (batch bodies only).
    sent_at: Any = None
    #: The message's seq in a saved session (what ``diff`` and the UI call #N).
    seq: int | None = None
    #: Bytes the sender wrote, when neither ``raw`` nor the message's encoding is that: a
    #: batch item without the batch context merged into it, a JSON-array item without the
    #: ``receivedAt`` an export added. None: measure ``raw``, else encode the message.
    size: int | None = None


def load_messages(path: str | os.PathLike[str]) -> Iterator[Any]:
    """Every message in the file, in order (any JSON value; not only objects)."""
    for rec in iter_records(path):
        yield rec.message


def iter_records(path: str | os.PathLike[str]) -> Iterator[Record]:
    """Every message in the file with its sending details. Raises ``SourceError``."""
    name = os.fspath(path)
    streamed = _streamed_export(name) if name != "-" else None
    if streamed is not None:
        yield from streamed
        return
    data = _read(name)
    if data.startswith(SQLITE_MAGIC):
        if name == "-":
            raise SourceError("standard input holds a SQLite session; pass its file path instead")
        yield from _sqlite(name)
        return
    text = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    if not text.strip():
        return
    try:
        doc = _loads(text)
    except ValueError as exc:
        yield from _ndjson(name, text, exc)
        return
    yield from _document(name, doc)


# -- reading ---------------------------------------------------------------------------------


def _read(name: str) -> bytes:
    if not name:
        raise SourceError("the file path is empty; give a file, a session name or -")
    try:
        if name == "-":
            return sys.stdin.buffer.read()
        with open(name, "rb") as f:
            return f.read()
    except FileNotFoundError:
        raise SourceError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise SourceError(f"{name}: is a directory, not a file") from None
    except PermissionError:
        raise SourceError(f"{name}: permission denied") from None
    except OSError as exc:
        raise SourceError(f"{name}: cannot read ({exc.strerror or exc})") from None


def _loads(text: bytes | str) -> Any:
    """orjson, falling back to the standard library for what orjson refuses but JSON
    senders produce (lone surrogates, integers beyond 64 bits or beyond a double)."""
    return loads_any(text)


def _not_utf8(name: str, text: bytes) -> SourceError | None:
    """The error for a file that is not UTF-8 text (a binary file, a UTF-16 file without
    a BOM, ...), naming the line and byte; None when it is UTF-8. Lone surrogates encoded
    as raw bytes (what some JSON writers produce) count as UTF-8 here: they are read."""
    try:
        text.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError as exc:
        line = text.count(b"\n", 0, exc.start) + 1
        return SourceError(
            f"{name}: is not UTF-8 text (byte 0x{text[exc.start]:02x} on line {line}); "
            "give NDJSON, JSON or a saved session"
        )
    return None


def _ndjson(name: str, text: bytes, whole_error: ValueError) -> Iterator[Record]:
    first = True
    for n, line in enumerate(text.split(b"\n"), 1):
        raw = line.strip()
        if not raw:
            continue
        try:
            value = _loads(raw)
        except ValueError as exc:
            bad = _not_utf8(name, text)
            if bad is not None:
                raise bad from None
            # A first line that opens an object or array without closing it is the start of
            # a (broken) pretty-printed document: report the document's error, not the line's.
            if first and raw[:1] in (b"{", b"[") and raw[-1:] not in (b"}", b"]"):
                raise SourceError(f"{name}: not valid JSON ({whole_error})") from None
            raise SourceError(f"{name}: line {n} is not JSON ({exc})") from None
        first = False
        if _is_container(value, f"{name}: line {n}"):
            yield from _batch(value, endpoint="/v1/batch")
            continue
        received = _added_received_at(value)
        if received is not None:
            # An export's line: the message as sent, plus the server's receivedAt. Its size
            # and bytes are the SDK's without it, as `inspector open` reads the line.
            from inspector.export._raw import without

            raw = without(raw, "receivedAt")
        yield Record(value, raw, received_at=received)


def _added_received_at(value: Any) -> str | None:
    """The ``receivedAt`` of a message read from a file when it is the server's arrival time
    (an ISO-8601 date-time, which ``inspector export`` and Segment's raw exports add), the
    same test ``inspector open`` applies before it takes the member off; else None (a
    ``receivedAt`` that is not a date-time is the sender's and stays part of the message)."""
    if type(value) is not dict:
        return None
    received = value.get("receivedAt")
    if type(received) is not str:
        return None
    from inspector.importer import arrival_time

    return arrival_time(received)


def is_message(value: Any) -> bool:
    """An object whose ``type`` is a Segment call type is a message, whatever other keys
    it carries (a ``batch``, ``messages`` or ``log`` key is then one of its fields)."""
    return type(value) is dict and type(value.get("type")) is str and value["type"] in CALL_TYPES


def _is_container(value: Any, where: str) -> bool:
    """True for a batch body ``{"batch": [...]}``; raises for a ``batch`` that is not an
    array on an object that is not a message."""
    if type(value) is not dict or "batch" not in value or is_message(value):
        return False
    if type(value["batch"]) is not list:
        raise SourceError(f"{where}: batch is not an array (it is {_kind(value['batch'])})")
    return True


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if type(value) is bool:
        return "a boolean"
    if type(value) in (int, float):
        return "a number"
    if type(value) is str:
        return "a string"
    return "an object" if type(value) is dict else "an array"


def _document(name: str, doc: Any) -> Iterator[Record]:
    if type(doc) is list:
        for item in doc:
            received = _added_received_at(item)
            if received is None:
                yield Record(item)
                continue
            sent = {k: v for k, v in item.items() if k != "receivedAt"}
            yield Record(item, received_at=received, size=len(dumps_exact(sent)))
        return
    if type(doc) is not dict or is_message(doc):
        yield Record(doc)
        return
    if _is_container(doc, name):
        yield from _batch(doc, endpoint="/v1/batch")
        return
    log = doc.get("log")
    if type(log) is dict and type(log.get("entries")) is list:
        yield from _har(name, log["entries"])
        return
    msgs = doc.get("messages")
    if type(msgs) is list and (not msgs or all(type(m) is dict and "message" in m for m in msgs)):
        # Items of one request were one batch: their count and positions are what the
        # batch rules (more than 2,500 events) read, as they did when captured.
        rids = [_request_id(item) for item in msgs]
        sizes: dict[int, int] = {}
        for rid in rids:
            if rid is not None:
                sizes[rid] = sizes.get(rid, 0) + 1
        seen: dict[int, int] = {}
        for item, rid in zip(msgs, rids, strict=True):
            record = _export_item(item)
            if rid is not None:
                record.batch_count = sizes[rid]
                record.batch_index = seen.get(rid, 0)
                seen[rid] = record.batch_index + 1
            yield record
        return
    yield Record(doc)


def _streamed_export(name: str) -> Iterator[Record] | None:
    """A JSON export in its own layout (one entry per line), read line by line so memory
    stays flat; a request's entries come together, so their count is known per group."""
    from inspector.importer import line_export_entries

    entries = line_export_entries(name)
    if entries is None:
        return None

    def records() -> Iterator[Record]:
        group: list[dict[str, Any]] = []
        for item in itertools.chain(entries, [None]):
            rid = _request_id(item) if item is not None else None
            if group and (rid is None or rid != _request_id(group[0])):
                for i, entry in enumerate(group):
                    record = _export_item(entry)
                    record.batch_count, record.batch_index = len(group), i
                    yield record
                group = []
            if item is not None and rid is not None:
                group.append(item)
            elif item is not None:
                yield _export_item(item)

    return records()


def _request_id(item: dict[str, Any]) -> int | None:
    request = item.get("request")
    rid = request.get("id") if type(request) is dict else None
    return rid if type(rid) is int else None


def _export_item(item: dict[str, Any]) -> Record:
    received = item.get("received_at", item.get("receivedAt"))
    endpoint = item.get("endpoint")
    index = item.get("batch_index")
    return Record(
        item["message"],
        None,
        1,
        index if type(index) is int and index >= 0 else 0,
        received if type(received) is str else None,
        endpoint if type(endpoint) is str else "",
    )


def merge_batch_item(item: Any, context: Any, integrations: Any) -> Any:
    """A batch item with the batch-level context/integrations merged in (item keys win),
    as Segment does. The item itself is not modified."""
    if type(item) is not dict:
        return item
    merged = item
    if type(context) is dict and context:
        own = item.get("context")
        if own is None or type(own) is dict:
            merged = {**merged, "context": {**context, **(own or {})}}
    if type(integrations) is dict and integrations:
        own_i = item.get("integrations")
        if own_i is None or type(own_i) is dict:
            merged = {**merged, "integrations": {**integrations, **(own_i or {})}}
    return merged


def _batch(doc: dict[str, Any], endpoint: str, received_at: str | None = None) -> Iterator[Record]:
    items = doc["batch"]
    ctx = doc.get("context")
    integ = doc.get("integrations")
    count = len(items)
    sent = doc.get("sentAt")
    for i, item in enumerate(items):
        merged = merge_batch_item(item, ctx, integ)
        # The size is the item's own: the batch context is merged in for the rules, as at
        # ingest, but the SDK did not send it inside the message.
        size = len(dumps_exact(item)) if merged is not item else None
        yield Record(merged, None, count, i, received_at, endpoint, sent, size=size)


def _har(name: str, entries: list[Any]) -> Iterator[Record]:
    for n, entry in enumerate(entries, 1):
        req = entry.get("request") if type(entry) is dict else None
        if type(req) is not dict or str(req.get("method", "POST")).upper() != "POST":
            continue
        url = req.get("url")
        if type(url) is not str:
            continue
        path = urlsplit(url).path.rstrip("/")
        last = path.rsplit("/", 1)[-1]
        if last not in INGEST_PATHS:
            continue  # settings, /v1/m telemetry, anything that is not an ingestion call
        resp = entry.get("response")
        status = resp.get("status") if type(resp) is dict else None
        meta = entry.get("_inspector")
        if (type(status) is int and status >= 400) or (type(meta) is dict and meta.get("reason")):
            continue  # a request the endpoint refused carries no accepted message
        post = req.get("postData")
        body = post.get("text") if type(post) is dict else None
        if type(body) is not str or not body.strip():
            continue
        if type(post) is dict and post.get("_encoding") == "base64":
            try:
                body = base64.b64decode(body, validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                raise SourceError(
                    f"{name}: HAR entry {n} ({path}) has a base64 body that is not UTF-8 JSON"
                ) from None
        try:
            value = _loads(body)
        except ValueError as exc:
            raise SourceError(
                f"{name}: HAR entry {n} ({path}) has a body that is not JSON ({exc})"
            ) from None
        started = entry.get("startedDateTime")
        received = started if type(started) is str else None
        if type(value) is dict and type(value.get("batch")) is list:
            yield from _batch(value, path, received)
            continue
        call_type = INGEST_PATHS[last]
        if type(value) is dict and call_type and "type" not in value:
            value = {**value, "type": call_type}
        yield Record(value, body.strip().encode("utf-8", "surrogatepass"), 1, 0, received, path)


def _sqlite(name: str) -> Iterator[Record]:
    try:
        from inspector.store import read_session_messages
    except ImportError:
        raise SourceError(
            f"{name}: is a saved session, but this build cannot read sessions"
        ) from None
    try:
        for stored in read_session_messages(name):
            m = stored.message
            yield Record(
                m.data,
                m.raw or None,
                stored.batch_count,
                m.batch_index,
                m.received_at,
                m.endpoint,
                stored.sent_at,
                seq=m.seq,
            )
    except SourceError:
        raise
    except Exception as exc:  # a corrupt or foreign SQLite file
        # StoreError already says what is wrong in words; other errors name their kind.
        why = str(exc) if type(exc).__name__ == "StoreError" else f"{type(exc).__name__}: {exc}"
        raise SourceError(f"{name}: cannot read the session ({why})") from None
