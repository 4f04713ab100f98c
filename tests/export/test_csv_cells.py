"""CSV cells: numbers as they are, objects as JSON, the formula prefix only on text, and
control characters made visible on a terminal only."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import pty
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from inspector.cli import main
from inspector.ingest.service import Capture
from inspector.spec import Engine
from inspector.store import Store

TITLE = "\x1b]0;pwned\x07 Title\x00\x1b[2J"
MESSAGES = [
    {"type": "identify", "userId": -5, "anonymousId": "-a1", "messageId": "m-1"},
    {"type": "track", "userId": "-5", "event": {"a": 1, "b": [2]}, "messageId": "m-2"},
    {"type": "track", "userId": 7, "event": TITLE, "messageId": "m-3"},
    {"type": "page", "anonymousId": -1.5e-3, "name": "=1+1", "messageId": -42},
    {"type": "group", "userId": "u", "groupId": ["g", 1], "messageId": "m-5"},
]


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSPECTOR_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def session(tmp_path: Path) -> Path:
    path = tmp_path / "s.sqlite"
    store = Store(path)
    capture = Capture(store, Engine())
    body = orjson.dumps({"batch": MESSAGES, "writeKey": "wk"})
    hdrs = [("Content-Type", "application/json")]
    asyncio.run(capture.ingest("POST", "/v1/batch", hdrs, body, call_type=None, batch=True))
    store.close()
    return path


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def test_cells_to_a_file_keep_the_data_exactly(tmp_path: Path, session: Path) -> None:
    out = tmp_path / "x.csv"
    r = CliRunner().invoke(main, ["export", str(session), "-o", str(out)])
    assert r.exit_code == 0, r.output
    rows = _rows(out.read_bytes())
    got = [(r["userId"], r["anonymousId"], r["event"], r["messageId"]) for r in rows]
    assert got == [
        ("-5", "'-a1", "", "m-1"),  # a number as it is; a text "-a1" gets the prefix
        ("'-5", "", '{"a":1,"b":[2]}', "m-2"),  # the text "-5" gets it; an object is JSON
        ("7", "", TITLE, "m-3"),  # control characters kept in a file
        ("", "-0.0015", "'=1+1", "-42"),
        ("u", "", '["g",1]', "m-5"),
    ]


def test_cells_to_a_pipe_keep_the_data_exactly(session: Path) -> None:
    r = CliRunner().invoke(main, ["export", str(session), "-f", "csv"])
    assert r.exit_code == 0, r.output
    assert TITLE.encode() in r.stdout_bytes


def test_csv_to_a_terminal_shows_control_characters_as_escapes(
    tmp_path: Path, session: Path
) -> None:
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "inspector", "export", str(session), "-f", "csv"],
            stdout=slave,
            stderr=subprocess.PIPE,
            env={**os.environ, "INSPECTOR_DATA_DIR": str(tmp_path / "data")},
        )
        os.close(slave)
        slave = -1
        chunks = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert proc.wait(60) == 0, proc.stderr.read() if proc.stderr else ""
    finally:
        os.close(master)
        if slave != -1:
            os.close(slave)
    shown = b"".join(chunks)
    assert b"\x1b" not in shown and b"\x07" not in shown and b"\x00" not in shown
    assert b"\\e]0;pwned\\x07 Title\\x00\\e[2J" in shown
    assert b"'=1+1" in shown and b'{""a"":1,""b"":[2]}' in shown
