"""A session captured through the real HTTP endpoint, with the shapes SDKs send."""

from __future__ import annotations

import base64
import gzip
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import aiohttp
import orjson
import pytest

from inspector.ingest import Capture, create_app, start_server
from inspector.spec import Engine
from inspector.store import Store

TS = "2024-05-01T10:00:00.000Z"


def _basic(key: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:".encode()).decode()


async def capture_sample(url: str, http: aiohttp.ClientSession) -> None:
    """Every kind of request: batches (gzip, batch-level context), single calls, rejects."""

    async def post(path: str, body: bytes, **headers: str) -> None:
        async with http.post(url + path, data=body, headers=headers) as r:
            await r.read()

    js = {"Content-Type": "application/json"}
    # analytics-python style batch, with a messy mix of values.
    await post(
        "/v1/batch",
        orjson.dumps(
            {
                "batch": [
                    {
                        "type": "track",
                        "event": "Order Completed",
                        "userId": "u1",
                        "messageId": "m-1",
                        "timestamp": TS,
                        "properties": {"revenue": 12.5, "products": [{"sku": "a", "price": 1e-7}]},
                        "context": {"library": {"name": "analytics-python", "version": "2.3.4"}},
                    },
                    {
                        "type": "identify",
                        "userId": "u1",
                        "messageId": "m-2",
                        "timestamp": TS,
                        "traits": {"name": "Zoë 🎉", "email": "=cmd|' /C calc'!A0"},
                    },
                ],
                # The batch's sentAt is the send time (a stale one is a clock-skew finding).
                "sentAt": datetime.now(UTC).isoformat(),
                "writeKey": "wk1",
            }
        ),
        **js,
    )
    # analytics-go style: library only at batch level, pretty-printed, gzip, Basic auth.
    go_body = b"""{
  "messageId": "b1", "sentAt": "SENT_AT",
  "batch": [ {"type": "page", "name": "Home", "anonymousId": "-a1", "messageId": "m-3",
              "timestamp": "2024-05-01T10:00:00Z", "receivedAt": "forged"} ],
  "context": {"library": {"name": "analytics-go", "version": "3.0.0"}}
}"""
    # Go stamps sentAt in local time with an offset (here +02:00).
    sent = datetime.now(timezone(timedelta(hours=2))).isoformat(timespec="milliseconds")
    go_body = go_body.replace(b"SENT_AT", sent.encode())
    await post(
        "/v1/batch",
        gzip.compress(go_body),
        **js,
        **{"Content-Encoding": "gzip", "Authorization": _basic("wk2")},
    )
    # analytics.js single call without type; a huge integer the JSON parsers disagree on.
    await post(
        "/v1/t",
        b'{"event":"Clicked","anonymousId":"a2","messageId":"m-4","writeKey":"wk3",'
        b'"properties":{"big":123456789012345678901234567890}}',
        **{"Content-Type": "text/plain"},
    )
    # Rejected: invalid JSON, not UTF-8, unknown path. Plus a settings fetch and metrics.
    await post("/v1/batch", b'{"batch": [', **js)
    await post("/v1/track", b'{"event":"\xff\xfe"}', **js)
    await post("/v1/nope", b"hello", **js)
    async with http.get(url + "/v1/projects/wk3/settings") as r:
        await r.read()
    await post("/v1/m", b'{"series":[]}', **{"Content-Type": "text/plain"})
    # Identical-looking single call on the long path.
    await post(
        "/v1/screen",
        b'{"type":"screen","name":"Cart","userId":"u2","messageId":"m-5","timestamp":"'
        + TS.encode()
        + b'"}',
        **js,
    )


@pytest.fixture
async def session(tmp_path: Path) -> AsyncIterator[Store]:
    """A closed-for-writing sample session, opened read-only."""
    path = tmp_path / "captured.sqlite"
    store = Store(path)
    capture = Capture(store, Engine())
    runner, url = await start_server(create_app(capture), "127.0.0.1", 0)
    try:
        async with aiohttp.ClientSession(auto_decompress=False) as http:
            await capture_sample(url, http)
    finally:
        await runner.cleanup()
        store.close()
    ro = Store(path, readonly=True)
    yield ro
    ro.close()
