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
  refused ones, the settings JSON for a settings fetch (``response.comment`` says it was
  reconstructed).
- ``request.url`` is ``http://HOST`` + the path as received, percent-encoded where a URL
  needs it. HOST is the request's ``Host`` header when that is a valid ``host[:port]``,
  else ``127.0.0.1`` (a forged ``Host: evil/"<>`` must not change the path a reader sees).
- ``httpVersion`` is always ``HTTP/1.1``: the inspector does not record the version.
- ``time`` and ``timings`` are 0: the inspector does not time requests.
- ``_inspector`` on each entry holds the request id, kind, reason, message count, whether
  the body came gzip and the path exactly as received, so ``inspector open file.har``
  rebuilds the session.
"""

from __future__ import annotations

import ipaddress
import re
from http import HTTPStatus
from typing import Any, BinaryIO
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import orjson

from inspector import __version__
from inspector.export._common import ExportOptions, body_text, dumps, header, iter_request_rows
from inspector.filters import Filter
from inspector.store import Store

EXTENSION = "har"
MIME = "application/json"
HTTP_VERSION = "HTTP/1.1"
#: Where the URL points when the request's Host header cannot be used.
FALLBACK_HOST = "127.0.0.1"

_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?"
_HOST = re.compile(
    rf"^(?:(?P<name>{_LABEL}(?:\.{_LABEL})*\.?)|\[(?P<ip6>[0-9A-Fa-f:.]+)\])(?::(?P<port>[0-9]{{1,5}}))?$"
)
#: What stays as it is in a URL's path and query (RFC 3986 pchar, "/", "?", and "%"
#: which _stray_percent fixes when it starts no escape).
_URL_SAFE = "/?:@!$&'()*+,;=-._~%"
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_SETTINGS = re.compile(r"^(?:/v1)?/projects/([^/]+)/settings/?$")


def url_host(host: str | None) -> str:
    """The Host header when it is a valid ``host[:port]``, else ``FALLBACK_HOST``."""
    if not host:
        return FALLBACK_HOST
    m = _HOST.match(host)
    if m is None:
        return FALLBACK_HOST
    port = m.group("port")
    if port is not None and not 0 < int(port) < 65536:
        return FALLBACK_HOST
    ip6 = m.group("ip6")
    if ip6 is not None:
        try:
            ipaddress.IPv6Address(ip6)
        except ValueError:
            return FALLBACK_HOST
    return host


def url_path(path: str) -> str:
    """The path and query as received, percent-encoded where a URL needs it (spaces,
    quotes, ``<>``, ``#``, controls, non-ASCII); existing escapes are kept."""
    p = path if path.startswith("/") else "/" + path
    p = _STRAY_PERCENT.sub("%25", p)
    return quote(p, safe=_URL_SAFE, encoding="utf-8", errors="surrogateescape")


def _settings_text(path: str, host: str | None) -> str | None:
    """The settings JSON the inspector answered to this fetch, rebuilt the way
    ``inspector.ingest.app.handle_settings`` builds it; None when it cannot be (no Host
    header: the answer then used the server's public address, which is not recorded)."""
    m = _SETTINGS.match(path.split("?", 1)[0])
    if m is None or not host:
        return None
    from inspector.ingest.app import settings_body

    return dumps(settings_body(unquote(m.group(1)), host)).decode()


def _status_text(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _response(
    status: int, reason: str | None, kind: str, settings: str | None = None
) -> dict[str, Any]:
    if reason is not None:
        text = dumps({"code": "rejected", "message": reason}).decode()
    elif kind == "settings":
        text = settings or ""
    else:
        text = '{"success":true}'
    size = len(text.encode())
    comment = "reconstructed by the inspector from the recorded status"
    if kind == "settings" and reason is None and not text:
        comment += " (the settings it answered cannot be rebuilt: the request had no Host)"
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
        "comment": comment,
    }


def entry(row: tuple[Any, ...]) -> dict[str, Any]:
    rid, received_at, method, path, kind, status, reason, _wk, hdrs, body, enc, wire, count = row
    headers = orjson.loads(hdrs)
    host = header(headers, "Host")
    url = f"http://{url_host(host)}{url_path(path)}"
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
        "response": _response(
            status,
            reason,
            kind,
            _settings_text(path, host) if kind == "settings" and reason is None else None,
        ),
        "cache": {},
        "timings": {"send": 0, "wait": 0, "receive": 0},
        "_inspector": {
            "requestId": rid,
            "kind": kind,
            "reason": reason,
            "messageCount": count,
            "bodyEncoding": enc,
            "wireSize": wire,
            "path": path,
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
