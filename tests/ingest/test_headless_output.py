"""What `inspector serve --headless` prints: the URL first, then a line per message and per
rejected request, as text or (--json) as JSON lines. A real process, real HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def _start(tmp_path: Path, *extra: str) -> tuple[subprocess.Popen[bytes], Path]:
    out = tmp_path / "out.txt"
    with out.open("wb") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "inspector", "serve", "--headless", "--port", "0"]
            + ["--session", str(tmp_path / "s.sqlite"), *extra],
            stdout=fh,
            stderr=subprocess.PIPE,
        )
    return proc, out


def _lines(out: Path, n: int) -> list[str]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        lines = out.read_text("utf-8").splitlines()
        if len(lines) >= n:
            return lines
        time.sleep(0.05)
    raise AssertionError(f"expected {n} lines, got: {out.read_text()!r}")


def _post(url: str, path: str, body: bytes) -> int:
    req = urllib.request.Request(url + path, data=body, method="POST")
    req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


SENT = [
    ("/v1/track", b'{"userId":"u1","event":"Order Completed","messageId":"m1"}', 200),
    # info only: no messageId; an anonymous identity
    ("/v1/page", b'{"anonymousId":"a-1234567890","name":"Home"}', 200),
    # an error and a warning: revenue as a string, userId "null"
    (
        "/v1/track",
        b'{"userId":"null","event":"Order Completed","messageId":"m3",'
        b'"properties":{"revenue":"9.99"}}',
        200,
    ),
    ("/v1/track", b"{not json", 400),
]


@pytest.mark.parametrize("mode", ["text", "json"])
def test_headless_prints_url_then_a_line_per_message_and_rejection(tmp_path, mode):
    proc, out = _start(tmp_path, *(["--json"] if mode == "json" else []))
    try:
        [first] = _lines(out, 1)[:1]
        if mode == "json":
            head = json.loads(first)
            url = head["url"]
            assert head["session"] == str(tmp_path / "s.sqlite")
        else:
            assert first.startswith("inspector listening on http://127.0.0.1:")
            url = first.split()[3]
        for path, body, status in SENT:
            assert _post(url, path, body) == status
        lines = _lines(out, 1 + len(SENT))[1:]
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=15)
    # On stop: where the session is and how to reopen it, on stderr.
    assert f"inspector: session saved to {tmp_path / 's.sqlite'} (3 messages)" in err.decode()
    if mode == "text":
        assert lines[0] == "#1 track Order Completed user=u1 ok"
        assert lines[1] == "#2 page Home anon=a-1234567890 1 violation (1 info)"
        assert lines[2].startswith("#3 track Order Completed user=null 2 violations (")
        assert "1 error" in lines[2] and "1 warning" in lines[2]
        assert lines[3].startswith("REJECTED 400 POST /v1/track: ")
    else:
        docs = [json.loads(ln) for ln in lines]
        assert docs[0] == {
            "seq": 1,
            "type": "track",
            "event": "Order Completed",
            "userId": "u1",
            "anonymousId": None,
            "messageId": "m1",
            "violations": 0,
            "errors": 0,
            "warnings": 0,
        }
        assert (docs[1]["seq"], docs[1]["event"], docs[1]["violations"]) == (2, "Home", 1)
        assert (docs[2]["errors"], docs[2]["warnings"]) == (1, 1)
        assert docs[3]["rejected"] is True and docs[3]["status"] == 400


@pytest.mark.parametrize("mode", ["text", "json"])
def test_group_and_alias_lines_say_their_ids_are_ids(tmp_path, mode):
    proc, out = _start(tmp_path, *(["--json"] if mode == "json" else []))
    try:
        [first] = _lines(out, 1)[:1]
        url = json.loads(first)["url"] if mode == "json" else first.split()[3]
        assert _post(url, "/v1/group", b'{"userId":"u1","groupId":"acme","messageId":"g"}') == 200
        assert _post(url, "/v1/alias", b'{"userId":"u1","previousId":"a-1","messageId":"a"}') == 200
        lines = _lines(out, 3)[1:]
    finally:
        proc.terminate()
        proc.communicate(timeout=15)
    if mode == "text":
        assert lines[0].startswith("#1 group groupId=acme user=u1")
        assert lines[1].startswith("#2 alias previousId=a-1 user=u1")
    else:
        group, alias = (json.loads(ln) for ln in lines)
        assert (group["event"], group["groupId"]) == (None, "acme")
        assert (alias["event"], alias["previousId"]) == (None, "a-1")


def test_a_request_with_no_request_line_is_said_so(tmp_path):
    import socket

    proc, out = _start(tmp_path)
    try:
        [first] = _lines(out, 1)[:1]
        host, port = first.split()[3].removeprefix("http://").rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=10) as s:
            s.sendall(b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + bytes(32) + b"\r\n\r\n")
            s.recv(4096)
        lines = _lines(out, 2)[1:]
    finally:
        proc.terminate()
        proc.communicate(timeout=15)
    assert lines == [
        "REJECTED 400 (no request line): bad_http: Received HTTPS traffic on an HTTP port"
    ]
