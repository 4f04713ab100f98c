"""The /inspector/ test API that users' own end-to-end tests call."""

from __future__ import annotations

import asyncio
import json
import time


async def send(live, *msgs, path="/v1/batch"):
    async with live.http.post(live.url + path, data=json.dumps({"batch": list(msgs)})) as r:
        assert r.status == 200


async def get(live, path):
    async with live.http.get(live.url + path) as r:
        return r.status, await r.json()


def track(event, **kw):
    return {"type": "track", "event": event, "userId": kw.pop("userId", "u1"), **kw}


async def test_messages_shape_and_filters(live):
    await send(
        live,
        track("Order Completed", properties={"revenue": 10}),
        track("Product Viewed", userId="u2"),
        {"type": "page", "anonymousId": "a1", "name": "Home"},
        {"type": "identify", "userId": "u2", "anonymousId": "a1"},
    )
    status, body = await get(live, "/inspector/messages")
    assert status == 200 and body["total"] == 4
    first = body["messages"][0]
    assert set(first) == {"seq", "receivedAt", "endpoint", "writeKey", "message", "violations"}
    assert first["message"] == track("Order Completed", properties={"revenue": 10})
    assert first["endpoint"] == "/v1/batch"

    _, body = await get(live, "/inspector/messages?type=track")
    assert [m["message"]["event"] for m in body["messages"]] == [
        "Order Completed",
        "Product Viewed",
    ]
    _, body = await get(live, "/inspector/messages?event=Product%20Viewed")
    assert body["total"] == 1 and body["messages"][0]["message"]["userId"] == "u2"
    _, body = await get(live, "/inspector/messages?userId=u2")
    assert body["total"] == 2
    _, body = await get(live, "/inspector/messages?anonymousId=a1")
    assert body["total"] == 2
    _, body = await get(live, "/inspector/messages?since=2")
    assert [m["seq"] for m in body["messages"]] == [3, 4]
    _, body = await get(live, "/inspector/messages?limit=1")
    assert len(body["messages"]) == 1 and body["total"] == 4
    status, body = await get(live, "/inspector/messages?limit=abc")
    assert status == 400


async def test_wait_returns_when_enough_messages_arrive(live):
    async def later():
        await asyncio.sleep(0.2)
        await send(live, track("Signup Completed"))
        await asyncio.sleep(0.1)
        await send(live, track("Signup Completed"))

    task = asyncio.create_task(later())
    t0 = time.monotonic()
    status, body = await get(
        live, "/inspector/messages/wait?event=Signup%20Completed&count=2&timeout=5"
    )
    elapsed = time.monotonic() - t0
    await task
    assert status == 200 and body["total"] == 2
    assert elapsed < 4  # answered on arrival, not at the timeout


async def test_wait_times_out_with_408_and_what_was_seen(live):
    await send(live, track("Signup Completed"))
    status, body = await get(
        live, "/inspector/messages/wait?event=Signup%20Completed&count=3&timeout=0.3"
    )
    assert status == 408
    assert body["total"] == 1 and len(body["messages"]) == 1
    assert "3" in body["message"]


async def test_rejected_summary_reset_health(live):
    async with live.http.post(live.url + "/v1/batch", data=b"{nope") as r:
        assert r.status == 400
    await send(
        live, track("Order Completed"), track("Order Completed"), {"type": "page", "userId": "u"}
    )
    status, body = await get(live, "/inspector/rejected")
    assert status == 200 and body["total"] == 1
    rej = body["rejected"][0]
    assert (
        rej["status"] == 400
        and rej["body"] == "{nope"
        and rej["path"] == "/v1/batch"
        and rej["reason"]
    )

    _, summary = await get(live, "/inspector/summary")
    assert summary["messages"] == 3 and summary["rejected"] == 1
    assert summary["by_type"] == {"track": 2, "page": 1}
    assert summary["by_event"] == {"Order Completed": 2}
    assert set(summary["by_severity"]) == {"error", "warning", "info"}

    async with live.http.post(live.url + "/inspector/reset") as r:
        assert r.status == 200
    _, body = await get(live, "/inspector/messages")
    assert body == {"messages": [], "total": 0}
    await send(live, track("After Reset Done"))
    _, body = await get(live, "/inspector/messages")
    assert [m["message"]["event"] for m in body["messages"]] == ["After Reset Done"]
    # The old messages are still in the session file.
    assert len(live.store.messages(include_hidden=True)) == 4

    status, health = await get(live, "/inspector/health")
    assert (
        status == 200 and health["status"] == "ok" and health["session"] == str(live.session_path)
    )
