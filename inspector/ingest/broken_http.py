"""Requests that aiohttp's HTTP parser refuses before any handler runs: capture them too.

A bad chunk size, a 100 KB URL, an over-long header, ``Content-Length: abc`` or TLS sent to
the plain-HTTP port never reach the app's routes: aiohttp answers them itself with a
text/plain 400. "Nothing the SDK sent is lost" covers these as well, so the connection
handler below keeps the bytes of the chunk the parser failed on and stores them as a
rejected request (reason ``bad_http``), answered with Segment's JSON error shape.

This reaches into aiohttp's ``RequestHandler`` (``_messages``, ``_make_error_handler``). If
a future aiohttp renames those, the hook steps aside and aiohttp's own answer stands; the
tests in tests/ingest/test_broken_http.py say so loudly.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web, web_protocol
from aiohttp.http_exceptions import HttpProcessingError

#: How much of the chunk the parser failed on is kept (the head and the start of the body).
KEEP_BYTES = 64 * 1024

_ErrInfo = getattr(web_protocol, "_ErrInfo", None)


_REQUEST_LINE = re.compile(rb"(?:^|\r?\n)([A-Z]{3,10} [^ \r\n]+ HTTP/1\.[01]\r?\n)")


def last_request_start(raw: bytes) -> int:
    """Where the last request line in ``raw`` starts (0 when there is none): the request
    that failed is the last one (pipelined ones before it were whole)."""
    start = 0
    for m in _REQUEST_LINE.finditer(raw):
        start = m.start(1)
    return start


def split_raw(raw: bytes) -> tuple[str, str, list[tuple[str, str]], bytes]:
    """Best effort: method, path, headers and body of raw HTTP/1.x bytes that did not parse."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = raw.partition(b"\n\n")
    if not sep:  # no end of head: nothing to call a body
        head, body = raw, b""
    lines = head.replace(b"\r\n", b"\n").split(b"\n")
    words = lines[0].split(b" ") if lines else []
    method, path = "?", ""
    if len(words) >= 2 and words[0].isalpha() and words[0].isascii() and len(words[0]) <= 16:
        method = words[0].decode("ascii")
        path = words[1].decode("latin-1")
    elif lines and lines[0]:
        # Not a request line at all (TLS hello, binary): the whole thing is the body.
        return "?", "", [], raw
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if colon:
            headers.append((name.decode("latin-1").strip(), value.decode("latin-1").strip()))
    return method, path, headers, body


def _answer(err_message: str) -> web.Response:
    text = " ".join(err_message.split())
    if "HTTPS traffic" in text:
        hint = "Point the SDK at http://, not https://: the inspector speaks plain HTTP"
    else:
        hint = f"Malformed HTTP request ({text[:200]})"
    resp = web.json_response({"code": "bad_request", "message": hint}, status=400)
    resp.force_close()  # where the next request starts is unknown after a framing error
    return resp


class CapturingRequestHandler(web_protocol.RequestHandler):
    """aiohttp's connection handler, plus: a request its parser refuses is stored."""

    _bad_bytes: bytes = b""
    _bad_truncated: bool = False
    #: The previous read (its last 64 KB): a request head often spans two reads.
    _prev: bytes = b""
    #: The parse error cut off the body of a request already being handled: that request
    #: is answered and kept (incomplete_body), so the error itself is not kept twice.
    _absorbed: bool = False
    #: Set by CapturingServer: ``(method, path, headers, body, reason) -> awaitable``.
    keep_broken: Callable[[str, str, list[tuple[str, str]], bytes, str], Awaitable[Any]] | None

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        messages = getattr(self, "_messages", None)
        # Only when this chunk failed to parse (rare): keep the failing request's bytes,
        # from its request line (in this read or the one before) for at most 64 KB.
        if messages and _ErrInfo is not None and isinstance(messages[-1][0], _ErrInfo):
            both = self._prev + bytes(data)
            raw = both[last_request_start(both) :]
            self._bad_truncated = len(raw) > KEEP_BYTES
            self._bad_bytes = raw[:KEEP_BYTES]
            current = getattr(self, "_current_request", None)
            content = getattr(current, "content", None)
            if content is not None and not content.is_eof():
                # aiohttp drops the body stream of the request in flight without an error,
                # so its handler would wait for the rest forever: end it with the error.
                content.set_exception(messages[-1][0].exc)
                self._absorbed = True
        # bytes(data) is data itself (no copy) unless the read was large.
        self._prev = bytes(data[-KEEP_BYTES:]) if len(data) > KEEP_BYTES else bytes(data)

    def _make_error_handler(self, err_info: Any) -> Callable[[web.BaseRequest], Awaitable[Any]]:
        keep = getattr(self, "keep_broken", None)
        exc = getattr(err_info, "exc", None)
        if keep is None or not isinstance(exc, HttpProcessingError):
            return super()._make_error_handler(err_info)  # type: ignore[misc]
        raw, self._bad_bytes = self._bad_bytes, b""
        truncated, self._bad_truncated = self._bad_truncated, False
        absorbed, self._absorbed = self._absorbed, False
        message = str(getattr(err_info, "message", "") or exc)

        async def handler(request: web.BaseRequest) -> web.StreamResponse:
            if absorbed:
                return _answer(message)
            method, path, headers, body = split_raw(raw)
            reason = f"bad_http: {' '.join(message.split())[:300]}"
            if truncated:
                reason += f" (the first {KEEP_BYTES // 1024} KB of the request kept)"
            with contextlib.suppress(Exception):  # a full disk: aiohttp's answer still goes out
                await asyncio.shield(keep(method, path, headers, body, reason))
            return _answer(message)

        return handler


class CapturingServer(web.Server):
    """Makes CapturingRequestHandler connections (aiohttp's ``Server.__call__`` otherwise)."""

    keep_broken: Callable[[str, str, list[tuple[str, str]], bytes, str], Awaitable[Any]] | None = (
        None
    )

    def __call__(self) -> web_protocol.RequestHandler:
        handler = CapturingRequestHandler(self, loop=self._loop, **self._kwargs)
        handler.keep_broken = self.keep_broken
        return handler
