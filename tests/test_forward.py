"""Forward mode against a second local server as upstream: healthy, failing, slow, rate
limited. Capture must answer at once whatever the upstream does, and nothing is lost."""

from __future__ import annotations

import asyncio
import base64
import gzip
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest
from aiohttp import web

from inspector.forward import Forwarder, ForwardEvent, describe, read_forwards, upstream_url
from inspector.ingest import Capture, create_app, start_server
from inspector.spec import Engine
from inspector.store import Store

Handler = Callable[[web.Request, int], Awaitable[web.Response]]


@dataclass
class Upstream:
    url: str
    seen: list[tuple[str, str, bytes, dict[str, str]]] = field(default_factory=list)


@dataclass
class Rig:
    url: str
    capture: Capture
    store: Store
    forwarder: Forwarder
    upstream: Upstream
    http: aiohttp.ClientSession
    events: list[ForwardEvent]


async def _fast_sleep(_: float) -> None:
    await asyncio.sleep(0)


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Callable[..., Awaitable[Rig]]]:
    cleanups: list[Callable[[], Awaitable[None]]] = []

    async def make(handler: Handler, **options: Any) -> Rig:
        up = Upstream("")

        async def handle(request: web.Request) -> web.Response:
            body = await request.read()
            up.seen.append((request.method, request.path_qs, body, dict(request.headers)))
            return await handler(request, len(up.seen))

        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handle)
        urunner = web.AppRunner(app, auto_decompress=False)
        await urunner.setup()
        await web.TCPSite(urunner, "127.0.0.1", 0).start()
        up.url = f"http://127.0.0.1:{urunner.addresses[0][1]}"

        store = Store(tmp_path / f"s{len(cleanups)}.sqlite")
        capture = Capture(store, Engine())
        options.setdefault("sleep", _fast_sleep)
        fwd = Forwarder.attach(capture, up.url, **options)
        assert capture.forwarder is fwd  # type: ignore[attr-defined]
        events: list[ForwardEvent] = []
        fwd.listeners.append(events.append)
        runner, url = await start_server(create_app(capture), "127.0.0.1", 0)
        http = aiohttp.ClientSession(auto_decompress=False)

        async def cleanup() -> None:
            await http.close()
            await runner.cleanup()
            await fwd.close(timeout=0.2)
            store.close()
            await urunner.cleanup()

        cleanups.append(cleanup)
        return Rig(url, capture, store, fwd, up, http, events)

    yield make
    for c in cleanups:
        await c()


BATCH = orjson.dumps(
    {
        "batch": [{"type": "track", "event": "Order Completed", "userId": "u1", "messageId": "m1"}],
        "writeKey": "wk",
    }
)
GZ = gzip.compress(
    b'{"batch":[{"type":"identify","userId":"u2","messageId":"m2","traits":{"a":1}}]}'
)
SINGLE = b'{"event":"Signed Up","anonymousId":"a1","messageId":"m3"}'
AUTH = "Basic " + base64.b64encode(b"wk:").decode()


async def _post(r: Rig, path: str, body: bytes, **headers: str) -> tuple[int, float]:
    t0 = time.perf_counter()
    async with r.http.post(r.url + path, data=body, headers=headers) as resp:
        await resp.read()
        return resp.status, time.perf_counter() - t0


async def _send_three(r: Rig) -> list[float]:
    lat = []
    for path, body, headers in (
        (
            "/v1/batch",
            BATCH,
            {"Content-Type": "application/json", "User-Agent": "analytics-python/2.3.4"},
        ),
        (
            "/v1/batch?x=1",
            GZ,
            {"Content-Type": "text/plain", "Content-Encoding": "gzip", "Authorization": AUTH},
        ),
        ("/v1/t", SINGLE, {"Content-Type": "text/plain", "X-Retry-Count": "2", "Cookie": "no"}),
    ):
        status, dt = await _post(r, path, body, **headers)
        assert status == 200
        lat.append(dt)
    return lat


def _rows(store: Store) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(store.path)
    try:
        return con.execute(
            "SELECT request_id, attempt, status, error FROM forwards ORDER BY rowid"
        ).fetchall()
    finally:
        con.close()


async def test_healthy_upstream_gets_every_accepted_request_unchanged(rig: Any) -> None:
    r: Rig = await rig(lambda req, n: _ok())
    await _send_three(r)
    # Not relayed: a rejected request, a settings fetch, browser metrics.
    assert (await _post(r, "/v1/batch", b"{nope"))[0] == 400
    async with r.http.get(r.url + "/v1/projects/wk/settings") as resp:
        await resp.read()
    await _post(r, "/v1/m", b'{"series":[]}')
    assert await r.forwarder.drain(5)
    seen = sorted(r.upstream.seen, key=lambda s: s[2])
    sent = sorted([BATCH, GZ, SINGLE])
    assert [s[2] for s in seen] == sent  # byte for byte, gzip still gzip
    by_body = {s[2]: s for s in seen}
    method, path, _, h = by_body[GZ]
    assert (method, path) == ("POST", "/v1/batch?x=1")
    assert h["Content-Encoding"] == "gzip" and h["Authorization"] == AUTH
    assert h["Content-Type"] == "text/plain"
    assert by_body[BATCH][3]["User-Agent"] == "analytics-python/2.3.4"
    assert by_body[BATCH][3]["Content-Type"] == "application/json"
    single = by_body[SINGLE]
    assert single[1] == "/v1/t" and single[3]["X-Retry-Count"] == "2"
    assert "Cookie" not in single[3]
    # The User-Agent is the SDK's (here the test client's), not the forwarder's.
    stored = [q for q in r.store.iter_requests() if q.path == "/v1/t"][0]
    assert single[3]["User-Agent"] == dict(stored.headers)["User-Agent"]
    s = r.forwarder.stats
    assert (s.sent, s.ok, s.failed, s.pending) == (3, 3, 0, 0)
    assert all(e.ok and e.final for e in r.events) and len(r.events) == 3
    await r.forwarder.close()
    rows = _rows(r.store)
    assert len(rows) == 3 and all(row[2] == 200 and row[3] is None for row in rows)
    accepted = [q.id for q in r.store.iter_requests() if q.kind == "ingest" and q.reason is None]
    assert sorted(row[0] for row in rows) == accepted


async def _ok() -> web.Response:
    return web.json_response({"success": True})


async def test_failing_upstream_never_slows_capture_and_is_recorded(rig: Any) -> None:
    async def fail(req: web.Request, n: int) -> web.Response:
        return web.Response(status=500, text="upstream broke")

    r: Rig = await rig(fail, max_attempts=3)
    lat = await _send_three(r)
    assert max(lat) < 1.0
    assert await r.forwarder.drain(5)
    s = r.forwarder.stats
    assert (s.sent, s.ok, s.failed, s.pending, s.retries) == (3, 0, 3, 0, 6)
    assert s.last_error and "500" in s.last_error and "upstream broke" in s.last_error
    assert len(r.upstream.seen) == 9
    finals = [e for e in r.events if e.final]
    assert len(finals) == 3 and all(e.status == 500 and e.attempt == 3 for e in finals)
    lines = [describe(e) for e in r.events]
    assert sum(1 for x in lines if x and x.startswith("FORWARD FAILED")) == 3
    await r.forwarder.close()
    rows = _rows(r.store)
    assert len(rows) == 9 and all(row[2] == 500 and "upstream broke" in row[3] for row in rows)
    failures = read_forwards(r.store, failures_only=True)
    assert len(failures) == 9
    # The captured messages are all there, whatever the upstream did.
    assert r.store.count() == 3


async def test_unreachable_upstream_is_recorded(rig: Any) -> None:
    r: Rig = await rig(lambda req, n: _ok(), max_attempts=2)
    r.forwarder.url = "http://127.0.0.1:1"  # nothing listens there
    await _send_three(r)
    assert await r.forwarder.drain(10)
    assert r.forwarder.stats.failed == 3
    assert "unreachable" in (r.forwarder.stats.last_error or "")


async def test_slow_upstream_does_not_slow_capture(rig: Any) -> None:
    async def slow(req: web.Request, n: int) -> web.Response:
        await asyncio.sleep(2)
        return web.json_response({"success": True})

    r: Rig = await rig(slow, concurrency=1, queue_size=2)
    lat = []
    for _ in range(2):
        lat += await _send_three(r)
    assert max(lat) < 0.5, lat  # the upstream takes 2 s per request
    s = r.forwarder.stats
    # One in flight, two queued, the other three over the bounded queue: recorded, not lost.
    assert s.sent == 6 and s.failed == 3 and s.pending == 3
    assert all("already waiting" in (e.error or "") for e in r.events)
    t0 = time.perf_counter()
    await r.forwarder.close(timeout=0.3)
    assert time.perf_counter() - t0 < 2
    assert s.pending == 0 and s.failed == 6 and s.ok == 0
    rows = _rows(r.store)
    assert len(rows) == 6 and all(row[3] for row in rows)
    assert any("stopped" in row[3] for row in rows)


async def test_429_retry_after_is_honoured(rig: Any) -> None:
    waits: list[float] = []

    async def sleep(s: float) -> None:
        waits.append(s)

    async def limited(req: web.Request, n: int) -> web.Response:
        if n == 1:
            return web.Response(status=429, headers={"Retry-After": "3"})
        return web.json_response({"success": True})

    r: Rig = await rig(limited, sleep=sleep, concurrency=1)
    await _post(r, "/v1/batch", BATCH)
    assert await r.forwarder.drain(5)
    assert waits == [3.0]
    assert r.forwarder.stats.ok == 1 and r.forwarder.stats.retries == 1
    assert [(e.attempt, e.status, e.final) for e in r.events] == [(1, 429, False), (2, 200, True)]
    assert describe(r.events[0]) and describe(r.events[1]) == "FORWARDED request #1 on attempt 2"


async def test_4xx_upstream_is_not_retried(rig: Any) -> None:
    async def bad(req: web.Request, n: int) -> web.Response:
        return web.Response(status=400, text="Bad Request")

    r: Rig = await rig(bad)
    await _post(r, "/v1/batch", BATCH)
    assert await r.forwarder.drain(5)
    assert len(r.upstream.seen) == 1 and r.forwarder.stats.failed == 1


def test_upstream_url() -> None:
    assert upstream_url("https://api.segment.io", "/v1/batch") == "https://api.segment.io/v1/batch"
    assert upstream_url("https://api.segment.io/v1/", "/v1/t") == "https://api.segment.io/v1/t"
    assert upstream_url("http://proxy/seg", "/v1/b?x=1") == "http://proxy/seg/v1/b?x=1"
    with pytest.raises(ValueError):
        Forwarder("api.segment.io")


@pytest.mark.parametrize(
    "url",
    [
        "notaurl",
        "http://",
        "ftp://example.com",
        "http://127.0.0.1:99999",
        "http://127.0.0.1:0",
        "http://[::1",
        "http://[zz]",
        "http://h:abc",
    ],
)
def test_bad_forward_url_is_a_one_line_usage_error(tmp_path, url):
    import subprocess
    import sys

    session = tmp_path / "s.sqlite"
    r = subprocess.run(
        [sys.executable, "-m", "inspector", "serve", "--headless", "--port", "0"]
        + ["--session", str(session), "--forward", url],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2
    assert r.stderr.startswith("inspector: Invalid value for '--forward'")
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert not session.exists()  # nothing created for a command that could not start


@pytest.mark.parametrize("url", ["http://[::1", "http://[zz]", "http://127.0.0.1:0"])
def test_bad_forward_url_on_bare_inspector_is_one_line(tmp_path, url):
    import subprocess
    import sys

    session = tmp_path / "s.sqlite"
    r = subprocess.run(
        [sys.executable, "-m", "inspector", "--session", str(session), "--forward", url],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert r.returncode == 2
    assert r.stderr.startswith("inspector: Invalid value for '--forward'")
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert not session.exists()


def test_forwarder_refuses_a_url_that_does_not_parse() -> None:
    with pytest.raises(ValueError, match="http"):
        Forwarder("http://[::1")


async def test_a_slow_upstream_is_said_to_be_slow_not_unreachable(rig: Any) -> None:
    async def slow(req: web.Request, n: int) -> web.Response:
        await asyncio.sleep(3)
        return await _ok()

    r: Rig = await rig(slow, timeout=0.3, max_attempts=1)
    await _post(r, "/v1/batch", BATCH, **{"Content-Type": "application/json"})
    assert await r.forwarder.drain(10)
    [e] = r.events
    assert (e.attempt, e.error) == (1, "upstream did not answer within 0.3 s")
    assert (
        describe(e) == "FORWARD FAILED request #1 (attempt 1): upstream did not answer within 0.3 s"
    )


async def test_requests_that_never_left_the_queue_are_attempt_1(rig: Any) -> None:
    async def slow(req: web.Request, n: int) -> web.Response:
        await asyncio.sleep(2)
        return await _ok()

    r: Rig = await rig(slow, concurrency=1, queue_size=1)
    for _ in range(2):
        await _send_three(r)
    over = [e for e in r.events if "already waiting" in (e.error or "")]
    assert over and all(e.attempt == 1 for e in over)
    assert all("(attempt 1)" in (describe(e) or "") for e in over)
    await r.forwarder.close(timeout=0.2)
    rows = _rows(r.store)
    assert len(rows) == 6 and all(row[1] >= 1 for row in rows)  # attempt, 1-based
    assert {row[3] for row in rows if "stopped" in row[3]}  # in flight and queued at stop
