"""`serve` and bare `inspector` build their engine with the plan through inspector.runtime."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from inspector.config import Settings
from inspector.runtime import build_engine

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_build_engine_runs_the_plan() -> None:
    engine = build_engine(Settings(plan=str(EXAMPLES / "plan.yaml")))
    found = engine.check({"type": "track", "event": "Product Viewd", "userId": "u"})
    assert "plan/unplanned-event" in {v.rule for v in found}


def test_build_engine_exits_with_a_one_line_reason(tmp_path: Path) -> None:
    bad = tmp_path / "plan.yaml"
    bad.write_text("events:\n  E:\n    properties:\n      n: {type: strin}\n")
    with pytest.raises(SystemExit) as exit_:
        build_engine(Settings(plan=str(bad)))
    assert exit_.value.code == 2


def test_the_plan_package_does_not_import_textual() -> None:
    code = "import sys, inspector.plan; assert 'textual' not in sys.modules, 'textual imported'"
    env = {**os.environ, "PYTHONPATH": str(EXAMPLES.parent)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=EXAMPLES.parent)
