"""HAR 1.2 of the raw HTTP requests, rejected ones included, for devtools and HTTP tools.

One entry per request the inspector received (ingestion, rejected, settings fetches,
browser metrics), oldest first. Choices (HAR 1.2 leaves these open):

- ``request.postData.text`` holds the body as received. A gzip body is stored inflated, so
  the text is the inflated JSON; the ``Content-Encoding: gzip`` header is kept as sent and
  ``request.bodySize`` is the size on the wire. A body that is not UTF-8 is written as
  base64 with ``"_encoding": "base64"`` (HAR 1.2 has ``encoding`` only on response content;
  custom fields start with an underscore) and a ``comment`` saying so.
- The inspector does not record its responses byte for byte. ``response`` is rebuilt from
  the recorded status: ``{"success":true}`` for accepted requests, the rejection reason for
  refused ones (``response.comment`` says it was reconstructed).
- ``time`` and ``timings`` are 0: the inspector does not time requests.
- ``_inspector`` on each entry holds the request id, kind, reason, message count and
  whether the body came gzip, so ``inspector open file.har`` rebuilds the session.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, BinaryIO
from urllib.parse import parse_qsl, urlsplit

import orjson

from inspector import __version__
from inspector.export._common import ExportOptions, body_text, dumps, header, iter_request_rows
from inspector.filters import Filter
from inspector.store import Store

EXTENSION = "har"
MIME = "application/json"
HTTP_VERSION = "HTTP/1.1"


def _status_text(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _response(status: int, reason: str | None, kind: str) -> dict[str, Any]:
    if reason is not None:
        text = dumps({"code": "rejected", "message": reason}).decode()
    elif kind == "settings":
        text = ""
    else:
        text = '{"success":true}'
    size = len(text.encode())
    return {
        "status": status,
        "statusText": _status_text(status),
        "httpVersion": HTTP_VERSION,
        "headers": [{"name": "Content-Type", "value": "application/json"}] if text else [],
        "cookies": [],
        "content": {"size": size, "mimeType": "application/json", "text": text},
        "redirectURL": "",
        "headersSize": -1,
        "bodySize": size,
        "comment": "reconstructed by the inspector from the recorded status",
    }


def entry(row: tuple[Any, ...]) -> dict[str, Any]:
    rid, received_at, method, path, kind, status, reason, _wk, hdrs, body, enc, wire, count = row
    headers = orjson.loads(hdrs)
    host = header(headers, "Host") or "localhost"
    url = f"http://{host}{path if path.startswith('/') else '/' + path}"
    query = urlsplit(url).query
    body = bytes(body)
    request: dict[str, Any] = {
        "method": method,
        "url": url,
        "httpVersion": HTTP_VERSION,
        "headers": [{"name": k, "value": v} for k, v in headers],
        "queryString": [
            {"name": k, "value": v} for k, v in parse_qsl(query, keep_blank_values=True)
        ],
        "cookies": [],
        "headersSize": -1,
        "bodySize": wire if body or wire else 0,
    }
    if body or method not in ("GET", "HEAD", "OPTIONS"):
        text, is_b64 = body_text(body)
        post: dict[str, Any] = {
            "mimeType": header(headers, "Content-Type") or "",
            "text": text,
        }
        if is_b64:
            post["_encoding"] = "base64"
            post["comment"] = "body is not UTF-8; text is base64"
        elif enc:
            post["comment"] = f"inflated from {enc} ({wire} bytes on the wire)"
        request["postData"] = post
    return {
        "startedDateTime": received_at,
        "time": 0,
        "request": request,
        "response": _response(status, reason, kind),
        "cache": {},
        "timings": {"send": 0, "wait": 0, "receive": 0},
        "_inspector": {
            "requestId": rid,
            "kind": kind,
            "reason": reason,
            "messageCount": count,
            "bodyEncoding": enc,
            "wireSize": wire,
        },
    }


def export(store: Store, flt: Filter, out: BinaryIO, opts: ExportOptions) -> int:
    """Writes the HAR; returns the number of entries (requests) written."""
    creator = {"name": "inspector", "version": __version__}
    write = out.write
    write(
        b'{"log":{"version":"1.2","creator":'
        + orjson.dumps(creator)
        + b',"comment":'
        + orjson.dumps(f"session {opts.session_name or store.path.name}")
        + b',"entries":['
    )
    n = 0
    for row in iter_request_rows(store, flt, opts):
        write((b"\n" if n == 0 else b",\n") + dumps(entry(row)))
        n += 1
    write(b"\n]}}\n" if n else b"]}}\n")
    return n
