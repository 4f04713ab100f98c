"""What the end-to-end suites share: the running inspector handle, prerequisite checks and
the assertions every SDK suite makes.

The SDKs under test are the real, unmodified clients (segment-analytics-python from PyPI,
@segment/analytics-node and @segment/analytics-next from npm, in Node and headless
Chromium). Their prerequisites are installed by ``scripts/install-test-deps.sh``; a missing
one fails the test with that instruction, it never skips.
"""

from __future__ import annotations

import base64
import json
import shutil
import sqlite3
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
NODE_DIR = Path(__file__).resolve().parent / "node"
INSTALL_HINT = "run scripts/install-test-deps.sh (it installs the e2e prerequisites)"

#: How long the inspector may take to print its URL.
START_TIMEOUT = 20.0


def require(condition: bool, what: str) -> None:
    """Fail (never skip) when a prerequisite is missing, saying how to get it."""
    if not condition:
        pytest.fail(f"e2e prerequisite missing: {what}; {INSTALL_HINT}", pytrace=False)


def node_bin() -> str:
    node = shutil.which("node")
    require(node is not None, "`node` is not on PATH (Node 18+ is needed)")
    assert node is not None
    return node


def require_node_modules(*packages: str) -> None:
    for pkg in packages:
        require(
            (NODE_DIR / "node_modules" / pkg / "package.json").is_file(),
            f"tests/e2e/node/node_modules/{pkg} is not installed (npm ci in tests/e2e/node)",
        )


@dataclass
class Inspector:
    """A running `inspector serve --headless` and helpers to read what it captured."""

    url: str
    session: Path
    proc: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)

    @property
    def port(self) -> int:
        return int(urllib.parse.urlsplit(self.url).port or 0)

    @property
    def hostport(self) -> str:
        return self.url.split("://", 1)[1]

    # ---------------------------------------------------------------- test API

    def api(self, path: str, http_timeout: float = 15.0, **params: Any) -> tuple[int, Any]:
        query = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
        full = f"{self.url}{path}" + (f"?{query}" if query else "")
        try:
            with urllib.request.urlopen(full, timeout=http_timeout) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            try:
                return exc.code, json.loads(raw or b"null")
            except ValueError:
                return exc.code, {"message": raw.decode("utf-8", "replace")}

    def messages(self, **filters: Any) -> list[dict[str, Any]]:
        status, data = self.api("/inspector/messages", limit=100000, **filters)
        assert status == 200, data
        assert data["total"] == len(data["messages"]), data["total"]
        return data["messages"]

    def wait(self, count: int, timeout: float = 20.0, **filters: Any) -> list[dict[str, Any]]:
        """Long-poll the test API until ``count`` matching messages arrived (bounded)."""
        status, data = self.api(
            "/inspector/messages/wait",
            http_timeout=timeout + 10,
            count=count,
            timeout=f"{timeout:g}",
            **filters,
        )
        if status != 200:
            pytest.fail(
                f"waited {timeout:g} s for {count} message(s) matching {filters}: "
                f"{data.get('message') if isinstance(data, dict) else data}; "
                f"inspector output:\n{self.tail()}",
                pytrace=False,
            )
        return data["messages"]

    def rejected(self) -> list[dict[str, Any]]:
        status, data = self.api("/inspector/rejected")
        assert status == 200, data
        return data["rejected"]

    # ---------------------------------------------------------------- session file

    def requests(self, kind: str | None = None) -> list[dict[str, Any]]:
        """Rows of the session's ``requests`` table (headers decoded to a list of pairs)."""
        con = sqlite3.connect(f"file:{self.session}?mode=ro", uri=True, timeout=10)
        try:
            con.row_factory = sqlite3.Row
            sql = "SELECT * FROM requests"
            args: tuple[Any, ...] = ()
            if kind is not None:
                sql += " WHERE kind = ?"
                args = (kind,)
            rows = [dict(r) for r in con.execute(sql + " ORDER BY id", args)]
        finally:
            con.close()
        for r in rows:
            r["headers"] = [tuple(p) for p in json.loads(r["headers"])]
        return rows

    def tail(self, n: int = 40) -> str:
        return "\n".join(self.output[-n:])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def header(row: dict[str, Any], name: str) -> str | None:
    """The first value of header ``name`` (case-insensitive) in a requests row."""
    for k, v in row["headers"]:
        if k.lower() == name.lower():
            return v
    return None


def basic_auth(write_key: str) -> str:
    return "Basic " + base64.b64encode(f"{write_key}:".encode()).decode()


# ---------------------------------------------------------------- shared assertions


def assert_once_each(messages: list[dict[str, Any]], expected_ids: set[str] | None = None) -> None:
    """Every message arrived exactly once (by messageId), and only the expected ones."""
    ids = [m["message"].get("messageId") for m in messages]
    assert all(isinstance(i, str) and i for i in ids), "a message has no messageId"
    dupes = {i: n for i, n in Counter(ids).items() if n > 1}
    assert not dupes, f"duplicate messageIds (a retry or a double send): {dupes}"
    if expected_ids is not None:
        assert set(ids) == expected_ids, (
            f"missing: {sorted(expected_ids - set(ids))[:10]}, "
            f"unexpected: {sorted(set(ids) - expected_ids)[:10]}"
        )


def assert_sdk_fields(messages: list[dict[str, Any]], library: str) -> None:
    """The fields the SDK itself sets: messageId, context.library, timestamp."""
    for m in messages:
        msg = m["message"]
        where = f"message #{m['seq']} ({msg.get('type')} {msg.get('messageId')})"
        assert isinstance(msg.get("messageId"), str) and msg["messageId"], where
        lib = (msg.get("context") or {}).get("library") or {}
        assert lib.get("name") == library, f"{where}: context.library = {lib!r}"
        assert isinstance(lib.get("version"), str) and lib["version"], f"{where}: {lib!r}"
        assert isinstance(msg.get("timestamp"), str) and msg["timestamp"], where
        assert msg.get("type") in {"track", "identify", "page", "screen", "group", "alias"}, where


def assert_no_spec_errors(messages: list[dict[str, Any]]) -> None:
    """The inspector found no error-severity violation in the SDK's own well-formed calls."""
    bad = [
        {
            "type": m["message"].get("type"),
            "endpoint": m["endpoint"],
            "violations": [v for v in m["violations"] if v["severity"] == "error"],
            "message": m["message"],
        }
        for m in messages
        if any(v["severity"] == "error" for v in m["violations"])
    ]
    assert not bad, "spec errors on real SDK traffic:\n" + json.dumps(bad[:5], indent=2)


def assert_no_retries(requests: list[dict[str, Any]]) -> None:
    """Every ingestion request was accepted and none was a retry."""
    for r in requests:
        assert r["status"] == 200 and r["reason"] is None, (r["path"], r["status"], r["reason"])
        retry = header(r, "X-Retry-Count")
        assert retry in (None, "0"), f"{r['path']} carried X-Retry-Count: {retry}"
