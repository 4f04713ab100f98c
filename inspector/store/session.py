"""The session store: one SQLite file per run.

Writes go through a single writer thread that commits whatever has queued up in one
transaction (group commit) and only then resolves the callers' futures, so the endpoint
answers 200 only for committed messages. Reads use their own connection (WAL lets them run
beside the writer) from whichever thread calls them.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import queue
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from inspector.jsonutil import deep_recursion, dumps_exact, loads_exact
from inspector.model import Message, RejectedRequest, Violation
from inspector.store.schema import DDL, PRAGMAS, SCHEMA_VERSION


@dataclass(slots=True)
class RequestRecord:
    """A request as received, before it has an id."""

    received_at: str
    method: str
    path: str
    kind: str
    status: int
    reason: str | None
    write_key: str | None
    headers: list[tuple[str, str]]
    body: bytes
    body_encoding: str | None = None
    wire_size: int = 0
    id: int = 0


@dataclass(slots=True)
class MessageRecord:
    """A message ready to be stored (violations already computed)."""

    batch_index: int
    raw_start: int
    raw_end: int
    received_at: str
    endpoint: str
    write_key: str | None
    type: str | None
    name: str | None
    user_id: str | None
    anonymous_id: str | None
    message_id: str | None
    library: str | None
    violations: list[Violation] = field(default_factory=list)
    extra: dict[str, Any] | None = None
    seq: int = 0


@dataclass(slots=True)
class Row:
    """The columns of a message the stream view needs, without its JSON."""

    seq: int
    received_at: str
    type: str | None
    name: str | None
    user_id: str | None
    anonymous_id: str | None
    library: str | None
    errors: int
    warnings: int
    infos: int
    request_id: int
    endpoint: str


ROW_COLUMNS = (
    "seq, received_at, type, name, user_id, anonymous_id, library, errors, warnings, infos, "
    "request_id, endpoint"
)

_SENTINEL = object()


_REQUEST_MARKS = "(?,?,?,?,?,?,?,?,?,?,?,?,?)"

_MESSAGE_MARKS = "(" + ",".join("?" * 19) + ")"


def _violations_blob(vs: list[Violation]) -> bytes | None:
    if not vs:
        return None
    return dumps_exact([v.to_dict() for v in vs])


_SURROGATE = re.compile("[\ud800-\udfff]")


def _bindable(value: Any) -> Any:
    """Text SQLite can store: lone surrogates become U+FFFD."""
    if type(value) is str:
        return _SURROGATE.sub("\ufffd", value)
    return value


def _lock_for_writing(path: Path, con: sqlite3.Connection) -> int:
    """Take the one-writer lock of a session file, or raise StoreError.

    Two inspectors appending to one file would hand out the same seq and request ids (each
    counts from what it read at start), so the second would fail every commit. A BSD lock
    (flock) on its own descriptor is independent of SQLite's POSIX locks and goes away with
    the process, so a SIGKILLed inspector leaves no stale lock behind.
    """
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        con.close()
        raise StoreError(
            f"{path} is being written by another running inspector; stop it first, or "
            "open the session without --listen to read it"
        ) from None
    return fd


def in_use(path: str | os.PathLike[str]) -> bool:
    """Whether a running inspector is writing this session file."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def _connect(path: Path, readonly: bool) -> sqlite3.Connection:
    if readonly:
        uri = f"file:{path}?mode=ro"
        con = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
    else:
        con = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    con.execute("PRAGMA busy_timeout=5000")
    return con


class StoreError(Exception):
    """The session file cannot be opened or is not an inspector session."""


class Store:
    """A session file. ``readonly`` opens an existing session for reading only."""

    def __init__(self, path: str | os.PathLike[str], *, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        if readonly:
            if not self.path.is_file():
                raise StoreError(f"no session file at {self.path}")
        else:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                why = (
                    "a file of that name is in the way"
                    if isinstance(exc, FileExistsError | NotADirectoryError)
                    else exc.strerror or str(exc)
                )
                raise StoreError(
                    f"cannot create the folder {self.path.parent} for the session ({why}); "
                    "choose another path with --session"
                ) from None
        try:
            self._wcon: sqlite3.Connection | None = None
            self._lock: int | None = None
            if not readonly:
                self._wcon = _connect(self.path, False)
                self._lock = _lock_for_writing(self.path, self._wcon)
                for p in PRAGMAS:
                    self._wcon.execute(p)
                self._wcon.executescript(DDL)
                self._wcon.execute(
                    "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)",
                    (str(SCHEMA_VERSION),),
                )
            self._rcon = _connect(self.path, readonly)
            self._rcon.execute("SELECT count(*) FROM messages").fetchone()
        except sqlite3.OperationalError as exc:
            if "unable to open" not in str(exc):
                raise StoreError(f"{self.path} is not an inspector session ({exc})") from exc
            raise StoreError(
                f"cannot {'open' if readonly else 'create or write'} {self.path} (is its folder "
                "writable?); choose another path with --session"
            ) from None
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} is not an inspector session ({exc})") from exc
        self._rlock = threading.Lock()
        #: request id -> (body, item spans): messages stored without a span are sliced from it.
        self._spans: dict[int, tuple[bytes, list[tuple[int, int]]]] = {}
        self._next_seq = (self._scalar("SELECT max(seq) FROM messages") or 0) + 1
        self._next_request = (self._scalar("SELECT max(id) FROM requests") or 0) + 1
        # A reset (the test API's, the UI's clear) hides earlier messages from the process
        # that made it only: whoever opens the session next, to read or to append
        # (`open --listen`), starts with the whole file.
        self.view_start = 1
        self.view_request_start = 1
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._listeners: list[Callable[[], None]] = []
        self._committed_seq = self._next_seq - 1
        self._committed_request = self._next_request - 1
        self._closed = False
        self.write_error: BaseException | None = None

    # ------------------------------------------------------------------ writing

    def _ensure_writer(self) -> None:
        if self._writer is None:
            self._writer = threading.Thread(
                target=self._write_loop, name="inspector-store", daemon=True
            )
            self._writer.start()

    def _assign(self, req: RequestRecord, msgs: Sequence[MessageRecord]) -> None:
        req.id = self._next_request
        self._next_request += 1
        for m in msgs:
            m.seq = self._next_seq
            self._next_seq += 1

    async def append(self, req: RequestRecord, msgs: Sequence[MessageRecord] = ()) -> None:
        """Store a request and its messages; returns once they are committed to disk."""
        if self.readonly or self._closed:
            raise StoreError("session is read-only" if self.readonly else "session is closed")
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[None] = loop.create_future()
        self._ensure_writer()
        self._queue.put((req, msgs, loop, fut))
        await fut

    def append_sync(self, req: RequestRecord, msgs: Sequence[MessageRecord] = ()) -> None:
        """Blocking variant for tools and tests: writes and commits in the calling thread."""
        self.append_many_sync([(req, msgs)])

    def append_many_sync(
        self, batch: Sequence[tuple[RequestRecord, Sequence[MessageRecord]]]
    ) -> None:
        """Write several requests in one transaction from the calling thread (imports)."""
        if self.readonly:
            raise StoreError("session is read-only")
        assert self._wcon is not None
        self._write_many(list(batch))
        self._after_commit(list(batch))

    def _write_many(self, batch: list[tuple[RequestRecord, Sequence[MessageRecord]]]) -> None:
        """Number and write ``batch`` in one transaction. Numbers are handed out here, in
        the one writing thread, and taken back when the commit fails (a full disk), so
        seqs and request ids stay gapless and counts stay true."""
        next_seq, next_request = self._next_seq, self._next_request
        for req, msgs in batch:
            self._assign(req, msgs)
        try:
            self._write_rows(batch)
        except BaseException:
            self._next_seq, self._next_request = next_seq, next_request
            raise

    def _write_rows(self, batch: list[tuple[RequestRecord, Sequence[MessageRecord]]]) -> None:
        con = self._wcon
        assert con is not None
        req_rows = []
        msg_rows = []
        for req, msgs in batch:
            req_rows.append(
                (
                    req.id,
                    req.received_at,
                    req.method,
                    req.path,
                    req.kind,
                    req.status,
                    req.reason,
                    req.write_key,
                    orjson.dumps(req.headers),
                    req.body,
                    req.body_encoding,
                    req.wire_size,
                    len(msgs),
                )
            )
            rid = req.id
            for m in msgs:
                errors = warnings = infos = 0
                vs = m.violations
                for v in vs:
                    if v.severity == "error":
                        errors += 1
                    elif v.severity == "warning":
                        warnings += 1
                    else:
                        infos += 1
                msg_rows.append(
                    (
                        m.seq,
                        rid,
                        m.batch_index,
                        m.raw_start,
                        m.raw_end,
                        m.received_at,
                        m.endpoint,
                        m.write_key,
                        m.type,
                        m.name,
                        m.user_id,
                        m.anonymous_id,
                        m.message_id,
                        m.library,
                        errors,
                        warnings,
                        infos,
                        _violations_blob(vs),
                        dumps_exact(m.extra) if m.extra else None,
                    )
                )
        try:
            self._insert(con, req_rows, msg_rows)
        except UnicodeEncodeError:
            # A lone surrogate (sent as a \ud800 escape) in an event name, id or reason
            # cannot be bound as SQLite text. The exact bytes stay in the request body; the
            # summary columns get U+FFFD in its place. Rare, so checked only on failure.
            self._insert(
                con,
                [tuple(_bindable(v) for v in row) for row in req_rows],
                [tuple(_bindable(v) for v in row) for row in msg_rows],
            )

    @staticmethod
    def _insert(
        con: sqlite3.Connection, req_rows: list[tuple[Any, ...]], msg_rows: list[tuple[Any, ...]]
    ) -> None:
        con.execute("BEGIN")
        try:
            # Multi-row INSERTs: each statement step gives up and re-takes the GIL, and
            # re-taking it while the event loop is busy can wait a whole switch interval, so
            # executemany's one step per row would stall commits. (SQLite's json_each
            # avoids that too but costs three times the CPU per row.)
            for i in range(0, len(req_rows), 2000):
                chunk = req_rows[i : i + 2000]
                con.execute(
                    "INSERT INTO requests VALUES " + ",".join([_REQUEST_MARKS] * len(chunk)),
                    [v for row in chunk for v in row],
                )
            for i in range(0, len(msg_rows), 1700):  # 19 x 1700 < SQLite's 32,766 parameters
                rows = msg_rows[i : i + 1700]
                con.execute(
                    "INSERT INTO messages VALUES " + ",".join([_MESSAGE_MARKS] * len(rows)),
                    [v for mrow in rows for v in mrow],
                )
            con.execute("COMMIT")
        except BaseException:
            # SQLite may already have rolled back (SQLITE_FULL): the original error is the
            # one to report, not "no transaction is active".
            with contextlib.suppress(sqlite3.Error):
                con.execute("ROLLBACK")
            raise

    def _after_commit(self, batch: list[tuple[RequestRecord, Sequence[MessageRecord]]]) -> None:
        for req, msgs in batch:
            self._committed_request = max(self._committed_request, req.id)
            if msgs:
                self._committed_seq = max(self._committed_seq, msgs[-1].seq)
        for cb in list(self._listeners):
            with contextlib.suppress(Exception):
                cb()

    def _write_loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is _SENTINEL:
                return
            items = [first]
            stop = False
            # Group commit: take everything that queued while the last commit ran.
            while len(items) < 2000:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is _SENTINEL:
                    stop = True
                    break
                items.append(nxt)
            batch = [(req, msgs) for req, msgs, _, _ in items]
            err: BaseException | None = None
            try:
                self._write_many(batch)
            except BaseException as exc:  # disk full, file removed...: fail the requests
                err = exc
                self.write_error = exc
            by_loop: dict[asyncio.AbstractEventLoop, list[Any]] = {}
            for _, _, loop, fut in items:
                by_loop.setdefault(loop, []).append(fut)
            for loop, futs in by_loop.items():
                with contextlib.suppress(RuntimeError):  # loop already closed
                    loop.call_soon_threadsafe(
                        self._resolve, futs, err, batch if err is None else []
                    )
            if stop:
                return

    def _resolve(
        self, futs: list[asyncio.Future[None]], err: BaseException | None, batch: list[Any]
    ) -> None:
        if batch:
            self._after_commit(batch)
        for fut in futs:
            if fut.done():
                continue
            if err is None:
                fut.set_result(None)
            else:
                fut.set_exception(StoreError(str(err) or type(err).__name__))

    def subscribe(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``callback()`` (in the event loop's thread) after each commit."""
        self._listeners.append(callback)
        return lambda: self._listeners.remove(callback) if callback in self._listeners else None

    def reset_view(self) -> int:
        """Start a new empty view: later queries see only messages (and rejected requests)
        from now on. Nothing changes when the file cannot record it (a full disk)."""
        start, request_start = self._committed_seq + 1, self._committed_request + 1
        if not self.readonly:
            self.set_meta("view_start", str(start))
            self.set_meta("view_start_request", str(request_start))
        self.view_start, self.view_request_start = start, request_start
        return self.view_start

    def set_meta(self, key: str, value: str) -> None:
        assert self._wcon is not None
        with self._rlock:
            self._wcon.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value)
            )

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._writer is not None:
            self._queue.put(_SENTINEL)
            self._writer.join(timeout=10)
        if self._wcon is not None:
            with contextlib.suppress(sqlite3.Error):
                self._wcon.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._wcon.close()
        self._rcon.close()
        if self._lock is not None:
            os.close(self._lock)  # releases the writer's lock
            self._lock = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ reading

    @property
    def last_seq(self) -> int:
        """Highest committed message seq (0 when empty)."""
        return self._committed_seq

    @property
    def last_request_id(self) -> int:
        return self._committed_request

    def _scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with self._rlock:
            row = self._rcon.execute(sql, params).fetchone()
        return row[0] if row else None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run a read-only query on the reader connection."""
        with self._rlock:
            return self._rcon.execute(sql, params).fetchall()

    def iter_query(
        self, sql: str, params: Sequence[Any] = (), chunk: int = 2000
    ) -> Iterator[tuple[Any, ...]]:
        """Stream a query's rows in chunks (constant memory), on a private connection."""
        con = _connect(self.path, True)
        try:
            cur = con.execute(sql, params)
            while True:
                rows = cur.fetchmany(chunk)
                if not rows:
                    return
                yield from rows
        finally:
            con.close()

    def get_meta(self, key: str) -> str | None:
        try:
            v = self._scalar("SELECT value FROM meta WHERE key = ?", (key,))
        except sqlite3.Error:
            return None
        return v if v is None else str(v)

    def count(self, where: str = "1", params: Sequence[Any] = ()) -> int:
        return int(
            self._scalar(
                f"SELECT count(*) FROM messages WHERE seq >= ? AND ({where})",
                (self.view_start, *params),
            )
            or 0
        )

    def rows(
        self,
        where: str = "1",
        params: Sequence[Any] = (),
        *,
        offset: int = 0,
        limit: int = 100,
        desc: bool = False,
    ) -> list[Row]:
        order = "DESC" if desc else "ASC"
        sql = (
            f"SELECT {ROW_COLUMNS} FROM messages WHERE seq >= ? AND ({where}) "
            f"ORDER BY seq {order} LIMIT ? OFFSET ?"
        )
        return [Row(*r) for r in self.execute(sql, (self.view_start, *params, limit, offset))]

    def seqs(self, where: str = "1", params: Sequence[Any] = ()) -> list[int]:
        """All matching seqs in order (used to page a filtered view)."""
        sql = f"SELECT seq FROM messages WHERE seq >= ? AND ({where}) ORDER BY seq"
        with self._rlock:
            return [r[0] for r in self._rcon.execute(sql, (self.view_start, *params))]

    def rows_by_seq(self, seqs: Sequence[int]) -> list[Row]:
        if not seqs:
            return []
        marks = ",".join("?" * len(seqs))
        rows = self.execute(
            f"SELECT {ROW_COLUMNS} FROM messages WHERE seq IN ({marks}) ORDER BY seq", list(seqs)
        )
        return [Row(*r) for r in rows]

    _MSG_SQL = (
        "SELECT m.seq, m.received_at, m.endpoint, m.write_key, m.request_id, m.batch_index, "
        "m.violations, m.extra, "
        "CASE WHEN m.raw_start >= 0 THEN substr(r.body, m.raw_start + 1, m.raw_end - m.raw_start) END "
        "FROM messages m JOIN (SELECT id, body FROM requests) r ON r.id = m.request_id "
    )

    def _raw_from_request(self, request_id: int, batch_index: int) -> bytes:
        """A batch item's exact bytes, for messages stored without a span (fast ingest path)."""
        cached = self._spans.get(request_id)
        if cached is None:
            from inspector.ingest.decode import DecodeError, batch_spans

            rows = self.execute("SELECT body FROM requests WHERE id = ?", (request_id,))
            body = bytes(rows[0][0]) if rows else b""
            try:
                with deep_recursion():
                    spans = batch_spans(body)
            except (DecodeError, RecursionError):
                spans = []
            cached = (body, spans)
            self._spans[request_id] = cached
            if len(self._spans) > 64:
                self._spans.pop(next(iter(self._spans)))
        body, spans = cached
        if batch_index >= len(spans):
            return b""
        a, b = spans[batch_index]
        return body[a:b]

    def _message(self, row: tuple[Any, ...]) -> Message:
        seq, received_at, endpoint, write_key, request_id, batch_index, vblob, extra, raw = row
        raw = bytes(raw) if raw is not None else self._raw_from_request(request_id, batch_index)
        data: Any = loads_exact(raw)
        if extra:
            data = {**data, **loads_exact(extra)} if isinstance(data, dict) else data
        vs = [Violation.from_dict(v) for v in loads_exact(vblob)] if vblob else []
        return Message(
            seq, received_at, endpoint, write_key, data, vs, request_id, batch_index, raw
        )

    def get(self, seq: int) -> Message | None:
        rows = self.execute(self._MSG_SQL + "WHERE m.seq = ?", (seq,))
        return self._message(rows[0]) if rows else None

    def messages(
        self,
        where: str = "1",
        params: Sequence[Any] = (),
        *,
        limit: int | None = None,
        offset: int = 0,
        include_hidden: bool = False,
    ) -> list[Message]:
        start = 1 if include_hidden else self.view_start
        sql = self._MSG_SQL + f"WHERE m.seq >= ? AND ({where}) ORDER BY m.seq LIMIT ? OFFSET ?"
        rows = self.execute(sql, (start, *params, -1 if limit is None else limit, offset))
        return [self._message(r) for r in rows]

    def iter_messages(
        self, where: str = "1", params: Sequence[Any] = (), *, include_hidden: bool = True
    ) -> Iterator[Message]:
        """Every matching message in seq order, streamed in constant memory."""
        start = 1 if include_hidden else self.view_start
        sql = self._MSG_SQL + f"WHERE m.seq >= ? AND ({where}) ORDER BY m.seq"
        for row in self.iter_query(sql, (start, *params)):
            yield self._message(row)

    def rejected(
        self, *, since: int = 0, limit: int = 1000, include_hidden: bool = False
    ) -> list[RejectedRequest]:
        """Rejected requests after request id ``since``; only the current view's unless
        ``include_hidden`` (a reset starts a new view of rejections too)."""
        first = 0 if include_hidden else self.view_request_start - 1
        rows = self.execute(
            "SELECT id, received_at, method, path, status, reason, headers, body FROM requests "
            "WHERE reason IS NOT NULL AND id > ? ORDER BY id LIMIT ?",
            (max(since, first), limit),
        )
        return [
            RejectedRequest(
                i,
                ts,
                meth,
                path,
                st,
                reason,
                [(str(k), str(v)) for k, v in orjson.loads(h)],
                bytes(b),
            )
            for i, ts, meth, path, st, reason, h, b in rows
        ]

    def rejected_count(self, *, include_hidden: bool = False) -> int:
        first = 0 if include_hidden else self.view_request_start - 1
        return int(
            self._scalar(
                "SELECT count(*) FROM requests WHERE reason IS NOT NULL AND id > ?", (first,)
            )
            or 0
        )

    _REQUEST_SQL = (
        "SELECT id, received_at, method, path, kind, status, reason, write_key, headers, body, "
        "body_encoding, wire_size FROM requests "
    )

    @staticmethod
    def _request(row: tuple[Any, ...]) -> RequestRecord:
        i, ts, meth, path, kind, st, reason, wk, h, body, enc, wire = row
        headers = [(str(k), str(v)) for k, v in orjson.loads(h)]
        return RequestRecord(
            ts, meth, path, kind, st, reason, wk, headers, bytes(body), enc, wire, i
        )

    def request(self, request_id: int) -> RequestRecord | None:
        rows = self.execute(self._REQUEST_SQL + "WHERE id = ?", (request_id,))
        return self._request(rows[0]) if rows else None

    def iter_requests(self) -> Iterator[RequestRecord]:
        """Every request in arrival order, streamed in constant memory."""
        for row in self.iter_query(self._REQUEST_SQL + "ORDER BY id", chunk=200):
            yield self._request(row)

    def totals(self) -> dict[str, int]:
        """Counters for the status bar, over the current view."""
        row = self.execute(
            "SELECT count(*), coalesce(sum(errors > 0), 0), coalesce(sum(warnings > 0), 0), "
            "coalesce(sum(errors), 0), coalesce(sum(warnings), 0), coalesce(sum(infos), 0) "
            "FROM messages WHERE seq >= ?",
            (self.view_start,),
        )[0]
        return {
            "messages": row[0],
            "messages_with_errors": row[1],
            "messages_with_warnings": row[2],
            "errors": row[3],
            "warnings": row[4],
            "info": row[5],
            "rejected": self.rejected_count(),
        }


@dataclass(slots=True)
class SessionMessage:
    """A stored message with what its request said about it: how many messages the request
    carried and the batch's own ``sentAt`` (checked as at arrival when re-checking)."""

    message: Message
    batch_count: int
    sent_at: Any


def read_session_messages(path: str | os.PathLike[str]) -> Iterator[SessionMessage]:
    """Every message of a saved session, in order (for `check`, `diff`, `open`): the
    ``Message`` (JSON as sent, exact ``raw`` bytes, arrival time) and its request's facts."""
    store = Store(path, readonly=True)
    last: tuple[int, int, Any] = (-1, 1, None)
    try:
        for m in store.iter_messages():
            if m.request_id != last[0]:
                last = (m.request_id, *_request_facts(store, m.request_id))
            yield SessionMessage(m, last[1], last[2])
    finally:
        store.close()


def _request_facts(store: Store, request_id: int) -> tuple[int, Any]:
    """(message count, the batch's sentAt or None) of one stored request."""
    rows = store.execute("SELECT message_count, body FROM requests WHERE id = ?", (request_id,))
    if not rows:
        return 1, None
    count, body = int(rows[0][0] or 1), bytes(rows[0][1])
    sent_at = None
    if count > 0 and b'"sentAt"' in body and body.lstrip()[:1] == b"{":
        try:
            top = loads_exact(body)
        except (ValueError, RecursionError):
            top = None
        if isinstance(top, dict) and isinstance(top.get("batch"), list):
            sent_at = top.get("sentAt")
    return max(count, 1), sent_at
