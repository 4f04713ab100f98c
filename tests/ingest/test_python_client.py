"""The real segment-analytics-python client against a live inspector, gzip on and off.

The client runs in its own thread (it is synchronous); the inspector runs in this test's
event loop on a free loopback port.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from segment.analytics import Client


def run_client(url: str, gzip: bool, errors: list) -> list[dict]:
    client = Client(
        "python-wk",
        host=url,
        gzip=gzip,
        upload_size=50,
        max_retries=0,
        on_error=lambda e, b: errors.append(e),
    )
    sent = []
    ts = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    for i in range(120):
        props = {
            "index": i,
            "price": 9.5,
            "name": "Café ✓",
            "tags": ["a", "b"],
            "nested": {"ok": True, "none": None},
        }
        sent.append(("track", f"msg-{gzip}-{i}", {"event": "Product Viewed", "properties": props}))
        client.track(
            user_id="u1",
            event="Product Viewed",
            properties=props,
            message_id=f"msg-{gzip}-{i}",
            timestamp=ts,
        )
    client.identify(user_id="u1", traits={"email": "ada@example.com"}, message_id=f"id-{gzip}")
    client.page(
        user_id="u1",
        category="Docs",
        name="Install",
        properties={"path": "/docs"},
        message_id=f"pg-{gzip}",
    )
    client.screen(user_id="u1", name="Settings", message_id=f"sc-{gzip}")
    client.group(user_id="u1", group_id="acme", traits={"plan": "pro"}, message_id=f"gr-{gzip}")
    client.alias(previous_id="anon-1", user_id="u1", message_id=f"al-{gzip}")
    client.flush()
    client.join()
    return sent


@pytest.mark.parametrize("gzip", [False, True])
async def test_python_client_messages_arrive_unchanged(live, gzip):
    errors: list = []
    sent = await asyncio.to_thread(run_client, live.url, gzip, errors)
    assert errors == []
    msgs = live.store.messages()
    assert len(msgs) == 125
    by_id = {m.data["messageId"]: m for m in msgs}
    assert len(by_id) == 125  # each exactly once
    for _, mid, fields in sent:
        m = by_id[mid]
        assert m.data["event"] == fields["event"]
        assert m.data["properties"] == fields["properties"]
        assert m.data["userId"] == "u1"
        assert m.data["timestamp"] == "2026-01-02T03:04:05.000+00:00"
        assert m.data["context"]["library"]["name"] == "analytics-python"
        assert m.write_key == "python-wk"
    assert by_id[f"al-{gzip}"].data["previousId"] == "anon-1"
    assert by_id[f"gr-{gzip}"].data["groupId"] == "acme"
    kinds = {m.data["type"] for m in msgs}
    assert kinds == {"track", "identify", "page", "screen", "group", "alias"}
    # The SDK's well-formed calls produce no spec error.
    assert [v for m in msgs for v in m.violations if v.severity == "error"] == []
    # And the stored bodies are what went over the wire.
    encodings = {live.store.request(m.request_id).body_encoding for m in msgs}
    assert encodings == ({"gzip"} if gzip else {None})
