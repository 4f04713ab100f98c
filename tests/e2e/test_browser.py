"""analytics.js (@segment/analytics-next's browser bundle from npm) in headless Chromium,
pointed at the inspector with ``cdnURL``.

tests/e2e/node/run-browser.mjs serves the page (tests/e2e/node/browser/) and the bundle
from node_modules on 127.0.0.1, starts Debian's Chromium with the flags below, drives it
over the DevTools protocol (playwright-core) and prints what happened; the page's code is
exactly the analytics.js quick start in docs/sdk-quickstart.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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
    require,
    require_node_modules,
)

pytestmark = pytest.mark.e2e

LIBRARY = "analytics.js"
SCRIPT = NODE_DIR / "run-browser.mjs"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
RUN_TIMEOUT = 60

#: The flags the issue requires (run-browser.mjs adds a fresh --user-data-dir and more).
REQUIRED_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
)

#: Chromium itself still calls Google services at start-up despite those flags (the
#: component updater's Optimization Guide manifest on update.googleapis.com, and
#: accounts.google.com). The browser is started with a proxy that is a local trap, so
#: those attempts are answered 403 on this machine and never leave it; anything else
#: reaching the trap (the SDK, the page, a CDN) fails the test.
CHROMIUM_OWN_HOSTS = (".google.com", ".googleapis.com", ".gvt1.com", ".gstatic.com")

#: Standard delivery posts each call to the one-letter path of its type.
STANDARD_PATHS = {
    "page": "/v1/p",
    "alias": "/v1/a",
    "identify": "/v1/i",
    "track": "/v1/t",
    "group": "/v1/g",
    "screen": "/v1/s",
}


def run_browser(inspector: Inspector, write_key: str, mode: str) -> dict[str, Any]:
    node = node_bin()
    require_node_modules("@segment/analytics-next", "playwright-core")
    require(CHROMIUM.exists(), f"{CHROMIUM} does not exist (Debian's chromium package)")
    try:
        proc = subprocess.run(
            [node, str(SCRIPT), inspector.url, write_key, mode, str(CHROMIUM)],
            cwd=NODE_DIR,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(
            f"run-browser.mjs did not finish in {RUN_TIMEOUT} s: {exc.stderr!r}", pytrace=False
        )
    assert proc.returncode == 0, f"run-browser.mjs exited {proc.returncode}:\n{proc.stderr}"
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    assert lines, f"no summary from run-browser.mjs: {proc.stdout!r} {proc.stderr!r}"
    return json.loads(lines[-1])


def trapped_host(entry: str) -> str:
    """The host of a request the trap caught: 'CONNECT host:443' or 'GET http://host/...'."""
    method, target = entry.split(" ", 2)[:2]
    if method == "CONNECT":
        return target.rsplit(":", 1)[0]
    return urlsplit(target).hostname or target


def assert_stayed_local(inspector: Inspector, s: dict[str, Any]) -> None:
    # Every request the page made went to the inspector or the local static server.
    allowed = (f"{inspector.url}/", f"{s['origin']}/")
    assert s["origin"].startswith("http://127.0.0.1:")
    strays = [r["url"] for r in s["requests"] if not r["url"].startswith(allowed)]
    assert not strays, f"the page requested something other than the inspector: {strays}"
    failed = [(r["url"], r.get("status"), r.get("failure")) for r in s["requests"]]
    assert all(st == 200 for _, st, _ in failed), failed
    assert not s["pendingAtEnd"], s["pendingAtEnd"]
    # The page and the bundle came from the static server; no lazy chunk was needed, and
    # any would have come from there too (the bundle's public path), never the CDN.
    page_files = {"/", "/config.js", "/page.js", "/analytics-next/bundles/index.js"}
    assert page_files <= set(s["served"]), s["served"]
    assert all(p in page_files or p.startswith("/analytics-next/bundles/") for p in s["served"])
    # Whatever tried to leave was caught by the local trap, and none of it was the SDK's.
    for entry in s["escaped"]:
        host = trapped_host(entry)
        assert host.endswith(CHROMIUM_OWN_HOSTS) and "segment" not in entry, (
            f"a request tried to leave the machine (blocked by the trap): {entry[:300]}"
        )
    for flag in REQUIRED_FLAGS:
        assert flag in s["flags"], f"chromium was not started with {flag}"
    udd = [f for f in s["flags"] if f.startswith("--user-data-dir=")]
    assert len(udd) == 1 and "inspector-e2e-chromium-" in udd[0], udd
    assert any(f.startswith("--proxy-server=http://127.0.0.1:") for f in s["flags"])


def assert_calls(messages: list[dict[str, Any]], s: dict[str, Any], write_key: str) -> None:
    by_type = {m["message"]["type"]: m["message"] for m in messages}
    assert sorted(by_type) == sorted(STANDARD_PATHS), sorted(by_type)
    user = f"user-{s['run']}" if "run" in s else None
    page, alias, ident = by_type["page"], by_type["alias"], by_type["identify"]
    track, group, screen = by_type["track"], by_type["group"], by_type["screen"]
    anon = page["anonymousId"]
    assert isinstance(anon, str) and anon
    assert all(m.get("anonymousId") == anon for m in by_type.values())

    assert (page["category"], page["name"]) == ("Docs", "Quick Start")
    assert page["properties"]["section"] == "e2e"
    assert page["properties"]["url"].startswith(s["origin"])
    assert alias["previousId"] == anon and alias["userId"] == ident["userId"]
    if user:
        assert ident["userId"] == user
    assert ident["traits"] == {"email": "ada@example.com", "name": "Ada Lovelace"}
    assert track["event"] == "Order Completed"
    assert track["properties"] == {"order_id": "o-1", "revenue": 42.5, "currency": "USD"}
    assert group["groupId"] == "acme"
    assert group["traits"] == {"name": "Acme Inc", "employees": 42}
    assert (screen["category"], screen["name"]) == ("Onboarding", "Welcome")
    for m in (track, group, screen):
        assert m["userId"] == ident["userId"]

    version = f"next-{s['library']}"
    for msg in by_type.values():
        assert msg["messageId"].startswith("ajs-next-"), msg["messageId"]
        assert msg["context"]["library"] == {"name": LIBRARY, "version": version}
        assert msg["writeKey"] == write_key
        assert msg["context"]["page"]["url"].startswith(s["origin"])
        assert "retryCount" not in (msg.get("_metadata") or {}), msg["_metadata"]
        # The fields the SDK recorded for the call are what arrived.
        sent = s["calls"][msg["messageId"]]
        for key in ("type", "event", "name", "category", "userId", "previousId", "groupId"):
            if sent.get(key) is not None:
                assert msg.get(key) == sent[key], (key, msg.get(key), sent[key])


@pytest.mark.parametrize("mode", ["standard", "batching"])
def test_analytics_js(inspector: Inspector, mode: str) -> None:
    run = uuid.uuid4().hex[:8]
    write_key = f"wk-browser-{run}"
    s = run_browser(inspector, write_key, mode)
    assert "fatal" not in s, s.get("fatal")
    s["run"] = run

    # What the SDK reported: settings loaded from the inspector, no delivery failure.
    assert s["settingsIntegrations"] == ["Segment.io"]
    assert s["failed"] == [] and s["errors"] == [], (s["failed"], s["errors"])
    assert s["consoleErrors"] == [], s["consoleErrors"]
    assert s["inspectorStatus"] == 200
    assert len(s["calls"]) == 6
    assert_stayed_local(inspector, s)

    # What the inspector received.
    inspector.wait(6, timeout=15)
    messages = inspector.messages()
    assert_once_each(messages, set(s["calls"]))
    assert_sdk_fields(messages, LIBRARY)
    assert_calls(messages, s, write_key)
    assert_no_spec_errors(messages)

    reqs = inspector.requests()
    kinds = Counter(r["kind"] for r in reqs)
    assert kinds == {"settings": 1, "ingest": kinds["ingest"], "other": kinds["other"]}, kinds
    # The only other requests are the browser's CORS preflights, kept and answered 204.
    preflights = [r for r in reqs if r["kind"] == "other"]
    assert all(
        (r["method"], r["status"], r["reason"]) == ("OPTIONS", 204, None) for r in preflights
    )
    assert all(header(r, "Access-Control-Request-Method") == "POST" for r in preflights)
    (settings,) = [r for r in reqs if r["kind"] == "settings"]
    assert (settings["method"], settings["path"]) == ("GET", f"/v1/projects/{write_key}/settings")
    assert settings["status"] == 200
    ingest = [r for r in reqs if r["kind"] == "ingest"]
    assert_no_retries(ingest)
    for r in ingest:
        assert r["method"] == "POST" and r["write_key"] == write_key
        assert header(r, "Content-Type") == "text/plain"
        assert header(r, "Authorization") == basic_auth(write_key)
        assert (header(r, "Origin") or "") == s["origin"]
    if mode == "standard":
        # One request per call, on the one-letter path of its type.
        want = sorted(STANDARD_PATHS[m["message"]["type"]] for m in messages)
        assert sorted(r["path"] for r in ingest) == want
        assert all(r["message_count"] == 1 for r in ingest)
        for m in messages:
            assert m["endpoint"] == STANDARD_PATHS[m["message"]["type"]]
            assert isinstance(m["message"].get("sentAt"), str)
    else:
        assert {r["path"] for r in ingest} == {"/v1/b"}
        assert sum(r["message_count"] for r in ingest) == 6
        for r in ingest:
            body = json.loads(r["body"])
            assert body["writeKey"] == write_key and isinstance(body["sentAt"], str)
        assert all(m["endpoint"] == "/v1/b" for m in messages)
    browser_urls = [
        u for u in (r["url"] for r in s["requests"]) if u.startswith(f"{inspector.url}/v1/")
    ]
    made = [r for r in reqs if r["method"] != "OPTIONS"]  # preflights are the browser's own
    assert len(browser_urls) == len(made), "the inspector saw a request the page did not make"
    assert 1 <= len(preflights) <= len(ingest)
    assert not inspector.rejected()
