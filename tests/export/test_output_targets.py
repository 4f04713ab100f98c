"""Where `inspector export -o PATH` writes: regular files atomically, symlinks through,
special files (FIFOs, devices, descriptors) directly; never over its own source."""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from inspector.cli import main
from inspector.ingest.service import Capture
from inspector.spec import Engine
from inspector.store import Store

MSGS = [
    {"type": "track", "event": "Order Completed", "userId": "u1", "messageId": "m-1"},
    {"type": "page", "name": "Home", "userId": "u2", "messageId": "m-2"},
]


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSPECTOR_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def session(tmp_path: Path) -> Path:
    path = tmp_path / "s.sqlite"
    store = Store(path)
    capture = Capture(store, Engine())
    body = orjson.dumps({"batch": MSGS, "writeKey": "wk"})
    hdrs = [("Content-Type", "application/json")]
    asyncio.run(capture.ingest("POST", "/v1/batch", hdrs, body, call_type=None, batch=True))
    store.close()
    return path


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def stdout_export(session: Path) -> bytes:
    r = run("export", str(session))
    assert r.exit_code == 0, r.output
    return r.stdout_bytes


def one_line_error(r: Any) -> str:
    assert r.exit_code == 2, r.output
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    assert "Traceback" not in r.stderr
    return lines[0]


def test_a_symlink_to_a_file_is_written_through(tmp_path: Path, session: Path) -> None:
    target = tmp_path / "real.ndjson"
    target.write_bytes(b"old\n")
    link = tmp_path / "link.ndjson"
    link.symlink_to(target)
    r = run("export", str(session), "-o", str(link))
    assert r.exit_code == 0, r.output
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_bytes() == stdout_export(session)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_a_dangling_symlink_creates_its_target(tmp_path: Path, session: Path) -> None:
    target = tmp_path / "new.ndjson"
    link = tmp_path / "link.ndjson"
    link.symlink_to(target)
    assert run("export", str(session), "-o", str(link)).exit_code == 0
    assert link.is_symlink() and target.read_bytes() == stdout_export(session)


def test_a_fifo_is_written_to_not_replaced(tmp_path: Path, session: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []

    def reader() -> None:
        with open(fifo, "rb") as f:
            got.append(f.read())

    t = threading.Thread(target=reader)
    t.start()
    r = run("export", str(session), "-o", str(fifo))
    t.join(10)
    assert r.exit_code == 0, r.output
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert got == [stdout_export(session)]


def test_a_symlink_to_a_character_device_writes_to_the_device(
    tmp_path: Path, session: Path
) -> None:
    link = tmp_path / "null.ndjson"
    link.symlink_to("/dev/null")
    r = run("export", str(session), "-o", str(link))
    assert r.exit_code == 0, r.output
    assert link.is_symlink() and os.readlink(link) == "/dev/null"
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_descriptor_path_writes_to_the_descriptor(tmp_path: Path, session: Path) -> None:
    # /dev/stdout is a link to /proc/self/fd/1: the export must reach the descriptor
    # (here a pipe), not replace the link with a regular file.
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    proc = subprocess.run(
        [sys.executable, "-m", "inspector", "export", str(session), "-o", str(link)],
        capture_output=True,
        timeout=60,
        env={**os.environ, "INSPECTOR_DATA_DIR": str(tmp_path / "data")},
    )
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink()
    assert proc.stdout == stdout_export(session)


def test_dash_means_stdout(tmp_path: Path, session: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    r = run("export", str(session), "-o", "-")
    assert r.exit_code == 0, r.output
    assert r.stdout_bytes == stdout_export(session)
    assert not (tmp_path / "-").exists()


def test_an_empty_output_name_is_one_clear_line(session: Path) -> None:
    line = one_line_error(run("export", str(session), "-o", ""))
    assert line == "inspector: -o needs a file name (or - for stdout)"


@pytest.mark.parametrize("how", ["same", "symlink", "wal", "shm", "hardlink", "relative"])
def test_refuses_to_overwrite_its_own_source(
    tmp_path: Path, session: Path, how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = session.read_bytes()
    out = session
    if how == "symlink":
        out = tmp_path / "alias.ndjson"
        out.symlink_to(session)
    elif how in ("wal", "shm"):
        out = Path(f"{session}-{how}")
    elif how == "hardlink":
        out = tmp_path / "hard.ndjson"
        os.link(session, out)
    elif how == "relative":
        monkeypatch.chdir(tmp_path)
        out = Path("sub/../s.sqlite")
        (tmp_path / "sub").mkdir()
    line = one_line_error(run("export", str(session), "-o", str(out)))
    assert line == f"inspector: not writing the export to {out}: that is the file being exported"
    assert session.read_bytes() == before
    if how == "symlink":
        assert out.is_symlink()


def test_refuses_to_overwrite_an_ndjson_source(tmp_path: Path, session: Path) -> None:
    src = tmp_path / "x.ndjson"
    src.write_bytes(stdout_export(session))
    before = src.read_bytes()
    line = one_line_error(run("export", str(src), "-o", str(src)))
    assert "that is the file being exported" in line
    assert src.read_bytes() == before


def test_a_directory_is_one_line(tmp_path: Path, session: Path) -> None:
    line = one_line_error(run("export", str(session), "-o", str(tmp_path)))
    assert "is a directory" in line
