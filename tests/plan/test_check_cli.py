"""`inspector check --plan PLAN [--coverage] [--junit FILE]` on the examples."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from inspector.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PLAN = str(EXAMPLES / "plan.yaml")
SESSION = str(EXAMPLES / "session.ndjson")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_check_with_the_plan_reports_every_plan_rule(runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", "--plan", PLAN, SESSION])
    assert result.exit_code == 1, result.output
    for rule in (
        "plan/unplanned-event",
        "plan/missing-required",
        "plan/wrong-type",
        "plan/not-in-enum",
        "plan/pattern-mismatch",
        "plan/unplanned-property",
        "plan/invalid-value",
    ):
        assert rule in result.output
    assert 'did you mean "Product Viewed"?' in result.output
    assert "Tracking plan coverage" not in result.output


def test_coverage_and_junit(runner: CliRunner, tmp_path: Path) -> None:
    junit = tmp_path / "plan.xml"
    result = runner.invoke(
        main, ["check", "--plan", PLAN, "--coverage", "--junit", str(junit), SESSION]
    )
    assert result.exit_code == 1, result.output
    assert "4/5 planned events seen" in result.output
    assert "never seen     Checkout Started" in result.output
    assert "required, never present: properties.method" in result.output
    root = ET.fromstring(junit.read_text())
    [suite] = root.findall("testsuite")
    assert suite.get("name") == "tracking-plan"
    assert suite.get("tests") == "8" and suite.get("failures") == "7"


def test_coverage_in_json_output(runner: CliRunner) -> None:
    result = runner.invoke(
        main, ["check", "--format", "json", "--plan", PLAN, "--coverage", SESSION]
    )
    doc = json.loads(result.stdout)
    assert doc["plan_coverage"]["unseen"] == ["Checkout Started"]
    assert doc["plan_coverage"]["required_unseen"] == {"Signed Up": ["properties.method"]}


def test_junit_alone_prints_no_coverage(runner: CliRunner, tmp_path: Path) -> None:
    junit = tmp_path / "plan.xml"
    result = runner.invoke(main, ["check", "--plan", PLAN, "--junit", str(junit), SESSION])
    assert "Tracking plan coverage" not in result.output
    assert ET.fromstring(junit.read_text()).tag == "testsuites"


def test_coverage_needs_a_plan(runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", "--coverage", SESSION])
    assert result.exit_code == 2
    assert "need --plan" in result.output


def test_a_bad_plan_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "plan.yaml"
    bad.write_text("events:\n  E:\n    propertes: {}\n")
    result = runner.invoke(main, ["check", "--plan", str(bad), SESSION])
    assert result.exit_code == 2
    assert "unknown key 'propertes'" in result.output
    assert result.output.count("\n") == 1


def test_check_with_an_unresolvable_ref_cannot_load_the_plan(
    runner: CliRunner, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(
        json.dumps(
            {"title": "Seat Added", "type": "object", "properties": {"n": {"$ref": "#/x/y"}}}
        )
    )
    msgs = tmp_path / "m.ndjson"
    msgs.write_text(
        json.dumps({"type": "track", "event": "Seat Added", "userId": "u", "messageId": "m"}) + "\n"
    )
    result = runner.invoke(main, ["check", "--plan", str(plan), str(msgs)])
    assert result.exit_code == 2, result.output
    assert "cannot load plan" in result.output and "#/x/y" in result.output
    assert "rule-crashed" not in result.output
