"""Run the inspector CLI with its stdout on a real pseudo-terminal (colour and escaping
decisions depend on isatty)."""

from __future__ import annotations

import os
import pty
import subprocess
import sys


def run_on_a_terminal(args: list[str], env: dict[str, str]) -> tuple[int, bytes, bytes]:
    """(exit code, what reached the terminal, stderr) of ``python -m inspector ARGS``."""
    master, slave = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "inspector", *args],
            stdout=slave,
            stderr=subprocess.PIPE,
            env={**os.environ, **env},
            timeout=60,
        )
        os.close(slave)
        out = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    finally:
        os.close(master)
    return proc.returncode, out, proc.stderr
