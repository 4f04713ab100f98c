"""Forward mode: relay every accepted ingestion request to an upstream API, unchanged.

``inspector --forward URL`` captures as usual and also sends each accepted request on: same
method, same path and query, the body exactly as it came off the wire (gzip stays gzip) and
the headers that matter to an ingestion API (Content-Type, Content-Encoding, Authorization,
User-Agent, X-Retry-Count).

Capture never waits for the upstream. The capture listener only puts the request on a
bounded queue (when the queue is full the request is recorded as a forwarding failure,
never blocks); background workers relay with their own HTTP client, retrying 408/429/5xx
and network errors with exponential backoff that honours ``Retry-After``, a bounded number
of times. Every attempt is recorded in the session's ``forwards`` table by a small writer
thread of its own (the store's writer stays the only writer of the capture tables), and
reported to ``Forwarder.listeners``; ``Forwarder.stats`` has the counters for a status bar.
Nothing is dropped silently: a request that could not be relayed, including those still
queued when the inspector stops, ends as a recorded failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import queue
import random
import sqlite3
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp

from inspector.replay import RETRY_STATUSES, retry_after, url_problem

if TYPE_CHECKING:
    from inspector.ingest.service import Capture, Outcome
    from inspector.store import Store

#: Request headers relayed upstream (compared case-insensitively).
FORWARD_HEADERS = frozenset(
    {"content-type", "content-encoding", "authorization", "user-agent", "x-retry-count"}
)

FORWARDS_DDL = """
CREATE TABLE IF NOT EXISTS forwards (
    request_id INTEGER NOT NULL,   -- requests.id of the relayed request
    attempt    INTEGER NOT NULL,   -- 1 for the first try
    status     INTEGER,            -- upstream HTTP status, NULL when no answer came
    error      TEXT,               -- why it failed (NULL when the upstream accepted it)
    at         TEXT NOT NULL       -- ISO-8601 UTC
)
"""


def _iso_now() -> str:
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def upstream_url(base: str, path: str) -> str:
    """``https://api.segment.io`` + ``/v1/batch``; a base ending in ``/v1`` is not doubled."""
    b = base.strip().rstrip("/")
    if b.endswith("/v1") and (path == "/v1" or path.startswith(("/v1/", "/v1?"))):
        b = b[:-3]
    return b + (path if path.startswith("/") else "/" + path)


@dataclass(frozen=True, slots=True)
class ForwardEvent:
    """One relay attempt (or a request that could not be attempted)."""

    request_id: int
    attempt: int
    status: int | None
    error: str | None
    at: str
    #: No more attempts follow for this request.
    final: bool

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class ForwardStats:
    #: Requests handed to the forwarder.
    sent: int = 0
    #: Requests the upstream accepted (2xx).
    ok: int = 0
    #: Requests given up on (refused, retries exhausted, queue full, stopped).
    failed: int = 0
    retries: int = 0
    last_error: str | None = None

    @property
    def pending(self) -> int:
        return self.sent - self.ok - self.failed


def describe(event: ForwardEvent) -> str | None:
    """A line for headless output: failures and retries; None for a plain success."""
    if event.ok:
        return (
            None
            if event.attempt == 1
            else (f"FORWARDED request #{event.request_id} on attempt {event.attempt}")
        )
    what = "FORWARD FAILED" if event.final else "FORWARD RETRY"
    return f"{what} request #{event.request_id} (attempt {event.attempt}): {event.error}"


@dataclass(slots=True)
class _Job:
    request_id: int
    method: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes
    #: The attempt under way or next (1-based): what a failure of this job is recorded as.
    attempt: int = 1


class _Recorder:
    """Writes forward attempts to the session's ``forwards`` table from a thread of its own."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.error: BaseException | None = None
        self._queue: queue.SimpleQueue[tuple[Any, ...] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        if path is not None:
            self._thread = threading.Thread(
                target=self._loop, name="inspector-forwards", daemon=True
            )
            self._thread.start()

    def add(self, event: ForwardEvent) -> None:
        if self._thread is not None:
            self._queue.put((event.request_id, event.attempt, event.status, event.error, event.at))

    def _loop(self) -> None:
        assert self.path is not None
        try:
            con = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            con.execute("PRAGMA busy_timeout=5000")
            con.execute(FORWARDS_DDL)
        except sqlite3.Error as exc:
            self.error = exc
            con = None
        stop = False
        while not stop:
            first = self._queue.get()
            rows = []
            if first is None:
                stop = True
            else:
                rows.append(first)
            while not stop:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    stop = True
                else:
                    rows.append(nxt)
            if rows and con is not None:
                try:
                    con.execute("BEGIN IMMEDIATE")
                    con.executemany("INSERT INTO forwards VALUES (?,?,?,?,?)", rows)
                    con.execute("COMMIT")
                except sqlite3.Error as exc:
                    self.error = exc
                    with contextlib.suppress(sqlite3.Error):
                        con.execute("ROLLBACK")
        if con is not None:
            con.close()

    def close(self, timeout: float = 10.0) -> None:
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout)


class Forwarder:
    def __init__(
        self,
        url: str,
        *,
        session_path: str | Path | None = None,
        queue_size: int = 10_000,
        concurrency: int = 4,
        max_attempts: int = 5,
        backoff_base: float = 0.5,
        max_backoff: float = 30.0,
        max_retry_after: float = 60.0,
        timeout: float = 15.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        problem = url_problem(url)
        if problem is not None:
            raise ValueError(
                f"--forward must be an http(s) URL with a host, got {url!r}: {problem}"
            )
        self.url = url.strip().rstrip("/")
        self.concurrency = max(1, concurrency)
        self.max_attempts = max(1, max_attempts)
        self.backoff_base = backoff_base
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after
        self.timeout = timeout
        self.sleep = sleep
        self.stats = ForwardStats()
        self.listeners: list[Callable[[ForwardEvent], None]] = []
        self._queue: asyncio.Queue[_Job] | None = None
        self._queue_size = queue_size
        self._workers: list[asyncio.Task[None]] = []
        self._inflight: dict[int, _Job] = {}
        self._http: aiohttp.ClientSession | None = None
        self._closing = False
        self._recorder = _Recorder(Path(session_path) if session_path is not None else None)

    @classmethod
    def attach(cls, capture: Capture, url: str, **options: Any) -> Forwarder:
        """Relay what ``capture`` accepts; sets ``capture.forwarder``."""
        store: Store = capture.store
        path = None if store.readonly else store.path
        fwd = cls(url, session_path=path, **options)
        capture.listeners.append(fwd.on_outcome)
        capture.forwarder = fwd  # type: ignore[attr-defined]
        return fwd

    # ------------------------------------------------------------------ capture side

    def on_outcome(self, outcome: Outcome) -> None:
        """Capture listener: enqueue an accepted ingestion request. Never blocks."""
        req = outcome.request
        if req.kind != "ingest" or req.reason is not None or outcome.status >= 400:
            return
        body = outcome.wire_body
        if body is None:
            body = gzip.compress(req.body, mtime=0) if req.body_encoding else req.body
        job = _Job(
            req.id,
            req.method,
            req.path,
            [(k, v) for k, v in req.headers if k.lower() in FORWARD_HEADERS],
            body,
        )
        self.stats.sent += 1
        if self._closing:
            self._give_up(job, 1, None, "not forwarded: the inspector was stopping")
            return
        q = self._start()
        try:
            q.put_nowait(job)
        except asyncio.QueueFull:
            self._give_up(
                job, 1, None, f"not forwarded: {q.maxsize} requests already waiting upstream"
            )

    def _start(self) -> asyncio.Queue[_Job]:
        if self._queue is None:
            self._queue = asyncio.Queue(self._queue_size)
            self._workers = [
                asyncio.get_running_loop().create_task(self._worker(i))
                for i in range(self.concurrency)
            ]
        return self._queue

    # ------------------------------------------------------------------ relaying

    def _emit(self, event: ForwardEvent) -> None:
        self._recorder.add(event)
        for cb in list(self.listeners):
            with contextlib.suppress(Exception):
                cb(event)

    def _give_up(self, job: _Job, attempt: int, status: int | None, error: str) -> None:
        self.stats.failed += 1
        self.stats.last_error = f"request #{job.request_id}: {error}"
        self._emit(ForwardEvent(job.request_id, attempt, status, error, _iso_now(), True))

    async def _worker(self, n: int) -> None:
        assert self._queue is not None
        while True:
            job = await self._queue.get()
            self._inflight[n] = job
            try:
                await self._relay(job)
            except asyncio.CancelledError:
                self._give_up(
                    job, job.attempt, None, "not forwarded: the inspector stopped mid-relay"
                )
                raise
            except Exception as exc:  # a bug here must not kill the worker
                self._give_up(job, job.attempt, None, f"internal error: {exc!r}")
            finally:
                self._inflight.pop(n, None)
                self._queue.task_done()

    def _client(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                auto_decompress=False,
                skip_auto_headers=("User-Agent", "Content-Type"),
            )
        return self._http

    def _backoff(self, attempt: int) -> float:
        base = min(self.max_backoff, self.backoff_base * (2 ** (attempt - 1)))
        return base * (0.75 + 0.5 * random.random())

    async def _relay(self, job: _Job) -> None:
        url = upstream_url(self.url, job.path)
        for attempt in range(1, self.max_attempts + 1):
            job.attempt = attempt
            status: int | None = None
            wait: float | None = None
            try:
                async with self._client().request(
                    job.method, url, data=job.body, headers=job.headers
                ) as resp:
                    status = resp.status
                    text = (await resp.read())[:200].decode("utf-8", "replace").strip()
                    if 200 <= status < 300:
                        self.stats.ok += 1
                        self._emit(
                            ForwardEvent(job.request_id, attempt, status, None, _iso_now(), True)
                        )
                        return
                    error = f"upstream answered {status}" + (f": {text}" if text else "")
                    retryable = status in RETRY_STATUSES
                    ra = retry_after(resp.headers.get("Retry-After"))
                    if ra is not None:
                        wait = min(ra, self.max_retry_after)
            except TimeoutError:
                # Connected (or still connecting) but no answer in time: not "unreachable".
                error = f"upstream did not answer within {self.timeout:g} s"
                retryable = True
            except (aiohttp.ClientError, OSError) as exc:
                detail = str(exc) or type(exc).__name__
                error = f"upstream unreachable: {detail}"
                retryable = True
            final = not retryable or attempt == self.max_attempts
            if final:
                self._give_up(job, attempt, status, error)
                return
            self.stats.retries += 1
            self.stats.last_error = f"request #{job.request_id}: {error}"
            self._emit(ForwardEvent(job.request_id, attempt, status, error, _iso_now(), False))
            await self.sleep(wait if wait is not None else self._backoff(attempt))

    # ------------------------------------------------------------------ shutdown

    async def drain(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the queue to empty; True when it did."""
        if self._queue is None:
            return True
        try:
            await asyncio.wait_for(self._queue.join(), timeout)
        except TimeoutError:
            return False
        return True

    async def close(self, timeout: float = 5.0) -> None:
        """Relay what is queued for at most ``timeout`` seconds, then stop. Requests left
        over are recorded as failures, never dropped silently."""
        self._closing = True
        await self.drain(timeout)
        for t in self._workers:
            t.cancel()
        for t in self._workers:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        self._workers = []
        if self._queue is not None:
            while not self._queue.empty():
                job = self._queue.get_nowait()
                self._give_up(job, job.attempt, None, "not forwarded: the inspector stopped first")
        if self._http is not None:
            await self._http.close()
        await asyncio.to_thread(self._recorder.close)


def read_forwards(
    store: Store, *, failures_only: bool = False, limit: int = 1000
) -> list[ForwardEvent]:
    """Recorded relay attempts of a session, newest first (empty when it never forwarded)."""
    where = "WHERE error IS NOT NULL" if failures_only else ""
    try:
        rows = store.execute(
            f"SELECT request_id, attempt, status, error, at FROM forwards {where} "
            "ORDER BY rowid DESC LIMIT ?",
            (limit,),
        )
    except sqlite3.Error:
        return []
    return [ForwardEvent(r, a, s, e, at, True) for r, a, s, e, at in rows]
