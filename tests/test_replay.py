"""inspector replay: into a second inspector (identical messages) and against stubs that
answer 429/5xx, refuse, or pace."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest
from aiohttp import web

from inspector.export import export_view
from inspector.ingest import Capture, create_app, start_server
from inspector.replay import (
    MAX_BATCH_BYTES,
    Replayer,
    ReplayError,
    batch_url,
    parse_rate,
    retry_after,
    source_messages,
)
from inspector.spec import Engine
from inspector.store import Store

TS = "2024-05-01T10:00:00.000Z"


def _messages(n: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i in range(n):
        kind = ("track", "identify", "page", "screen", "group", "alias")[i % 6]
        m: dict[str, Any] = {"type": kind, "messageId": f"m-{i}", "timestamp": TS}
        m["userId" if i % 2 else "anonymousId"] = f"id-{i % 7}"
        if kind == "track":
            m["event"] = "Order Completed"
            m["properties"] = {"revenue": i + 0.25, "products": [{"sku": f"s{i}", "n": i}]}
        elif kind in ("page", "screen"):
            m["name"] = "Home"
        elif kind == "group":
            m["groupId"] = "g1"
        elif kind == "alias":
            m["previousId"] = "old"
        out.append(m)
    return out


class Inspector:
    def __init__(self, path: Path) -> None:
        self.store = Store(path)
        self.capture = Capture(self.store, Engine())
        self.url = ""
        self.runner: web.AppRunner | None = None

    async def __aenter__(self) -> Inspector:
        self.runner, self.url = await start_server(create_app(self.capture), "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.runner is not None
        await self.runner.cleanup()
        self.store.close()


def _comparable(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in ("sentAt", "receivedAt", "writeKey")}


async def _capture_into(url: str) -> None:
    msgs = _messages(30)
    async with aiohttp.ClientSession() as http:
        # A python-style batch, a go-style batch with batch-level context, single calls.
        await http.post(
            url + "/v1/batch",
            data=orjson.dumps({"batch": msgs[:20], "writeKey": "wkA", "sentAt": TS}),
        )
        await http.post(
            url + "/v1/batch",
            data=orjson.dumps(
                {
                    "batch": msgs[20:28],
                    "context": {"library": {"name": "analytics-go", "version": "3.0.0"}},
                }
            ),
            headers={"Authorization": "Basic " + base64.b64encode(b"wkA:").decode()},
        )
        for m in msgs[28:]:
            body = {k: v for k, v in m.items() if k != "type"}
            await http.post(f"{url}/v1/{m['type'][0]}", data=orjson.dumps(body))
        await http.post(url + "/v1/batch", data=b"{not json")  # rejected: not replayed


async def test_replay_into_a_second_inspector_gives_identical_messages(tmp_path: Path) -> None:
    async with Inspector(tmp_path / "a.sqlite") as a:
        await _capture_into(a.url)
    a_store = Store(tmp_path / "a.sqlite", readonly=True)
    try:
        sent = [m.data for m in a_store.iter_messages()]
        assert len(sent) == 30
        async with Inspector(tmp_path / "b.sqlite") as b:
            progress: list[int] = []
            r = Replayer(b.url, write_key="staging", progress=lambda s: progress.append(s.sent))
            summary = await r.run(source_messages(tmp_path / "a.sqlite"))
            got = [m.data for m in b.store.iter_messages()]
            write_keys = {m.write_key for m in b.store.iter_messages()}
            headers = [dict(r.headers) for r in b.store.iter_requests()]
        assert summary.ok and summary.sent == summary.accepted == 30
        assert summary.batches == 1 and summary.failed == summary.skipped == 0
        assert progress == [30]
        assert [_comparable(m) for m in got] == [_comparable(m) for m in sent]
        assert write_keys == {"staging"}
        assert headers[0]["Authorization"] == "Basic " + base64.b64encode(b"staging:").decode()
        # Replaying an NDJSON export of A works the same way.
        nd = tmp_path / "a.ndjson"
        export_view(a_store, None, "ndjson", nd, include_hidden=True)
        async with Inspector(tmp_path / "c.sqlite") as c:
            summary = await Replayer(c.url, new_message_ids=True).run(source_messages(nd))
            got_c = [m.data for m in c.store.iter_messages()]
        assert summary.accepted == 30
        assert [m["messageId"] for m in got_c] != [m["messageId"] for m in sent]
        assert len({m["messageId"] for m in got_c}) == 30
        strip = lambda m: {k: v for k, v in _comparable(m).items() if k != "messageId"}  # noqa: E731
        assert [strip(m) for m in got_c] == [strip(m) for m in sent]
    finally:
        a_store.close()


# ----------------------------------------------------------------------------- stubs


Script = Callable[[int, bytes, dict[str, str]], web.Response]


@pytest.fixture
async def stub() -> AsyncIterator[Callable[[Script], Any]]:
    runners: list[web.AppRunner] = []

    async def make(script: Script) -> tuple[str, list[tuple[bytes, dict[str, str]]]]:
        seen: list[tuple[bytes, dict[str, str]]] = []

        async def handle(request: web.Request) -> web.Response:
            body = await request.read()
            seen.append((body, dict(request.headers)))
            return script(len(seen), body, dict(request.headers))

        app = web.Application(client_max_size=10 * 1024 * 1024)
        app.router.add_post("/v1/batch", handle)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        port = runner.addresses[0][1]
        return f"http://127.0.0.1:{port}", seen

    yield make
    for r in runners:
        await r.cleanup()


class FakeSleep:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def _pairs(msgs: list[dict[str, Any]]) -> list[tuple[Any, str | None]]:
    return [(m, None) for m in msgs]


async def test_429_with_retry_after_then_200(stub: Any) -> None:
    def script(n: int, body: bytes, h: dict[str, str]) -> web.Response:
        if n == 1:
            return web.json_response(
                {"code": "rate_limited"}, status=429, headers={"Retry-After": "7"}
            )
        return web.json_response({"success": True})

    url, seen = await stub(script)
    sleep = FakeSleep()
    s = await Replayer(url, write_key="k", sleep=sleep).run(_pairs(_messages(5)))
    assert sleep.waits == [7.0]
    assert s.retries == 1 and s.accepted == 5 and s.failed == 0 and s.ok
    assert len(seen) == 2 and seen[0][0] != b"" and "X-Retry-Count" not in seen[0][1]
    assert seen[1][1]["X-Retry-Count"] == "1"
    assert json.loads(seen[1][0])["batch"] == json.loads(seen[0][0])["batch"]


async def test_500_then_200_backs_off(stub: Any) -> None:
    def script(n: int, body: bytes, h: dict[str, str]) -> web.Response:
        return web.Response(status=503 if n <= 2 else 200, text="{}")

    url, seen = await stub(script)
    sleep = FakeSleep()
    s = await Replayer(url, sleep=sleep, jitter=lambda: 0.5, backoff_base=0.5).run(
        _pairs(_messages(3))
    )
    assert sleep.waits == [0.5, 1.0]  # exponential
    assert s.retries == 2 and s.accepted == 3 and len(seen) == 3


async def test_gives_up_after_bounded_attempts_and_total_wait(stub: Any) -> None:
    url, seen = await stub(lambda n, b, h: web.Response(status=500, text="boom"))
    sleep = FakeSleep()
    s = await Replayer(url, sleep=sleep, max_attempts=3, jitter=lambda: 0.5).run(
        _pairs(_messages(4))
    )
    assert len(seen) == 3 and s.failed == 4 and s.accepted == 0 and not s.ok
    assert "HTTP 500" in s.errors[0] and "3 attempts" in s.errors[0]

    url2, seen2 = await stub(
        lambda n, b, h: web.Response(status=429, headers={"Retry-After": "100"})
    )
    s2 = await Replayer(url2, sleep=FakeSleep(), max_total_wait=150).run(_pairs(_messages(1)))
    assert len(seen2) == 2 and s2.failed == 1 and "gave up" in s2.errors[0]


async def test_4xx_is_not_retried_and_401_stops(stub: Any) -> None:
    url, seen = await stub(lambda n, b, h: web.Response(status=400, text="Bad Request"))
    s = await Replayer(url, sleep=FakeSleep(), max_batch_events=2).run(_pairs(_messages(4)))
    assert len(seen) == 2 and s.failed == 4 and s.retries == 0

    url2, seen2 = await stub(lambda n, b, h: web.Response(status=401, text="no"))
    s2 = await Replayer(url2, sleep=FakeSleep(), max_batch_events=2).run(_pairs(_messages(6)))
    # Counted per message: 2 sent and refused, 4 never sent; sent = accepted + failed.
    assert len(seen2) == 1 and s2.sent == s2.failed == 2 and s2.unsent == 4
    assert s2.stopped and "401" in s2.stopped and not s2.ok
    assert s2.line().startswith("6 messages read: 2 sent, 0 accepted, 2 failed, 0 skipped")
    assert "4 not sent (replay stopped); 1 request, 0 retries" in s2.line()


async def test_network_error_is_retried(tmp_path: Path) -> None:
    sleep = FakeSleep()
    # Nothing listens on this port (bound then released).
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    s = await Replayer(f"http://127.0.0.1:{port}", sleep=sleep, max_attempts=2).run(
        _pairs(_messages(1))
    )
    assert s.failed == 1 and len(sleep.waits) == 1 and s.retries == 1


async def test_limits_split_batches_and_skip_oversized(stub: Any) -> None:
    url, seen = await stub(lambda n, b, h: web.json_response({"success": True}))
    msgs = _messages(3000)
    for m in msgs:
        m["properties"] = {"pad": "x" * 300}
    msgs[5]["properties"] = {"pad": "y" * (33 * 1024)}
    s = await Replayer(url, sleep=FakeSleep()).run(_pairs(msgs))
    assert s.skipped == 1 and "32 KB" in s.errors[0]
    assert s.accepted == 2999 and not s.ok  # a skipped message is not "all accepted"
    sizes = [len(b) for b, _ in seen]
    counts = [len(json.loads(b)["batch"]) for b, _ in seen]
    assert max(sizes) <= MAX_BATCH_BYTES and max(counts) <= 2500
    assert sum(counts) == 2999 and len(seen) >= 2
    first = json.loads(seen[0][0])
    assert set(first) == {"batch", "sentAt"}  # no writeKey known, none sent


async def test_rate_paces_batches(stub: Any) -> None:
    url, seen = await stub(lambda n, b, h: web.json_response({"success": True}))
    sleep = FakeSleep()
    s = await Replayer(url, rate=50, sleep=sleep).run(_pairs(_messages(150)))
    assert s.accepted == 150 and s.batches == 3
    assert [len(json.loads(b)["batch"]) for b, _ in seen] == [50, 50, 50]
    assert len(sleep.waits) == 2 and 0.9 < sleep.waits[0] <= 1.0 and 1.9 < sleep.waits[1] <= 2.0


async def test_recorded_write_keys_split_batches(stub: Any) -> None:
    url, seen = await stub(lambda n, b, h: web.json_response({"success": True}))
    msgs = _messages(4)
    pairs = [(msgs[0], "a"), (msgs[1], "a"), (msgs[2], "b"), (msgs[3], None)]
    await Replayer(url, sleep=FakeSleep()).run(pairs)
    keys = [json.loads(b).get("writeKey") for b, _ in seen]
    assert keys == ["a", "b", None]
    assert "Authorization" not in seen[2][1]


def test_helpers() -> None:
    assert batch_url("http://h:1") == "http://h:1/v1/batch"
    assert batch_url("http://h/v1/") == "http://h/v1/batch"
    assert batch_url("https://api.segment.io/v1/batch") == "https://api.segment.io/v1/batch"
    with pytest.raises(ReplayError):
        batch_url("ftp://x")
    for bad in ("http://127.0.0.1:99999", "http://h:0", "http://[::1", "http://[zz", "http://"):
        with pytest.raises(ReplayError, match="--to must be an http"):
            batch_url(bad)
    assert batch_url("http://[::1]:8080") == "http://[::1]:8080/v1/batch"
    assert parse_rate("100") == 100 and parse_rate("100/s") == 100 and parse_rate("60/min") == 1
    with pytest.raises(ReplayError):
        parse_rate("fast")
    with pytest.raises(ReplayError):
        parse_rate("0")
    assert retry_after("3") == 3 and retry_after(None) is None and retry_after("soon") is None
    assert retry_after("Thu, 01 Jan 1970 00:00:10 GMT", now=4) == 6


async def test_replay_from_a_har_export_skips_rejected_requests(tmp_path: Path) -> None:
    async with Inspector(tmp_path / "a.sqlite") as a:
        await _capture_into(a.url)  # includes a rejected, invalid-JSON request
    a_store = Store(tmp_path / "a.sqlite", readonly=True)
    try:
        har = tmp_path / "a.har"
        export_view(a_store, None, "har", har, include_hidden=True)
        sent = [m.data for m in a_store.iter_messages()]
        async with Inspector(tmp_path / "b.sqlite") as b:
            summary = await Replayer(b.url).run(source_messages(har))
            got = [m.data for m in b.store.iter_messages()]
            keys = [m.write_key for m in b.store.iter_messages()]
    finally:
        a_store.close()
    assert summary.ok and summary.accepted == 30
    assert [_comparable(m) for m in got] == [_comparable(m) for m in sent]
    # The writeKey recorded in the HAR (body or Basic auth) is used when none is given.
    assert keys[:28] == ["wkA"] * 28


HOSTILE = (
    b'{"userId":"b","event":"Bytes C","type":"track","messageId":"h1",'
    b'"properties":{"n":1.10,"e":1E+2,"i":1e400,"big":123456789012345678901234567890,'
    b'"s":"Zo\xc3\xab"}}'
)


async def test_replay_sends_the_recorded_bytes(tmp_path: Path) -> None:
    """Values re-encoding would change (1.10, 1E+2, 1e400, big ints, non-ASCII) reach the
    upstream as recorded, from a session, its NDJSON export and its JSON export."""
    body = b'{"batch":[' + HOSTILE + b"]}"
    async with (
        Inspector(tmp_path / "a.sqlite") as a,
        aiohttp.ClientSession() as http,
        http.post(a.url + "/v1/batch", data=body) as r,
    ):
        assert r.status == 200
    a_store = Store(tmp_path / "a.sqlite", readonly=True)
    try:
        export_view(a_store, None, "ndjson", tmp_path / "a.ndjson", include_hidden=True)
        export_view(a_store, None, "json", tmp_path / "a.json", include_hidden=True)
    finally:
        a_store.close()
    for i, src in enumerate(("a.sqlite", "a.ndjson", "a.json")):
        async with Inspector(tmp_path / f"b{i}.sqlite") as b:
            summary = await Replayer(b.url, write_key="k").run(source_messages(tmp_path / src))
            got = [m.raw for m in b.store.iter_messages()]
        assert summary.accepted == 1, src
        assert got == [HOSTILE], src


async def test_skipped_messages_are_named_by_position(stub: Any) -> None:
    url, seen = await stub(lambda n, b, h: web.json_response({"success": True}))
    big = b'{"type":"track","event":"x","userId":"u","properties":{"p":"' + b"x" * 40000 + b'"}}'
    s = await Replayer(url, sleep=FakeSleep()).run(
        [(b'{"type":"track"}', "k"), (big, "k"), (b"[1]", "k")]
    )
    assert s.skipped == 2 and s.accepted == 1
    assert s.errors[0].startswith("skipped message 2: ") and "None" not in s.errors[0]
    assert s.errors[1] == "skipped message 3: not a JSON object"


async def _slow_server() -> tuple[str, web.AppRunner]:
    async def handle(request: web.Request) -> web.Response:
        await request.read()
        await asyncio.sleep(3)
        return web.json_response({"success": True})

    app = web.Application()
    app.router.add_post("/v1/batch", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return f"http://127.0.0.1:{runner.addresses[0][1]}", runner


async def test_a_slow_endpoint_is_named_as_such_with_the_timeout() -> None:
    url, runner = await _slow_server()
    try:
        s = await Replayer(url, timeout=0.3, max_attempts=1).run(_pairs(_messages(2)))
    finally:
        await runner.cleanup()
    assert s.errors == ["no answer within 0.3 s (after 1 attempt)"]
    assert s.failed == 2 and s.accepted == 0


async def test_messages_that_never_reached_the_endpoint_are_failed_not_sent() -> None:
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    s = await Replayer(f"http://127.0.0.1:{port}", sleep=FakeSleep(), max_attempts=2).run(
        _pairs(_messages(3))
    )
    assert (s.sent, s.accepted, s.failed) == (0, 0, 3)
    assert (
        s.line() == "3 messages read: 0 sent, 0 accepted, 3 failed, 0 skipped; 1 request, 1 retry"
    )
    assert s.errors[0].endswith("(after 2 attempts)")


async def test_a_refused_batch_was_sent(stub: Any) -> None:
    url, _ = await stub(lambda n, b, h: web.Response(status=400, text="bad"))
    s = await Replayer(url, sleep=FakeSleep()).run(_pairs(_messages(2)))
    assert (s.sent, s.accepted, s.failed) == (2, 0, 2)


async def test_a_replay_sends_no_recorded_sent_at(tmp_path: Path) -> None:
    """The replay's own batch sentAt is the one that counts: the recorded one (item-level
    from analytics.js, or merged from the batch by an export) would read as hours of skew
    and move every event to the time of the replay at Segment."""
    old = "2020-01-01T00:00:00.000Z"
    item = {"type": "track", "userId": "u", "event": "Order Completed", "messageId": "m1"}
    js = {**item, "messageId": "m2", "sentAt": old, "timestamp": old}
    async with (
        Inspector(tmp_path / "a.sqlite") as a,
        aiohttp.ClientSession() as http,
    ):
        async with http.post(
            a.url + "/v1/batch", data=orjson.dumps({"batch": [item], "sentAt": old})
        ) as r:
            assert r.status == 200
        async with http.post(a.url + "/v1/t", data=orjson.dumps(js)) as r:
            assert r.status == 200
    a_store = Store(tmp_path / "a.sqlite", readonly=True)
    try:
        export_view(a_store, None, "ndjson", tmp_path / "a.ndjson", include_hidden=True)
    finally:
        a_store.close()
    for i, src in enumerate(("a.sqlite", "a.ndjson")):
        async with Inspector(tmp_path / f"b{i}.sqlite") as b:
            summary = await Replayer(b.url, write_key="k").run(source_messages(tmp_path / src))
            got = list(b.store.iter_messages())
        assert summary.accepted == 2, src
        assert [b'"sentAt"' in m.raw for m in got] == [False, False], src
        assert [orjson.loads(m.raw).get("timestamp") for m in got] == [None, old]
        assert not [v for m in got for v in m.violations if v.rule == "session/clock-skew"], src


HUGE = (
    b'{"type":"track","event":"Huge","userId":"u","messageId":"hx1","inf":1e400,'
    b'"properties":{"neg":-1e400,"nested":{"deep":[1e400,{"x":-1E+999}]},'
    b'"big":123456789012345678901234567890,"n":1.10,"s":"Zo\xc3\xab"}}'
)
HUGE_SINGLE = b'{"event":"Single","anonymousId":"a","messageId":"hx2","v":[1e400,-1e400]}'


async def test_replay_from_a_har_keeps_numbers_json_cannot_hold(tmp_path: Path) -> None:
    """From a HAR, each item's text is taken out of postData as it is: 1e400 (nested, in
    arrays, negative) and huge integers reach the receiver as sent, which accepts them
    (re-encoding wrote Infinity, which the receiver refused as not JSON)."""
    ctx = b'"context":{"library":{"name":"analytics-go"},"big":1e400}'
    async with Inspector(tmp_path / "a.sqlite") as a, aiohttp.ClientSession() as http:
        for path, body in (
            ("/v1/batch", b'{"batch":[' + HUGE + b"]}"),
            ("/v1/t", HUGE_SINGLE),
            ("/v1/batch", b'{"batch":[' + HUGE + b"]," + ctx + b"}"),
        ):
            async with http.post(a.url + path, data=body) as r:
                assert r.status == 200, await r.text()
    a_store = Store(tmp_path / "a.sqlite", readonly=True)
    try:
        export_view(a_store, None, "har", tmp_path / "s1.har", include_hidden=True)
        sent = [m.data for m in a_store.iter_messages()]
    finally:
        a_store.close()
    async with Inspector(tmp_path / "b.sqlite") as b:
        summary = await Replayer(b.url, write_key="k").run(source_messages(tmp_path / "s1.har"))
        rows = list(b.store.iter_messages())
    assert summary.ok and summary.accepted == 3, summary.errors
    assert rows[0].raw == HUGE
    assert rows[1].raw == HUGE_SINGLE[:-1] + b',"type":"track"}'
    # Batch context merged into the item as text: its values are kept too.
    assert rows[2].raw.endswith(b'"context":{"library":{"name":"analytics-go"},"big":1e400}}')
    assert [_comparable(r.data) for r in rows[:2]] == [_comparable(m) for m in sent[:2]]
    assert rows[2].data["properties"] == sent[2]["properties"]


def test_a_parsed_message_is_encoded_as_valid_json() -> None:
    """A message known only parsed (no text): a number parsed as infinity is written as
    1e400 (huge integers beside it too), never as Infinity."""
    from inspector.replay import encode_finite

    inf = float("inf")
    msg = {"a": inf, "b": [-inf, {"c": inf}], "big": 10**30, "n": float("nan"), "s": "inf"}
    out = encode_finite(msg)
    assert out == (
        b'{"a":1e400,"b":[-1e400,{"c":1e400}],"big":1000000000000000000000000000000,'
        b'"n":null,"s":"inf"}'
    )
    assert json.loads(out, parse_constant=lambda c: pytest.fail(c)) == {**msg, "n": None}
    assert encode_finite({"a": 1.5}) == b'{"a":1.5}'
