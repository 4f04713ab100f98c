"""Every ingestion path, the settings endpoint, CORS, and what each malformed input gets.

Real HTTP on the loopback interface against the real app; assertions on what an SDK would
receive and on what the session file holds afterwards.
"""

from __future__ import annotations

import base64
import gzip
import json
import sqlite3
from datetime import UTC, datetime

import pytest

TRACK = {
    "type": "track",
    "event": "Order Completed",
    "userId": "u1",
    "properties": {"revenue": 19.99},
}


async def post(live, path, body, headers=None):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    async with live.http.post(live.url + path, data=data, headers=headers or {}) as r:
        return r.status, await r.json(content_type=None), r.headers


def stored_requests(live):
    con = sqlite3.connect(live.session_path)
    try:
        return con.execute(
            "SELECT path, status, reason, body, kind FROM requests ORDER BY id"
        ).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("call", ["track", "identify", "page", "screen", "group", "alias"])
@pytest.mark.parametrize("slash", ["", "/"])
async def test_long_single_paths_fill_type_from_path(live, call, slash):
    msg = {
        "userId": "u1",
        "event": "Signed Up",
        "groupId": "g1",
        "previousId": "a1",
        "name": "Home",
    }
    status, body, _ = await post(live, f"/v1/{call}{slash}", msg)
    assert (status, body) == (200, {"success": True})
    [m] = live.store.messages()
    assert m.data["type"] == call
    assert m.endpoint == f"/v1/{call}{slash}"
    # The exact bytes sent are kept; the type was added by the inspector, not the SDK.
    assert m.raw == json.dumps(msg).encode()


@pytest.mark.parametrize(
    ("short", "call"),
    [
        ("t", "track"),
        ("i", "identify"),
        ("p", "page"),
        ("s", "screen"),
        ("g", "group"),
        ("a", "alias"),
    ],
)
async def test_browser_short_paths(live, short, call):
    msg = {
        "type": call,
        "userId": "u1",
        "event": "Signed Up",
        "groupId": "g",
        "previousId": "p",
        "writeKey": "wk",
    }
    status, body, _ = await post(live, f"/v1/{short}", msg, {"Content-Type": "text/plain"})
    assert (status, body) == (200, {"success": True})
    [m] = live.store.messages()
    assert m.data == msg and m.write_key == "wk"


@pytest.mark.parametrize(
    "path", ["/v1/batch", "/v1/batch/", "/v1/import", "/v1/import/", "/v1/b", "/v1/b/"]
)
async def test_batch_paths(live, path):
    batch = {
        "batch": [TRACK, {"type": "identify", "userId": "u1", "traits": {"plan": "pro"}}],
        "writeKey": "wk",
        "sentAt": "2026-01-01T00:00:00.000Z",
    }
    status, body, _ = await post(live, path, batch)
    assert (status, body) == (200, {"success": True})
    msgs = live.store.messages()
    assert [m.data for m in msgs] == batch["batch"]
    assert all(m.write_key == "wk" for m in msgs)


async def test_batch_level_context_and_integrations_are_merged(live):
    batch = {
        "batch": [
            {"type": "track", "event": "A Done", "userId": "u", "context": {"ip": "1.2.3.4"}},
            {
                "type": "track",
                "event": "B Done",
                "userId": "u",
                "integrations": {"Mixpanel": False},
            },
        ],
        "context": {"library": {"name": "analytics-go", "version": "3.0.0"}, "ip": "9.9.9.9"},
        "integrations": {"All": True},
    }
    await post(live, "/v1/batch", batch)
    a, b = live.store.messages()
    assert a.data["context"] == {
        "library": {"name": "analytics-go", "version": "3.0.0"},
        "ip": "1.2.3.4",
    }
    assert b.data["integrations"] == {"All": True, "Mixpanel": False}
    # The raw bytes are still exactly what the SDK sent for that item.
    assert json.loads(a.raw) == batch["batch"][0]
    [row] = live.store.rows()[:1]
    assert row.library == "analytics-go"


async def test_batch_level_sent_at_is_checked_for_clock_skew(live):
    # Python, Node, Go, Java and Ruby put sentAt on the batch only: a skewed device clock
    # must still be reported on each item, and a correct one must not.
    def batch(sent_at):
        return {"batch": [TRACK, {**TRACK, "event": "Order Refunded"}], "sentAt": sent_at}

    await post(live, "/v1/batch", batch("2001-01-01T00:00:00.000Z"))
    await post(live, "/v1/batch", batch(datetime.now(UTC).isoformat()))
    skewed = [
        [v for v in m.violations if v.rule == "session/clock-skew"] for m in live.store.messages()
    ]
    assert [len(s) for s in skewed] == [1, 1, 0, 0]
    assert skewed[0][0].path == "sentAt"
    assert skewed[0][0].message.startswith("The batch's sentAt is ")
    assert "behind the arrival time" in skewed[0][0].message


async def test_write_key_from_basic_auth(live):
    auth = "Basic " + base64.b64encode(b"secret-key:").decode()
    await post(live, "/v1/batch", {"batch": [TRACK]}, {"Authorization": auth})
    assert live.store.messages()[0].write_key == "secret-key"


async def test_write_key_from_batch_items(live):
    await post(live, "/v1/b", {"batch": [{**TRACK, "writeKey": "item-key"}]})
    assert live.store.messages()[0].write_key == "item-key"


async def test_gzip_body_is_inflated(live):
    body = gzip.compress(json.dumps({"batch": [TRACK] * 3}).encode())
    status, resp, _ = await post(live, "/v1/batch", body, {"Content-Encoding": "gzip"})
    assert (status, resp) == (200, {"success": True})
    assert len(live.store.messages()) == 3
    req = live.store.request(1)
    assert req.body_encoding == "gzip" and req.wire_size == len(body)


async def test_chunked_gzip_body(live):
    payload = gzip.compress(json.dumps({"batch": [TRACK] * 50}).encode())

    async def chunks():
        for i in range(0, len(payload), 100):
            yield payload[i : i + 100]

    async with live.http.post(
        live.url + "/v1/batch", data=chunks(), headers={"Content-Encoding": "gzip"}
    ) as r:
        assert r.status == 200
        assert r.request_info.headers.get("Transfer-Encoding") == "chunked"
    assert len(live.store.messages()) == 50


async def test_any_content_type_is_parsed_as_json(live):
    for ct in ("text/plain", "application/x-www-form-urlencoded", "application/octet-stream"):
        status, _, _ = await post(live, "/v1/track", TRACK, {"Content-Type": ct})
        assert status == 200
    assert len(live.store.messages()) == 3


@pytest.mark.parametrize(
    ("path", "body", "headers", "status", "code"),
    [
        ("/v1/batch", b"{bad json", {}, 400, "invalid_json"),
        ("/v1/track", b"{bad json", {}, 400, "invalid_json"),
        ("/v1/batch", b"", {}, 400, "invalid_json"),
        ("/v1/track", b"   ", {}, 400, "invalid_json"),
        ("/v1/batch", b"\xff\xfe{}", {}, 400, "invalid_json"),
        ("/v1/track", b'{"event": "caf\xe9"}', {}, 400, "invalid_json"),
        ("/v1/batch", b"[1, 2]", {}, 400, "invalid_json"),
        ("/v1/track", b'"a string"', {}, 400, "invalid_json"),
        ("/v1/track", b"[]", {}, 400, "invalid_json"),
        ("/v1/track", b"null", {}, 400, "invalid_json"),
        ("/v1/batch", b'{"batch": {"not": "an array"}}', {}, 400, "invalid_json"),
        ("/v1/batch", b'{"messages": []}', {}, 400, "invalid_json"),
        ("/v1/batch", b'{"batch": [], "x": NaN}', {}, 400, "invalid_json"),
        ("/v1/track", b'{"a": 1} {"b": 2}', {}, 400, "invalid_json"),
        ("/v1/track", b"[" * 100000 + b"]" * 100000, {}, 400, "payload_too_large"),
        ("/v1/batch", b'{"batch": ' + b"[" * 20000 + b"]" * 20000 + b"}", {}, 400, "invalid_json"),
        ("/v1/batch", b"not gzip at all", {"Content-Encoding": "gzip"}, 400, "invalid_gzip"),
        (
            "/v1/batch",
            gzip.compress(b'{"batch": []}')[:-6],
            {"Content-Encoding": "gzip"},
            400,
            "invalid_gzip",
        ),
        ("/v1/batch", b'{"batch": []}', {"Content-Encoding": "br"}, 400, "unsupported_encoding"),
    ],
    ids=[
        "bad-json-batch",
        "bad-json-single",
        "empty",
        "whitespace",
        "non-utf8-bom",
        "non-utf8-latin1",
        "array-batch",
        "string-single",
        "array-single",
        "null-single",
        "batch-not-array",
        "no-batch",
        "nan",
        "two-objects",
        "deep-nesting-oversize",
        "deep-nesting",
        "not-gzip",
        "truncated-gzip",
        "brotli",
    ],
)
async def test_malformed_input_is_answered_and_captured(live, path, body, headers, status, code):
    got, resp, _ = await post(live, path, body, headers)
    assert got == status
    assert resp["code"] == code and resp["message"]
    assert live.store.messages() == []
    [(p, st, reason, stored_body, kind)] = stored_requests(live)
    assert (p, st, kind) == (path, status, "ingest")
    assert reason == resp["message"]
    if headers.get("Content-Encoding") != "gzip":
        assert bytes(stored_body) == body  # nothing the SDK sent is lost
    rejected = live.store.rejected()
    assert len(rejected) == 1 and rejected[0].status == status


async def test_oversize_message_and_batch(live):
    big = {**TRACK, "properties": {"blob": "x" * 33000}}
    status, resp, _ = await post(live, "/v1/track", big)
    assert status == 400 and resp["code"] == "payload_too_large" and "32 KB" in resp["message"]
    status, resp, _ = await post(live, "/v1/batch", {"batch": [big]})
    assert status == 400 and "32 KB" in resp["message"]
    many = {"batch": [{**TRACK, "properties": {"blob": "x" * 20000}} for _ in range(30)]}
    status, resp, _ = await post(live, "/v1/batch", many)
    assert status == 400 and "500 KB" in resp["message"]
    assert live.store.messages() == []
    assert live.store.rejected_count() == 3


async def test_gzip_bomb_is_refused_without_inflating_it_all(live):
    bomb = gzip.compress(b" " * (200 * 1024 * 1024))  # 200 MB of spaces, ~200 KB compressed
    status, resp, _ = await post(live, "/v1/batch", bomb, {"Content-Encoding": "gzip"})
    assert status == 413 and resp["code"] == "payload_too_large"
    assert live.store.rejected_count() == 1


async def test_more_than_2500_events_is_accepted_but_flagged(live):
    batch = {
        "batch": [
            {"type": "track", "event": "Tick Recorded", "userId": "u", "messageId": f"m{i}"}
            for i in range(2502)
        ]
    }
    status, resp, _ = await post(live, "/v1/batch", batch)
    assert (status, resp) == (200, {"success": True})
    msgs = live.store.messages()
    assert len(msgs) == 2502
    flagged = [
        m.batch_index
        for m in msgs
        if any(v.rule == "session/batch-too-large" for v in m.violations)
    ]
    assert flagged == [2500, 2501]


async def test_write_key_allow_list(live):
    live.capture.write_keys = frozenset({"good"})
    status, resp, _ = await post(live, "/v1/batch", {"batch": [TRACK], "writeKey": "bad"})
    assert status == 401 and resp["code"] == "unauthorized" and "--write-key" in resp["message"]
    status, resp, _ = await post(live, "/v1/batch", {"batch": [TRACK]})
    assert status == 401
    status, resp, _ = await post(live, "/v1/batch", {"batch": [TRACK], "writeKey": "good"})
    assert status == 200
    assert len(live.store.messages()) == 1 and live.store.rejected_count() == 2


async def test_unknown_path_is_404_and_captured(live):
    status, resp, _ = await post(live, "/v2/whatever", {"x": 1})
    assert status == 404 and "No such endpoint" in resp["message"]
    assert live.store.rejected()[0].path == "/v2/whatever"


async def test_metrics_are_kept_not_shown(live):
    series = {
        "series": [{"type": "Counter", "metric": "analytics_js.invoke", "value": 1, "tags": {}}]
    }
    status, resp, _ = await post(live, "/v1/m", series, {"Content-Type": "text/plain"})
    assert (status, resp) == (200, {"success": True})
    assert live.store.messages() == []
    [(path, st, reason, body, kind)] = stored_requests(live)
    assert (path, kind, reason) == ("/v1/m", "metrics", None)


@pytest.mark.parametrize("path", ["/v1/projects/my-key/settings", "/projects/my-key/settings"])
async def test_settings_point_the_sdk_back_here(live, path):
    async with live.http.get(live.url + path, headers={"Origin": "http://localhost:3000"}) as r:
        assert r.status == 200
        assert r.headers["Access-Control-Allow-Origin"] == "*"
        settings = await r.json()
    seg = settings["integrations"]["Segment.io"]
    host = live.url.split("://")[1]
    assert seg == {**seg, "apiKey": "my-key", "apiHost": f"{host}/v1", "protocol": "http"}
    assert list(settings["integrations"]) == ["Segment.io"]
    assert settings["metrics"]["sampleRate"] == 0


async def test_cors_preflight(live):
    headers = {
        "Origin": "http://localhost:3000",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,x-retry-count",
    }
    async with live.http.options(live.url + "/v1/t", headers=headers) as r:
        assert r.status in (200, 204)
        allowed = r.headers["Access-Control-Allow-Headers"].lower()
        assert {"authorization", "content-type", "x-retry-count"} <= {
            h.strip() for h in allowed.split(",")
        }
        assert r.headers["Access-Control-Allow-Origin"] == "*"
    status, _, resp_headers = await post(live, "/v1/t", TRACK, {"Origin": "http://localhost:3000"})
    assert status == 200 and resp_headers["Access-Control-Allow-Origin"] == "*"
    # The preflight is kept in the session like every request, and is not a rejection.
    kept = [(r.method, r.path, r.status, r.reason) for r in live.store.iter_requests()]
    assert kept[0] == ("OPTIONS", "/v1/t", 204, None)
    assert dict(next(live.store.iter_requests()).headers)["Origin"] == "http://localhost:3000"
    assert live.store.rejected_count() == 0


async def test_received_at_is_stamped(live):
    await post(live, "/v1/track", TRACK)
    [m] = live.store.messages()
    assert m.received_at.endswith("Z") and "T" in m.received_at


async def test_original_json_kept_byte_for_byte(live):
    # Odd spacing, escapes, number forms and non-ASCII text: none of it may be normalised.
    item1 = '{ "type":"track" ,"event":"Caf\\u00e9 Visited","userId":"u1","properties":{"a":1.0e2,"b":"é ✓","c":[1 , 2]} }'
    item2 = '{"type":"identify","userId":"ü","traits":{"name":"Zoë \\"Z\\""}}'
    body = (
        '{"writeKey":"wk",\n  "batch" : [ '
        + item1
        + " ,\n"
        + item2
        + ' ] ,"sentAt":"2026-01-01T00:00:00Z"}'
    ).encode()
    status, _, _ = await post(live, "/v1/batch", body)
    assert status == 200
    m1, m2 = live.store.messages()
    assert m1.raw == item1.encode() and m2.raw == item2.encode()
    assert m1.data["event"] == "Café Visited"
    # And straight from the file, as another tool would read it.
    con = sqlite3.connect(live.session_path)
    (raw_body,) = con.execute("SELECT body FROM requests").fetchone()
    assert bytes(raw_body) == body
    con.close()


async def test_big_integers_are_not_rounded(live):
    body = b'{"batch": [{"type": "track", "event": "Big Number Sent", "userId": "u", "properties": {"n": 123456789012345678901234567890}}]}'
    status, _, _ = await post(live, "/v1/batch", body)
    assert status == 200
    [m] = live.store.messages()
    assert m.data["properties"]["n"] == 123456789012345678901234567890


async def test_filter_on_write_key_reads_messages(live):
    await post(live, "/v1/batch", {"batch": [TRACK], "writeKey": "k1"})
    await post(live, "/v1/batch", {"batch": [TRACK], "writeKey": "k2"})
    from inspector import filters

    f = filters.parse("writekey:k2")
    assert [m.write_key for m in live.store.messages(f.where, f.params)] == ["k2"]
    assert [m.write_key for m in live.store.iter_messages(f.where, f.params)] == ["k2"]


async def test_a_session_file_that_cannot_be_written_gets_503_not_a_traceback(live):
    live.store._wcon.close()  # the file can no longer be written (as on a vanished disk)
    status, resp, _ = await post(live, "/v1/batch", {"batch": [TRACK]})
    assert status == 503 and resp["code"] == "storage_error"
    assert "not stored" in resp["message"]
    status, resp, _ = await post(live, "/v1/track", b"{bad")
    assert status == 503
