"""A JSON document: messages with their violations and request metadata, and rejected requests.

Streamed piece by piece (one message per line inside the arrays), never built in memory::

    {"inspector": {"version", "session", "exportedAt", "filter"},
     "messages": [{"seq", "receivedAt", "endpoint", "writeKey", "message", "violations",
                   "request": {"id", "method", "path", "headers", "wireSize", "gzip"}}, ...],
     "rejected": [{"id", "receivedAt", "method", "path", "status", "reason", "writeKey",
                   "headers", "body", "bodyEncoding", "gzip", "wireSize"}, ...],
     "counts": {"messages", "rejected"}}

``message`` is the message's text as sent (batch context merged), spliced in byte for
byte, so its values are exactly what the SDK wrote. ``headers`` are ``[name, value]``
pairs in the order received. A rejected body that is not UTF-8 is base64 with
``"bodyEncoding": "base64"`` (otherwise ``"text"``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, BinaryIO

import orjson

from inspector import __version__
from inspector.export._common import (
    ExportOptions,
    body_text,
    dumps,
    iter_message_raw,
    iter_request_rows,
    one_line,
)
from inspector.filters import Filter
from inspector.store import Store

EXTENSION = "json"
MIME = "application/json"

_COLUMNS = (
    "m.seq, m.received_at, m.endpoint, m.write_key, m.violations, "
    "r.id, r.method, r.path, r.headers, r.wire_size, r.body_encoding"
)


def _now() -> str:
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def export(store: Store, flt: Filter, out: BinaryIO, opts: ExportOptions) -> int:
    head = {
        "version": __version__,
        "session": opts.session_name or store.path.name,
        "exportedAt": opts.extra.get("exported_at") or _now(),
        "filter": flt.text or None,
    }
    write = out.write
    write(b'{"inspector":' + orjson.dumps(head) + b',\n"messages":[')
    n = 0
    last_rid = -1
    request = b""
    for row, raw in iter_message_raw(store, flt, opts, _COLUMNS, sent_at=True):
        seq, received_at, endpoint, wk, vblob, rid, method, path, hdrs, wire, enc = row
        if rid != last_rid:  # a batch's messages come together: serialize its request once
            last_rid = rid
            request = dumps(
                {
                    "id": rid,
                    "method": method,
                    "path": path,
                    "headers": orjson.loads(hdrs),
                    "wireSize": wire,
                    "gzip": enc is not None,
                }
            )
        item: dict[str, Any] = {
            "seq": seq,
            "receivedAt": received_at,
            "endpoint": endpoint,
            "writeKey": wk,
        }
        # The message's own bytes, spliced in: re-encoding would change its values.
        violations = dumps(orjson.loads(vblob)) if vblob else b"[]"
        write(
            (b"\n" if n == 0 else b",\n")
            + dumps(item)[:-1]
            + b',"message":'
            + one_line(raw)
            + b',"violations":'
            + violations
            + b',"request":'
            + request
            + b"}"
        )
        n += 1
    write(b"\n],\n" if n else b"],\n")
    write(b'"rejected":[')
    k = 0
    for row in iter_request_rows(store, flt, opts, rejected_only=True):
        rid, received_at, method, path, _kind, status, reason, wk, hdrs, body, enc, wire, _ = row
        text, is_b64 = body_text(bytes(body))
        rej = {
            "id": rid,
            "receivedAt": received_at,
            "method": method,
            "path": path,
            "status": status,
            "reason": reason,
            "writeKey": wk,
            "headers": orjson.loads(hdrs),
            "body": text,
            "bodyEncoding": "base64" if is_b64 else "text",
            "gzip": enc is not None,
            "wireSize": wire,
        }
        write((b"\n" if k == 0 else b",\n") + dumps(rej))
        k += 1
    write(b"\n],\n" if k else b"],\n")
    write(b'"counts":' + orjson.dumps({"messages": n, "rejected": k}) + b"}\n")
    return n
