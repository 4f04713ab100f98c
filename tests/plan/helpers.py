"""Shared data and helpers for the tracking plan tests."""

from __future__ import annotations

from typing import Any

from inspector.model import Violation

SIMPLE = {
    "events": {
        "Order Completed": {
            "strict": True,
            "properties": {
                "order_id": {"type": "string", "required": True},
                "revenue": "number",
                "currency": {"type": "string", "enum": ["USD", "EUR"]},
                "products": {
                    "type": "array",
                    "items": {
                        "properties": {
                            "sku": {"type": "string", "pattern": "^[A-Z0-9-]+$", "required": True},
                            "price": "number",
                        }
                    },
                },
            },
        },
        "Product Viewed": {"properties": {"product_id": {"type": "string", "required": True}}},
    },
    "identify": {"traits": {"email": {"type": "string", "pattern": "@"}, "age": "integer"}},
    "group": {"strict": True, "traits": {"name": {"type": "string", "required": True}}},
}


def track(event: str, **props: Any) -> dict[str, Any]:
    return {"type": "track", "event": event, "userId": "u1", "properties": props}


def rules(found: list[Violation]) -> list[tuple[str, str]]:
    return [(v.rule, v.path) for v in found]
