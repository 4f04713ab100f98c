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


def test_headless_reloads_an_edited_plan_and_says_so(tmp_path: Path) -> None:
    """Editing the plan while `serve --headless` runs: a broken edit is reported (the old
    plan stays), a fixed one is reloaded; both on stderr, without any traffic."""
    import time

    plan = tmp_path / "plan.yaml"
    plan.write_text("events:\n  Order Completed:\n    properties:\n      n: {type: string}\n")
    err = tmp_path / "err.txt"
    with err.open("w") as err_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "inspector", "serve", "--headless", "--port", "0"]
            + ["--session", str(tmp_path / "s.sqlite"), "--plan", str(plan)],
            stdout=subprocess.DEVNULL,
            stderr=err_file,
            cwd=EXAMPLES.parent,
        )
        try:

            def wait_for(text: str) -> str:
                deadline = time.monotonic() + 20
                while time.monotonic() < deadline:
                    seen = err.read_text()
                    if text in seen:
                        return seen
                    time.sleep(0.1)
                raise AssertionError(f"{text!r} not on stderr: {err.read_text()!r}")

            time.sleep(1.5)  # the watcher has taken the plan's first fingerprint
            plan.write_text("events:\n  Order Completed:\n    properties:\n      n: {typ: x}\n")
            seen = wait_for("plan reload failed, previous plan still in force")
            assert len([ln for ln in seen.splitlines() if "reload" in ln]) == 1
            plan.write_text("events:\n  Order Completed: {}\n  Order Refunded: {}\n")
            wait_for(f"plan reloaded from {plan} (2 events)")
        finally:
            proc.terminate()
            proc.wait(timeout=15)


def test_headless_says_1_event_not_1_events(tmp_path: Path) -> None:
    import time

    plan = tmp_path / "plan.yaml"
    plan.write_text("events:\n  Order Completed: {}\n  Order Refunded: {}\n")
    err = tmp_path / "err.txt"
    with err.open("w") as err_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "inspector", "serve", "--headless", "--port", "0"]
            + ["--session", str(tmp_path / "s.sqlite"), "--plan", str(plan)],
            stdout=subprocess.DEVNULL,
            stderr=err_file,
            cwd=EXAMPLES.parent,
        )
        try:
            time.sleep(1.5)  # the watcher has taken the plan's first fingerprint
            plan.write_text("events:\n  Order Completed: {}\n")
            deadline = time.monotonic() + 20
            lines: list[str] = []
            while time.monotonic() < deadline:
                lines = [ln for ln in err.read_text().splitlines() if "reloaded" in ln]
                if lines:
                    break
                time.sleep(0.1)
            assert lines == [f"inspector: plan reloaded from {plan} (1 event)"]
        finally:
            proc.terminate()
            proc.wait(timeout=15)
