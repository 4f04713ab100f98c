"""The capture pipeline: request -> decode -> validate -> store -> answer.

Kept apart from the aiohttp routes so the same steps serve the HTTP app, the tests and
(later) replay/forwarding.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from inspector.ingest import decode
from inspector.ingest.decode import DecodeError
from inspector.model import MessageMeta, Violation
from inspector.spec import Engine
from inspector.store import MessageRecord, RequestRecord, Store


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(dt: datetime) -> str:
    """Segment's receivedAt shape: ISO-8601 UTC with milliseconds and a Z."""
    # isoformat is a C call; strftime plus an f-string cost several times more per request.
    return dt.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


@dataclass(slots=True)
class Outcome:
    """What the endpoint answers, and what was stored."""

    status: int
    body: dict[str, Any]
    request: RequestRecord
    messages: list[MessageRecord]
    #: The body exactly as it came off the wire (still gzip-compressed when it came so), for
    #: relaying it unchanged (``--forward``). Set for accepted ingestion requests only.
    wire_body: bytes | None = None


Listener = Callable[[Outcome], None]


def basic_auth_user(headers: Iterable[tuple[str, str]]) -> str | None:
    """The writeKey from ``Authorization: Basic base64(writeKey:)``, if any."""
    for name, value in headers:
        if name.lower() != "authorization":
            continue
        scheme, _, cred = value.partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            user = base64.b64decode(cred.strip(), validate=False).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            return None
        return user.split(":", 1)[0] or None
    return None


def _header(headers: Iterable[tuple[str, str]], name: str) -> str | None:
    lname = name.lower()
    for k, v in headers:
        if k.lower() == lname:
            return v
    return None


class Capture:
    """Owns the engine and the store for one running inspector."""

    def __init__(
        self,
        store: Store,
        engine: Engine | None = None,
        *,
        write_keys: Iterable[str] = (),
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.store = store
        self.engine = engine or Engine()
        self.write_keys = frozenset(write_keys)
        self.clock = clock
        self.listeners: list[Listener] = []

    def reset(self) -> int:
        """New empty view: old messages stay in the file; session rules start afresh."""
        self.engine.reset()
        return self.store.reset_view()

    async def ingest(
        self,
        method: str,
        path: str,
        headers: list[tuple[str, str]],
        body: bytes,
        *,
        call_type: str | None,
        batch: bool,
    ) -> Outcome:
        """Decode, validate and store one ingestion request; never raises on bad input."""
        received = iso(self.clock())
        encoding = (_header(headers, "Content-Encoding") or "").strip().lower() or None
        record = RequestRecord(
            received_at=received,
            method=method,
            path=path,
            kind="ingest",
            status=200,
            reason=None,
            write_key=basic_auth_user(headers),  # kept even when the body is refused
            headers=headers,
            body=body,
            body_encoding=None,
            wire_size=len(body),
        )
        endpoint = path.split("?", 1)[0]
        try:
            text = body
            if encoding in ("gzip", "x-gzip", "deflate"):
                text = decode.inflate(body, encoding=encoding)
                record.body = text
                record.body_encoding = encoding
            elif encoding not in (None, "identity"):
                raise DecodeError(
                    "unsupported_encoding",
                    f"Content-Encoding {encoding!r} is not supported; send gzip or plain JSON",
                )
            limit = decode.MAX_BATCH_BYTES if batch else decode.MAX_MESSAGE_BYTES
            # A single call's size is its object's own bytes (whitespace around it is not).
            size = len(text) if batch or len(text) <= limit else len(text.strip(b" \t\r\n"))
            if size > limit:
                what = "batch" if batch else "message"
                raise DecodeError(
                    "payload_too_large",
                    f"{what.capitalize()} is {size} bytes; Segment accepts at most {limit // 1024} KB per {what}",
                )
            decoded = decode.decode_batch(text) if batch else decode.decode_single(text, call_type)
            if batch:
                for i, item in enumerate(decoded.items):
                    size = item.end - item.start
                    if size > decode.MAX_MESSAGE_BYTES:
                        raise DecodeError(
                            "payload_too_large",
                            f"Message {i} of the batch is {size} bytes; Segment accepts at most 32 KB per message",
                        )
            write_key = basic_auth_user(headers) or decoded.write_key
            record.write_key = write_key
            refused = (
                self._refused_key(basic_auth_user(headers) or decoded.body_key, decoded.items)
                if self.write_keys
                else None
            )
            if refused is not None:
                shown = repr(refused) if refused else "no writeKey"
                raise DecodeError(
                    "unauthorized",
                    f"Unknown writeKey ({shown}): this inspector accepts only the keys given with --write-key",
                    401,
                )
        except DecodeError as exc:
            record.status = exc.status
            record.reason = exc.message
            body_out = {"code": exc.code, "message": exc.message}
            await self.store.append(record)
            outcome = Outcome(exc.status, body_out, record, [])
            self._notify(outcome)
            return outcome

        count = len(decoded.items)
        records: list[MessageRecord] = []
        append = records.append
        check = self.engine.check
        summarize = decode.summary_row
        sent_at = decoded.sent_at
        for i, item in enumerate(decoded.items):
            data = item.data
            if item.extra:
                data = {**data, **item.extra}
            violations: list[Violation] = check(
                data, MessageMeta(item.end - item.start, count, i, received, endpoint, sent_at)
            )
            typ, name, uid, aid, mid, lib = summarize(data)
            iwk = data.get("writeKey") if type(data) is dict else None
            append(
                MessageRecord(
                    i,
                    item.start,
                    item.end,
                    received,
                    endpoint,
                    iwk if type(iwk) is str else write_key,
                    typ,
                    name,
                    uid,
                    aid,
                    mid,
                    lib,
                    violations,
                    item.extra,
                )
            )
        await self.store.append(record, records)
        outcome = Outcome(200, {"success": True}, record, records, body)
        self._notify(outcome)
        return outcome

    def _refused_key(self, write_key: str | None, items: list[decode.Item]) -> str | None:
        """With ``--write-key``: the first key of the request that is not allowed ("" for a
        message with no key at all), else None. ``write_key`` is the request's own (Basic
        auth, or the body's top level); a batch item's own writeKey is that item's, and an
        item without one does not borrow a sibling's."""
        allowed = self.write_keys
        if not items:
            return None if write_key in allowed else (write_key or "")
        for item in items:
            own = item.data.get("writeKey") if type(item.data) is dict else None
            key = own if type(own) is str else write_key
            if key not in allowed:
                return key or ""
        return None

    async def keep(
        self,
        method: str,
        path: str,
        headers: list[tuple[str, str]],
        body: bytes,
        *,
        kind: str,
        status: int,
        reason: str | None = None,
    ) -> RequestRecord:
        """Store a request that carries no messages (metrics, settings, unknown paths)."""
        record = RequestRecord(
            iso(self.clock()),
            method,
            path,
            kind,
            status,
            reason,
            basic_auth_user(headers),
            headers,
            body,
            None,
            len(body),
        )
        encoding = (_header(headers, "Content-Encoding") or "").strip().lower()
        if body and encoding in ("gzip", "x-gzip", "deflate"):
            # Kept inflated like ingestion bodies; a body that does not inflate stays as sent.
            with contextlib.suppress(DecodeError):
                record.body = decode.inflate(body, encoding=encoding)
                record.body_encoding = encoding
        await self.store.append(record)
        if reason is not None:
            self._notify(Outcome(status, {}, record, []))
        return record

    def storage_failed(self, method: str, path: str, reason: str) -> None:
        """Tell the listeners (the headless output) about a request answered 503 because the
        session file could not take it; it is not stored, so this is the only trace."""
        record = RequestRecord(
            iso(self.clock()), method, path, "ingest", 503, reason, None, [], b"", None, 0
        )
        self._notify(Outcome(503, {}, record, []))

    def _notify(self, outcome: Outcome) -> None:
        for cb in list(self.listeners):
            try:
                cb(outcome)
            except Exception:  # a broken printer must not break capture
                pass
