"""The sample plan and session in examples/ exercise every plan violation kind and coverage."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from inspector.plan import PLAN_RULES, coverage_report, junit_xml, load_plan
from inspector.spec import Engine

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PLAN = EXAMPLES / "plan.yaml"
SESSION = EXAMPLES / "session.ndjson"

#: (line, rule, path) of every plan finding the sample session should produce.
EXPECTED = [
    (4, "plan/wrong-type", "properties.quantity"),
    (5, "plan/invalid-value", "properties.quantity"),
    (7, "plan/pattern-mismatch", "properties.order_id"),
    (7, "plan/not-in-enum", "properties.currency"),
    (7, "plan/pattern-mismatch", "properties.products[0].sku"),
    (7, "plan/wrong-type", "properties.products[0].price"),
    (7, "plan/unplanned-property", "properties.coupon"),
    (8, "plan/missing-required", "properties.order_id"),
    (9, "plan/unplanned-event", "event"),
    (10, "plan/unplanned-event", "event"),
    (11, "plan/missing-required", "properties.method"),
    (12, "plan/pattern-mismatch", "traits.email"),
    (12, "plan/wrong-type", "traits.created_at"),
    (13, "plan/wrong-type", "traits.employees"),
]


def run() -> tuple[list[tuple[int, str, str]], dict[int, list[str]], object]:
    plan = load_plan(PLAN)
    engine = Engine(extra=plan.rules)
    found = []
    messages: dict[int, list[str]] = {}
    for n, line in enumerate(SESSION.read_text().splitlines(), 1):
        for v in engine.check(json.loads(line)):
            if v.rule.startswith("plan/"):
                found.append((n, v.rule, v.path))
                messages.setdefault(n, []).append(v.message)
    return found, messages, plan


def test_the_sample_session_produces_the_documented_findings() -> None:
    found, messages, _ = run()
    assert sorted(found) == sorted(EXPECTED)
    assert {rule for _, rule, _ in found} == set(PLAN_RULES)
    assert 'did you mean "Product Viewed"?' in messages[10][0]
    assert '"Order Completed"' in messages[9][0]


def test_the_sample_session_coverage() -> None:
    _, _, plan = run()
    report = coverage_report(plan)  # type: ignore[arg-type]
    assert report["unseen"] == ["Checkout Started"]
    assert report["required_unseen"] == {"Signed Up": ["properties.method"]}
    assert report["unplanned"] == {"Product Viewd": 1, "order_completed": 1}
    root = ET.fromstring(junit_xml(plan, report))  # type: ignore[arg-type]
    failed = {c.get("name") for c in root.iter("testcase") if c.find("failure") is not None}
    assert failed == {
        "Product Added",
        "Checkout Started",
        "Order Completed",
        "Signed Up",
        "identify",
        "group",
        "unplanned events",
    }


def test_the_readme_shows_the_command() -> None:
    readme = (EXAMPLES / "README.md").read_text()
    assert "inspector check --plan examples/plan.yaml examples/session.ndjson" in readme
