"""Requests aiohttp's HTTP parser refuses before any route runs (bad chunk sizes, a 100 KB
URL, an over-long header, TLS sent to the plain port, a bad Content-Length) are answered
with Segment's JSON error shape and kept as rejected requests. Raw bytes over a real socket,
because no HTTP client library will send them."""

from __future__ import annotations

import asyncio
import json

import pytest

from inspector.ingest.broken_http import split_raw


async def _exchange(url: str, *parts: bytes, pause: float = 0.0) -> bytes:
    host, port = url.removeprefix("http://").rsplit(":", 1)
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        for i, part in enumerate(parts):
            if i and pause:
                await asyncio.sleep(pause)
            writer.write(part)
            await writer.drain()
        async with asyncio.timeout(10):
            return await reader.read()  # the server closes after a framing error
    finally:
        writer.close()


def _answer(raw: bytes) -> tuple[int, dict[str, str]]:
    head, _, body = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    # One response is expected; keep just the first body if a second follows.
    first = body.split(b"HTTP/1.")[0]
    return status, json.loads(first)


async def _rejected(live) -> list[dict]:
    async with live.http.get(live.url + "/inspector/rejected") as r:
        return (await r.json())["rejected"]


CASES = [
    (
        "bad chunk size",
        b"POST /v1/track HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        b"Content-Type: application/json\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n",
        ("POST", "/v1/track", "chunk size"),
    ),
    (
        "Content-Length is not a number",
        b"POST /v1/batch HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}",
        ("POST", "/v1/batch", "Content-Length"),
    ),
    (
        "header over 8 KB",
        b"POST /v1/track HTTP/1.1\r\nHost: x\r\nX-Big: "
        + b"b" * 20000
        + b"\r\nContent-Length: 2\r\n\r\n{}",
        ("POST", "/v1/track", "8190 bytes"),
    ),
    (
        "Content-Length and chunked together",
        b"POST /v1/track HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
        ("POST", "/v1/track", "Transfer-Encoding"),
    ),
]


@pytest.mark.parametrize(("name", "raw", "expect"), CASES, ids=[c[0] for c in CASES])
async def test_refused_by_the_parser_is_answered_in_json_and_kept(live, name, raw, expect):
    status, body = _answer(await _exchange(live.url, raw))
    assert status == 400
    assert body["code"] == "bad_request" and "Malformed HTTP request" in body["message"]
    method, path, words = expect
    rejected = await _rejected(live)
    assert len(rejected) == 1
    kept = rejected[0]
    assert (kept["method"], kept["path"], kept["status"]) == (method, path, 400)
    assert kept["reason"].startswith("bad_http: ") and words in kept["reason"]
    assert ["Host", "x"] in kept["headers"]


async def test_tls_on_the_plain_port_says_to_use_http(live):
    hello = b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + bytes(range(32)) + b"\r\n\r\n"
    status, body = _answer(await _exchange(live.url, hello))
    assert status == 400 and "http://, not https://" in body["message"]
    (kept,) = await _rejected(live)
    assert kept["reason"] == "bad_http: Received HTTPS traffic on an HTTP port"


async def test_bad_chunk_after_the_head_ends_the_request_at_once(live):
    # aiohttp drops the body stream without an error when a later chunk is malformed: the
    # handler used to wait for the body until the client gave up.
    head = b"POST /v1/track HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    loop = asyncio.get_running_loop()
    started = loop.time()
    raw = await _exchange(live.url, head + b'5\r\n{"a":\r\n', b"ZZ\r\n1}\r\n0\r\n\r\n", pause=0.2)
    assert loop.time() - started < 5
    status, body = _answer(raw)
    assert (status, body["code"]) == (400, "bad_request")  # as when it comes in one read
    (kept,) = await _rejected(live)  # once, not twice
    assert kept["path"] == "/v1/track" and kept["reason"].startswith("bad_http: ")
    assert "chunk size" in kept["reason"] and "\n" not in kept["reason"]
    assert kept["body"] == '{"a":'


async def test_good_requests_on_the_same_server_are_unaffected(live):
    await _exchange(live.url, b"POST /v1/track HTTP/1.1\r\nContent-Length: x\r\n\r\n")
    async with live.http.post(
        live.url + "/v1/track", json={"userId": "u", "event": "Order Completed"}
    ) as r:
        assert (r.status, await r.json()) == (200, {"success": True})
    async with live.http.get(live.url + "/inspector/messages") as r:
        assert (await r.json())["total"] == 1


def test_split_raw_reads_what_it_can():
    assert split_raw(b"POST /v1/b?x=1 HTTP/1.1\r\nA: 1\r\nB:2\r\n\r\nbody") == (
        "POST",
        "/v1/b?x=1",
        [("A", "1"), ("B", "2")],
        b"body",
    )
    assert split_raw(b"\x16\x03\x01garbage") == ("?", "", [], b"\x16\x03\x01garbage")
    assert split_raw(b"GET /only-a-head HTTP/1.1\r\nHost: h") == (
        "GET",
        "/only-a-head",
        [("Host", "h")],
        b"",
    )


async def test_expect_continue_with_a_huge_body_is_refused_before_it_is_sent(live):
    head = (
        b"POST /v1/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Expect: 100-continue\r\nContent-Length: 20000000\r\n\r\n"
    )
    host, port = live.url.removeprefix("http://").rsplit(":", 1)
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(head)
        async with asyncio.timeout(5):  # at once: no "100 Continue", no waiting for 20 MB
            top = await reader.readuntil(b"\r\n\r\n")
            length = int(top.lower().split(b"content-length:")[1].split(b"\r\n")[0])
            raw = top + await reader.readexactly(length)
    finally:
        writer.close()
    status, body = _answer(raw)
    assert (status, body["code"]) == (400, "payload_too_large")
    (kept,) = await _rejected(live)
    assert kept["path"] == "/v1/batch" and "20,000,000 bytes" in kept["reason"]
    assert ["Expect", "100-continue"] in kept["headers"]


async def test_expect_continue_with_a_normal_body_goes_ahead(live):
    body = b'{"userId":"u","event":"Order Completed"}'
    head = (
        b"POST /v1/track HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Expect: 100-continue\r\nConnection: close\r\nContent-Length: %d\r\n\r\n" % len(body)
    )
    host, port = live.url.removeprefix("http://").rsplit(":", 1)
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(head)
        async with asyncio.timeout(10):
            assert (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 100 Continue")
            writer.write(body)
            raw = await reader.read()
    finally:
        writer.close()
    assert raw.startswith(b"HTTP/1.1 200") and raw.endswith(b'{"success":true}')


async def test_a_head_split_across_reads_is_kept_whole(live):
    first = b"POST /v1/batch HTTP/1.1\r\nHost: x\r\nAuthorization: Basic d2s6\r\n"
    second = b"X-Big: " + b"a" * 9000 + b"\r\nContent-Length: 2\r\n\r\n{}"
    status, body = _answer(await _exchange(live.url, first, second, pause=0.2))
    assert (status, body["code"]) == (400, "bad_request")
    (kept,) = await _rejected(live)
    assert (kept["method"], kept["path"]) == ("POST", "/v1/batch")
    assert ["Authorization", "Basic d2s6"] in kept["headers"]


async def test_an_unknown_expect_is_answered_417_and_kept(live):
    async with live.http.post(live.url + "/v1/batch", data=b"{}", headers={"Expect": "foo"}) as r:
        assert r.status == 417 and (await r.json())["code"] == "expectation_failed"
    (kept,) = await _rejected(live)
    assert kept["status"] == 417 and "Unknown Expect: foo" in kept["reason"]
