"""What every exporter shares: the streaming query, JSON that never fails, CSV-safe cells.

Exporters read the session with their own SQL on a private read-only connection
(``Store.iter_query``), a couple of thousand rows at a time, so memory stays flat whatever
the session size. The filter's condition is applied inside a sub-select on ``messages``
alone: the filter terms use bare column names (``write_key``, ``received_at``) that the
``requests`` table has too, so they must not see the join.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from inspector.export._raw import apply_extra, top_member, with_default
from inspector.filters import Filter
from inspector.jsonutil import deep_recursion, dumps_exact, loads_exact
from inspector.store import Store

#: Request paths whose body is a batch (``{"batch": [...], "sentAt"?...}``).
_BATCH_PATH = re.compile(r"^/v1/(batch|import|b)/?$")

#: Header of the synthetic request an imported message is stored in when the file gave it
#: no arrival time (``inspector.importer``): the NDJSON export then leaves ``receivedAt``
#: out again, so ``export x.ndjson`` gives the lines back as they were read.
NO_ARRIVAL_HEADER = ("X-Inspector-Received-At", "none")
#: SQL: 1 when the message's request carries NO_ARRIVAL_HEADER (headers are stored as
#: compact JSON pairs), for exporters' ``columns``.
#: Only a stand-in arrival time (the importer's, counted from the Unix epoch) can have it,
#: so the headers are searched for those rows only: instr on every row halved export speed.
NO_ARRIVAL_SQL = (
    "CASE WHEN m.received_at < '1971' THEN "
    f"""instr(r.headers, '["{NO_ARRIVAL_HEADER[0]}","{NO_ARRIVAL_HEADER[1]}"]') > 0 """
    "ELSE 0 END"
)


@dataclass
class ExportOptions:
    """How an export is scoped. ``include_hidden``: also messages before the last reset."""

    include_hidden: bool = True
    #: Shown in the JSON document's header; the session file name by default.
    session_name: str | None = None
    #: The output is a terminal: text formats escape control characters (``safety.clean``).
    terminal: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def loads(raw: bytes) -> Any:
    """Parse JSON without losing anything (see ``inspector.jsonutil.loads_exact``)."""
    return loads_exact(raw)


def dumps(value: Any) -> bytes:
    """Compact JSON bytes. Deterministic: ``dumps(loads(dumps(x))) == dumps(x)``."""
    return dumps_exact(value)


def message_scope(flt: Filter, opts: ExportOptions, store: Store) -> tuple[str, list[Any]]:
    """A sub-select of the messages in scope, and its parameters."""
    start = 1 if opts.include_hidden else store.view_start
    return (
        f"(SELECT * FROM messages WHERE seq >= ? AND ({flt.where}))",
        [start, *flt.params],
    )


def iter_message_rows(
    store: Store, flt: Filter, opts: ExportOptions, columns: str
) -> Iterator[tuple[Any, ...]]:
    """Rows of ``columns`` (prefixed ``m.``/``r.``) for the messages in scope, in seq order."""
    scope, params = message_scope(flt, opts, store)
    sql = f"SELECT {columns} FROM {scope} m ORDER BY m.seq"
    return store.iter_query(sql, params)


def _message_rows(
    store: Store, flt: Filter, opts: ExportOptions, columns: str, *, first_body: bool = False
) -> Iterator[tuple[Any, ...]]:
    """``columns``, then extra, request id, batch index, the request's path and the
    message's bytes (NULL when its span was not recorded at ingest) for every message in
    scope, in seq order. ``first_body``: and the whole request body on the first message of
    each request (NULL on the others), so a batch's own members are read without a query
    per request."""
    scope, params = message_scope(flt, opts, store)
    body = ", CASE WHEN m.batch_index = 0 THEN r.body END" if first_body else ""
    sql = (
        f"SELECT {columns}, m.extra, m.request_id, m.batch_index, r.path, "
        "CASE WHEN m.raw_start >= 0 THEN substr(r.body, m.raw_start + 1, m.raw_end - m.raw_start) END"
        f"{body} FROM {scope} m JOIN requests r ON r.id = m.request_id ORDER BY m.seq"
    )
    return store.iter_query(sql, params)


_BATCH_PATHS: dict[str, bool] = {}


def _is_batch_path(path: Any) -> bool:
    # Called per exported message; the paths are few, so remember the answers.
    if not isinstance(path, str):
        return False
    known = _BATCH_PATHS.get(path)
    if known is None:
        known = _BATCH_PATH.match(path.split("?", 1)[0]) is not None
        if len(_BATCH_PATHS) < 10_000:
            _BATCH_PATHS[path] = known
    return known


def iter_message_data(
    store: Store, flt: Filter, opts: ExportOptions, columns: str, *, sent_at: bool = False
) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """(row of ``columns``, message) pairs in seq order. The message is as sent, with the
    fields the inspector merged in (batch context, type from the path), parsed exactly.
    ``sent_at``: a batch's own ``sentAt`` is set on its messages that have none."""
    items = _BatchItems(store)
    for row in _message_rows(store, flt, opts, columns):
        *cols, extra, request_id, batch_index, path, raw = row
        data = loads(bytes(raw)) if raw is not None else items.get(request_id, batch_index)
        if extra and isinstance(data, dict):
            data.update(loads(bytes(extra)))
        if sent_at and isinstance(data, dict) and "sentAt" not in data and _is_batch_path(path):
            value = items.sent_at(request_id)
            if value is not None:
                data["sentAt"] = loads(value)
        yield tuple(cols), data


def iter_message_raw(
    store: Store, flt: Filter, opts: ExportOptions, columns: str, *, sent_at: bool = False
) -> Iterator[tuple[tuple[Any, ...], bytes]]:
    """(row of ``columns``, message text) pairs in seq order: the exact bytes the SDK sent,
    with the members the inspector merged in (batch context, type from the path) spliced
    in. Nothing is parsed and re-encoded, so every value stays as written (``1.10``,
    ``1e400``, integers past 64 bits, escapes).

    ``sent_at`` (the exports): the batch-level ``sentAt`` of a message's batch is spliced
    into a message that has no ``sentAt`` of its own, as Segment applies it to every item
    (replay leaves it out: it stamps its own batches)."""
    items = _BatchItems(store)
    if not sent_at:
        for row in _message_rows(store, flt, opts, columns):
            *cols, extra, request_id, batch_index, path, raw = row
            text = bytes(raw) if raw is not None else items.raw(request_id, batch_index)
            yield tuple(cols), apply_extra(text, bytes(extra) if extra else None)
        return
    current, batch_sent = None, None
    for row in _message_rows(store, flt, opts, columns, first_body=True):
        *cols, extra, request_id, batch_index, path, raw, body = row
        text = bytes(raw) if raw is not None else items.raw(request_id, batch_index)
        text = apply_extra(text, bytes(extra) if extra else None)
        if request_id != current:  # once per request, not per message
            current, batch_sent = request_id, None
            if _is_batch_path(path):
                if body is None:  # its first message is filtered out: read the body
                    batch_sent = items.sent_at(request_id)
                else:
                    data = bytes(body)
                    if b"sentAt" in data or b"\\u" in data:
                        batch_sent = top_member(data, "sentAt")
        if batch_sent is not None:
            text = with_default(text, "sentAt", batch_sent)
        yield tuple(cols), text


def one_line(text: bytes) -> bytes:
    """A JSON text on one line. Outside strings a raw CR or LF can only be whitespace
    (inside strings JSON requires them escaped), so dropping them changes no value."""
    if b"\n" in text or b"\r" in text:
        return text.replace(b"\r", b"").replace(b"\n", b"")
    return text


class _BatchItems:
    """Messages stored without a byte span (the fast ingest path marks them -1) are read
    from their request's body, and a batch's ``sentAt`` from it. Rows come in seq order,
    so one cached request is enough."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.request_id = -1
        self.items: list[Any] = []
        self.body = b""
        self.spans: list[tuple[int, int]] | None = None
        self._sent_at: bytes | None = None
        self._sent_at_read = False

    def _load(self, request_id: int) -> None:
        rows = self.store.execute("SELECT body FROM requests WHERE id = ?", (request_id,))
        self.body = bytes(rows[0][0]) if rows else b""
        self.items = []
        self.spans = None
        self._sent_at_read = False
        self.request_id = request_id

    def sent_at(self, request_id: int) -> bytes | None:
        """The JSON text of the batch body's own top-level ``sentAt``, if it has one."""
        if request_id != self.request_id:
            self._load(request_id)
        if not self._sent_at_read:
            self._sent_at_read = True
            self._sent_at = top_member(self.body, "sentAt")
        return self._sent_at

    def raw(self, request_id: int, index: int) -> bytes:
        """The item's exact bytes."""
        if request_id != self.request_id:
            self._load(request_id)
        if self.spans is None:
            from inspector.ingest.decode import DecodeError, batch_spans

            try:
                with deep_recursion():
                    self.spans = batch_spans(self.body)
            except (DecodeError, RecursionError, ValueError):
                self.spans = []
        if index >= len(self.spans):
            return b"null"
        a, b = self.spans[index]
        return self.body[a:b]

    def get(self, request_id: int, index: int) -> Any:
        if request_id != self.request_id:
            self._load(request_id)
        if not self.items and self.body:
            try:
                doc = loads(self.body)
            except ValueError:
                doc = None
            batch = doc.get("batch") if isinstance(doc, dict) else None
            self.items = batch if isinstance(batch, list) else []
        if index >= len(self.items):
            return None
        item = self.items[index]
        return dict(item) if isinstance(item, dict) else item


REQUEST_COLUMNS = (
    "r.id, r.received_at, r.method, r.path, r.kind, r.status, r.reason, r.write_key, "
    "r.headers, r.body, r.body_encoding, r.wire_size, r.message_count"
)


def iter_request_rows(
    store: Store, flt: Filter, opts: ExportOptions, *, rejected_only: bool = False
) -> Iterator[tuple[Any, ...]]:
    """Requests in scope, oldest first.

    Without a filter (and without a reset view to honour) that is every request, rejected
    ones, settings fetches and browser metrics included. With one, it is the requests that
    carried at least one matching message: a filter is about messages, and rejected
    requests have none.
    """
    where = "r.reason IS NOT NULL" if rejected_only else "1"
    if flt.empty and (opts.include_hidden or store.view_start <= 1):
        sql = f"SELECT {REQUEST_COLUMNS} FROM requests r WHERE {where} ORDER BY r.id"
        return store.iter_query(sql, (), chunk=200)
    if rejected_only:
        return iter(())
    scope, params = message_scope(flt, opts, store)
    sql = (
        f"SELECT {REQUEST_COLUMNS} FROM requests r "
        f"WHERE r.id IN (SELECT DISTINCT request_id FROM {scope}) ORDER BY r.id"
    )
    return store.iter_query(sql, params, chunk=200)


def with_received_at(data: Any, received_at: str) -> Any:
    """The message with ``receivedAt`` set last (an existing one moves to the end)."""
    if not isinstance(data, dict):
        return data
    if "receivedAt" in data:
        del data["receivedAt"]
    data["receivedAt"] = received_at
    return data


def header(headers: Sequence[Sequence[str]], name: str) -> str | None:
    lname = name.lower()
    for k, v in headers:
        if k.lower() == lname:
            return v
    return None


def body_text(body: bytes) -> tuple[str, bool]:
    """The body as text, or as base64 when it is not UTF-8 (second value True)."""
    try:
        return body.decode("utf-8"), False
    except UnicodeDecodeError:
        import base64

        return base64.b64encode(body).decode("ascii"), True
