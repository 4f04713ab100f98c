"""A realistic little session for snapshots, screenshots and demos.

A shop app instrumented with several SDKs (browser, Node backend, Python worker, iOS and
Android apps): pages and screens, a checkout funnel, an identify and a group, some mistakes
the validator catches (revenue sent as a string, a vague event name, a missing identity),
and one request the endpoint rejects. Sent either through a ``Capture`` directly (fixed
clock: deterministic snapshot tests) or over HTTP to a running inspector.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from inspector.ingest.service import Capture

Request = tuple[str, list[tuple[str, str]], bytes]

START = datetime(2025, 3, 14, 9, 26, 53, 500000, tzinfo=UTC)


def step_clock(start: datetime = START, step_ms: int = 1370) -> Callable[[], datetime]:
    """A clock that moves ``step_ms`` forward at each reading (deterministic receivedAt)."""
    state = {"t": start - timedelta(milliseconds=step_ms)}

    def clock() -> datetime:
        state["t"] += timedelta(milliseconds=step_ms)
        return state["t"]

    return clock


def _lib(name: str, version: str) -> dict[str, Any]:
    return {"library": {"name": name, "version": version}}


_n = 0


def _mid() -> str:
    global _n
    _n += 1
    return f"4f9c1e2a-77b0-4c1d-9d1e-{_n:012d}"


def _ts(i: int) -> str:
    return (START + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _json(obj: Any) -> bytes:
    return orjson.dumps(obj)


def demo_requests() -> list[Request]:
    """The requests of the demo session, in order (path, headers, body)."""
    global _n
    _n = 0
    js = _lib("analytics.js", "next-1.72.0")
    node = _lib("@segment/analytics-node", "2.1.2")
    py = _lib("analytics-python", "2.3.2")
    ios = {**_lib("analytics-swift", "1.5.11"), "device": {"type": "ios", "model": "iPhone15,2"}}
    android = {**_lib("analytics-kotlin", "1.16.3"), "device": {"type": "android"}}
    anon = "b3f6c1d0-8f5e-4a0b-9a43-0c1f5e2d7a11"
    h_json = [("Content-Type", "application/json"), ("User-Agent", "Mozilla/5.0 (Macintosh)")]
    h_node = [
        ("Content-Type", "application/json"),
        ("Authorization", "Basic d2tfZGVtbzo="),
        ("User-Agent", "analytics-node-next/latest"),
    ]
    h_py = [
        ("Content-Type", "application/json"),
        ("User-Agent", "analytics-python/2.3.2"),
    ]
    h_mobile = [("Content-Type", "text/plain"), ("Content-Encoding", "gzip")]
    out: list[Request] = []

    def single(call: str, headers: list[tuple[str, str]], msg: dict[str, Any]) -> None:
        msg.setdefault("messageId", _mid())
        msg.setdefault("writeKey", "wk_demo")
        out.append((f"/v1/{call}", headers, _json(msg)))

    def batch(headers: list[tuple[str, str]], msgs: list[dict[str, Any]], gz: bool = False) -> None:
        for m in msgs:
            m.setdefault("messageId", _mid())
        body = _json({"batch": msgs, "writeKey": "wk_demo", "sentAt": _ts(60)})
        out.append(("/v1/batch", headers, gzip.compress(body, mtime=0) if gz else body))

    single(
        "page",
        h_json,
        {
            "type": "page",
            "anonymousId": anon,
            "name": "Home",
            "properties": {"path": "/", "url": "https://shop.example/", "title": "Shop"},
            "context": js,
            "timestamp": _ts(1),
        },
    )
    single(
        "track",
        h_json,
        {
            "type": "track",
            "anonymousId": anon,
            "event": "Products Searched",
            "properties": {"query": "trail shoes"},
            "context": js,
            "timestamp": _ts(2),
        },
    )
    single(
        "track",
        h_json,
        {
            "type": "track",
            "anonymousId": anon,
            "event": "Product Viewed",
            "properties": {
                "product_id": "sku-1042",
                "name": "Trail Runner 3",
                "price": 89.0,
                "currency": "USD",
            },
            "context": js,
            "timestamp": _ts(3),
        },
    )
    single(
        "track",
        h_json,
        {
            "type": "track",
            "anonymousId": anon,
            "event": "click",
            "properties": {"button": "add-to-cart"},
            "context": js,
            "timestamp": _ts(4),
        },
    )
    single(
        "identify",
        h_json,
        {
            "type": "identify",
            "anonymousId": anon,
            "userId": "user_8841",
            "traits": {"email": "ada@example.com", "name": "Ada Lovelace", "plan": "pro"},
            "context": js,
            "timestamp": _ts(5),
        },
    )
    single(
        "track",
        h_json,
        {
            "type": "track",
            "userId": "user_8841",
            "event": "Product Added",
            "properties": {"product_id": "sku-1042", "price": 89.0, "quantity": 1},
            "context": js,
            "timestamp": _ts(6),
        },
    )
    single(
        "track",
        h_json,
        {
            "type": "track",
            "userId": "user_8841",
            "event": "Checkout Started",
            "properties": {"order_id": "ord_5521", "value": 89.0, "currency": "USD"},
            "context": js,
            "timestamp": _ts(7),
        },
    )
    batch(
        h_node,
        [
            {
                "type": "track",
                "userId": "user_8841",
                "event": "Order Completed",
                "properties": {
                    "order_id": "ord_5521",
                    "revenue": "89.00",
                    "currency": "usd",
                    "products": [{"product_id": "sku-1042", "price": "89", "quantity": 1}],
                },
                "context": node,
                "timestamp": _ts(8),
            },
            {
                "type": "group",
                "userId": "user_8841",
                "groupId": "org_77",
                "traits": {"name": "Analytical Engines Ltd", "employees": 12},
                "context": node,
                "timestamp": _ts(9),
            },
        ],
    )
    single(
        "track",
        h_py,
        {
            "type": "track",
            "event": "Invoice Sent",
            "properties": {"invoice_id": "inv_301", "amount": 89.0},
            "context": py,
            "timestamp": _ts(10),
        },
    )
    out.append(
        (
            "/v1/batch",
            [("Content-Type", "application/json"), ("User-Agent", "curl/8.5.0")],
            b'{"batch": [{"type": "track", "event": "Signed Up",',
        )
    )
    batch(
        h_mobile,
        [
            {
                "type": "screen",
                "anonymousId": "6a1f0c55-1b7e-4d36-a0b8-2a3f0b9e4c21",
                "name": "Onboarding",
                "properties": {"step": 1},
                "context": ios,
                "timestamp": _ts(11),
            },
            {
                "type": "track",
                "anonymousId": "6a1f0c55-1b7e-4d36-a0b8-2a3f0b9e4c21",
                "event": "Application Opened",
                "properties": {"from_background": False, "version": "4.2.0", "build": "412"},
                "context": ios,
                "timestamp": _ts(12),
            },
        ],
        gz=True,
    )
    batch(
        h_mobile,
        [
            {
                "type": "screen",
                "userId": "user_1203",
                "name": "Cart",
                "context": android,
                "timestamp": _ts(13),
            },
            {
                "type": "track",
                "userId": "user_1203",
                "event": "Coupon Applied",
                "properties": {"coupon_id": "SPRING25", "discount": 0.25},
                "context": android,
                "timestamp": _ts(14),
            },
            {
                "type": "alias",
                "previousId": "6a1f0c55-1b7e-4d36-a0b8-2a3f0b9e4c21",
                "userId": "user_1203",
                "context": android,
                "timestamp": _ts(15),
            },
        ],
        gz=True,
    )
    single(
        "track",
        h_json,
        {
            "type": "track",
            "userId": "user_8841",
            "event": "Order Completed",
            "properties": {
                "order_id": "ord_5522",
                "revenue": 42.5,
                "currency": "USD",
                "products": [{"product_id": "sku-2210", "price": 42.5, "quantity": 1}],
            },
            "context": js,
            "timestamp": _ts(16),
        },
    )
    return out


def route(path: str) -> tuple[str | None, bool]:
    """(call type, is batch) of an ingestion path, as the endpoint routes it."""
    tail = path.rsplit("/", 1)[-1]
    if tail in ("batch", "import", "b"):
        return None, True
    return tail, False


async def ingest_demo(capture: Capture, requests: list[Request] | None = None) -> None:
    """Feed the demo requests straight into a capture (no HTTP)."""
    for path, headers, body in requests if requests is not None else demo_requests():
        call, is_batch = route(path)
        await capture.ingest("POST", path, headers, body, call_type=call, batch=is_batch)
