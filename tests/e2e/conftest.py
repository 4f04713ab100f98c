"""End-to-end fixture: a real `inspector serve --headless` subprocess per test, on a free
port and a fresh session file, stopped afterwards."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .support import REPO, START_TIMEOUT, Inspector


@pytest.fixture
def inspector(tmp_path: Path) -> Iterator[Inspector]:
    """Start `inspector serve --headless --port 0` on a fresh session; stop it afterwards."""
    session = tmp_path / "session.sqlite"
    cmd = [
        sys.executable,
        "-m",
        "inspector",
        "serve",
        "--headless",
        "--json",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--session",
        str(session),
    ]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        cmd,
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )
    output: list[str] = []
    first: list[str] = []
    ready = threading.Event()

    def drain() -> None:
        # Keep reading so the headless per-message lines never fill the pipe.
        assert proc.stdout is not None
        for line in proc.stdout:
            line = line.rstrip("\n")
            output.append(line)
            if not first and line.startswith("{") and '"url"' in line:
                first.append(line)
                ready.set()
        ready.set()

    reader = threading.Thread(target=drain, name="inspector-stdout", daemon=True)
    reader.start()
    ready.wait(START_TIMEOUT)
    if not first:
        proc.kill()
        proc.wait(timeout=10)
        pytest.fail(
            "inspector did not print its URL within "
            f"{START_TIMEOUT:g} s: {' | '.join(output[-20:])}",
            pytrace=False,
        )
    url = json.loads(first[0])["url"]
    assert url.startswith("http://127.0.0.1:"), url
    insp = Inspector(url=url, session=session, proc=proc, output=output)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                status, _ = insp.api("/inspector/health", http_timeout=2)
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"inspector at {url} never became healthy", pytrace=False)
            time.sleep(0.05)
        yield insp
    finally:
        insp.stop()
        reader.join(timeout=5)
