"""NDJSON/JSON written to a terminal: characters a terminal acts on or hides (C1 controls,
line/paragraph separators, bidi controls) appear as \\uXXXX escapes; files keep the bytes."""

from __future__ import annotations

import io
import json
import os
import pty
from pathlib import Path

import orjson
import pytest

from inspector.export import export_view
from inspector.importer import import_file
from inspector.spec import Engine

HOSTILE = "a\x9b31m\u2028b\u202eevil\u2066x\u2069\u200f\u061c\x85"


@pytest.fixture
def session(tmp_path: Path) -> Path:
    src = tmp_path / "in.ndjson"
    msg = {
        "type": "track",
        "userId": "u",
        "event": HOSTILE,
        "receivedAt": "2024-05-01T10:00:00.000Z",
    }
    src.write_bytes(orjson.dumps(msg) + b"\n")
    import_file(src, tmp_path / "s.sqlite", engine=Engine()).close()
    return tmp_path / "s.sqlite"


@pytest.mark.parametrize("fmt", ["ndjson", "json"])
def test_json_to_a_terminal_escapes_invisible_and_control_characters(
    session: Path, fmt: str
) -> None:
    from inspector.store import Store

    master, slave = pty.openpty()
    try:
        with os.fdopen(slave, "wb", closefd=False) as tty, Store(session, readonly=True) as st:
            export_view(st, "", fmt, tty, include_hidden=True)
        os.close(slave)
        seen = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(master)
    text = seen.replace(b"\r\n", b"\n").decode("utf-8")
    for ch in "\x9b\u2028\u202e\u2066\u2069\u200f\u061c\x85":
        assert ch not in text, repr(ch)
    assert "\\u009b" in text and "\\u202e" in text and "\\u2028" in text
    # Still JSON, with the same meaning.
    first = text.splitlines()[0] if fmt == "ndjson" else text
    doc = json.loads(first)
    event = doc["event"] if fmt == "ndjson" else doc["messages"][0]["message"]["event"]
    assert event == HOSTILE


@pytest.mark.parametrize("fmt", ["ndjson", "json"])
def test_json_to_a_file_or_pipe_keeps_the_bytes(session: Path, fmt: str) -> None:
    from inspector.store import Store

    buf = io.BytesIO()
    with Store(session, readonly=True) as st:
        export_view(st, "", fmt, buf, include_hidden=True)
    assert HOSTILE.encode() in buf.getvalue()
