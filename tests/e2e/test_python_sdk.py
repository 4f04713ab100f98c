"""segment-analytics-python (the real client from PyPI) pointed at the inspector.

The quick start in docs/sdk-quickstart.md is exactly ``make_client`` below.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from .support import (
    Inspector,
    assert_no_retries,
    assert_no_spec_errors,
    assert_once_each,
    assert_sdk_fields,
    basic_auth,
    header,
    require,
)

try:
    from segment.analytics import Client
    from segment.analytics.version import VERSION as SDK_VERSION
except ImportError:  # pragma: no cover - reported by the test, never skipped
    Client = None  # type: ignore[assignment,misc]
    SDK_VERSION = ""

pytestmark = pytest.mark.e2e

LIBRARY = "analytics-python"


class Recorder:
    """What the SDK reported: on_error calls and anything it logged at WARNING or above
    (retries are logged by the consumer)."""

    def __init__(self) -> None:
        self.errors: list[tuple[Exception, list[dict[str, Any]]]] = []
        self.logs: list[str] = []

    def on_error(self, exc: Exception, batch: list[dict[str, Any]]) -> None:
        self.errors.append((exc, batch))


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    rec = Recorder()

    class Handler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            rec.logs.append(f"{record.levelname} {record.getMessage()}")

    handler = Handler(logging.DEBUG)
    log = logging.getLogger("segment")
    old_level = log.level
    log.setLevel(logging.DEBUG)
    log.addHandler(handler)
    try:
        yield rec
    finally:
        log.removeHandler(handler)
        log.setLevel(old_level)


def make_client(url: str, write_key: str, gzip: bool, on_error: Any) -> Any:
    # The quick start: point the client at the inspector instead of api.segment.io.
    return Client(
        write_key,
        host=url,  # e.g. "http://127.0.0.1:8787"
        gzip=gzip,
        on_error=on_error,
        upload_size=100,
        max_retries=3,
    )


def retry_logs(rec: Recorder) -> list[str]:
    """Warnings and errors the SDK logged, and its retry lines ("<why> n/max (total
    attempts: k) after ...", logged at DEBUG by the consumer before each retry)."""
    return [
        line
        for line in rec.logs
        if line.startswith(("WARNING", "ERROR", "CRITICAL")) or "(total attempts:" in line
    ]


def assert_sdk_success(rec: Recorder) -> None:
    assert not rec.errors, f"the SDK reported errors: {rec.errors[:3]}"
    assert not retry_logs(rec), f"the SDK logged retries or errors: {retry_logs(rec)[:5]}"
    assert any("data uploaded successfully" in line for line in rec.logs), rec.logs[-5:]


def assert_requests(inspector: Inspector, write_key: str, gzip: bool, total: int) -> None:
    """How the SDK talked to the inspector: /v1/batch, its headers, gzip, no retries."""
    reqs = [r for r in inspector.requests() if r["write_key"] == write_key]
    assert reqs, "no request reached the inspector"
    assert {r["kind"] for r in reqs} == {"ingest"}, [(r["kind"], r["path"]) for r in reqs]
    assert {r["path"] for r in reqs} == {"/v1/batch"}
    assert_no_retries(reqs)
    for r in reqs:
        assert r["method"] == "POST"
        assert header(r, "Content-Type") == "application/json"
        assert header(r, "User-Agent") == f"{LIBRARY}/{SDK_VERSION}"
        assert header(r, "Authorization") == basic_auth(write_key)
        if gzip:
            assert header(r, "Content-Encoding") == "gzip"
            assert r["body_encoding"] == "gzip"
        else:
            assert header(r, "Content-Encoding") is None
            assert r["body_encoding"] is None
    assert sum(r["message_count"] for r in reqs) == total, [r["message_count"] for r in reqs]
    assert not inspector.rejected()


def six_calls(client: Any, run: str) -> dict[str, dict[str, Any]]:
    """The six calls, each with an explicit messageId; returns what was passed, by id."""
    user = f"user-{run}"
    calls: dict[str, dict[str, Any]] = {}

    def mid(kind: str) -> str:
        m = f"py-{run}-{kind}"
        return m

    client.identify(
        user,
        {"email": "ada@example.com", "name": "Ada Lovelace", "plan": "pro"},
        message_id=mid("identify"),
    )
    calls[mid("identify")] = {
        "type": "identify",
        "userId": user,
        "traits": {"email": "ada@example.com", "name": "Ada Lovelace", "plan": "pro"},
    }
    client.track(
        user,
        "Order Completed",
        {"order_id": "o-1", "revenue": 42.5, "currency": "USD"},
        message_id=mid("track"),
    )
    calls[mid("track")] = {
        "type": "track",
        "userId": user,
        "event": "Order Completed",
        "properties": {"order_id": "o-1", "revenue": 42.5, "currency": "USD"},
    }
    client.page(user, "Docs", "Quick Start", {"path": "/docs"}, message_id=mid("page"))
    calls[mid("page")] = {
        "type": "page",
        "userId": user,
        "category": "Docs",
        "name": "Quick Start",
        "properties": {"path": "/docs"},
    }
    client.screen(user, "Onboarding", "Welcome", {"step": 1}, message_id=mid("screen"))
    calls[mid("screen")] = {
        "type": "screen",
        "userId": user,
        "category": "Onboarding",
        "name": "Welcome",
        "properties": {"step": 1},
    }
    client.group(user, "acme", {"name": "Acme Inc", "employees": 42}, message_id=mid("group"))
    calls[mid("group")] = {
        "type": "group",
        "userId": user,
        "groupId": "acme",
        "traits": {"name": "Acme Inc", "employees": 42},
    }
    client.alias(f"anon-{run}", user, message_id=mid("alias"))
    calls[mid("alias")] = {"type": "alias", "previousId": f"anon-{run}", "userId": user}
    return calls


def assert_unchanged(messages: list[dict[str, Any]], sent: dict[str, dict[str, Any]]) -> None:
    for m in messages:
        msg = m["message"]
        want = sent[msg["messageId"]]
        got = {k: msg.get(k) for k in want}
        assert got == want, f"{msg['messageId']} arrived changed: {got} != {want}"
        assert msg.get("writeKey") in (None, m["writeKey"])


def check_client() -> None:
    require(Client is not None, "segment-analytics-python is not installed in the venv")


@pytest.mark.parametrize("gzip", [False, True], ids=["plain", "gzip"])
def test_six_calls(inspector: Inspector, recorder: Recorder, gzip: bool) -> None:
    check_client()
    run = uuid.uuid4().hex[:8]
    write_key = f"wk-python-{run}"
    client = make_client(inspector.url, write_key, gzip, recorder.on_error)
    sent = six_calls(client, run)
    client.flush()
    client.join()

    inspector.wait(len(sent), timeout=15)
    messages = inspector.messages()
    assert_sdk_success(recorder)
    assert_once_each(messages, set(sent))
    assert_sdk_fields(messages, LIBRARY)
    assert_unchanged(messages, sent)
    for m in messages:
        assert m["endpoint"] == "/v1/batch"
        # analytics-python stamps sentAt on the batch; the inspector keeps it per message.
    assert_no_spec_errors(messages)
    assert_requests(inspector, write_key, gzip, len(sent))


@pytest.mark.parametrize("gzip", [False, True], ids=["plain", "gzip"])
def test_flush_500(inspector: Inspector, recorder: Recorder, gzip: bool) -> None:
    check_client()
    n = 500
    run = uuid.uuid4().hex[:8]
    write_key = f"wk-python-bulk-{run}"
    client = make_client(inspector.url, write_key, gzip, recorder.on_error)
    sent: dict[str, dict[str, Any]] = {}
    for i in range(n):
        mid = f"py-{run}-{i:04d}"
        props = {"index": i, "sku": f"sku-{i % 17}", "price": round(i * 0.25, 2)}
        user = f"user-{i % 23}"
        client.track(user, "Product Viewed", props, message_id=mid)
        sent[mid] = {
            "type": "track",
            "userId": user,
            "event": "Product Viewed",
            "properties": props,
        }
    client.flush()
    client.join()

    inspector.wait(n, timeout=30)
    messages = inspector.messages()
    assert_sdk_success(recorder)
    assert len(messages) == n
    assert_once_each(messages, set(sent))
    assert_sdk_fields(messages, LIBRARY)
    assert_unchanged(messages, sent)
    assert_no_spec_errors(messages)
    assert_requests(inspector, write_key, gzip, n)
    reqs = inspector.requests("ingest")
    assert len(reqs) >= n // 100, "upload_size=100 means at least 5 batches"
    assert all(r["message_count"] <= 100 for r in reqs)
