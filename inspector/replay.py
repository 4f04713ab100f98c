"""Re-send recorded messages to any Segment-compatible endpoint, within Segment's limits.

Messages are packed into ``POST {url}/v1/batch`` bodies of at most 500,000 bytes and 2,500
events (``{"batch": [...], "writeKey": KEY, "sentAt": now}``, with ``Authorization: Basic
base64(KEY:)`` too); a message over 32 KB is skipped and reported, as Segment would refuse
it. One batch is in flight at a time, in recorded order. A 429, a 408, a 5xx (but 501, 505
and 511) or a network error is retried with exponential backoff, honouring ``Retry-After``,
up to a bounded number of attempts and a bounded total wait per batch; other 4xx answers
fail the batch at once. A 401/403 stops the replay: every later batch would be refused too.

Each message is sent as recorded (batch-level context already merged in), without the
server's ``receivedAt`` and without a ``sentAt`` of its own: the replay is the client now,
and its batch's ``sentAt`` is what lets the receiver keep each message's original
``timestamp`` (Segment corrects timestamps by receivedAt - sentAt; an old sentAt would move
every replayed event to the moment of the replay, and read as clock skew). ``new_message_ids`` gives every message a fresh ``messageId`` so a
destination that deduplicates (Segment does, on messageId) accepts a second replay.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import random
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import orjson

from inspector import __version__
from inspector.export._common import dumps, loads, one_line
from inspector.export._raw import edit, without

#: Segment's limits (HTTP API docs). The batch limit is taken as 500,000 bytes, the
#: stricter reading of "500 KB", so a replay is accepted whichever the server means.
MAX_MESSAGE_BYTES = 32 * 1024
MAX_BATCH_BYTES = 500_000
MAX_BATCH_EVENTS = 2500
#: Room for the wrapper: {"batch":[...],"writeKey":"...","sentAt":"..."}.
_WRAPPER = 64

RETRY_STATUSES = frozenset({408, 429}) | (frozenset(range(500, 600)) - {501, 505, 511})
STOP_STATUSES = frozenset({401, 403})


class ReplayError(Exception):
    """The replay cannot start (bad URL, unreadable source)."""


@dataclass
class ReplaySummary:
    read: int = 0
    sent: int = 0
    accepted: int = 0
    failed: int = 0
    skipped: int = 0
    batches: int = 0
    retries: int = 0
    #: Total messages when known in advance (for the progress bar), else None.
    total: int | None = None
    #: The first few distinct errors, for the summary.
    errors: list[str] = field(default_factory=list)
    stopped: str | None = None
    #: Messages never sent because the replay stopped (401/403) before their batch.
    unsent: int = 0
    #: Messages sent with no writeKey at all (none recorded, no --write-key).
    without_key: int = 0

    @property
    def ok(self) -> bool:
        return self.failed == 0 and self.skipped == 0 and self.unsent == 0 and self.stopped is None

    def note(self, error: str) -> None:
        if error not in self.errors and len(self.errors) < 10:
            self.errors.append(error)

    def line(self) -> str:
        """Counts of messages, then of requests. ``sent``: messages the endpoint answered
        for (accepted or refused); ``failed`` also counts those that never reached it
        (connection refused, no answer), so read = accepted + failed + skipped + unsent."""
        out = (
            f"{_n(self.read, 'message')} read: {self.sent} sent, {self.accepted} accepted, "
            f"{self.failed} failed, {self.skipped} skipped"
        )
        if self.unsent:
            out += f", {self.unsent} not sent (replay stopped)"
        return out + f"; {_n(self.batches, 'request')}, {_n(self.retries, 'retry', 'retries')}"


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else many or one + 's'}"


def url_problem(url: str) -> str | None:
    """Why ``url`` is not an http(s) URL with a host (and, when it names one, a port
    1-65535), or None when it is one. The one check of ``replay --to`` and ``--forward``."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
        port = parts.port
    except ValueError as exc:
        text = str(exc)
        if "out of range" in text:
            return "its port is not 1-65535"
        return f"it does not parse: {text[:1].lower() + text[1:]}"
    if parts.scheme not in ("http", "https"):
        return "it is not an http or https URL"
    if not host:
        return "it has no host"
    if port == 0:
        return "its port is not 1-65535"
    return None


def batch_url(url: str) -> str:
    """``http://host`` -> ``http://host/v1/batch``; ``.../v1`` and ``.../v1/batch`` work too."""
    problem = url_problem(url)
    if problem is not None:
        raise ReplayError(
            f"--to must be an http(s) URL with a host, e.g. https://api.segment.io; "
            f"{url!r}: {problem}"
        )
    u = url.strip().rstrip("/")
    if u.endswith(("/v1/batch", "/v1/import", "/v1/b")):
        return u
    if u.endswith("/v1"):
        return u + "/batch"
    return u + "/v1/batch"


def parse_rate(text: str | None) -> float | None:
    """``"100"``, ``"100/s"`` or ``"6000/min"`` -> messages per second."""
    if text is None or text == "":
        return None
    t = text.strip().lower().replace(" ", "")
    per = 1.0
    for suffix, secs in (("/s", 1.0), ("/sec", 1.0), ("/min", 60.0), ("/m", 60.0)):
        if t.endswith(suffix):
            t, per = t[: -len(suffix)], secs
            break
    try:
        value = float(t)
    except ValueError:
        raise ReplayError(f"--rate must be a number of messages per second, got {text!r}") from None
    if value <= 0:
        raise ReplayError("--rate must be more than 0")
    return value / per


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    v = value.strip()
    try:
        return max(0.0, float(v))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(v)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    ref = now if now is not None else time.time()
    return max(0.0, when.timestamp() - ref)


def _iso_now() -> str:
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


@dataclass
class _Batch:
    key: str | None
    items: list[bytes]
    size: int


class Replayer:
    def __init__(
        self,
        url: str,
        *,
        write_key: str | None = None,
        rate: float | None = None,
        new_message_ids: bool = False,
        max_attempts: int = 8,
        backoff_base: float = 0.5,
        max_backoff: float = 30.0,
        max_retry_after: float = 300.0,
        max_total_wait: float = 600.0,
        timeout: float = 30.0,
        progress: Callable[[ReplaySummary], None] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
        id_factory: Callable[[], str] = lambda: str(uuid.uuid4()),
        max_batch_bytes: int = MAX_BATCH_BYTES,
        max_batch_events: int = MAX_BATCH_EVENTS,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.url = batch_url(url)
        self.write_key = write_key
        self.rate = rate
        self.new_message_ids = new_message_ids
        self.max_attempts = max(1, max_attempts)
        self.backoff_base = backoff_base
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after
        self.max_total_wait = max_total_wait
        self.timeout = timeout
        self.progress = progress
        self.sleep = sleep
        self.jitter = jitter
        self.id_factory = id_factory
        self.max_batch_bytes = max_batch_bytes
        self.max_batch_events = max_batch_events
        if rate is not None:
            # Small batches when pacing, so the rate holds over each second.
            self.max_batch_events = max(1, min(max_batch_events, int(rate)))
        self.summary = ReplaySummary()
        #: Told once, before the first batch that goes without any writeKey.
        self.warn = warn

    # ------------------------------------------------------------------ batching

    def _prepare(self, msg: Any, recorded_key: str | None) -> tuple[str | None, bytes] | None:
        """The key to send ``msg`` with and its text. ``msg`` is a parsed message or its
        exact JSON text (bytes): a text is sent as it is, only the members replay must
        change edited in place, so every value reaches the upstream as recorded."""
        s = self.summary
        raw: bytes | None = None
        if isinstance(msg, (bytes, bytearray)):
            raw = one_line(bytes(msg).strip())
            try:
                msg = loads(raw)
            except ValueError:
                msg = None
        if not isinstance(msg, dict):
            s.skipped += 1
            s.note(f"skipped message {s.read}: not a JSON object")
            return None
        own = msg.get("writeKey")
        if self.write_key is not None:
            key: str | None = self.write_key
        else:
            key = recorded_key or (own if isinstance(own, str) else None)
        if raw is not None:
            changes: dict[str, bytes] = {}
            if self.new_message_ids:
                changes["messageId"] = orjson.dumps(self.id_factory())
            if self.write_key is not None and "writeKey" in msg:
                changes["writeKey"] = orjson.dumps(self.write_key)
            data = without(raw, "receivedAt", "sentAt")
            if changes:
                data = edit(data, changes) or data
        else:
            msg = dict(msg)
            msg.pop("receivedAt", None)
            msg.pop("sentAt", None)
            if self.new_message_ids:
                msg["messageId"] = self.id_factory()
            if self.write_key is not None and "writeKey" in msg:
                msg["writeKey"] = self.write_key
            data = encode_finite(msg)
        if len(data) > MAX_MESSAGE_BYTES:
            s.skipped += 1
            mid = msg.get("messageId")
            name = f"message {s.read}" + (f" (messageId {mid!r})" if isinstance(mid, str) else "")
            s.note(f"skipped {name}: {len(data)} bytes, over Segment's 32 KB per message")
            return None
        return key, data

    def batches(self, messages: Iterable[tuple[Any, str | None]]) -> Iterator[_Batch]:
        """Pack messages into batches within the limits (one writeKey per batch)."""
        cur: _Batch | None = None
        for msg, recorded_key in messages:
            self.summary.read += 1
            prepared = self._prepare(msg, recorded_key)
            if prepared is None:
                continue
            key, data = prepared
            overhead = _WRAPPER + (len(key.encode()) if key else 0)
            if cur is not None and (
                cur.key != key
                or len(cur.items) >= self.max_batch_events
                or cur.size + len(data) + 1 + overhead > self.max_batch_bytes
            ):
                yield cur
                cur = None
            if cur is None:
                cur = _Batch(key, [], 0)
            cur.items.append(data)
            cur.size += len(data) + 1
        if cur is not None:
            yield cur

    @staticmethod
    def body(batch: _Batch, sent_at: str) -> bytes:
        out = b'{"batch":[' + b",".join(batch.items) + b"]"
        if batch.key is not None:
            out += b',"writeKey":' + orjson.dumps(batch.key)
        return out + b',"sentAt":' + orjson.dumps(sent_at) + b"}"

    # ------------------------------------------------------------------ sending

    def _headers(self, key: str | None, attempt: int) -> dict[str, str]:
        h = {
            "Content-Type": "application/json",
            "User-Agent": f"inspector-replay/{__version__}",
        }
        if key:
            h["Authorization"] = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
        if attempt > 1:
            h["X-Retry-Count"] = str(attempt - 1)
        return h

    def _backoff(self, attempt: int) -> float:
        base = min(self.max_backoff, self.backoff_base * (2 ** (attempt - 1)))
        return base * (0.75 + 0.5 * self.jitter())

    async def _send(
        self, http: aiohttp.ClientSession, batch: _Batch
    ) -> tuple[bool, str | None, bool]:
        """Post one batch with retries: (accepted, error, reached), ``reached`` True when
        some attempt got an HTTP answer (the batch was sent, whatever the answer)."""
        waited = 0.0
        error = "not sent"
        reached = False
        for attempt in range(1, self.max_attempts + 1):
            if attempt > 1:
                self.summary.retries += 1
            wait: float | None = None
            status: int | None = None
            try:
                async with http.post(
                    self.url,
                    data=self.body(batch, _iso_now()),
                    headers=self._headers(batch.key, attempt),
                ) as resp:
                    status = resp.status
                    reached = True
                    text = (await resp.read())[:300].decode("utf-8", "replace")
                    if 200 <= status < 300:
                        return True, None, True
                    error = f"HTTP {status}: {text.strip() or resp.reason}"
                    if status not in RETRY_STATUSES:
                        if status in STOP_STATUSES:
                            self.summary.stopped = error
                        return False, error, True
                    ra = retry_after(resp.headers.get("Retry-After"))
                    if ra is None and status == 429:
                        ra = retry_after(resp.headers.get("X-RateLimit-Reset"))
                    if ra is not None:
                        wait = min(ra, self.max_retry_after)
            except TimeoutError:
                error = f"no answer within {self.timeout:g} s"
            except (aiohttp.ClientError, OSError) as exc:
                error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            if attempt == self.max_attempts:
                break
            if wait is None:
                wait = self._backoff(attempt)
            if waited + wait > self.max_total_wait:
                error += f" (gave up: retrying would wait more than {self.max_total_wait:g} s)"
                return False, error, reached
            waited += wait
            await self.sleep(wait)
        return False, f"{error} (after {_n(self.max_attempts, 'attempt')})", reached

    async def run(self, messages: Iterable[tuple[Any, str | None]]) -> ReplaySummary:
        s = self.summary
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        started = time.monotonic()
        paced = 0
        async with aiohttp.ClientSession(timeout=timeout) as http:
            it = self.batches(messages)
            for batch in it:
                n = len(batch.items)
                if s.stopped is not None:
                    s.unsent += n
                    continue
                if batch.key is None:
                    if not s.without_key and self.warn is not None:
                        self.warn(
                            "no writeKey is recorded for these messages and --write-key was "
                            "not given: sending without writeKey or Authorization (Segment "
                            "refuses that; pass --write-key KEY)"
                        )
                    s.without_key += n
                if self.rate is not None:
                    due = started + paced / self.rate - time.monotonic()
                    if due > 0:
                        await self.sleep(due)
                    paced += n
                s.batches += 1
                ok, error, reached = await self._send(http, batch)
                if reached:
                    s.sent += n
                if ok:
                    s.accepted += n
                else:
                    s.failed += n
                    if error:
                        s.note(error)
                if self.progress is not None:
                    with contextlib.suppress(Exception):
                        self.progress(s)
        return s


_INF = "\x00inspector:inf\x00"
_NEG_INF = "\x00inspector:-inf\x00"


def encode_finite(value: Any) -> bytes:
    """``value`` as JSON that is always valid: a number too large for a double (parsed from
    ``1e400`` as infinity) is written ``1e400`` (``-1e400``), which reads back the same,
    never ``Infinity``; a NaN (no JSON text parses as one) is ``null``. Only for messages
    whose text is not known; a known text is sent as it is."""
    out = dumps(_mark_non_finite(value))
    if b"inspector:" in out:
        out = out.replace(dumps(_INF), b"1e400").replace(dumps(_NEG_INF), b"-1e400")
    return out


def _mark_non_finite(value: Any) -> Any:
    if type(value) is float:
        if value != value:
            return None
        if value in (float("inf"), float("-inf")):
            return _INF if value > 0 else _NEG_INF
        return value
    if type(value) is dict:
        return {k: _mark_non_finite(v) for k, v in value.items()}
    if type(value) is list:
        return [_mark_non_finite(v) for v in value]
    return value


# ---------------------------------------------------------------------- sources


def count_messages(path: str | Path) -> int | None:
    """How many messages a source holds, when cheap to know (sessions), else None."""
    from inspector.importer import is_session
    from inspector.store import Store

    if not is_session(path):
        return None
    store = Store(path, readonly=True)
    try:
        return int(store.execute("SELECT count(*) FROM messages")[0][0])
    finally:
        store.close()


def source_messages(path: str | Path) -> Iterator[tuple[Any, str | None]]:
    """(message, recorded writeKey) of a session or any file ``inspector open`` reads.
    The message is its exact JSON text (bytes) where the file keeps it (sessions, NDJSON,
    JSON exports), else the parsed value."""
    from inspector.importer import is_session, messages_for_replay

    if is_session(path):
        yield from _session_messages(Path(path))
        return
    yield from messages_for_replay(path)


def _session_messages(path: Path) -> Iterator[tuple[Any, str | None]]:
    from inspector.export._common import ExportOptions, iter_message_raw
    from inspector.filters import Filter
    from inspector.store import Store

    store = Store(path, readonly=True)
    try:
        for (wk,), raw in iter_message_raw(store, Filter(), ExportOptions(), "m.write_key"):
            yield raw, wk
    finally:
        store.close()
