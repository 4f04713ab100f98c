"""@segment/analytics-node (the real npm package, run with Node) pointed at the inspector.

tests/e2e/node/run-node.mjs makes the calls and prints what the SDK reported; the quick
start in docs/sdk-quickstart.md is exactly its ``new Analytics({...})``.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from typing import Any

import pytest

from .support import (
    NODE_DIR,
    Inspector,
    assert_no_retries,
    assert_no_spec_errors,
    assert_once_each,
    assert_sdk_fields,
    basic_auth,
    header,
    node_bin,
    require_node_modules,
)

pytestmark = pytest.mark.e2e

LIBRARY = "@segment/analytics-node"
SCRIPT = NODE_DIR / "run-node.mjs"
RUN_TIMEOUT = 45


def run_node(inspector: Inspector, write_key: str, bulk: int = 0) -> dict[str, Any]:
    node = node_bin()
    require_node_modules("@segment/analytics-node")
    try:
        proc = subprocess.run(
            [node, str(SCRIPT), inspector.url, write_key, str(bulk)],
            cwd=NODE_DIR,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(
            f"run-node.mjs did not finish in {RUN_TIMEOUT} s: {exc.stderr!r}", pytrace=False
        )
    assert proc.returncode == 0, f"node exited {proc.returncode}: {proc.stderr}"
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    assert lines, f"no summary from run-node.mjs: {proc.stdout!r} {proc.stderr!r}"
    return json.loads(lines[-1])


def check_run(inspector: Inspector, write_key: str, summary: dict[str, Any]) -> None:
    sent: dict[str, dict[str, Any]] = summary["sent"]
    n = len(sent)

    # What the SDK reported: every callback succeeded, no 'error' event, no retry.
    assert summary["library"]["name"] == LIBRARY
    assert summary["failed"] == [], summary["failed"][:5]
    assert summary["errors"] == [], summary["errors"][:5]
    assert summary["delivered"] == n
    assert summary["httpResponses"] and set(summary["httpResponses"]) == {200}
    assert all(r["retry"] is None for r in summary["httpRequests"]), summary["httpRequests"]
    assert {r["url"] for r in summary["httpRequests"]} == {f"{inspector.url}/v1/batch"}
    assert sum(r["events"] for r in summary["httpRequests"]) == n

    # What the inspector received.
    inspector.wait(n, timeout=15)
    messages = inspector.messages()
    assert_once_each(messages, set(sent))
    assert_sdk_fields(messages, LIBRARY)
    for m in messages:
        msg = m["message"]
        want = sent[msg["messageId"]]
        got = {k: msg.get(k) for k in want}
        assert got == want, f"{msg['messageId']} arrived changed: {got} != {want}"
        assert msg["context"]["library"]["version"] == summary["library"]["version"]
        assert msg["messageId"].startswith("node-")
        assert m["endpoint"] == "/v1/batch"
        assert m["writeKey"] == write_key
    assert_no_spec_errors(messages)

    reqs = inspector.requests()
    assert {r["kind"] for r in reqs} == {"ingest"}, [(r["kind"], r["path"]) for r in reqs]
    assert len(reqs) == len(summary["httpRequests"]), "the inspector saw a request the SDK did not"
    assert_no_retries(reqs)
    for r in reqs:
        assert (r["method"], r["path"]) == ("POST", "/v1/batch")
        assert r["write_key"] == write_key
        assert header(r, "Content-Type") == "application/json"
        assert header(r, "Authorization") == basic_auth(write_key)
        assert header(r, "User-Agent") == "analytics-node-next/latest"
        body = json.loads(r["body"])
        assert body["writeKey"] == write_key and isinstance(body["sentAt"], str)
    assert sum(r["message_count"] for r in reqs) == n
    assert not inspector.rejected()


def test_six_calls(inspector: Inspector) -> None:
    write_key = f"wk-node-{uuid.uuid4().hex[:8]}"
    summary = run_node(inspector, write_key)
    assert {v["type"] for v in summary["sent"].values()} == {
        "track",
        "identify",
        "page",
        "screen",
        "group",
        "alias",
    }
    check_run(inspector, write_key, summary)


def test_flush_500(inspector: Inspector) -> None:
    write_key = f"wk-node-bulk-{uuid.uuid4().hex[:8]}"
    summary = run_node(inspector, write_key, bulk=500)
    assert len(summary["sent"]) == 506
    check_run(inspector, write_key, summary)
    # flushAt: 100 splits the flush into several batches.
    assert len(summary["httpRequests"]) >= 5
    assert all(r["events"] <= 100 for r in summary["httpRequests"])
