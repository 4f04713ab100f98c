"""Import a file of messages (NDJSON, a JSON export, a HAR, a JSON array or batch) into a
new session file, so ``inspector open`` can show it and ``export`` can convert it.

Every message goes through the same Spec engine as live traffic, in file order, so its
violations (session rules included) are what capture would have found.

- **NDJSON** (one message per line, Segment's raw-export shape): ``receivedAt`` is taken off
  each message and becomes the row's arrival time, so exporting the imported session gives
  the same lines back.
- **JSON export** (``inspector export --format json``): each request is rebuilt from its
  messages (grouped by ``request.id``) with its recorded method, path, headers, wire size
  and gzip; messages keep ``receivedAt``, ``endpoint`` and ``writeKey``; rejected requests
  are kept as rejected, in id order among them.
- **Session** (``open --plan``): every accepted ingestion request goes through the capture
  pipeline again as recorded; every other request is copied in its place.
- **HAR**: each Segment request in it (``/v1/batch``, ``/v1/t`` ..., settings, metrics) is
  run through the real capture pipeline (decode, limits, validation) at its recorded time.
  Other requests the inspector recorded (an ``_inspector`` extension: CORS preflights,
  unknown paths) are copied; anything else (a browser HAR holds the whole page's traffic)
  is skipped.
- A JSON array of messages, a batch object or a single message: read with
  ``inspector.sources``.

Each imported NDJSON/array message is stored as a one-message synthetic batch request
(``POST /v1/batch``, ``X-Inspector-Import`` header naming the source file).
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import os
import re
import threading
import time
from collections.abc import Callable, Coroutine, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

from inspector.export._common import (
    NO_ARRIVAL_HEADER,
    dumps,
    header,
    loads,
    one_line,
)
from inspector.export._raw import (
    array_items,
    edit,
    member_values,
    members,
    top_member,
    with_default,
    without,
)
from inspector.ingest import decode
from inspector.jsonutil import deep_recursion
from inspector.model import MessageMeta
from inspector.spec import Engine
from inspector.store import MessageRecord, RequestRecord, Store, StoreError

if TYPE_CHECKING:
    from inspector.ingest.service import Capture

SQLITE_MAGIC = b"SQLite format 3\x00"

_METRICS_PATH = re.compile(r"^/v1/m/?$")
_SETTINGS_PATH = re.compile(r"^(/v1)?/projects/[^/]+/settings/?$")
_HOP_HEADERS = {"content-length", "transfer-encoding", "connection", "keep-alive"}


class ImportFileError(Exception):
    """The file cannot be imported; the message says why (and where)."""


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def placeholder_time(n: int) -> str:
    """The arrival time of the ``n``-th imported message (from 1) that has none: ``n``
    milliseconds after the Unix epoch. Derived from the file, never from the clock, so
    importing a file twice gives the same session (and ``export x.ndjson`` the same bytes)."""
    from inspector.ingest.service import iso

    return iso(_EPOCH + timedelta(milliseconds=max(0, n)))


#: A date and a time: ``2024-05-01T10:00`` (or the basic ``20240501T1000``); a date alone
#: is not an arrival time.
_DATE_TIME = re.compile(r"\d{4}-?\d{2}-?\d{2}[Tt ]\d{2}")


def arrival_time(value: Any) -> str | None:
    """``value`` when it is an ISO-8601 date-time (what a ``receivedAt`` must be to be kept
    as the arrival time; a date without a time is not one), else None."""
    if not isinstance(value, str) or not 10 <= len(value) <= 64 or not _DATE_TIME.match(value):
        return None
    try:
        datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value)
    except ValueError:
        return None
    return value


# --------------------------------------------------------------------------- detection


def is_session(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` is a SQLite file (an inspector session, presumably)."""
    try:
        with open(path, "rb") as f:
            return f.read(16) == SQLITE_MAGIC
    except OSError:
        return False


def detect(path: str | os.PathLike[str]) -> str:
    """``session``, ``har``, ``json-export``, ``ndjson`` or ``json`` (array, batch, message)."""
    p = Path(path)
    if is_session(p):
        return "session"
    try:
        with p.open("rb") as f:
            first = b""
            for i, line in enumerate(f):
                if i == 0:
                    line = _no_bom(line)
                if line.strip():
                    first = line
                    break
    except OSError as exc:
        raise ImportFileError(f"cannot read {p}: {exc.strerror or exc}") from None
    if not first:
        # An empty file is what exporting an empty session writes: zero messages.
        return "ndjson"
    try:
        head = loads(first)
    except ValueError:
        head = None  # a multi-line JSON document
    if isinstance(head, dict):
        if isinstance(head.get("log"), dict):
            return "har"
        if isinstance(head.get("messages"), list) and "inspector" in head:
            return "json-export"
        if "batch" in head:
            return "json"
        return "ndjson"
    if head is not None:
        # A whole JSON value on the first line: NDJSON when more lines follow it (an
        # export of non-object messages), else one JSON document (an array).
        return "ndjson" if _more_lines(p) else "json"
    if first.lstrip().startswith(_EXPORT_HEAD) and _second_line(p).startswith(b'"messages":['):
        return "json-export"  # the JSON export's own layout: not read whole to say so
    try:
        doc = loads(_no_bom(p.read_bytes()))
    except ValueError as exc:
        raise ImportFileError(
            f"{p} is neither a session, NDJSON, a JSON export nor a HAR file ({exc})"
        ) from None
    if isinstance(doc, dict) and isinstance(doc.get("log"), dict):
        return "har"
    if isinstance(doc, dict) and isinstance(doc.get("messages"), list):
        return "json-export"
    return "json"


def _second_line(p: Path) -> bytes:
    with p.open("rb") as f:
        seen = 0
        for line in f:
            if line.strip():
                seen += 1
                if seen == 2:
                    return line.strip()
    return b""


def _more_lines(p: Path) -> bool:
    return bool(_second_line(p))


# --------------------------------------------------------------------------- readers


_BOM = b"\xef\xbb\xbf"


def _no_bom(data: bytes) -> bytes:
    return data[3:] if data.startswith(_BOM) else data


def iter_ndjson(path: Path) -> Iterator[Any]:
    for value, _raw, _received in iter_ndjson_lines(path):
        yield value


def iter_ndjson_lines(
    path: Path, read: list[int] | None = None
) -> Iterator[tuple[Any, bytes, str | None]]:
    """(message, its exact text without ``receivedAt``, that ``receivedAt``) per line.

    The text is the line as written, less the ``receivedAt`` member (which an export
    spliced in as the last one), so exporting the imported session gives the line back
    byte for byte. A UTF-8 BOM before the first line is skipped.
    """
    with path.open("rb") as f:
        for lineno, line in enumerate(f, 1):
            if read is not None:
                read[0] += len(line)  # bytes read so far, for the progress
            if lineno == 1:
                line = _no_bom(line)
            text = line.strip()
            if not text:
                continue
            try:
                value = loads(text)
            except ValueError as exc:
                raise ImportFileError(f"{path}:{lineno}: not JSON ({exc})") from None
            if not isinstance(value, dict):
                # Kept as it is: SDKs can send a non-object batch item, and an export of
                # such a session writes it as its own line.
                yield value, text, None
                continue
            received = own_received_at(value, text)
            if received is not None:
                # The export's own receivedAt: it becomes the arrival time again. Any other
                # value (a number, "garbage") is the sender's and stays in the message.
                del value["receivedAt"]
                text = without(text, "receivedAt")
            yield value, text, received


def own_received_at(msg: Any, raw: bytes | None) -> str | None:
    """The arrival time an export added to ``msg`` (whose text is ``raw``, when known): its
    ``receivedAt`` when that is an ISO-8601 date-time and the text has exactly one such
    member. A text that repeats ``receivedAt`` was not written by an export (an export
    writes one, replacing the sender's): it is the sender's message and is kept byte for
    byte, checked without an arrival time, rather than lose a member."""
    if not isinstance(msg, dict):
        return None
    received = arrival_time(msg.get("receivedAt"))
    if received is None or raw is None:
        return received
    if raw.count(b"receivedAt") > 1 or b"\\u" in raw:
        found = members(raw)
        if found is not None and sum(m.key == "receivedAt" for m in found) > 1:
            return None
    return received


def _load_doc(path: Path) -> Any:
    try:
        return loads(_no_bom(path.read_bytes()))
    except ValueError as exc:
        raise ImportFileError(f"{path}: not JSON ({exc})") from None


def _other_messages(path: Path) -> Iterator[Any]:
    """A JSON array, batch object or single message, via inspector.sources when present."""
    try:
        from inspector.sources import SourceError, load_messages
    except ImportError:  # pragma: no cover - sources.py is written beside this module
        doc = _load_doc(path)
        if isinstance(doc, dict) and isinstance(doc.get("batch"), list):
            yield from doc["batch"]
        elif isinstance(doc, list):
            yield from doc
        else:
            yield doc
        return
    try:
        yield from load_messages(path)
    except SourceError as exc:
        raise ImportFileError(str(exc)) from None


# --------------------------------------------------------------------------- writing


#: ``progress(messages imported so far, fraction of the source read or None)``.
Progress = Callable[[int, "float | None"], None]
#: Seconds between two progress reports.
PROGRESS_INTERVAL = 0.2

#: What an import buffers before writing it in one transaction: whichever limit is reached
#: first, so memory stays bounded whatever the size of the requests (a batch of 2,500
#: messages is one request).
_FLUSH_REQUESTS = 500
_FLUSH_MESSAGES = 2000
_FLUSH_BYTES = 4 << 20


class _Writer:
    """Stores messages as one-message synthetic batch requests, checked by the engine."""

    def __init__(
        self, store: Store, engine: Engine, source: str, progress: Progress | None = None
    ) -> None:
        self.store = store
        #: Told (messages so far, fraction of the source read or None) a few times a second.
        self.progress = progress
        #: The fraction of the source read so far, set by each reader.
        self.where: Callable[[], float | None] = lambda: None
        self._next_report = 0.0
        self.engine = engine
        self.headers = [("Content-Type", "application/json"), ("X-Inspector-Import", source)]
        self.count = 0
        self._pending: list[tuple[RequestRecord, Sequence[MessageRecord]]] = []
        self._pending_messages = 0
        self._pending_bytes = 0
        #: Set just before a recorded request is re-ingested through ``Capture``: the
        #: fields of the stored copy to put back as they were recorded (the headers with
        #: their Content-Encoding, body_encoding, wire_size, received_at), which
        #: re-ingesting an already inflated body cannot reproduce.
        self.restore: dict[str, Any] | None = None

    def capture(self, clock: Callable[[], datetime]) -> Capture:
        """A capture pipeline that writes into this import (buffered, in order)."""
        from inspector.ingest.service import Capture

        return Capture(cast(Store, self), self.engine, clock=clock)

    async def append(self, req: RequestRecord, msgs: Sequence[MessageRecord] = ()) -> None:
        """What ``Capture`` calls to store a request: buffered like every import write."""
        fix, self.restore = self.restore, None
        if fix:
            source = fix.pop("messages", None)
            for name, value in fix.items():
                setattr(req, name, value)
            received = fix.get("received_at")
            if received is not None:
                for m in msgs:
                    m.received_at = received
            if source:
                _restore_messages(msgs, source)
        self._append(req, list(msgs))
        self.count += len(msgs)

    def _append(self, req: RequestRecord, msgs: list[MessageRecord]) -> None:
        if self.progress is not None:
            now = time.monotonic()
            if now >= self._next_report:
                self._next_report = now + PROGRESS_INTERVAL
                self.progress(self.count + len(msgs), self.where())
        self._pending.append((req, msgs))
        self._pending_messages += len(msgs)
        self._pending_bytes += len(req.body)
        if (
            len(self._pending) >= _FLUSH_REQUESTS
            or self._pending_messages >= _FLUSH_MESSAGES
            or self._pending_bytes >= _FLUSH_BYTES
        ):
            self.flush()

    def flush(self) -> None:
        """Write what is buffered in one transaction (one commit per message is slow)."""
        batch, self._pending = self._pending, []
        self._pending_messages = self._pending_bytes = 0
        if not batch:
            return
        self.store.append_many_sync(batch)

    def message(
        self,
        msg: Any,
        received_at: str | None = None,
        endpoint: str = "/v1/batch",
        write_key: str | None = None,
        raw: bytes | None = None,
        extra: dict[str, Any] | None = None,
        sent_at: Any = None,
    ) -> None:
        """Store ``msg``; ``raw`` is its exact text when known (kept byte for byte; else
        the message is encoded). ``extra``: fields merged in from its batch (context,
        integrations), checked with the message and kept beside its bytes.

        ``received_at`` (else an ISO-8601 ``receivedAt`` in the message, taken out) is the
        arrival time. Without one the message is checked with no arrival time and stored
        with ``placeholder_time`` and ``NO_ARRIVAL_HEADER``: never the clock of the import,
        so the same file always gives the same session."""
        if isinstance(msg, dict) and received_at is None:
            ra = own_received_at(msg, raw)
            if ra is not None:
                del msg["receivedAt"]
                received_at = ra
                if raw is not None:
                    raw = without(raw, "receivedAt")
        headers = self.headers
        checked_at = received_at
        if received_at is None:
            received_at = placeholder_time(self.count + 1)
            headers = [*headers, NO_ARRIVAL_HEADER]
        mbytes = one_line(raw) if raw is not None else dumps(msg)
        body = b'{"batch":[' + mbytes + b"]}"
        start = 10
        meta = MessageMeta(len(mbytes), 1, 0, checked_at, endpoint, sent_at)
        if extra and isinstance(msg, dict):
            msg = {**msg, **extra}
        violations = self.engine.check(msg, meta)
        cols = decode.summarize(msg)
        if write_key is None and isinstance(msg, dict):
            wk = msg.get("writeKey")
            write_key = wk if isinstance(wk, str) else None
        req = RequestRecord(
            received_at,
            "POST",
            "/v1/batch",
            "ingest",
            200,
            None,
            write_key,
            list(headers),
            body,
            None,
            len(body),
        )
        rec = MessageRecord(
            0,
            start,
            start + len(mbytes),
            received_at,
            endpoint,
            write_key,
            cols["type"],
            cols["name"],
            cols["user_id"],
            cols["anonymous_id"],
            cols["message_id"],
            cols["library"],
            violations,
            extra or None,
        )
        self._append(req, [rec])
        self.count += 1

    def request_group(
        self, info: dict[str, Any], items: list[tuple[dict[str, Any], bytes]]
    ) -> None:
        """One request of a JSON export rebuilt from its messages (``items``: each export
        entry with its message's text), with the method, path, headers, wire size and gzip
        the export recorded for it. A batch's body is its messages' texts in a batch; a
        single call's is its message. Checked as capture checks a request's messages."""
        path = str(info.get("path") or "/v1/batch")
        route = decode.ingest_route(path)
        headers = [(str(k), str(v)) for k, v in info.get("headers") or []]
        first = items[0][0]
        received_at = arrival_time(first.get("receivedAt"))
        if received_at is not None and tuple(NO_ARRIVAL_HEADER) in headers:
            received_at = None  # a stand-in time of an earlier import, not an arrival
        checked_at = received_at
        if received_at is None:
            received_at = placeholder_time(self.count + 1)
            if tuple(NO_ARRIVAL_HEADER) not in headers:
                headers.append(NO_ARRIVAL_HEADER)
        texts = [one_line(t) for _, t in items]
        if route is not None and not route[1] and len(texts) == 1:
            body, starts = texts[0], [0]
        else:
            body = b'{"batch":['
            starts = []
            for i, t in enumerate(texts):
                if i:
                    body += b","
                starts.append(len(body))
                body += t
            body += b"]}"
        wk = first.get("writeKey")
        from inspector.ingest.service import basic_auth_user

        req_key = basic_auth_user(headers) or (wk if isinstance(wk, str) else None)
        wire = info.get("wireSize")
        req = RequestRecord(
            received_at,
            str(info.get("method") or "POST"),
            path,
            "ingest",
            200,
            None,
            req_key,
            headers,
            body,
            "gzip" if info.get("gzip") else None,
            wire if isinstance(wire, int) and not isinstance(wire, bool) else len(body),
        )
        count = len(texts)
        recs: list[MessageRecord] = []
        for i, ((item, _), text, start) in enumerate(zip(items, texts, starts, strict=True)):
            msg = loads(text)
            endpoint = str(item.get("endpoint") or path.split("?", 1)[0])
            meta = MessageMeta(len(text), count, i, checked_at, endpoint, None)
            cols = decode.summarize(msg)
            iwk = item.get("writeKey")
            recs.append(
                MessageRecord(
                    i,
                    start,
                    start + len(text),
                    received_at,
                    endpoint,
                    iwk if isinstance(iwk, str) else None,
                    cols["type"],
                    cols["name"],
                    cols["user_id"],
                    cols["anonymous_id"],
                    cols["message_id"],
                    cols["library"],
                    self.engine.check(msg, meta),
                    None,
                )
            )
        self._append(req, recs)
        self.count += count

    def recheck(
        self, req: RequestRecord, source: dict[int, tuple[str | None, int, int]] | None = None
    ) -> None:
        """An accepted request of an earlier import that had no arrival time: its messages
        are checked again without one (re-ingesting would check them against the stand-in
        time), and it is stored as it was."""
        route = decode.ingest_route(req.path) or (None, True)
        try:
            with deep_recursion():
                decoded = (
                    decode.decode_batch_exact(req.body)
                    if route[1]
                    else decode.decode_single(req.body, route[0])
                )
        except (decode.DecodeError, RecursionError):
            self.copy_request(req)
            return
        count = len(decoded.items)
        recs: list[MessageRecord] = []
        for i, item in enumerate(decoded.items):
            data = (
                {**item.data, **item.extra}
                if item.extra and isinstance(item.data, dict)
                else item.data
            )
            endpoint = req.path.split("?", 1)[0]
            meta = MessageMeta(item.end - item.start, count, i, None, endpoint, decoded.sent_at)
            cols = decode.summarize(data)
            iwk = data.get("writeKey") if isinstance(data, dict) else None
            recs.append(
                MessageRecord(
                    i,
                    item.start,
                    item.end,
                    req.received_at,
                    endpoint,
                    iwk if isinstance(iwk, str) else req.write_key,
                    cols["type"],
                    cols["name"],
                    cols["user_id"],
                    cols["anonymous_id"],
                    cols["message_id"],
                    cols["library"],
                    self.engine.check(data, meta),
                    item.extra,
                )
            )
        if source:
            _restore_messages(recs, source)
        req.id = 0
        self._append(req, recs)
        self.count += count

    def copy_request(self, req: RequestRecord) -> None:
        """A request of another session, kept as it is (a rejected one carries no message)."""
        req.id = 0  # the writer numbers it in the new session
        self._append(req, [])

    def rejected(self, item: dict[str, Any]) -> None:
        body_s = item.get("body") or ""
        body = (
            base64.b64decode(body_s)
            if item.get("bodyEncoding") == "base64"
            else str(body_s).encode("utf-8", "surrogatepass")
        )
        headers = [(str(k), str(v)) for k, v in item.get("headers") or []]
        req = RequestRecord(
            str(item.get("receivedAt") or placeholder_time(1)),
            str(item.get("method") or "POST"),
            str(item.get("path") or "/"),
            "ingest" if decode.ingest_route(str(item.get("path") or "")) else "other",
            int(item.get("status") or 400),
            str(item.get("reason") or "rejected"),
            item.get("writeKey") if isinstance(item.get("writeKey"), str) else None,
            headers,
            body,
            "gzip" if item.get("gzip") else None,
            int(item.get("wireSize") or len(body)),
        )
        self._append(req, [])


def _restore_messages(
    msgs: Sequence[MessageRecord], source: dict[int, tuple[str | None, int, int]]
) -> None:
    """Give the copies of a session's messages what the source recorded for them: the
    writeKey (a rebuilt body, e.g. of a JSON export, may not carry the key the original
    request had) and the byte span (the copy's body is the source's, byte for byte)."""
    for m in msgs:
        rec = source.get(m.batch_index)
        if rec is None:
            continue
        m.write_key = rec[0]
        if rec[1] >= 0 and rec[2] >= rec[1]:
            m.raw_start, m.raw_end = rec[1], rec[2]


def har_entry_path(req: dict[str, Any], ours: dict[str, Any] | None) -> str:
    """The path and query of a HAR entry's request, as it was received.

    The inspector's own HAR keeps it in ``_inspector.path``. Otherwise it comes from
    ``request.url``: when the URL begins with ``scheme://`` + the request's Host header,
    the rest is the path whatever characters it holds (older exports put an unchecked Host
    header in the URL, so ``Host: evil/"<>`` would otherwise move into the path); else the
    URL is parsed, and a URL that does not parse gives ``/``."""
    if ours is not None:
        path = ours.get("path")
        if isinstance(path, str) and path.startswith("/"):
            return path
    url = str(req.get("url") or "/")
    host = next(
        (
            str(h.get("value"))
            for h in req.get("headers") or []
            if isinstance(h, dict) and str(h.get("name", "")).lower() in ("host", ":authority")
        ),
        None,
    )
    if host:
        for scheme in ("http://", "https://"):
            prefix = scheme + host
            rest = url[len(prefix) :]
            if url.startswith(prefix) and (not rest or rest[0] in "/?"):
                return rest if rest.startswith("/") else "/" + rest
    try:
        parts = urlsplit(url)
    except ValueError:
        return "/"
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _parse_time(s: Any, n: int) -> datetime:
    """An entry's ``startedDateTime``; when it has none, ``placeholder_time(n)``'s time."""
    if isinstance(s, str):
        try:
            dt = datetime.fromisoformat(s.replace("Z", "+00:00"))
            return dt if dt.tzinfo else dt.replace(tzinfo=UTC)
        except ValueError:
            pass
    return _EPOCH + timedelta(milliseconds=n)


def _har_entries(doc: Any, path: Path) -> list[dict[str, Any]]:
    log = doc.get("log") if isinstance(doc, dict) else None
    entries = log.get("entries") if isinstance(log, dict) else None
    if not isinstance(entries, list):
        raise ImportFileError(f"{path}: not a HAR file (no log.entries array)")
    return [e for e in entries if isinstance(e, dict)]


async def _import_har(w: _Writer, path: Path) -> None:
    entries = _har_entries(_load_doc(path), path)
    now: list[datetime] = [_EPOCH]
    capture = w.capture(lambda: now[0])
    at = [0]
    w.where = lambda: at[0] / max(1, len(entries))
    for n, e in enumerate(entries, 1):
        at[0] = n
        req = e.get("request") or {}
        resp = e.get("response") or {}
        ours = e.get("_inspector") if isinstance(e.get("_inspector"), dict) else None
        method = str(req.get("method") or "POST").upper()
        rpath = har_entry_path(req, ours)
        headers = [
            (str(h.get("name")), str(h.get("value")))
            for h in req.get("headers") or []
            if isinstance(h, dict) and not str(h.get("name", "")).startswith(":")
        ]
        post_data = req.get("postData")
        post: dict[str, Any] = post_data if isinstance(post_data, dict) else {}
        text = post.get("text") or ""
        if post.get("_encoding") == "base64" or post.get("encoding") == "base64":
            body = base64.b64decode(text)
        else:
            body = str(text).encode("utf-8", "surrogatepass")
        now[0] = _parse_time(e.get("startedDateTime"), n)
        started = e.get("startedDateTime")
        recorded_at = started if ours is not None and isinstance(started, str) else None
        route = decode.ingest_route(rpath)
        if route is not None and method == "POST":
            # Sent without the hop-by-hop headers (they describe the recorded transfer, not
            # this one); the copy gets the headers back as recorded (Content-Length too).
            send = [(k, v) for k, v in headers if k.lower() not in _HOP_HEADERS]
            w.restore = {"headers": headers}
            enc = (header(headers, "Content-Encoding") or "").strip().lower()
            if ours is not None and "bodyEncoding" in ours:
                # The inspector's own HAR says whether postData is the inflated body (a
                # bodyEncoding) or the bytes as sent (none: not compressed, or a body that
                # never inflated, which must fail the same way again).
                if ours.get("bodyEncoding"):
                    send = [(k, v) for k, v in send if k.lower() != "content-encoding"]
                    wire = ours.get("wireSize")
                    w.restore = {
                        "headers": headers,
                        "body_encoding": ours.get("bodyEncoding"),
                        "wire_size": wire if isinstance(wire, int) else len(body),
                    }
            elif enc in ("gzip", "x-gzip") and not body.startswith(b"\x1f\x8b"):
                body = gzip.compress(body, mtime=0)  # another tool's HAR: the inflated text
            if recorded_at is not None:
                w.restore = {**w.restore, "received_at": recorded_at}
            await capture.ingest(method, rpath, send, body, call_type=route[0], batch=route[1])
            continue
        p = rpath.split("?", 1)[0]
        status = int(resp.get("status") or 200)
        if ours is not None:
            # Recorded by the inspector (settings, metrics, CORS preflights, unknown
            # paths): copied as recorded.
            reason = ours.get("reason")
            wire = ours.get("wireSize")
            enc_ = ours.get("bodyEncoding")
            from inspector.ingest.service import basic_auth_user

            w.copy_request(
                RequestRecord(
                    recorded_at or placeholder_time(n),
                    method,
                    rpath,
                    str(ours.get("kind") or "other"),
                    status,
                    str(reason) if reason is not None else None,
                    basic_auth_user(headers),
                    headers,
                    body,
                    str(enc_) if enc_ else None,
                    wire if isinstance(wire, int) else len(body),
                )
            )
        elif method == "OPTIONS":
            continue
        elif _METRICS_PATH.match(p):
            await capture.keep(method, rpath, headers, body, kind="metrics", status=status)
        elif _SETTINGS_PATH.match(p):
            await capture.keep(method, rpath, headers, body, kind="settings", status=status)


def _import_json_export(w: _Writer, path: Path) -> None:
    """Each request of the export rebuilt from its messages (grouped by ``request.id``),
    its rejected requests in their places among them (by id).

    A file with the export's own layout (one entry per line) is streamed line by line, in
    bounded memory; any other JSON document with a messages array is read whole."""
    rejected_at = _scan_line_export(path)
    if rejected_at is not None:
        read = [0]
        size = max(1, path.stat().st_size)
        w.where = lambda: read[0] / size
        _import_export_entries(
            w, path, _line_export_messages(path, read), _line_export_rejected(path, rejected_at)
        )
        return
    doc = _load_doc(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("messages"), list):
        raise ImportFileError(f"{path}: not an inspector JSON export (no messages array)")
    texts = _export_message_texts(path)
    at = [0]
    w.where = lambda: at[0] / max(1, len(doc["messages"]))

    def entries() -> Iterator[tuple[Any, bytes | None]]:
        for i, item in enumerate(doc["messages"]):
            at[0] = i
            yield item, (texts[i] if texts is not None and i < len(texts) else None)

    rejected = (r for r in doc.get("rejected") or [] if isinstance(r, dict))
    _import_export_entries(w, path, entries(), rejected)


def _import_export_entries(
    w: _Writer,
    path: Path,
    entries: Iterable[tuple[Any, bytes | None]],
    rejected: Iterator[dict[str, Any]],
) -> None:
    """(export entry, its message's exact text or None) in file order, and the rejected
    requests in id order: each request rebuilt from its consecutive entries."""
    ahead: list[dict[str, Any] | None] = [next(rejected, None)]

    def rejected_before(rid: Any) -> None:
        while ahead[0] is not None and (rid is None or _id(ahead[0].get("id"), -1) < rid):
            w.rejected(ahead[0])
            ahead[0] = next(rejected, None)

    group: list[tuple[dict[str, Any], bytes]] = []
    info: dict[str, Any] | None = None

    def flush() -> None:
        nonlocal group, info
        if group and info is not None:
            rejected_before(_id(info.get("id"), -1))
            w.request_group(info, group)
        group, info = [], None

    for item, found in entries:
        if not isinstance(item, dict) or "message" not in item:
            raise ImportFileError(f"{path}: a messages entry has no message")
        text = found if found is not None else dumps(item["message"])
        req = item.get("request")
        if isinstance(req, dict) and _id(req.get("id"), None) is not None:
            if info is not None and req.get("id") != info.get("id"):
                flush()
            info = req
            group.append((item, text))
            continue
        flush()  # an entry without its request (not written by inspector export)
        wk = item.get("writeKey")
        w.message(
            item["message"],
            arrival_time(item.get("receivedAt")),
            str(item.get("endpoint") or "/v1/batch"),
            wk if isinstance(wk, str) else None,
            text,
        )
    flush()
    rejected_before(None)


#: How the first line of a JSON export begins (docs/exports.md "JSON document").
_EXPORT_HEAD = b'{"inspector":'


def _scan_line_export(path: Path) -> list[int] | None:
    """When ``path`` has the layout ``inspector export --format json`` writes (the header
    on the first line, then one array entry per line), the byte offsets of its rejected
    entries' lines; else None (then the document is read whole). Every line is checked,
    so a file that only starts like an export is never half imported."""
    state = "head"
    rejected: list[int] = []
    comma = False  # the previous entry ended with a comma
    pos = 0
    with path.open("rb") as f:
        for n, line in enumerate(f):
            start, pos = pos, pos + len(line)
            t = (_no_bom(line) if n == 0 else line).strip()
            if not t:
                continue
            if state == "head":
                if (
                    not t.startswith(_EXPORT_HEAD)
                    or not t.endswith(b",")
                    or not _is_object(t[:-1] + b"}")
                ):
                    return None
                state = "messages?"
            elif state in ("messages?", "rejected?"):
                name = b'"messages":[' if state == "messages?" else b'"rejected":['
                if t == name:
                    state, comma = state[:-1], True
                elif t == name + b"],":
                    state = "rejected?" if state == "messages?" else "counts"
                else:
                    return None
            elif state in ("messages", "rejected"):
                if t == b"],":
                    if comma:
                        return None
                    state = "rejected?" if state == "messages" else "counts"
                    continue
                if not comma:
                    return None
                comma = t.endswith(b",")
                entry = t[:-1] if comma else t
                if not _is_object(entry):
                    return None
                if state == "rejected":
                    rejected.append(start)
            elif state == "counts":
                if not t.startswith(b'"counts":') or not _is_object(b"{" + t):
                    return None
                state = "end"
            else:
                return None
    return rejected if state == "end" else None


def line_export_entries(path: str | os.PathLike[str]) -> Iterator[dict[str, Any]] | None:
    """The message entries of a JSON export with its own line layout, read one line at a
    time (bounded memory); None for any other file (read it whole)."""
    p = Path(path)
    try:
        if not p.is_file():
            return None
        with p.open("rb") as f:
            if not _no_bom(f.read(len(_EXPORT_HEAD) + 3)).startswith(_EXPORT_HEAD):
                return None
    except OSError:
        return None
    if _scan_line_export(p) is None:
        return None
    return (item for item, _ in _line_export_messages(p) if isinstance(item, dict))


def _is_object(text: bytes) -> bool:
    try:
        return isinstance(loads(text), dict)
    except (ValueError, RecursionError):
        return False


def _line_export_messages(
    path: Path, read: list[int] | None = None
) -> Iterator[tuple[Any, bytes | None]]:
    """(entry, its message's exact text) of each line of a JSON export's messages array
    (a file ``_scan_line_export`` accepted), one line at a time."""
    inside = False
    with path.open("rb") as f:
        for line in f:
            if read is not None:
                read[0] += len(line)
            t = line.strip()
            if not inside:
                inside = t == b'"messages":['
                continue
            if t == b"],":
                return
            if not t:
                continue
            entry = t[:-1] if t.endswith(b",") else t
            item = loads(entry)
            ms = members(entry)
            m = next((x for x in reversed(ms) if x.key == "message"), None) if ms else None
            yield item, (entry[m.value_start : m.value_end] if m is not None else None)


def _line_export_rejected(path: Path, offsets: list[int]) -> Iterator[dict[str, Any]]:
    """The rejected entries of a line-layout JSON export, read one at a time."""
    with path.open("rb") as f:
        for off in offsets:
            f.seek(off)
            t = f.readline().strip()
            item = loads(t[:-1] if t.endswith(b",") else t)
            if isinstance(item, dict):
                yield item


def _id(value: Any, default: Any) -> Any:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _export_message_texts(path: Path) -> list[bytes | None] | None:
    """The exact text of each ``messages[i].message`` of a JSON export, so values are
    kept as written. None when the document cannot be scanned (then they are encoded)."""
    text = _no_bom(path.read_bytes())
    top = members(text)
    if top is None:
        return None
    span = next((m for m in reversed(top) if m.key == "messages"), None)
    items = array_items(text, span.value_start) if span is not None else None
    if items is None:
        return None
    out: list[bytes | None] = []
    for a, b in items:
        item = text[a:b]
        ms = members(item)
        m = next((x for x in reversed(ms) if x.key == "message"), None) if ms else None
        out.append(item[m.value_start : m.value_end] if m is not None else None)
    return out


async def _import_session(w: _Writer, src: Store) -> None:
    """Every request of ``src`` in its order: accepted ingestion requests go through the
    capture pipeline again (method, path, headers and body as recorded, at their arrival
    time); every other one (rejected, settings, metrics, CORS preflights) is copied."""
    now: list[datetime] = [_EPOCH]
    capture = w.capture(lambda: now[0])
    # The source's messages, streamed beside its requests (both in arrival order).
    rows = src.iter_query(
        "SELECT request_id, batch_index, write_key, raw_start, raw_end FROM messages ORDER BY seq"
    )
    pending: list[Any] = [next(rows, None)]

    def source_messages(request_id: int) -> dict[int, tuple[str | None, int, int]]:
        out: dict[int, tuple[str | None, int, int]] = {}
        row = pending[0]
        while row is not None and row[0] <= request_id:
            if row[0] == request_id:
                out[row[1]] = (row[2], row[3], row[4])
            row = next(rows, None)
        pending[0] = row
        return out

    try:
        await _copy_session(w, src, capture, now, source_messages)
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()  # the generator's private connection


def _requests(src: Store) -> Iterator[RequestRecord]:
    """Every request of ``src`` in arrival order, a few at a time: a request can hold a
    500 KB batch, so ``iter_requests``'s chunks of 200 could hold 100 MB of bodies."""
    for row in src.iter_query(src._REQUEST_SQL + "ORDER BY id", chunk=8):
        yield src._request(row)


async def _copy_session(
    w: _Writer,
    src: Store,
    capture: Capture,
    now: list[datetime],
    source_messages: Callable[[int], dict[int, tuple[str | None, int, int]]],
) -> None:
    no_arrival = tuple(NO_ARRIVAL_HEADER)
    total = max(1, int(src.execute("SELECT count(*) FROM requests")[0][0]))
    done = [0]
    w.where = lambda: done[0] / total
    for req in _requests(src):
        done[0] += 1
        route = decode.ingest_route(req.path)
        accepted = req.kind == "ingest" and req.reason is None and req.status < 400
        if route is None or not accepted:
            w.copy_request(req)
            continue
        if no_arrival in req.headers:
            w.recheck(req, source_messages(req.id))
            continue
        now[0] = _parse_time(req.received_at, w.count + 1)
        send = req.headers
        if req.body_encoding:
            # The stored body is already inflated: sent without its Content-Encoding,
            # and the copy gets the recorded headers, encoding and wire size back.
            send = [(k, v) for k, v in req.headers if k.lower() != "content-encoding"]
        w.restore = {
            "headers": req.headers,
            "body_encoding": req.body_encoding,
            "wire_size": req.wire_size,
            "received_at": req.received_at,
            "write_key": req.write_key,
            "messages": source_messages(req.id),
        }
        await capture.ingest(
            req.method, req.path, send, req.body, call_type=route[0], batch=route[1]
        )


def _run(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run ``coro`` to completion, in a thread of its own when a loop already runs here."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    result: list[Any] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(coro))
        except BaseException as exc:
            errors.append(exc)

    t = threading.Thread(target=target, name="inspector-import")
    t.start()
    t.join()
    if errors:
        raise errors[0]
    return result[0]


def import_into(
    store: Store,
    path: str | os.PathLike[str],
    *,
    engine: Engine | None = None,
    progress: Progress | None = None,
) -> int:
    """Append the messages of ``path`` to an open writable ``store``; returns how many.
    ``progress`` is told (messages so far, fraction read or None) a few times a second."""
    p = Path(path)
    kind = detect(p)
    engine = engine or Engine()
    w = _Writer(store, engine, p.name, progress)
    if kind == "session":
        src = Store(p, readonly=True)
        try:
            _run(_import_session(w, src))
        finally:
            src.close()
    elif kind == "har":
        _run(_import_har(w, p))
    elif kind == "json-export":
        _import_json_export(w, p)
    elif kind == "ndjson":
        read = [0]
        size = max(1, p.stat().st_size)
        w.where = lambda: read[0] / size
        for msg, raw, received_at in iter_ndjson_lines(p, read):
            w.message(msg, received_at, raw=raw)
    else:
        _import_json_doc(w, p)
    w.flush()
    return w.count


def _import_json_doc(w: _Writer, p: Path) -> None:
    """A JSON array, a batch body or one message, each message kept byte for byte (the
    exact decoder records where each item's text is); batch context merged as at ingest."""
    body = _no_bom(p.read_bytes()).strip()
    try:
        with deep_recursion():
            if body[:1] == b"[":
                # An array is the items of a batch: wrap it and shift the spans back.
                decoded = decode.decode_batch_exact(b'{"batch":' + body + b"}")
                shift = len(b'{"batch":')
            elif body[:1] == b"{" and b'"batch"' in body:
                decoded = decode.decode_batch_exact(body)
                shift = 0
            else:
                decoded = None
    except (decode.DecodeError, RecursionError):
        decoded = None
    if decoded is None:
        if body[:1] == b"{":
            try:
                msg = loads(body)
            except (ValueError, RecursionError) as exc:
                raise ImportFileError(f"{p}: not JSON ({exc})") from None
            if isinstance(msg, dict) and not isinstance(msg.get("batch"), list):
                w.message(msg, raw=body)
                return
        for msg in _other_messages(p):
            w.message(msg)
        return
    at = [0]
    w.where = lambda: at[0] / max(1, len(decoded.items))
    for n, item in enumerate(decoded.items):
        at[0] = n
        raw = body[item.start - shift : item.end - shift]
        w.message(item.data, raw=raw, extra=item.extra, sent_at=decoded.sent_at)


def import_file(
    path: str | os.PathLike[str],
    session_path: str | os.PathLike[str],
    *,
    readonly: bool = True,
    engine: Engine | None = None,
    progress: Progress | None = None,
) -> Store:
    """Import ``path`` into a new session file ``session_path``; returns the session opened
    (read-only unless ``readonly=False``). Raises ImportFileError."""
    target = Path(session_path)
    if target.exists():
        raise ImportFileError(f"{target} already exists; not overwriting it")
    try:
        store = Store(target)
    except (StoreError, OSError) as exc:
        raise ImportFileError(f"cannot create the session file {target}: {exc}") from None
    try:
        store.set_meta("imported_from", str(Path(path).resolve()))
        import_into(store, path, engine=engine, progress=progress)
    except BaseException:
        store.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(target) + suffix).unlink(missing_ok=True)
        raise
    if readonly:
        store.close()
        return Store(target, readonly=True)
    return store


def imported_session_path(source: str | os.PathLike[str], directory: Path) -> Path:
    """``<dir>/<source stem>-imported[-N].sqlite``: a new name for an imported session."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(source).stem)[:80] or "import"
    path = directory / f"{stem}-imported.sqlite"
    n = 1
    while path.exists():
        n += 1
        path = directory / f"{stem}-imported-{n}.sqlite"
    return path


def messages_for_replay(path: str | os.PathLike[str]) -> Iterable[tuple[Any, str | None]]:
    """(message, recorded writeKey) pairs of any supported input, for ``inspector replay``.

    HAR files are read here rather than by ``inspector.sources``: a HAR exported by the
    inspector holds rejected requests (invalid JSON, bodies that are not UTF-8), which are
    skipped, not fatal, as Segment never accepted them.
    """
    p = Path(path)
    if is_session(p):
        return _session_messages(p)
    kind = detect(p)
    if kind == "har":
        return _har_messages(p)
    if kind == "ndjson":
        return ((raw, None) for _msg, raw, _received in iter_ndjson_lines(p))
    if kind == "json-export":
        return _json_export_messages(p)
    return ((m, None) for m in _source_messages(p))


def _json_export_messages(p: Path) -> Iterator[tuple[Any, str | None]]:
    """Each message's exact text, with the writeKey it was recorded with (streamed from a
    file with the export's own line layout)."""
    if _scan_line_export(p) is not None:
        for item, text in _line_export_messages(p):
            if not isinstance(item, dict) or "message" not in item:
                continue
            wk = item.get("writeKey")
            yield (
                (text if text is not None else item["message"]),
                (wk if isinstance(wk, str) else None),
            )
        return
    doc = _load_doc(p)
    items = doc.get("messages") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise ImportFileError(f"{p}: not an inspector JSON export (no messages array)")
    texts = _export_message_texts(p)
    for i, item in enumerate(items):
        if not isinstance(item, dict) or "message" not in item:
            continue
        wk = item.get("writeKey")
        text = texts[i] if texts is not None and i < len(texts) else None
        yield (text if text is not None else item["message"]), wk if isinstance(wk, str) else None


def _session_messages(p: Path) -> Iterator[tuple[Any, str | None]]:
    store = Store(p, readonly=True)
    try:
        for m in store.iter_messages():
            yield m.data, m.write_key
    finally:
        store.close()


def _source_messages(p: Path) -> Iterator[Any]:
    try:
        from inspector.sources import SourceError, load_messages
    except ImportError:  # pragma: no cover - sources.py is written beside this module
        yield from _fallback_messages(p)
        return
    try:
        yield from load_messages(p)
    except SourceError as exc:
        raise ImportFileError(str(exc)) from None


def _merge_batch_item(item: Any, context: Any, integrations: Any) -> Any:
    """Batch-level context/integrations merged into an item (item keys win), as Segment does."""
    if not isinstance(item, dict):
        return item
    out = dict(item)
    if isinstance(context, dict) and context:
        own = item.get("context")
        if own is None or isinstance(own, dict):
            out["context"] = {**context, **(own or {})}
    if isinstance(integrations, dict) and integrations:
        own_i = item.get("integrations")
        if own_i is None or isinstance(own_i, dict):
            out["integrations"] = {**integrations, **(own_i or {})}
    return out


def _har_messages(p: Path) -> Iterator[tuple[Any, str | None]]:
    """Messages of the accepted Segment requests of a HAR file, with their writeKey."""
    for e in _har_entries(_load_doc(p), p):
        req = e.get("request") or {}
        resp = e.get("response") or {}
        status = resp.get("status") if isinstance(resp, dict) else None
        if isinstance(status, int) and status >= 400:
            continue  # refused when it was captured
        if str(req.get("method") or "POST").upper() != "POST":
            continue
        ours = e.get("_inspector") if isinstance(e.get("_inspector"), dict) else None
        route = decode.ingest_route(har_entry_path(req, ours))
        post = req.get("postData") if isinstance(req.get("postData"), dict) else None
        if route is None or not post or not post.get("text"):
            continue
        if post.get("_encoding") == "base64" or post.get("encoding") == "base64":
            continue
        try:
            doc = loads(str(post["text"]).encode("utf-8", "surrogatepass"))
        except ValueError:
            continue
        headers = [
            (str(h.get("name")), str(h.get("value")))
            for h in req.get("headers") or []
            if isinstance(h, dict)
        ]
        from inspector.ingest.service import basic_auth_user

        key = basic_auth_user(headers)
        body = str(post["text"]).encode("utf-8", "surrogatepass").strip()
        if route[1]:
            if not isinstance(doc, dict) or not isinstance(doc.get("batch"), list):
                continue
            wk = doc.get("writeKey")
            key = key or (wk if isinstance(wk, str) else None)
            texts = _batch_item_texts(body)
            if texts is not None and len(texts) == len(doc["batch"]):
                for text in texts:
                    yield text, key
                continue
            for item in doc["batch"]:  # pragma: no cover - the text always scans
                yield _merge_batch_item(item, doc.get("context"), doc.get("integrations")), key
        elif isinstance(doc, dict):
            wk = doc.get("writeKey")
            text = body
            if route[0] and "type" not in doc:
                text = with_default(body, "type", dumps(route[0]))
            yield text, key or (wk if isinstance(wk, str) else None)


def _batch_item_texts(body: bytes) -> list[bytes] | None:
    """The exact text of each item of a batch body, the batch-level ``context`` and
    ``integrations`` merged in as Segment does (item keys win), spliced as text so every
    value stays as sent (``1e400``, integers past 64 bits). None when the body does not
    scan as a batch object."""
    top = members(body)
    if top is None:
        return None
    last = {m.key: body[m.value_start : m.value_end] for m in top}
    batch = next((m for m in reversed(top) if m.key == "batch"), None)
    spans = array_items(body, batch.value_start) if batch is not None else None
    if spans is None:
        return None
    shared = [(k, last[k]) for k in ("context", "integrations") if k in last]
    shared = [(k, v) for k, v in shared if (member_values(v) or None) is not None]
    out = []
    for a, b in spans:
        text = body[a:b]
        if shared and text[:1] == b"{":
            changes = []
            for k, v in shared:
                own = top_member(text, k)
                if own is None or own == b"null":
                    changes.append((k, v))
                elif own[:1] == b"{":
                    changes.append((k, _merge_objects(v, own)))
            if changes:
                text = edit(text, changes) or text
        out.append(text)
    return out


def _merge_objects(base: bytes, own: bytes) -> bytes:
    """``{**base, **own}`` of two object texts, as text (each value's bytes kept)."""
    merged = dict(member_values(base) or [])
    merged.update(member_values(own) or [])
    return b"{" + b",".join(dumps(k) + b":" + v for k, v in merged.items()) + b"}"


def _fallback_messages(p: Path) -> Iterator[Any]:
    kind = detect(p)
    if kind == "ndjson":
        yield from iter_ndjson(p)
    elif kind == "json-export":
        doc = _load_doc(p)
        for item in doc.get("messages") or []:
            yield item.get("message")
    elif kind == "har":
        for m, _ in _har_messages(p):
            yield m
    else:
        yield from _other_messages(p)
