"""A track call without `properties`: what each plan format reports (docs/plans.md, "Calls
without properties"). The simple format and properties schemas check it as `{}`; a schema of the
whole message (Protocols) checks the message as sent, as Segment Protocols does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from inspector.cli import main

NO_PROPERTIES = {"type": "track", "event": "Order Completed", "userId": "u", "messageId": "m1"}
NO_TRAITS = {"type": "identify", "userId": "u", "messageId": "m2"}

ORDER_ID = {
    "type": "object",
    "properties": {"order_id": {"type": "string"}},
    "required": ["order_id"],
}
MISSING_ORDER_ID = (
    "  error   plan/missing-required  properties.order_id  properties.order_id is missing; "
    'the plan requires it (string) for "Order Completed".'
)
MISSING_PROPERTIES = (
    "  error   plan/missing-required  properties  properties is missing; "
    'the plan requires it (object) for "Order Completed".'
)


def protocols(required_properties: bool) -> dict[str, object]:
    rules: dict[str, object] = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {"properties": ORDER_ID},
    }
    if required_properties:
        rules["required"] = ["properties"]
    return {
        "tracking_plan": {
            "rules": {"events": [{"name": "Order Completed", "version": 1, "rules": rules}]}
        }
    }


def plan_lines(
    tmp_path: Path, name: str, plan: object, message: dict[str, object]
) -> tuple[int, list[str]]:
    path = tmp_path / name
    path.write_text(plan if isinstance(plan, str) else json.dumps(plan))
    msgs = tmp_path / "m.ndjson"
    msgs.write_text(json.dumps(message) + "\n")
    result = CliRunner().invoke(main, ["check", "--plan", str(path), str(msgs)])
    return result.exit_code, [ln for ln in result.stdout.splitlines() if "plan/" in ln]


@pytest.mark.parametrize(
    ("name", "plan"),
    [
        (
            "plan.yaml",
            "events:\n  Order Completed:\n    properties:\n"
            "      order_id: {type: string, required: true}\n",
        ),
        ("Order Completed.json", {**ORDER_ID, "title": "Order Completed"}),
        # a Protocols export whose event schema is a bare properties schema
        (
            "export.json",
            {
                "tracking_plan": {
                    "rules": {"events": [{"name": "Order Completed", "rules": ORDER_ID}]}
                }
            },
        ),
    ],
)
def test_properties_schemas_check_a_missing_properties_as_empty(
    tmp_path: Path, name: str, plan: object
) -> None:
    code, lines = plan_lines(tmp_path, name, plan, NO_PROPERTIES)
    assert (code, lines) == (1, [MISSING_ORDER_ID])


def test_a_protocols_schema_that_requires_properties_reports_properties_missing(
    tmp_path: Path,
) -> None:
    code, lines = plan_lines(tmp_path, "export.json", protocols(True), NO_PROPERTIES)
    assert (code, lines) == (1, [MISSING_PROPERTIES])


def test_a_protocols_schema_that_does_not_require_properties_reports_nothing(
    tmp_path: Path,
) -> None:
    code, lines = plan_lines(tmp_path, "export.json", protocols(False), NO_PROPERTIES)
    assert (code, lines) == (0, [])
    # ... while an empty properties object is checked against the properties rules
    code, lines = plan_lines(
        tmp_path, "export.json", protocols(False), {**NO_PROPERTIES, "properties": {}}
    )
    assert (code, lines) == (1, [MISSING_ORDER_ID])


def test_identify_without_traits_follows_the_same_rule(tmp_path: Path) -> None:
    code, lines = plan_lines(
        tmp_path,
        "plan.yaml",
        "identify:\n  traits:\n    email: {type: string, required: true}\n",
        NO_TRAITS,
    )
    assert (code, lines) == (
        1,
        [
            "  error   plan/missing-required  traits.email  traits.email is missing; "
            "the plan requires it (string) for identify traits."
        ],
    )


def test_the_docs_describe_each_case() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "plans.md").read_text()
    section = docs.split("### Calls without properties (or traits)", 1)[1].split("\n## ", 1)[0]
    assert "checked as if it sent `properties: {}`" in section
    assert "checked as sent, as Protocols does" in section
    assert (
        '`properties is missing; the plan requires it (object) for "Order Completed".`' in section
    )
    assert "nothing is reported" in section
