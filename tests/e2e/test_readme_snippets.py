"""The README's Python and Node snippets, copied out of README.md and run unchanged (but for
the URL) with the real SDKs: what a newcomer pastes must deliver its event."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from .support import NODE_DIR, Inspector, node_bin, require_node_modules

pytestmark = pytest.mark.e2e

README = Path(__file__).resolve().parents[2] / "README.md"
DEFAULT_URL = "http://127.0.0.1:8787"


def snippet(language: str, must_contain: str) -> str:
    blocks = re.findall(rf"```{language}\n(.*?)```", README.read_text("utf-8"), re.S)
    found = [b for b in blocks if must_contain in b]
    assert len(found) == 1, f"expected one {language} block with {must_contain!r} in README.md"
    assert DEFAULT_URL in found[0]
    return found[0]


def test_readme_python_snippet_delivers_its_event(inspector: Inspector, tmp_path: Path) -> None:
    code = snippet("python", "from segment.analytics import Client")
    script = tmp_path / "snippet.py"
    script.write_text(code.replace(DEFAULT_URL, inspector.url))
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "segment error" not in proc.stdout + proc.stderr
    [m] = inspector.wait(1, event="Order Completed")
    assert m["message"]["userId"] == "user-1"
    assert m["message"]["context"]["library"]["name"] == "analytics-python"
    assert [v for v in m["violations"] if v["severity"] == "error"] == []


def test_readme_node_snippet_delivers_its_event(inspector: Inspector) -> None:
    code = snippet("js", "@segment/analytics-node")
    node = node_bin()
    require_node_modules("@segment/analytics-node")
    # Run from tests/e2e/node so the import resolves to the installed package.
    script = NODE_DIR / f"readme-snippet-{inspector.session.parent.name}.mjs"
    script.write_text(code.replace(DEFAULT_URL, inspector.url))
    try:
        proc = subprocess.run(
            [node, str(script)], cwd=NODE_DIR, capture_output=True, text=True, timeout=60
        )
    finally:
        script.unlink()
    assert proc.returncode == 0, proc.stderr
    assert "segment error" not in proc.stdout + proc.stderr
    [m] = inspector.wait(1, event="Order Completed")
    assert m["message"]["userId"] == "user-1"
    assert m["message"]["properties"] == {"revenue": 42.5}
    assert m["message"]["context"]["library"]["name"] == "@segment/analytics-node"
