"""Messages shaped exactly as the other Segment SDKs send them (per the wire-protocol facts:
Go's RFC3339Nano local-offset timestamps and batch-level library, Java's batch context with
instanceId, Swift's upper-case UUIDs and mobile context, Kotlin's empty userId, Ruby's
millisecond Z timestamps) go through the real endpoint decoding and the engine without a
single error-severity finding."""

from __future__ import annotations

import json
from typing import Any

import pytest

from inspector.ingest import decode
from inspector.model import MessageMeta
from inspector.spec import Engine

MOBILE_CONTEXT = {
    "app": {"name": "Shop", "version": "2.1", "build": "42", "namespace": "com.example.shop"},
    "os": {"name": "iOS", "version": "17.2"},
    "screen": {"width": 393, "height": 852},
    "network": {"wifi": True, "cellular": False},
    "locale": "en-US",
    "timezone": "Europe/Berlin",
    "traits": {},
}

BODIES: dict[str, dict[str, Any]] = {
    "go": {
        "messageId": "0b1c2d3e-0000-4000-8000-000000000000",
        "sentAt": "2026-11-28T13:00:00.123456789+01:00",
        "batch": [
            {
                "type": "track",
                "messageId": "6a9b7a40-3c59-4e5e-8d5b-1f1f4c1f0d2e",
                "userId": "u1",
                "event": "Order Completed",
                "timestamp": "2026-11-28T13:00:00.1234567+01:00",
                "properties": {"revenue": 10.5, "currency": "EUR"},
            }
        ],
        "context": {"library": {"name": "analytics-go", "version": "3.0.0"}},
    },
    "java": {
        "batch": [
            {
                "type": "identify",
                "messageId": "5f4c2a8e-2d8c-4d5e-9a77-0e0d6e2f1a11",
                "userId": "u1",
                "traits": {"email": "ada@example.com", "createdAt": "2026-01-01T00:00:00Z"},
                "timestamp": "2026-11-28T12:00:00.000Z",
            }
        ],
        "sentAt": "2026-11-28T12:00:00.100Z",
        "context": {
            "library": {"name": "analytics-java", "version": "3.5.4"},
            "instanceId": "9d1a2b3c-1111-2222-3333-444455556666",
        },
        "sequence": 1,
        "writeKey": "wk",
    },
    "swift": {
        "batch": [
            {
                "type": "screen",
                "name": "Home",
                "messageId": "F3B2C1D0-1234-4ABC-9DEF-0123456789AB",
                "anonymousId": "A1B2C3D4-5678-4ABC-9DEF-0123456789AB",
                "timestamp": "2026-11-28T12:00:00.123Z",
                "integrations": {},
                "properties": {},
                "_metadata": {"bundled": [], "unbundled": [], "bundledIds": []},
                "context": {
                    **MOBILE_CONTEXT,
                    "instanceId": "C0FFEE00-0000-4000-8000-000000000000",
                    "library": {"name": "analytics-swift", "version": "1.9.4"},
                    "device": {"manufacturer": "Apple", "type": "ios", "model": "iPhone15,2"},
                },
            }
        ],
        "sentAt": "2026-11-28T12:00:00.200Z",
        "writeKey": "wk",
    },
    "kotlin": {
        "batch": [
            {
                "type": "track",
                "event": "Application Opened",
                "messageId": "1d7a3c9e-2f4b-4a8d-9c1e-5b6a7d8e9f00",
                "anonymousId": "2b1f3e4d-5c6b-4a7d-8e9f-0a1b2c3d4e5f",
                "userId": "",
                "timestamp": "2026-11-28T12:00:00.123Z",
                "integrations": {},
                "properties": {"version": "2.1", "build": "42", "from_background": False},
                "context": {
                    **MOBILE_CONTEXT,
                    "os": {"name": "Android", "version": "14"},
                    "library": {"name": "analytics-kotlin", "version": "1.24.1"},
                    "device": {
                        "id": "abc",
                        "manufacturer": "Google",
                        "model": "Pixel 8",
                        "type": "android",
                    },
                    "userAgent": "Dalvik/2.1.0 (Linux; U; Android 14)",
                    "instanceId": "8c1f0f8e-0d4b-4b8e-9a0c-2f6d1e3b5a7c",
                },
            },
            {
                # screen(title) with the default category: analytics-kotlin sends "".
                "type": "screen",
                "name": "Home",
                "category": "",
                "properties": {},
                "messageId": "2e8b4d0f-3a5c-4b9e-8d2f-6c7b8e9fa011",
                "anonymousId": "2b1f3e4d-5c6b-4a7d-8e9f-0a1b2c3d4e5f",
                "userId": "",
                "timestamp": "2026-11-28T12:00:00.200Z",
                "integrations": {},
                "context": {
                    **MOBILE_CONTEXT,
                    "library": {"name": "analytics-kotlin", "version": "1.24.1"},
                },
            },
        ],
        "sentAt": "2026-11-28T12:00:00.300Z",
        "writeKey": "wk",
    },
    "ruby": {
        "sentAt": "2026-11-28T12:00:00.100Z",
        "batch": [
            {
                "type": "group",
                "groupId": "acme",
                "userId": "u1",
                "traits": {"name": "Acme", "employees": 42},
                "messageId": "8f2b9c1d-3e4f-4a5b-8c6d-7e8f9a0b1c2d",
                "timestamp": "2026-11-28T12:00:00.000Z",
                "context": {"library": {"name": "analytics-ruby", "version": "2.5.0"}},
            }
        ],
    },
}


@pytest.mark.parametrize("sdk", sorted(BODIES))
def test_sdk_batches_have_no_spec_error(sdk: str) -> None:
    decoded = decode.decode_batch(json.dumps(BODIES[sdk]).encode())
    engine = Engine()
    for i, item in enumerate(decoded.items):
        data = {**item.data, **(item.extra or {})}
        meta = MessageMeta(100, len(decoded.items), i, "2026-11-28T12:00:00.500Z", "/v1/batch")
        errors = [v for v in engine.check(data, meta) if v.severity == "error"]
        assert errors == [], errors
        assert data["context"]["library"]["name"] == f"analytics-{sdk}"


def test_kotlin_empty_user_id_is_a_warning_not_a_drop() -> None:
    item = BODIES["kotlin"]["batch"][0]
    found = {v.rule: v.severity for v in Engine().check(item, MessageMeta())}
    assert found.get("common/empty-id") == "warning"
    assert "common/id-type" not in found


def test_kotlin_default_screen_category_is_a_warning() -> None:
    item = BODIES["kotlin"]["batch"][1]
    found = {v.rule: v.severity for v in Engine().check(item, MessageMeta())}
    assert found.get("screen/category-empty") == "warning"
    assert "screen/category-type" not in found
