"""Importing a file never reads the clock: the same file gives the same session and the
same export bytes, and NDJSON lines come back as they were read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from inspector.cli import main
from inspector.importer import import_file

LINES = [
    b'{"type":"track","userId":"u","event":"A B","messageId":"m-1"}',
    b'{"type":"track","userId":"u","event":"A B","messageId":"m-2","receivedAt":"garbage"}',
    b'{"type":"track","userId":"u","event":"A B","messageId":"m-3","receivedAt":1}',
    b'{"type":"page","userId":"u","name":"Home","messageId":"m-4",'
    b'"receivedAt":"2024-05-01T10:00:00.000Z"}',
    b'{"type":"track","userId":"u","event":"A B","messageId":"m-5","receivedAt":"2024-13-45"}',
]


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSPECTOR_DATA_DIR", str(tmp_path / "data"))


def export(path: Path, *args: str) -> bytes:
    r = CliRunner().invoke(main, ["export", str(path), *args], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return r.stdout_bytes


def test_ndjson_export_gives_the_lines_back_byte_for_byte(tmp_path: Path) -> None:
    src = tmp_path / "x.ndjson"
    src.write_bytes(b"\n".join(LINES) + b"\n")
    first = export(src)
    assert first == src.read_bytes()
    assert export(src) == first


@pytest.mark.parametrize("fmt", ["ndjson", "json", "csv", "har"])
def test_every_format_is_the_same_twice(tmp_path: Path, fmt: str) -> None:
    src = tmp_path / "x.ndjson"
    src.write_bytes(b"\n".join(LINES) + b"\n")
    first = export(src, "-f", fmt)
    if fmt == "json":  # its header says when it was exported; the rest must not change
        doc = json.loads(first)
        assert doc["messages"] == json.loads(export(src, "-f", fmt))["messages"]
    else:
        assert export(src, "-f", fmt) == first


def test_arrival_times_come_from_the_file_not_the_clock(tmp_path: Path) -> None:
    src = tmp_path / "x.ndjson"
    src.write_bytes(b"\n".join(LINES) + b"\n")
    s = import_file(src, tmp_path / "x.sqlite")
    try:
        msgs = list(s.iter_messages())
    finally:
        s.close()
    assert [m.received_at for m in msgs] == [
        "1970-01-01T00:00:00.001Z",
        "1970-01-01T00:00:00.002Z",
        "1970-01-01T00:00:00.003Z",
        "2024-05-01T10:00:00.000Z",
        "1970-01-01T00:00:00.005Z",
    ]
    # Only an ISO-8601 receivedAt is an arrival time; others stay in the message.
    assert msgs[1].data["receivedAt"] == "garbage" and msgs[2].data["receivedAt"] == 1
    assert "receivedAt" not in msgs[3].data


def test_a_json_array_and_a_har_without_times_are_the_same_twice(tmp_path: Path) -> None:
    arr = tmp_path / "x.json"
    arr.write_bytes(b"[" + b",".join(LINES) + b"]")
    assert export(arr) == export(arr)
    har = tmp_path / "x.har"
    entry = {
        "request": {
            "method": "POST",
            "url": "http://127.0.0.1/v1/t",
            "headers": [{"name": "Content-Type", "value": "application/json"}],
            "postData": {"mimeType": "application/json", "text": LINES[0].decode()},
        },
        "response": {"status": 200},
    }
    har.write_text(json.dumps({"log": {"version": "1.2", "entries": [entry, entry]}}))
    first = export(har)
    assert export(har) == first
    assert b'"receivedAt":"1970-01-01T00:00:00.001Z"' in first
