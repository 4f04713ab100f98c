"""Inputs an outside review found mishandled: each is sent over real HTTP and the test
asserts what the SDK gets back and what the test API and the session file then show."""

from __future__ import annotations

import gzip
import json
import sqlite3
import zlib

from inspector.ingest.decode import MAX_MESSAGE_BYTES

TRACK = '{"type":"track","userId":"u1","event":"Order Completed","properties":{"x":%s}}'


def batch_of(*items: str, top: str = "") -> str:
    return "{" + top + '"batch":[' + ",".join(items) + "]}"


async def post(live, path, body, headers=None):
    data = body if isinstance(body, bytes) else body.encode()
    async with live.http.post(live.url + path, data=data, headers=headers or {}) as r:
        return r.status, await r.json(content_type=None)


async def get(live, path):
    async with live.http.get(live.url + path) as r:
        return r.status, await r.read()


async def test_lone_surrogates_are_stored_not_refused(live):
    # A lone surrogate escape is valid JSON text; the SDK must get 200, and the test API
    # must give back the message exactly as sent.
    single = '{"userId":"u\\ud800","event":"E\\udcff Seen","properties":{"\\ud800":1}}'
    batch = batch_of(single, '{"type":"track","userId":"u2","event":"Good Sent"}')
    assert await post(live, "/v1/track", single) == (200, {"success": True})
    assert await post(live, "/v1/batch", batch) == (200, {"success": True})
    status, body = await get(live, "/inspector/messages")
    assert status == 200
    doc = json.loads(body)  # the standard library reads lone surrogate escapes
    assert doc["total"] == 3
    assert [m["message"]["event"] for m in doc["messages"]] == [
        "E\udcff Seen",
        "E\udcff Seen",
        "Good Sent",
    ]
    assert single.encode() in body  # spliced in byte for byte
    # The summary column holds a replacement character; the exact bytes stay in the body.
    con = sqlite3.connect(live.session_path)
    names = [r[0] for r in con.execute("SELECT name FROM messages ORDER BY seq")]
    con.close()
    assert names == ["E\ufffd Seen", None, "Good Sent"]  # the batch item has no type


async def test_test_api_returns_original_json_for_values_orjson_cannot_write(live):
    deep = "[" * 300 + "]" * 300
    for value in ("123456789012345678901234567890", "1E2", deep):
        assert await post(live, "/v1/track", TRACK % value) == (200, {"success": True})
    status, body = await get(live, "/inspector/messages")
    assert status == 200
    for value in ("123456789012345678901234567890", "1E2", deep):
        assert (TRACK % value).encode() in body
    status, body = await get(live, "/inspector/messages/wait?count=3&timeout=1")
    assert status == 200 and json.loads(body)["total"] == 3


async def test_deep_batch_item_accepted_on_the_fast_path_reads_back(live):
    deep = "[" * 950 + "]" * 950
    item = TRACK % deep
    batch = batch_of(item, TRACK % "1")
    assert await post(live, "/v1/batch", batch) == (200, {"success": True})
    status, body = await get(live, "/inspector/messages")
    assert status == 200
    assert item.encode() in body and (TRACK % "1").encode() in body


async def test_message_is_the_original_without_what_the_inspector_merged(live):
    await post(live, "/v1/t", '{"userId":"u1","event":"Order Completed"}')
    await post(
        live,
        "/v1/batch",
        '{"batch":[{"type":"track","userId":"u","event":"A Done"}],"context":{"ip":"1.2.3.4"}}',
    )
    _, body = await get(live, "/inspector/messages")
    first, second = json.loads(body)["messages"]
    assert first["message"] == {"userId": "u1", "event": "Order Completed"}
    assert second["message"] == {"type": "track", "userId": "u", "event": "A Done"}


async def test_oversize_item_is_refused_however_it_is_spelled(live):
    # Escapes and whitespace shrink when re-encoded; the exact size still counts.
    escaped = '{"type":"track","userId":"u","event":"E","properties":{"p":"%s"}}' % (
        "\\u0041" * 7000
    )
    padded = '{"type":"track","userId":"u","event":"E"%s}' % (" " * (MAX_MESSAGE_BYTES + 10))
    small = [TRACK % i for i in range(3)]
    for big in (escaped, padded):
        assert len(big) > MAX_MESSAGE_BYTES
        status, body = await post(live, "/v1/batch", batch_of(*small, big))
        assert (status, body["code"]) == (400, "payload_too_large")
    # A big batch of small items (the Python SDK's spaced-out JSON) still passes.
    spaced = json.dumps({"batch": [json.loads(TRACK % i) for i in range(600)]})
    assert len(spaced) > MAX_MESSAGE_BYTES
    assert await post(live, "/v1/batch", spaced) == (200, {"success": True})
    assert len(live.store.messages()) == 600


async def test_each_items_write_key_is_checked(live):
    live.capture.write_keys = frozenset(["good"])  # as `--write-key good` sets it
    good = '{"type":"track","userId":"u","event":"X Done","writeKey":"good"}'
    bad = '{"type":"track","userId":"u","event":"X Done","writeKey":"bad"}'
    plain = '{"type":"track","userId":"u","event":"X Done"}'
    cases = [
        (batch_of(good, bad), 401),
        (batch_of(bad, top='"writeKey":"good",'), 401),
        (batch_of(good, plain, top='"writeKey":"good",'), 200),
        # An item without a key of its own does not borrow a sibling's.
        (batch_of(good, plain), 401),
        (batch_of(plain, good), 401),
        (batch_of(plain), 401),
    ]
    for body, expected in cases:
        status, _ = await post(live, "/v1/batch", body)
        assert status == expected, body
    assert [m.write_key for m in live.store.messages()] == ["good"] * 2
    assert len(live.store.rejected()) == 5
    # Basic auth with an allowed key covers the items that carry none.
    auth = {"Authorization": "Basic Z29vZDo="}  # good:
    assert await post(live, "/v1/batch", batch_of(plain, good), auth) == (200, {"success": True})


async def test_since_beyond_sqlite_integers_is_not_a_500(live):
    await post(live, "/v1/track", TRACK % 1)
    status, body = await get(live, "/inspector/messages?since=99999999999999999999")
    assert status == 200 and json.loads(body)["total"] == 0
    status, body = await get(
        live, "/inspector/messages/wait?since=99999999999999999999&timeout=0.05"
    )
    assert status == 408 and json.loads(body)["code"] == "timeout"


async def test_reset_starts_a_new_view_of_rejected_requests(live):
    await post(live, "/v1/track", "{bad")
    _, body = await get(live, "/inspector/rejected")
    assert json.loads(body)["total"] == 1
    async with live.http.post(live.url + "/inspector/reset") as r:
        assert r.status == 200
    _, body = await get(live, "/inspector/rejected")
    assert json.loads(body) == {"rejected": [], "total": 0}
    _, body = await get(live, "/inspector/summary")
    assert json.loads(body)["rejected"] == 0
    await post(live, "/v1/track", "{worse")
    _, body = await get(live, "/inspector/rejected")
    doc = json.loads(body)
    assert doc["total"] == 1 and doc["rejected"][0]["body"] == "{worse"
    assert len(live.store.rejected(include_hidden=True)) == 2  # still in the file


async def test_rejected_headers_keep_repeats_in_order(live):
    await post(live, "/v1/track", "{bad", [("X-Dup", "one"), ("X-Dup", "two")])
    _, body = await get(live, "/inspector/rejected")
    headers = json.loads(body)["rejected"][0]["headers"]
    assert [h for h in headers if h[0] == "X-Dup"] == [["X-Dup", "one"], ["X-Dup", "two"]]


async def test_gzip_members_trailing_bytes_and_raw_deflate(live):
    a, b = gzip.compress(b'{"batch":[' + (TRACK % 1).encode()), gzip.compress(b"]}")
    gz = {"Content-Encoding": "gzip"}
    assert await post(live, "/v1/batch", a + b, gz) == (200, {"success": True})
    status, body = await post(live, "/v1/track", gzip.compress((TRACK % 2).encode()) + b"junk", gz)
    assert (status, body["code"]) == (400, "invalid_gzip")
    assert "follow the end" in body["message"]
    raw = zlib.compressobj(wbits=-15)
    deflated = raw.compress((TRACK % 3).encode()) + raw.flush()
    status, body = await post(live, "/v1/track", deflated, {"Content-Encoding": "deflate"})
    assert status == 200, body
    assert [json.loads(m.raw)["properties"]["x"] for m in live.store.messages()] == [1, 3]


async def test_metrics_gzip_body_is_kept_inflated(live):
    payload = b'{"series":[{"type":"Counter","metric":"analytics_js.invoke","value":1}]}'
    status, _ = await post(live, "/v1/m", gzip.compress(payload), {"Content-Encoding": "gzip"})
    assert status == 200
    con = sqlite3.connect(live.session_path)
    row = con.execute("SELECT body, body_encoding FROM requests WHERE kind = 'metrics'").fetchone()
    con.close()
    assert (bytes(row[0]), row[1]) == (payload, "gzip")


async def test_wrong_method_on_the_test_api_is_405(live):
    for method, path, allowed in (
        ("GET", "/inspector/reset", "POST"),
        ("POST", "/inspector/health", "GET"),
    ):
        async with live.http.request(method, live.url + path) as r:
            assert r.status == 405
            assert r.headers["Allow"] == allowed
            assert (await r.json())["code"] == "method_not_allowed"


async def test_wait_count_zero_returns_at_once(live):
    status, body = await get(live, "/inspector/messages/wait?count=0&timeout=5")
    assert status == 200 and json.loads(body) == {"messages": [], "total": 0}


async def test_single_call_size_is_the_objects_own_bytes(live):
    body = '{"userId":"u","event":"E","properties":{"p":"%s"}}'
    exact = body % ("x" * (MAX_MESSAGE_BYTES - len(body % "")))
    assert len(exact) == MAX_MESSAGE_BYTES
    assert await post(live, "/v1/track", "   " + exact + "\n") == (200, {"success": True})
    status, answer = await post(live, "/v1/track", exact[:-1] + ' ,"q":1}')
    assert (status, answer["code"]) == (400, "payload_too_large")


async def test_a_batch_sentat_that_is_not_a_time_is_reported(live):
    for sent in ('"notadate"', "5"):
        body = batch_of(TRACK % 1, top=f'"sentAt":{sent},')
        assert await post(live, "/v1/batch", body) == (200, {"success": True})
    found = [
        [v for v in m.violations if v.rule == "common/timestamp-format"]
        for m in live.store.messages()
    ]
    assert [len(f) for f in found] == [1, 1]
    assert all(f[0].message.startswith("The batch's sentAt is ") for f in found)


async def test_a_refused_request_keeps_its_basic_auth_write_key(live):
    status, _ = await post(live, "/v1/batch", "{bad", {"Authorization": "Basic d2sxOg=="})
    assert status == 400
    [rej] = live.store.execute("SELECT write_key FROM requests WHERE reason IS NOT NULL")
    assert rej == ("wk1",)


async def _raw_exchange(live, data: bytes, *, close_after: bool = True) -> bytes:
    import asyncio
    from urllib.parse import urlsplit

    u = urlsplit(live.url)
    reader, writer = await asyncio.open_connection(u.hostname, u.port)
    writer.write(data)
    await writer.drain()
    if close_after:
        writer.close()
        await writer.wait_closed()
        return b""
    answer = await asyncio.wait_for(reader.read(65536), 10)
    writer.close()
    return answer


async def test_a_body_cut_off_by_the_client_is_kept_as_rejected(live):
    import asyncio

    head = (
        b"POST /v1/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000\r\n\r\n"
    )
    await _raw_exchange(live, head + b'{"batch":[{"type":"track"')
    for _ in range(100):  # bounded: the server notices the closed connection at once
        if live.store.rejected():
            break
        await asyncio.sleep(0.02)
    [rej] = live.store.rejected()
    assert rej.status == 400
    assert rej.reason.startswith("The body was cut off after 25 of 1,000 bytes")
    assert rej.body == b'{"batch":[{"type":"track"'


async def test_other_methods_on_ingest_paths_are_405(live):
    for method in ("PUT", "GET", "DELETE"):
        async with live.http.request(method, live.url + "/v1/track") as r:
            assert r.status == 405 and r.headers["Allow"] == "POST"
            assert (await r.json())["code"] == "method_not_allowed"


async def test_a_full_disk_is_a_503_with_the_cause_and_numbers_stay_gapless(live):
    seen = []
    live.capture.listeners.append(seen.append)
    pages = live.store._wcon.execute("PRAGMA page_count").fetchone()[0]
    live.store._wcon.execute(f"PRAGMA max_page_count = {pages + 2}")  # SQLITE_FULL soon
    statuses = []
    big = batch_of(*[TRACK % i for i in range(200)])
    for _ in range(20):
        status, answer = await post(live, "/v1/batch", big)
        statuses.append(status)
        if status == 503:
            break
    assert statuses[-1] == 503, statuses
    assert answer["code"] == "storage_error"
    assert "database or disk is full" in answer["message"]
    assert seen[-1].status == 503 and "disk is full" in seen[-1].request.reason
    async with live.http.post(live.url + "/inspector/reset") as r:
        assert r.status in (200, 503)  # a reset may still fit; if not, a JSON 503
        assert (await r.json(content_type=None))["code" if r.status == 503 else "success"]
    live.store._wcon.execute("PRAGMA max_page_count = 1073741823")  # space again
    assert await post(live, "/v1/track", TRACK % 1) == (200, {"success": True})
    seqs = [m.seq for m in live.store.messages(include_hidden=True)]
    assert seqs == list(range(1, len(seqs) + 1))  # no numbers lost to the failed commits
