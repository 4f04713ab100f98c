"""The test API is strict where a lax answer would let a user's test pass by mistake, ends
long-polls whose client has gone (or when the inspector stops), and answers only pages on
this machine. Found by an outside review; real HTTP on the loopback interface."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import aiohttp
import pytest

TRACK = {"userId": "u1", "event": "Checkout Started"}


async def post(live, path, body, headers=None):
    async with live.http.post(live.url + path, json=body, headers=headers or {}) as r:
        return r.status, await r.json(content_type=None)


async def get(live, path, headers=None):
    async with live.http.get(live.url + path, headers=headers or {}) as r:
        return r.status, await r.json(content_type=None), r.headers


# event and name -----------------------------------------------------------------------


async def test_event_matches_track_events_only(live):
    await post(live, "/v1/page", {"userId": "p1", "name": "Checkout Started"})
    await post(live, "/v1/alias", {"userId": "p2", "previousId": "Checkout Started"})
    await post(live, "/v1/screen", {"userId": "p4", "name": "Checkout Started"})
    await post(live, "/v1/group", {"userId": "p5", "groupId": "Checkout Started"})
    status, body, _ = await get(live, "/inspector/messages/wait?event=Checkout%20Started&timeout=0")
    assert status == 408 and body["total"] == 0
    await post(live, "/v1/track", TRACK)
    status, body, _ = await get(live, "/inspector/messages/wait?event=Checkout%20Started&timeout=5")
    assert status == 200 and [m["message"]["userId"] for m in body["messages"]] == ["u1"]
    # name= is a page or screen name
    status, body, _ = await get(live, "/inspector/messages?name=Checkout%20Started")
    assert sorted(m["message"]["userId"] for m in body["messages"]) == ["p1", "p4"]


# strict parameters ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "needle"),
    [
        ("/inspector/messages?userid=nobody", "no parameter 'userid'"),
        ("/inspector/messages?evnt=X", "no parameter 'evnt'"),
        ("/inspector/messages/wait?evnt=X&timeout=0", "no parameter 'evnt'"),
        ("/inspector/messages?type=track&type=identify", "more than once"),
        ("/inspector/messages?limit=1&limit=2", "more than once"),
        ("/inspector/messages?limit=-1", "limit must be a whole number"),
        ("/inspector/messages?limit=1_0", "limit must be a whole number"),
        ("/inspector/messages?limit=%EF%BC%91", "limit must be a whole number"),
        ("/inspector/messages?since=%D9%A3", "since must be a seq number"),
        ("/inspector/messages/wait?count=-1", "count must be a whole number"),
        ("/inspector/messages/wait?timeout=nan", "timeout must be a number of seconds"),
        ("/inspector/messages/wait?timeout=-1", "timeout must be a number of seconds"),
        ("/inspector/messages/wait?timeout=inf", "timeout must be a number of seconds"),
        ("/inspector/rejected?limit=x", "limit must be a whole number"),
        ("/inspector/summary?type=track", "takes no parameters"),
    ],
)
async def test_a_malformed_or_unknown_parameter_is_a_400(live, query, needle):
    await post(live, "/v1/track", TRACK)
    status, body, _ = await get(live, query)
    assert status == 400 and body["code"] == "bad_request"
    assert needle in body["message"], body["message"]


async def test_large_limit_and_timeout_are_capped_not_refused(live):
    await post(live, "/v1/track", TRACK)
    status, body, _ = await get(live, "/inspector/messages?limit=10000000")
    assert status == 200 and body["total"] == 1
    status, body, _ = await get(live, "/inspector/messages/wait?timeout=99999&count=1")
    assert status == 200


# the test API's own paths ---------------------------------------------------------------


async def test_trailing_slashes_work_and_typos_are_not_kept_as_rejected(live):
    await post(live, "/v1/track", TRACK)
    for path in ("/inspector/messages/", "/inspector/summary/", "/inspector/rejected/"):
        status, _, _ = await get(live, path)
        assert status == 200, path
    status, body, _ = await get(live, "/inspector/messages/wait/?timeout=1")
    assert status == 200 and body["total"] == 1
    status, body = await post(live, "/inspector/reset/", {})
    assert status == 200 and body["success"] is True
    status, body, _ = await get(live, "/inspector/foo")
    assert status == 404 and "GET /inspector/messages" in body["message"]
    status, body = await post(live, "/inspector/messages", {})
    assert status == 405 and body["message"] == "/inspector/messages answers GET only, not POST"
    status, body, _ = await get(live, "/inspector/rejected")
    assert body["total"] == 0  # the typos were not an SDK's rejected requests


# who may call it --------------------------------------------------------------------------


async def test_pages_from_other_sites_cannot_read_or_reset(live):
    await post(live, "/v1/track", TRACK)
    evil = {"Origin": "https://evil.example"}
    status, body, headers = await get(live, "/inspector/messages", evil)
    assert status == 403 and body["code"] == "forbidden" and "messages" not in body
    assert "Access-Control-Allow-Origin" not in headers
    async with live.http.post(live.url + "/inspector/reset", data=b"", headers=evil) as r:
        assert r.status == 403
    status, body, headers = await get(live, "/inspector/messages")
    assert body["total"] == 1  # not reset
    assert "Access-Control-Allow-Origin" not in headers  # no wildcard for anyone
    local = {"Origin": "http://localhost:3000"}
    status, body, headers = await get(live, "/inspector/messages", local)
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    # DNS rebinding: a page's own host name pointing at 127.0.0.1
    status, body, _ = await get(live, "/inspector/messages", {"Host": "rebind.example:80"})
    assert status == 403 and "127.0.0.1" in body["message"]
    # ingestion itself stays open to any page, as Segment's is
    status, _ = await post(live, "/v1/track", TRACK, evil)
    assert status == 200


async def test_preflight_allows_the_headers_the_page_asks_for(live):
    headers = {
        "Origin": "https://shop.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-custom-header",
        "Access-Control-Request-Private-Network": "true",
    }
    async with live.http.options(live.url + "/v1/b", headers=headers) as r:
        assert r.status == 204
        allowed = {h.strip().lower() for h in r.headers["Access-Control-Allow-Headers"].split(",")}
        assert {"content-type", "x-custom-header", "authorization"} <= allowed
        assert r.headers["Access-Control-Allow-Private-Network"] == "true"
    async with live.http.options(live.url + "/inspector/messages", headers=headers) as r:
        assert r.status == 204 and "Access-Control-Allow-Origin" not in r.headers


# endpoint gaps ------------------------------------------------------------------------------


async def test_doubled_slashes_are_taken_as_segment_takes_them(live):
    for path in ("//v1/batch", "/v1//batch", "//v1//track"):
        body = {"batch": [TRACK]} if "batch" in path else TRACK
        status, answer = await post(live, path, body)
        assert (status, answer) == (200, {"success": True}), path
    status, body, _ = await get(live, "/inspector/messages")
    assert body["total"] == 3 and {m["endpoint"] for m in body["messages"]} == {
        "//v1/batch",
        "/v1//batch",
        "//v1//track",
    }


async def test_an_empty_gzip_body_is_an_empty_body(live):
    async with live.http.post(
        live.url + "/v1/track", data=b"", headers={"Content-Encoding": "gzip"}
    ) as r:
        assert r.status == 400
        assert (await r.json())["message"] == "Empty body: send a JSON object"


# waiters -------------------------------------------------------------------------------------


async def test_a_waiter_whose_client_went_away_ends(live):
    url = live.url + "/inspector/messages/wait?event=Never%20Arrives&timeout=120"
    async with aiohttp.ClientSession() as http:
        tasks = [asyncio.ensure_future(http.get(url)) for _ in range(50)]
        await asyncio.sleep(0.5)
        assert len(live.store._listeners) >= 50
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    deadline = asyncio.get_running_loop().time() + 5
    while live.store._listeners and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.1)
    assert live.store._listeners == []  # nobody is counting on every commit any more
    status, _ = await post(live, "/v1/track", TRACK)
    assert status == 200


def test_stopping_the_inspector_ends_its_long_polls(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    with out.open("wb") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "inspector", "serve", "--headless", "--port", "0"]
            + ["--session", str(tmp_path / "s.sqlite")],
            stdout=fh,
            stderr=subprocess.PIPE,
        )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and "http://" not in out.read_text():
            time.sleep(0.05)
        url = out.read_text().split()[3]
        result: dict[str, object] = {}

        def wait() -> None:
            try:
                urllib.request.urlopen(
                    url + "/inspector/messages/wait?event=Never&timeout=120", timeout=30
                )
            except urllib.error.HTTPError as e:
                result["status"] = e.code
                result["body"] = json.loads(e.read())

        import threading

        t = threading.Thread(target=wait)
        t.start()
        time.sleep(0.5)
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=15)
        took = time.monotonic() - started
        t.join(timeout=15)
        assert took < 5, took
        assert result.get("status") == 503
        assert result["body"]["code"] == "shutting_down"  # type: ignore[index]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()


# second review ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://127.0.0.1.evil.example"},
        {"Origin": "http://evil.example:80@127.0.0.1"},
        {"Origin": "null"},
        {"Origin": "file://"},
        {"Host": "127.0.0.1.evil.example"},
        {"Host": "localhost.evil.example:8787"},
    ],
)
async def test_look_alike_origins_and_hosts_are_not_local(live, headers):
    await post(live, "/v1/track", TRACK)
    status, body, resp_headers = await get(live, "/inspector/messages", headers)
    assert status == 403 and "messages" not in body
    assert "Access-Control-Allow-Origin" not in resp_headers
    async with live.http.post(live.url + "/inspector/reset", data=b"", headers=headers) as r:
        assert r.status == 403


@pytest.mark.parametrize(
    "origin", ["http://127.0.0.2:3000", "http://[::1]:5173", "http://app.localhost:8080"]
)
async def test_loopback_pages_may_call_the_test_api(live, origin):
    status, _, headers = await get(live, "/inspector/summary", {"Origin": origin})
    assert status == 200 and headers["Access-Control-Allow-Origin"] == origin


async def test_a_local_page_may_send_its_own_headers_to_the_test_api(live):
    headers = {
        "Origin": "http://localhost:3000",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "x-test, Content-Type",
    }
    async with live.http.options(live.url + "/inspector/messages", headers=headers) as r:
        assert r.status == 204
        assert r.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
        allowed = [h.strip().lower() for h in r.headers["Access-Control-Allow-Headers"].split(",")]
        assert "x-test" in allowed and allowed.count("content-type") == 1


@pytest.mark.parametrize(
    ("query", "needle"),
    [
        ("/inspector/messages?severity=", "severity must be"),
        ("/inspector/messages?rule=", "rule needs"),
    ],
)
async def test_empty_rule_or_severity_is_a_400(live, query, needle):
    status, body, _ = await get(live, query)
    assert status == 400 and needle in body["message"]


async def test_settings_fetch_with_a_doubled_slash(live):
    status, body, _ = await get(live, "//v1/projects/wk/settings")
    assert status == 200 and body["integrations"]["Segment.io"]["apiKey"] == "wk"


def test_stopping_ends_a_stalled_body_at_once_and_keeps_it(tmp_path: Path) -> None:
    import socket

    out = tmp_path / "out.txt"
    with out.open("wb") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "inspector", "serve", "--headless", "--port", "0"]
            + ["--session", str(tmp_path / "s.sqlite")],
            stdout=fh,
            stderr=subprocess.PIPE,
        )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and "http://" not in out.read_text():
            time.sleep(0.05)
        host, port = out.read_text().split()[3].removeprefix("http://").rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=10) as s:
            s.sendall(b'POST /v1/track HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"userId"')
            time.sleep(0.5)
            started = time.monotonic()
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=20)
            took = time.monotonic() - started
        assert took < 5, took
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()
    import sqlite3

    con = sqlite3.connect(tmp_path / "s.sqlite")
    rows = con.execute("SELECT status, reason, body FROM requests").fetchall()
    con.close()
    assert len(rows) == 1 and rows[0][0] == 503
    assert rows[0][1].startswith("The inspector stopped while the body was arriving")
    assert bytes(rows[0][2]) == b'{"userId"'
