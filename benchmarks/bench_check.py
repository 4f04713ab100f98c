"""Throughput of the Spec engine on typical messages (one core, one process).

Run: .venv/bin/python benchmarks/bench_check.py [--messages N] [--repeat R]

A typical message is what analytics-python or analytics.js sends: 15-40 fields with context.
The mix below cycles through a server-side track, a browser page, a browser track with
context.page/userAgent, an identify with traits, and an ecommerce Order Completed with two
products. The engine runs sequentially with one session, as `inspector check` and the server do.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from inspector.model import MessageMeta  # noqa: E402
from inspector.spec.engine import Engine  # noqa: E402
from inspector.spec.registry import RULES  # noqa: E402

TARGET = 50_000


def _python_track(i: int) -> dict[str, Any]:
    return {
        "properties": {"plan": "Pro Annual", "accountType": "Facebook", "seats": 3 + i % 5},
        "timestamp": "2024-05-01T12:00:00.123456+00:00",
        "context": {"library": {"name": "analytics-python", "version": "2.3.2"}},
        "userId": f"user-{i % 1000}",
        "anonymousId": None,
        "integrations": {},
        "event": "Plan Upgraded",
        "type": "track",
        "messageId": f"6ad6bd1c-5c5c-4b4f-9b0e-{i:012d}",
        "sentAt": "2024-05-01T12:00:00.200000+00:00",
    }


_PAGE_CTX = {
    "path": "/pricing",
    "referrer": "https://www.google.com/",
    "search": "",
    "title": "Pricing",
    "url": "https://example.com/pricing",
}


def _browser_context() -> dict[str, Any]:
    return {
        "page": dict(_PAGE_CTX),
        "userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36",
        "userAgentData": {
            "brands": [
                {"brand": "Chromium", "version": "124"},
                {"brand": "Google Chrome", "version": "124"},
            ],
            "mobile": False,
            "platform": "macOS",
        },
        "locale": "en-US",
        "library": {"name": "analytics.js", "version": "next-1.70.0"},
        "timezone": "Europe/Amsterdam",
        "ip": "108.0.78.21",
    }


def _js_page(i: int) -> dict[str, Any]:
    return {
        "timestamp": "2024-05-01T12:00:00.123Z",
        "integrations": {},
        "type": "page",
        "properties": dict(_PAGE_CTX),
        "context": _browser_context(),
        "messageId": f"ajs-next-{i:032d}",
        "anonymousId": "8f2d7a2c-1b8e-4c1e-9a5e-3f7b2c9d1e0a",
        "userId": None,
        "writeKey": "wk_test",
        "sentAt": "2024-05-01T12:00:00.130Z",
        "_metadata": {"bundled": ["Segment.io"], "unbundled": [], "bundledIds": []},
    }


def _js_track(i: int) -> dict[str, Any]:
    msg = _js_page(i)
    msg.update(
        type="track",
        event="Course Clicked",
        properties={"title": "Intro to Analytics", "course_id": f"c-{i % 50}"},
    )
    return msg


def _identify(i: int) -> dict[str, Any]:
    return {
        "type": "identify",
        "userId": f"user-{i % 1000}",
        "anonymousId": "8f2d7a2c-1b8e-4c1e-9a5e-3f7b2c9d1e0a",
        "traits": {
            "email": f"user{i % 1000}@example.com",
            "name": "Peter Gibbons",
            "plan": "premium",
            "createdAt": "2024-01-01T00:00:00Z",
        },
        "context": _browser_context(),
        "integrations": {},
        "messageId": f"ajs-id-{i:032d}",
        "timestamp": "2024-05-01T12:00:00.123Z",
        "sentAt": "2024-05-01T12:00:00.130Z",
    }


def _order(i: int) -> dict[str, Any]:
    return {
        "type": "track",
        "event": "Order Completed",
        "userId": f"user-{i % 1000}",
        "properties": {
            "order_id": f"o-{i}",
            "total": 27.5,
            "revenue": 25.0,
            "shipping": 3,
            "tax": 2,
            "currency": "USD",
            "products": [
                {
                    "product_id": "p1",
                    "sku": "45790-32",
                    "name": "Monopoly",
                    "price": 19,
                    "quantity": 1,
                },
                {"product_id": "p2", "sku": "46493-32", "name": "Uno", "price": 3, "quantity": 2},
            ],
        },
        "context": {"library": {"name": "analytics-python", "version": "2.3.2"}},
        "messageId": f"ord-{i:032d}",
        "timestamp": "2024-05-01T12:00:00.123456+00:00",
        "sentAt": "2024-05-01T12:00:00.200000+00:00",
    }


MAKERS = (_python_track, _js_page, _js_track, _identify, _order)


def build(n: int) -> list[tuple[dict[str, Any], MessageMeta]]:
    out = []
    for i in range(n):
        msg = MAKERS[i % len(MAKERS)](i)
        size = len(orjson.dumps(msg))
        out.append((msg, MessageMeta(size=size, received_at="2024-05-01T12:00:00.300Z")))
    return out


def run(
    items: list[tuple[dict[str, Any], MessageMeta]], disabled: tuple[str, ...] = ()
) -> tuple[float, float, int]:
    """(CPU seconds, wall seconds, violations). CPU time is what one core spent, so the figure
    holds on a machine shared with other work; wall time is printed beside it."""
    engine = Engine(disabled=disabled)
    check = engine.check
    found = 0
    c0, w0 = time.thread_time(), time.perf_counter()
    for msg, meta in items:
        found += len(check(msg, meta))
    return time.thread_time() - c0, time.perf_counter() - w0, found


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3, help="best of R runs")
    args = ap.parse_args()
    items = build(args.messages)
    run(items[:2000])  # warm caches (event-name memo, import-time work)
    best = min(run(items) for _ in range(args.repeat))
    secs, wall, found = best
    rate = args.messages / secs
    ok = rate >= TARGET
    rows = [
        ("messages", f"{args.messages:,}"),
        ("seconds", f"{secs:.3f} CPU ({wall:.3f} wall)"),
        ("msgs/s", f"{rate:,.0f}"),
        ("us/msg", f"{secs / args.messages * 1e6:.1f}"),
        ("violations", f"{found:,}"),
        ("target", f"{TARGET:,} msgs/s"),
        ("result", "PASS" if ok else "FAIL"),
    ]
    # Where the time goes: the Spec rules and the naming rules, each alone.
    naming = tuple(r for r in RULES if r.startswith(("event-name/", "property-name/")))
    spec = tuple(r for r in RULES if r not in naming)
    for label, off in (("spec rules only", naming), ("naming rules only", spec)):
        part = min(run(items, off) for _ in range(args.repeat))[0]
        text = f"{args.messages / part:,.0f} msgs/s ({part / args.messages * 1e6:.1f} us/msg)"
        rows.insert(-2, (label, text))
    width = max(len(k) for k, _ in rows)
    print(f"bench_check (best of {args.repeat}, Python {sys.version.split()[0]})")
    for k, v in rows:
        print(f"  {k.ljust(width)}  {v}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
