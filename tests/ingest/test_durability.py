"""SIGKILL a headless inspector under load: every acknowledged message is in the session file."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import aiohttp


def start_headless(session: Path, out: Path) -> tuple[subprocess.Popen, str]:
    # stdout goes to a file: a pipe nobody drains would block the server's output.
    with open(out, "wb") as fh:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "inspector",
                "serve",
                "--headless",
                "--port",
                "0",
                "--session",
                str(session),
            ],
            stdout=fh,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        first = out.read_text().split("\n", 1)
        if len(first) == 2:
            assert "http://127.0.0.1:" in first[0], first[0]
            return proc, first[0].split()[3]
        time.sleep(0.05)
    proc.kill()
    raise AssertionError("headless inspector did not print its URL: " + out.read_text())


async def test_sigkill_under_load_loses_no_acknowledged_message(tmp_path):
    session = tmp_path / "s.sqlite"
    proc, url = start_headless(session, tmp_path / "out.txt")
    acked: list[str] = []
    stop = asyncio.Event()

    async def sender(worker: int, http: aiohttp.ClientSession) -> None:
        for n in range(100_000):  # bounded; the kill ends it long before
            if stop.is_set():
                return
            ids = [f"w{worker}-r{n}-{i}" for i in range(20)]
            batch = {
                "batch": [
                    {"type": "track", "event": "Load Tested", "userId": "u", "messageId": m}
                    for m in ids
                ]
            }
            try:
                async with http.post(url + "/v1/batch", data=json.dumps(batch)) as r:
                    if r.status == 200 and (await r.json()) == {"success": True}:
                        acked.extend(ids)
            except (TimeoutError, aiohttp.ClientError):
                return

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
        tasks = [asyncio.create_task(sender(w, http)) for w in range(8)]
        deadline = time.monotonic() + 20
        while len(acked) < 5000 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)  # mid-load: requests are in flight
        proc.wait(timeout=10)
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 30)

    assert len(acked) >= 5000, "the load did not get going"
    con = sqlite3.connect(session)
    stored = {r[0] for r in con.execute("SELECT message_id FROM messages")}
    con.close()
    missing = set(acked) - stored
    assert not missing, f"{len(missing)} acknowledged messages lost, e.g. {sorted(missing)[:3]}"
    assert proc.returncode == -signal.SIGKILL
