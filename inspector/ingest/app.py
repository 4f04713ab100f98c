"""The aiohttp application: Segment's ingestion API, the settings (CDN) endpoint, CORS,
and the inspector's own test API under ``/inspector/``.

``create_app(capture)`` builds it (no globals); ``start_server`` binds it with an
``AppRunner`` + ``TCPSite`` so the Textual app and headless mode run it the same way.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ipaddress
import logging
import os
import re
import sqlite3
import sys
from collections import Counter
from typing import Any, NamedTuple, cast

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from inspector import __version__, filters
from inspector.ingest.broken_http import CapturingServer
from inspector.ingest.decode import LONG_TYPES, SETTINGS_PATH, SHORT_TYPES, ingest_route
from inspector.ingest.service import Capture
from inspector.jsonutil import dumps_exact, loads_exact
from inspector.model import Message
from inspector.safety import clean
from inspector.store import StoreError

#: Read at most this much of a request body; a larger one is refused (and kept truncated).
MAX_WIRE_BYTES = 8 * 1024 * 1024

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Authorization, X-Retry-Count, Content-Encoding",
    "Access-Control-Max-Age": "86400",
}

CAPTURE_KEY: web.AppKey[Capture] = web.AppKey("capture", Capture)
PUBLIC_URL_KEY: web.AppKey[list[str]] = web.AppKey("public_url", list)
WAITERS_KEY: web.AppKey[_Waiters] = web.AppKey("waiters")


def _json(data: Any, status: int = 200) -> web.Response:
    # Every answer carries the CORS headers (browsers read ingest answers and the settings).
    # Set here rather than in a middleware: a middleware layer costs on every request.
    return web.Response(
        body=dumps_exact(data),
        status=status,
        content_type="application/json",
        headers=CORS_HEADERS,
    )


def _headers(request: web.Request) -> list[tuple[str, str]]:
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.raw_headers]


#: A body must arrive within this many seconds (stalled clients must not hold connections).
BODY_TIMEOUT = 30.0


class Body(NamedTuple):
    data: bytes
    #: None, or why the body is not whole: "payload_too_large" (kept truncated),
    #: "incomplete_body" (the client went away) or "request_timeout" (it stalled).
    problem: str | None = None
    reason: str = ""


async def _read_body(request: web.Request) -> Body:
    """The body (at most MAX_WIRE_BYTES), and what went wrong reading it, if anything.

    A body cut off by the client (closed early, bad chunking, stalled) is still returned as
    far as it came, so it is kept as a rejected request: nothing the SDK sent is lost.
    """
    content = request.content
    length = request.content_length
    if length is not None and length <= MAX_WIRE_BYTES and content.is_eof():
        return Body(await request.read())  # the common case: all of it is already here
    chunks: list[bytes] = []
    size = 0
    expected = f" of {length:,}" if length is not None else ""
    waiters = request.app[WAITERS_KEY]
    waiters.readers.add(content)  # so stopping the inspector ends this wait at once
    try:
        if waiters.closing:
            raise _Stopping
        async with asyncio.timeout(BODY_TIMEOUT):
            while True:
                chunk = await content.readany()
                if not chunk:
                    return Body(b"".join(chunks))
                size += len(chunk)
                if size > MAX_WIRE_BYTES:
                    chunks.append(chunk[: MAX_WIRE_BYTES - (size - len(chunk))])
                    return Body(
                        b"".join(chunks),
                        "payload_too_large",
                        f"Body larger than {MAX_WIRE_BYTES // (1024 * 1024)} MB (kept truncated)",
                    )
                chunks.append(chunk)
    except TimeoutError:
        return Body(
            b"".join(chunks),
            "request_timeout",
            f"The body did not arrive within {BODY_TIMEOUT:g} s ({size:,}{expected} bytes came)",
        )
    except _Stopping:
        return Body(
            b"".join(chunks),
            "shutting_down",
            f"The inspector stopped while the body was arriving ({size:,}{expected} bytes came)",
        )
    except HttpProcessingError as exc:  # a malformed chunk after the head: as bad_http
        what = " ".join(str(getattr(exc, "message", "") or exc).split())[:300]
        return Body(
            b"".join(chunks),
            "bad_http",
            f"bad_http: {what} (after {size:,} bytes of the body)",
        )
    except Exception as exc:  # connection lost: keep what came
        what = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
        return Body(
            b"".join(chunks),
            "incomplete_body",
            f"The body was cut off after {size:,}{expected} bytes ({what})",
        )
    finally:
        waiters.readers.discard(content)


class _Stopping(Exception):
    """Set on the body streams still arriving when the inspector stops."""


class BadParam(ValueError):
    """A test-API query parameter is malformed: answered 400 with a JSON message."""


async def handle_options(request: web.Request) -> web.Response:
    """CORS preflight (analytics.js >= 1.84 sends Authorization and X-Retry-Count). Kept in
    the session like every request; a session file that cannot take it must not break the
    browser's next POST, which is what carries the events."""
    if request.path == "/inspector" or request.path.startswith("/inspector/"):
        # The test API is not for web pages elsewhere: only a loopback origin is allowed.
        resp = web.Response(status=204)
        origin = request.headers.get("Origin")
        local = origin is not None and _local_origin(origin)
        answer = _api_answer(resp, origin)
        if local:
            answer.headers.update(_preflight_headers(request))
            answer.headers.pop("Access-Control-Allow-Private-Network", None)
            answer.headers["Access-Control-Allow-Origin"] = cast(str, origin)
        return answer
    capture = request.app[CAPTURE_KEY]
    body = (await _read_body(request)).data
    with contextlib.suppress(StoreError, sqlite3.Error):
        await capture.keep(
            "OPTIONS", _path_with_query(request), _headers(request), body, kind="other", status=204
        )
    return web.Response(status=204, headers=_preflight_headers(request))


def _preflight_headers(request: web.Request) -> dict[str, str]:
    """CORS headers for a preflight: whatever headers the page asks for (analytics-next can
    add custom ones), and Chrome's Private Network Access for a public page posting to
    127.0.0.1."""
    headers = dict(CORS_HEADERS)
    wanted = request.headers.get("Access-Control-Request-Headers")
    if wanted:
        names: dict[str, str] = {}
        for h in CORS_HEADERS["Access-Control-Allow-Headers"].split(",") + wanted.split(","):
            if h.strip():
                names.setdefault(h.strip().lower(), h.strip())
        headers["Access-Control-Allow-Headers"] = ", ".join(names.values())
    if request.headers.get("Access-Control-Request-Private-Network") == "true":
        headers["Access-Control-Allow-Private-Network"] = "true"
    return headers


def _guarded(handler: Any) -> Any:
    """A request the session file cannot take is answered 503 (SDKs retry 5xx), never a
    500 with a traceback: nothing is acknowledged that was not written."""

    async def wrapped(request: web.Request) -> web.Response:
        try:
            return cast(web.Response, await handler(request))
        except StoreError as exc:
            message = (
                f"The inspector could not write its session file ({exc}); "
                "the request was not stored. Check the disk, then retry."
            )
            request.app[CAPTURE_KEY].storage_failed(
                request.method, _path_with_query(request), message
            )
            return _json({"code": "storage_error", "message": message}, 503)

    wrapped.__name__ = handler.__name__
    return wrapped


def _api(handler: Any) -> Any:
    """A test-API handler: its query is checked (a typo or a repeated parameter is a 400,
    never a silently wider match), and only pages on this machine may call it from a
    browser (captured events carry personal data; reset must not be a cross-site POST)."""

    async def wrapped(request: web.Request) -> web.Response:
        origin = request.headers.get("Origin")
        refused = _foreign_caller(request, origin)
        if refused is not None:
            return _api_answer(_json({"code": "forbidden", "message": refused}, 403), None)
        try:
            _check_params(request)
            resp = cast(web.Response, await handler(request))
        except BadParam as exc:
            resp = _json({"code": "bad_request", "message": str(exc)}, 400)
        return _api_answer(resp, origin)

    wrapped.__name__ = handler.__name__
    return wrapped


# ---------------------------------------------------------------- ingestion


def _path_with_query(request: web.Request) -> str:
    return request.raw_path


_BODY_ANSWERS = {
    "payload_too_large": (400, "Body too large; Segment accepts at most 500 KB per batch"),
    "bad_http": (400, "Malformed chunked body; send the request again"),
    "shutting_down": (503, "The inspector is stopping; send it again once it is back"),
    "incomplete_body": (400, "The body was cut off; send the whole body again"),
    "request_timeout": (408, "The body did not arrive in time; send it again"),
}


async def _ingest(request: web.Request, call_type: str | None, batch: bool) -> web.Response:
    capture = request.app[CAPTURE_KEY]
    body = await _read_body(request)
    headers = _headers(request)
    if body.problem is not None:
        status, message = _BODY_ANSWERS[body.problem]
        await capture.keep(
            request.method,
            _path_with_query(request),
            headers,
            body.data,
            kind="ingest",
            status=status,
            reason=body.reason,
        )
        code = "bad_request" if body.problem == "bad_http" else body.problem
        return _json({"code": code, "message": message}, status)
    outcome = await capture.ingest(
        request.method,
        _path_with_query(request),
        headers,
        body.data,
        call_type=call_type,
        batch=batch,
    )
    return _json(outcome.body, outcome.status)


async def _expect(request: web.Request) -> web.Response | None:
    """``Expect: 100-continue``: a body announced larger than the inspector reads is refused
    before the client sends it (and kept as rejected, headers only); else "go ahead"."""
    expect = request.headers.get("Expect", "").strip().lower()
    length = request.content_length
    path = re.sub("/{2,}", "/", request.path)
    kind = "ingest" if _INGEST_PATH.match(path) else "other"
    keep = not (path == "/inspector" or path.startswith("/inspector/"))  # not SDK traffic

    async def refuse(status: int, code: str, message: str, reason: str) -> web.Response:
        if keep:
            with contextlib.suppress(StoreError, sqlite3.Error):
                await request.app[CAPTURE_KEY].keep(
                    request.method,
                    _path_with_query(request),
                    _headers(request),
                    b"",
                    kind=kind,
                    status=status,
                    reason=reason,
                )
        resp = _json({"code": code, "message": message}, status)
        resp.force_close()  # the body, if one follows, is not read
        return resp

    if expect == "100-continue" and length is not None and length > MAX_WIRE_BYTES:
        reason = (
            f"Body of {length:,} bytes announced with Expect: 100-continue; the inspector "
            f"reads at most {MAX_WIRE_BYTES // (1024 * 1024)} MB, so it was not sent"
        )
        too_large = _BODY_ANSWERS["payload_too_large"][1]
        return await refuse(400, "payload_too_large", too_large, reason)
    if expect != "100-continue":
        reason = f"Unknown Expect: {clean(expect, 80)} (only 100-continue is known)"
        return await refuse(417, "expectation_failed", reason, reason)
    if request.version >= (1, 1):
        await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        request.writer.output_size = 0  # the 100 is not the start of the answer
    return None


async def handle_single(request: web.Request) -> web.Response:
    name = request.match_info["call"]
    call_type = SHORT_TYPES.get(name) or (name if name in LONG_TYPES else None)
    return await _ingest(request, call_type, batch=False)


async def handle_batch(request: web.Request) -> web.Response:
    return await _ingest(request, None, batch=True)


async def handle_metrics(request: web.Request) -> web.Response:
    capture = request.app[CAPTURE_KEY]
    body = (await _read_body(request)).data
    await capture.keep(
        request.method,
        _path_with_query(request),
        _headers(request),
        body,
        kind="metrics",
        status=200,
    )
    return _json({"success": True})


async def handle_settings(request: web.Request) -> web.Response:
    """Settings that point every SDK back at this server and load no other destination."""
    return await _settings(request, request.match_info["write_key"])


async def _settings(request: web.Request, write_key: str) -> web.Response:
    capture = request.app[CAPTURE_KEY]
    # Answer with the host the SDK used to reach us, so it sends events the same way.
    host = request.headers.get("Host") or ""
    public = request.app[PUBLIC_URL_KEY]
    if not host and public:
        host = public[0].split("://", 1)[-1].rstrip("/")
    await capture.keep(
        request.method,
        _path_with_query(request),
        _headers(request),
        b"",
        kind="settings",
        status=200,
    )
    return _json(settings_body(write_key, host))


def settings_body(write_key: str, host: str) -> dict[str, Any]:
    return {
        "integrations": {
            "Segment.io": {
                "apiKey": write_key,
                "apiHost": f"{host}/v1",
                "protocol": "http",
                "unbundledIntegrations": [],
                "addBundledMetadata": True,
                "maybeBundledConfigIds": {},
                "versionSettings": {"version": "4.4.7", "componentTypes": ["browser"]},
            }
        },
        "plan": {
            "track": {"__default": {"enabled": True, "integrations": {}}},
            "identify": {"__default": {"enabled": True}},
            "group": {"__default": {"enabled": True}},
        },
        "edgeFunction": {},
        "analyticsNextEnabled": True,
        "middlewareSettings": {},
        "enabledMiddleware": {},
        "metrics": {"sampleRate": 0, "host": f"{host}/v1"},
        "legacyVideoPluginsEnabled": False,
        "remotePlugins": [],
        "consentSettings": {"allCategories": []},
    }


#: The filters of /inspector/messages and /wait (filters.from_params reads them).
_FILTER_PARAMS = frozenset(
    {"type", "event", "name", "userId", "anonymousId", "messageId", "writeKey"}
    | {"rule", "severity", "q", "since"}
)
#: The query parameters each test-API path takes; any other is a typo, answered 400.
API_PARAMS: dict[str, frozenset[str]] = {
    "/inspector/messages": _FILTER_PARAMS | {"limit", "offset"},
    "/inspector/messages/wait": _FILTER_PARAMS | {"count", "timeout"},
    "/inspector/rejected": frozenset({"since", "limit"}),
    "/inspector/summary": frozenset(),
    "/inspector/health": frozenset(),
    "/inspector/reset": frozenset(),
}


def _hostname(netloc: str) -> str | None:
    """The host of ``host[:port]`` (``[v6]:port`` too), lower-cased; None when it is not
    one (a user-info part, a path, an empty name)."""
    if "@" in netloc or "/" in netloc or not netloc:
        return None
    if netloc.startswith("["):
        host, sep, rest = netloc[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            return None
        return host.lower()
    host, _, port = netloc.partition(":")
    if port and not port.isdigit():
        return None
    return host.lower() or None


def _is_loopback(host: str | None) -> bool:
    """localhost, *.localhost, or a loopback IP literal (127.0.0.0/8, ::1): never a name
    that merely starts with "127." (127.0.0.1.evil.example resolves anywhere)."""
    if host is None:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _local_origin(origin: str) -> bool:
    """``http://localhost:3000`` and the like: a page served from this machine. An opaque
    origin (``null``: sandboxed frames, file pages, redirects) is not known to be local."""
    scheme, sep, rest = origin.partition("://")
    if not sep or scheme.lower() not in ("http", "https"):
        return False
    return _is_loopback(_hostname(rest))


def _foreign_caller(request: web.Request, origin: str | None) -> str | None:
    """Why a test-API call is refused, or None. A browser page from another site sends its
    Origin; a DNS-rebinding page reaches a loopback-bound inspector under its own Host."""
    if origin is not None and not _local_origin(origin):
        return (
            f"The test API answers pages on this machine only, not {clean(origin, 80)}; "
            "call it from your test code, not from a web page"
        )
    public = request.app[PUBLIC_URL_KEY]
    bound = _hostname(public[0].split("://", 1)[-1].rstrip("/")) if public else None
    given = request.headers.get("Host")
    host = _hostname(given) if given else None
    if _is_loopback(bound) and given and not _is_loopback(host):
        return (
            f"The inspector listens on {bound} only, so it does not answer the host "
            f"{clean(given, 80)}; use http://127.0.0.1 or http://localhost"
        )
    return None


def _api_answer(resp: web.Response, origin: str | None) -> web.Response:
    """No wildcard CORS on the test API: a page on this machine gets its own origin back."""
    for name in CORS_HEADERS:
        resp.headers.pop(name, None)
    if origin is not None and _local_origin(origin):
        resp.headers["Access-Control-Allow-Origin"] = origin
        resp.headers["Vary"] = "Origin"
    return resp


def _check_params(request: web.Request) -> None:
    path = request.path.rstrip("/")
    allowed = API_PARAMS.get(path, frozenset())
    seen: set[str] = set()
    for key, _ in request.query.items():  # a MultiDict: a repeated key comes twice
        if key in seen:
            raise BadParam(f"{clean(key, 40)} is given more than once; give each parameter once")
        seen.add(key)
        if key not in allowed:
            takes = ", ".join(sorted(allowed)) if allowed else "no parameters"
            raise BadParam(f"{path} has no parameter {clean(key, 40)!r}; it takes {takes}")


#: Test-API paths and the method each answers.
API_METHODS = {
    "/inspector/messages": "GET",
    "/inspector/messages/wait": "GET",
    "/inspector/rejected": "GET",
    "/inspector/summary": "GET",
    "/inspector/health": "GET",
    "/inspector/reset": "POST",
}


#: The ingestion paths (they answer POST only).
_INGEST_PATH = re.compile(
    r"^/v1/(?:track|identify|page|screen|group|alias|[tipsga]|batch|import|b|m)/?$"
)


async def _doubled_slashes(request: web.Request) -> web.Response | None:
    """``//v1/batch`` or ``/v1//batch``: what Go or Java send for a host configured with a
    trailing slash. Segment's edge takes them, so the inspector does too."""
    path = re.sub("/{2,}", "/", request.path)
    if path == request.path:
        return None
    settings = SETTINGS_PATH.match(path)
    if settings and request.method == "GET":
        return await _settings(request, settings.group(1))
    if request.method != "POST":
        return None
    route = ingest_route(path)
    if route is not None:
        return await _ingest(request, route[0], batch=route[1])
    if path.rstrip("/") == "/v1/m":
        return cast(web.Response, await handle_metrics(request))
    return None


def _test_api_miss(request: web.Request) -> web.Response:
    """A typo on the test API: said clearly, and not kept as an SDK's rejected request (a
    test asserting "nothing rejected" must not fail on its own typo)."""
    path = request.path.rstrip("/")
    allowed = API_METHODS.get(path)
    if allowed is not None:
        reason = f"{clean(path, 200)} answers {allowed} only, not {clean(request.method, 20)}"
        resp = _json({"code": "method_not_allowed", "message": reason}, 405)
        resp.headers["Allow"] = allowed
    else:
        paths = ", ".join(f"{m} {p}" for p, m in API_METHODS.items())
        resp = _json(
            {
                "code": "not_found",
                "message": f"No such test-API endpoint: {clean(request.path, 200)}. "
                f"The test API is {paths}",
            },
            404,
        )
    return _api_answer(resp, request.headers.get("Origin"))


async def handle_unknown(request: web.Request) -> web.Response:
    if request.path == "/inspector" or request.path.startswith("/inspector/"):
        return _test_api_miss(request)
    answered = await _doubled_slashes(request)
    if answered is not None:
        return answered
    capture = request.app[CAPTURE_KEY]
    body = (await _read_body(request)).data
    allowed = None
    if request.method != "POST" and _INGEST_PATH.match(request.path):
        allowed = "POST"
    if allowed is not None:
        status, reason = 405, f"{request.path} answers {allowed} only, not {request.method}"
    else:
        status, reason = 404, f"No such endpoint: {request.method} {request.path}"
    await capture.keep(
        request.method,
        _path_with_query(request),
        _headers(request),
        body,
        kind="other",
        status=status,
        reason=reason,
    )
    if allowed is not None:
        resp = _json({"code": "method_not_allowed", "message": reason}, 405)
        resp.headers["Allow"] = allowed
        return resp
    return _json(
        {
            "code": "not_found",
            "message": f"{reason}. Send events to /v1/batch, /v1/track, /v1/identify, /v1/page, /v1/screen, /v1/group or /v1/alias",
        },
        404,
    )


# ---------------------------------------------------------------- test API


def message_bytes(m: Message) -> bytes:
    """One test-API item as JSON, with ``message`` spliced in as the exact bytes the SDK sent:
    numbers keep their spelling, integers beyond 64 bits and lone surrogate escapes survive,
    and nothing the inspector merged in (batch context, type from the path) is added."""
    head = dumps_exact(
        {
            "seq": m.seq,
            "receivedAt": m.received_at,
            "endpoint": m.endpoint,
            "writeKey": m.write_key,
        }
    )
    raw = m.raw.strip() if m.raw else dumps_exact(m.data)
    violations = dumps_exact([v.to_dict() for v in m.violations])
    return head[:-1] + b',"message":' + raw + b',"violations":' + violations + b"}"


def _messages_response(
    msgs: list[Message], total: int, status: int = 200, **extra: Any
) -> web.Response:
    head = dumps_exact(extra)[1:-1] + b"," if extra else b""
    body = (
        b"{"
        + head
        + b'"messages":['
        + b",".join(message_bytes(m) for m in msgs)
        + b'],"total":'
        + str(total).encode()
        + b"}"
    )
    return web.Response(
        body=body, status=status, content_type="application/json", headers=CORS_HEADERS
    )


def _filter(request: web.Request) -> filters.Filter:
    q = {k: v for k, v in request.query.items() if k not in ("limit", "count", "timeout", "offset")}
    return filters.from_params(q)


def _int(request: web.Request, name: str, default: int, hi: int = 10**9) -> int:
    """A whole number 0 or more, in ASCII digits (int() also reads "1_0" and "\uff11");
    above ``hi`` it is taken as ``hi``."""
    raw = request.query.get(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit():
        raise BadParam(f"{name} must be a whole number, 0 or more (got {clean(raw, 40)!r})")
    return min(hi, int(raw))


#: The longest a wait may be asked to last, in seconds (a longer timeout is taken as this).
MAX_WAIT = 600.0
#: Waiters look for new messages at most this often (a burst of commits costs one count),
#: and check at least this often that their client is still there.
WAIT_RECOUNT = 0.02
WAIT_CLIENT_CHECK = 1.0
_SECONDS = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")


def _bad_filter(exc: filters.FilterError) -> web.Response:
    return _json({"code": "bad_request", "message": str(exc)}, 400)


async def api_messages(request: web.Request) -> web.Response:
    store = request.app[CAPTURE_KEY].store
    try:
        f = _filter(request)
    except filters.FilterError as exc:
        return _bad_filter(exc)
    limit = _int(request, "limit", 1000, 100000)
    offset = _int(request, "offset", 0)
    total = store.count(f.where, f.params)
    msgs = store.messages(f.where, f.params, limit=limit, offset=offset)
    return _messages_response(msgs, total)


class _Waiters:
    """The long-polls in progress, so stopping the inspector can end them at once."""

    def __init__(self) -> None:
        self.closing = False
        self.events: set[asyncio.Event] = set()
        #: Request bodies still arriving (a stalled client must not hold up a Ctrl-C).
        self.readers: set[Any] = set()

    async def close(self, app: web.Application) -> None:  # an on_shutdown signal handler
        self.closing = True
        for event in list(self.events):
            event.set()
        for reader in list(self.readers):
            reader.set_exception(_Stopping())


class _Matches:
    """How many stored messages match a filter, counted incrementally: each recount looks
    only at the seqs committed since the last one (a reset starts over)."""

    def __init__(self, store: Any, f: filters.Filter) -> None:
        self.store, self.f = store, f
        self.view = -1
        self.upto = 0
        self.total = 0

    def count(self) -> int:
        store = self.store
        if store.view_start != self.view:
            self.view, self.upto, self.total = store.view_start, 0, 0
        last = store.last_seq
        if last > self.upto:
            where = f"({self.f.where}) AND seq > ? AND seq <= ?"
            self.total += store.count(where, [*self.f.params, self.upto, last])
            self.upto = last
        return self.total


def _client_gone(request: web.Request) -> bool:
    transport = request.transport
    return transport is None or transport.is_closing()


async def api_wait(request: web.Request) -> web.Response:
    """Long-poll until ``count`` matching messages exist, or answer 408 after ``timeout`` s.

    A waiter whose client went away ends within WAIT_CLIENT_CHECK seconds, and every
    waiter ends at once when the inspector stops (503): neither may hold up ingestion or
    a Ctrl-C."""
    capture = request.app[CAPTURE_KEY]
    store = capture.store
    try:
        f = _filter(request)
    except filters.FilterError as exc:
        return _bad_filter(exc)
    count = _int(request, "count", 1, 100000)
    raw_timeout = request.query.get("timeout", "10")
    if not _SECONDS.fullmatch(raw_timeout):
        raise BadParam(
            f"timeout must be a number of seconds, 0 to {MAX_WAIT:g} (got {clean(raw_timeout, 40)!r})"
        )
    timeout = min(float(raw_timeout), MAX_WAIT)
    waiters = request.app[WAITERS_KEY]
    changed = asyncio.Event()
    unsubscribe = store.subscribe(changed.set)
    waiters.events.add(changed)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    matches = _Matches(store, f)
    try:
        while True:
            total = matches.count()
            if total >= count:
                msgs = store.messages(f.where, f.params, limit=max(count, 1000))
                return _messages_response(msgs, total)
            remaining = deadline - loop.time()
            if remaining <= 0:
                msgs = store.messages(f.where, f.params, limit=1000)
                return _messages_response(
                    msgs,
                    total,
                    408,
                    code="timeout",
                    message=f"Waited {timeout:g} s for {count} matching message(s); {total} arrived",
                )
            if waiters.closing:
                return _json(
                    {
                        "code": "shutting_down",
                        "message": f"The inspector is stopping; {total} matching message(s) had arrived",
                    },
                    503,
                )
            if _client_gone(request):
                return web.Response(status=499)  # nobody reads it: the client has gone
            changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), min(remaining, WAIT_CLIENT_CHECK))
            if changed.is_set():
                await asyncio.sleep(WAIT_RECOUNT)  # let a burst of commits land first
    finally:
        unsubscribe()
        waiters.events.discard(changed)


def _body_text(body: bytes) -> dict[str, str]:
    try:
        return {"body": body.decode("utf-8")}
    except UnicodeDecodeError:
        return {"bodyBase64": base64.b64encode(body).decode("ascii")}


async def api_rejected(request: web.Request) -> web.Response:
    store = request.app[CAPTURE_KEY].store
    since = _int(request, "since", 0, 2**62)
    limit = _int(request, "limit", 1000, 100000)
    items = store.rejected(since=since, limit=limit)
    out = [
        {
            "id": r.id,
            "receivedAt": r.received_at,
            "method": r.method,
            "path": r.path,
            "status": r.status,
            "reason": r.reason,
            "headers": [list(pair) for pair in r.headers],
            **_body_text(r.body),
        }
        for r in items
    ]
    return web.Response(
        body=dumps_exact({"rejected": out, "total": store.rejected_count()}),
        content_type="application/json",
        headers=CORS_HEADERS,
    )


async def api_summary(request: web.Request) -> web.Response:
    store = request.app[CAPTURE_KEY].store
    start = store.view_start
    by_type = dict(
        store.execute(
            "SELECT coalesce(type, ''), count(*) FROM messages WHERE seq >= ? GROUP BY 1 ORDER BY 2 DESC",
            (start,),
        )
    )
    by_event = dict(
        store.execute(
            "SELECT name, count(*) FROM messages WHERE seq >= ? AND type = 'track' AND name IS NOT NULL GROUP BY 1 ORDER BY 2 DESC",
            (start,),
        )
    )
    by_rule: Counter[str] = Counter()
    by_severity: Counter[str] = Counter()
    for (blob,) in store.execute(
        "SELECT violations FROM messages WHERE seq >= ? AND violations IS NOT NULL", (start,)
    ):
        for v in loads_exact(blob):
            by_rule[v["rule"]] += 1
            by_severity[v["severity"]] += 1
    totals = store.totals()
    return _json(
        {
            "messages": totals["messages"],
            "rejected": totals["rejected"],
            "by_type": by_type,
            "by_event": by_event,
            "by_rule": dict(by_rule.most_common()),
            "by_severity": {s: by_severity.get(s, 0) for s in ("error", "warning", "info")},
        }
    )


async def api_reset(request: web.Request) -> web.Response:
    try:
        since = request.app[CAPTURE_KEY].reset()
    except (StoreError, sqlite3.Error) as exc:
        return _json(
            {
                "code": "storage_error",
                "message": f"The inspector could not write its session file ({exc}); "
                "nothing was reset. Check the disk, then retry.",
            },
            503,
        )
    return _json({"success": True, "viewStartsAt": since})


async def api_health(request: web.Request) -> web.Response:
    store = request.app[CAPTURE_KEY].store
    return _json(
        {
            "status": "ok",
            "version": __version__,
            "session": str(store.path),
            "messages": store.last_seq,
        }
    )


def create_app(capture: Capture, public_url: str | None = None) -> web.Application:
    app = web.Application(client_max_size=MAX_WIRE_BYTES)
    app[CAPTURE_KEY] = capture
    app[PUBLIC_URL_KEY] = [public_url] if public_url else []
    r = app.router
    calls = "{call:track|identify|page|screen|group|alias|t|i|p|s|g|a}"
    for slash in ("", "/"):
        r.add_post(f"/v1/{calls}{slash}", _guarded(handle_single), expect_handler=_expect)
        r.add_post(
            "/v1/{kind:batch|import|b}" + slash, _guarded(handle_batch), expect_handler=_expect
        )
        r.add_post("/v1/m" + slash, _guarded(handle_metrics), expect_handler=_expect)
        r.add_get("/v1/projects/{write_key}/settings" + slash, _guarded(handle_settings))
        r.add_get("/projects/{write_key}/settings" + slash, _guarded(handle_settings))
    app[WAITERS_KEY] = waiters = _Waiters()
    app.on_shutdown.append(waiters.close)
    for slash in ("", "/"):  # the test API takes a trailing slash too, as ingestion does
        r.add_get("/inspector/messages" + slash, _api(api_messages))
        r.add_get("/inspector/messages/wait" + slash, _api(api_wait))
        r.add_get("/inspector/rejected" + slash, _api(api_rejected))
        r.add_get("/inspector/summary" + slash, _api(api_summary))
        r.add_post("/inspector/reset" + slash, _api(api_reset))
        r.add_get("/inspector/health" + slash, _api(api_health))
    r.add_route("OPTIONS", "/{tail:.*}", handle_options)
    r.add_route("*", "/{tail:.*}", _guarded(handle_unknown), expect_handler=_expect)
    return app


class _Runner(web.AppRunner):
    """An AppRunner whose connections also capture requests aiohttp's parser refuses."""

    async def _make_server(self) -> web.Server:
        server = await super()._make_server()
        server.__class__ = CapturingServer  # same state, one more behaviour: __call__
        capture = self.app[CAPTURE_KEY]

        async def keep_broken(
            method: str, path: str, headers: list[tuple[str, str]], body: bytes, reason: str
        ) -> None:
            kind = "ingest" if _INGEST_PATH.match(path.split("?")[0]) else "other"
            await capture.keep(method, path, headers, body, kind=kind, status=400, reason=reason)

        cast(CapturingServer, server).keep_broken = keep_broken
        return server


def make_runner(app: web.Application) -> web.AppRunner:
    # auto_decompress=False: we inflate gzip ourselves, with a bound (gzip bombs), and keep
    # the wire size. No access log: it costs a lot per request and we log to the session.
    # keepalive_timeout: an idle keep-alive connection is closed after 75 s (aiohttp's own
    # default here is an hour), so idle or abandoned clients do not pile up.
    return _Runner(
        app,
        auto_decompress=False,
        access_log=None,
        handle_signals=False,
        keepalive_timeout=75.0,
    )


class PortInUse(Exception):
    pass


class _OneLine(logging.Handler):
    """aiohttp logs a traceback for every malformed request or dropped connection; a
    client's broken HTTP is not the inspector's error: say so in one line."""

    def emit(self, record: logging.LogRecord) -> None:
        exc = record.exc_info[1] if record.exc_info else None
        what = f"{type(exc).__name__}: {exc}" if exc is not None else record.getMessage()
        line = " ".join(what.split())[:300]
        print(f"inspector: a client sent a broken HTTP request ({line})", file=sys.stderr)


def _quiet_aiohttp_errors() -> None:
    log = logging.getLogger("aiohttp.server")
    if not any(isinstance(h, _OneLine) for h in log.handlers):
        log.addHandler(_OneLine(logging.ERROR))
        log.propagate = False


async def start_server(app: web.Application, host: str, port: int) -> tuple[web.AppRunner, str]:
    """Bind and start; returns the runner and the URL actually bound (port 0 = any free port)."""
    _quiet_aiohttp_errors()
    runner = make_runner(app)
    await runner.setup()
    site = web.TCPSite(runner, host, port, reuse_address=True)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        # asyncio wraps the errno in a long "error while attempting to bind ..." text.
        why = os.strerror(exc.errno).lower() if exc.errno else str(exc)
        raise PortInUse(f"cannot listen on {host}:{port}: {why}") from None
    bound_port = port
    sockets = getattr(site._server, "sockets", None)
    if sockets:
        bound_port = sockets[0].getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{bound_port}"
    if app[PUBLIC_URL_KEY] == []:
        app[PUBLIC_URL_KEY].append(url)
    return runner, url
