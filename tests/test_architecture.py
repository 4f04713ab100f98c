"""The headless core never imports Textual (so `serve --headless` and `check` start fast and
run where no terminal exists)."""

from __future__ import annotations

import subprocess
import sys

import pytest

CORE = [
    "inspector.cli",
    "inspector.cli_serve",
    "inspector.cli_check",
    "inspector.cli_diff",
    "inspector.cli_sessions",
    "inspector.ingest",
    "inspector.store",
    "inspector.spec",
    "inspector.plan",
    "inspector.diff",
    "inspector.export",
    "inspector.replay",
    "inspector.forward",
    "inspector.importer",
    "inspector.safety",
    "inspector.snippets",
    "inspector.filters",
]


@pytest.mark.parametrize("module", CORE)
def test_core_module_does_not_import_textual(module):
    code = f"import sys, {module}; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    "args",
    [["--port", "99999"], ["nosuch"], ["serve", "--bogus"], ["export"], ["replay", "x"]],
)
def test_bad_usage_is_one_line_and_exit_2(args):
    out = subprocess.run([sys.executable, "-m", "inspector", *args], capture_output=True, text=True)
    assert out.returncode == 2
    assert out.stderr.startswith("inspector") and len(out.stderr.strip().splitlines()) == 1
    assert "Traceback" not in out.stderr
