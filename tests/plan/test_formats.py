"""Every plan format loads into the same checks; bad plans fail with a one-line ValueError."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from inspector.plan import load_plan

from .helpers import SIMPLE, rules, track

ORDER_SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "Order Completed",
    "type": "object",
    "properties": {
        "order_id": {"type": "string"},
        "revenue": {"type": "number"},
        "currency": {"enum": ["USD", "EUR"]},
        "at": {"type": "string", "format": "date-time"},
    },
    "required": ["order_id"],
    "additionalProperties": False,
}

BAD_ORDER = track("Order Completed", revenue="1", currency="usd", at="soon", extra=1)
EXPECTED = [
    ("plan/missing-required", "properties.order_id"),
    ("plan/wrong-type", "properties.revenue"),
    ("plan/not-in-enum", "properties.currency"),
    ("plan/wrong-type", "properties.at"),
    ("plan/unplanned-property", "properties.extra"),
]


def sorted_rules(found: Any) -> list[tuple[str, str]]:
    return sorted(rules(found))


# -- JSON Schema, one file per event ---------------------------------------------------


def test_json_schema_file_named_by_title(write_plan: Callable[..., Path]) -> None:
    plan = load_plan(write_plan(ORDER_SCHEMA, "whatever.json"))
    assert plan.format == "json-schema"
    assert plan.event_names == ["Order Completed"]
    assert sorted_rules(plan.check(BAD_ORDER)) == sorted(EXPECTED)
    ok = track("Order Completed", order_id="o", at="2024-05-01T10:00:00.000Z")
    assert plan.check(ok) == []


def test_json_schema_file_named_by_file_name(write_plan: Callable[..., Path]) -> None:
    schema = {k: v for k, v in ORDER_SCHEMA.items() if k != "title"}
    plan = load_plan(write_plan(schema, "Order Completed.schema.json"))
    assert plan.event_names == ["Order Completed"]
    assert plan.check(track("Order Completed", order_id="o")) == []


def test_json_schema_over_the_whole_message(write_plan: Callable[..., Path]) -> None:
    schema = {
        "title": "Signed Up",
        "type": "object",
        "properties": {
            "properties": {
                "type": "object",
                "properties": {"plan": {"type": "string"}},
                "required": ["plan"],
            },
            "context": {"type": "object"},
        },
        "required": ["properties"],
    }
    plan = load_plan(write_plan(schema, "signed_up.json"))
    assert rules(plan.check(track("Signed Up", plan=3))) == [("plan/wrong-type", "properties.plan")]
    found = plan.check({"type": "track", "event": "Signed Up"})
    assert rules(found) == [("plan/missing-required", "properties")]


def test_json_schema_directory(tmp_path: Path) -> None:
    d = tmp_path / "plan"
    d.mkdir()
    (d / "order.json").write_text(json.dumps(ORDER_SCHEMA))
    (d / "Product Viewed.json").write_text(
        json.dumps({"type": "object", "required": ["product_id"]})
    )
    (d / "notes.txt").write_text("ignored")
    plan = load_plan(d)
    assert plan.format == "json-schema-dir"
    assert sorted(plan.event_names) == ["Order Completed", "Product Viewed"]
    assert sorted_rules(plan.check(BAD_ORDER)) == sorted(EXPECTED)
    assert rules(plan.check(track("Product Viewed"))) == [
        ("plan/missing-required", "properties.product_id")
    ]
    assert rules(plan.check(track("product viewed"))) == [("plan/unplanned-event", "event")]


def test_draft_04_schema_is_honoured(write_plan: Callable[..., Path]) -> None:
    schema = {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "title": "E",
        "properties": {"n": {"type": "integer"}},
    }
    plan = load_plan(write_plan(schema, "e.json"))
    # Draft 4: 1.0 is not an integer; later drafts accept it.
    assert rules(plan.check(track("E", n=1.0))) == [("plan/wrong-type", "properties.n")]


# -- the simple format -----------------------------------------------------------------

SIMPLE_BAD = track("Order Completed", revenue="1", currency="usd", extra=1)
SIMPLE_EXPECTED = sorted(
    [
        ("plan/missing-required", "properties.order_id"),
        ("plan/wrong-type", "properties.revenue"),
        ("plan/not-in-enum", "properties.currency"),
        ("plan/unplanned-property", "properties.extra"),
    ]
)


def test_simple_yaml(write_plan: Callable[..., Path]) -> None:
    plan = load_plan(write_plan(SIMPLE, "plan.yaml"))
    assert plan.format == "simple"
    assert sorted_rules(plan.check(SIMPLE_BAD)) == SIMPLE_EXPECTED


def test_simple_json(write_plan: Callable[..., Path]) -> None:
    plan = load_plan(write_plan(SIMPLE, "plan.json"))
    assert plan.format == "simple"
    assert sorted_rules(plan.check(SIMPLE_BAD)) == SIMPLE_EXPECTED


def test_simple_yaml_written_by_hand(write_plan: Callable[..., Path]) -> None:
    text = """
strict: true               # every event
events:
  - name: Signed Up
    properties:
      plan: {type: string, enum: [free, pro]}
      at: date-time
      seats: integer | null
      referrer:             # any value
    required: [plan]
  - name: Logged Out
identify:
  traits:
    email: {type: string, required: true}
"""
    plan = load_plan(write_plan(text, "plan.yml"))
    assert plan.event_names == ["Signed Up", "Logged Out"]
    assert plan.check(track("Signed Up", plan="pro", seats=None, referrer=[1])) == []
    found = plan.check(track("Signed Up", at="2024-13-01T00:00:00Z", seats=1.5, x=1))
    assert sorted_rules(found) == [
        ("plan/missing-required", "properties.plan"),
        ("plan/unplanned-property", "properties.x"),
        ("plan/wrong-type", "properties.at"),
        ("plan/wrong-type", "properties.seats"),
    ]
    seats = next(v for v in found if v.path == "properties.seats")
    assert "the plan expects integer or null" in seats.message
    assert rules(plan.check(track("Logged Out", why="x"))) == [
        ("plan/unplanned-property", "properties.why")
    ]
    assert rules(plan.check({"type": "identify", "traits": {}})) == [
        ("plan/missing-required", "traits.email")
    ]


# -- Segment Protocols exports ---------------------------------------------------------


def _message_schema(props: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "type": "object",
        "properties": {
            "context": {"id": "/properties/context"},
            "traits": {"id": "/properties/traits"},
            "properties": {
                "id": "/properties/properties",
                "type": "object",
                "properties": props,
                "required": required,
            },
        },
        "required": ["properties"],
    }


ORDER_RULES = _message_schema(
    {
        "order_id": {"type": ["string"]},
        "revenue": {"type": "number"},
        "currency": {"type": "string", "enum": ["USD", "EUR"]},
    },
    ["order_id"],
)
IDENTIFY_RULES = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {
        "traits": {
            "type": "object",
            "properties": {"email": {"type": "string", "pattern": "@"}},
            "required": ["email"],
        }
    },
}
GROUP_RULES = {
    "type": "object",
    "properties": {"traits": {"properties": {"seats": {"type": "integer"}}}},
}

PROTOCOLS_BAD = track("Order Completed", revenue="1", currency="usd")
PROTOCOLS_EXPECTED = sorted(
    [
        ("plan/missing-required", "properties.order_id"),
        ("plan/wrong-type", "properties.revenue"),
        ("plan/not-in-enum", "properties.currency"),
    ]
)


def check_protocols(path: Path) -> None:
    plan = load_plan(path)
    assert plan.format == "protocols"
    assert plan.event_names == ["Order Completed"]
    assert sorted_rules(plan.check(PROTOCOLS_BAD)) == PROTOCOLS_EXPECTED
    assert plan.check(track("Order Completed", order_id="o", revenue=2)) == []
    assert rules(plan.check({"type": "identify", "traits": {"email": "x"}})) == [
        ("plan/pattern-mismatch", "traits.email")
    ]
    assert rules(plan.check({"type": "group", "traits": {"seats": "3"}})) == [
        ("plan/wrong-type", "traits.seats")
    ]
    assert rules(plan.check(track("Order Complete"))) == [("plan/unplanned-event", "event")]


def test_protocols_config_api_export(write_plan: Callable[..., Path]) -> None:
    doc = {
        "tracking_plan": {
            "name": "workspaces/w/tracking-plans/rs_1",
            "display_name": "Shop",
            "rules": {
                "global": {},
                "events": [{"name": "Order Completed", "version": 1, "rules": ORDER_RULES}],
                "identify": IDENTIFY_RULES,
                "group": GROUP_RULES,
            },
        }
    }
    check_protocols(write_plan(doc, "export.json"))


def test_protocols_camel_case_export(write_plan: Callable[..., Path]) -> None:
    doc = {
        "trackingPlan": {
            "rules": {
                "events": [{"name": "Order Completed", "rules": ORDER_RULES}],
                "identify": IDENTIFY_RULES,
                "group": GROUP_RULES,
            }
        }
    }
    check_protocols(write_plan(doc, "export.json"))


def test_protocols_top_level_rules(write_plan: Callable[..., Path]) -> None:
    doc = {
        "rules": {
            "events": [{"name": "Order Completed", "rules": ORDER_RULES}],
            "identify": IDENTIFY_RULES,
            "group": GROUP_RULES,
        }
    }
    check_protocols(write_plan(doc, "export.json"))


def test_protocols_public_api_rules_list(write_plan: Callable[..., Path]) -> None:
    doc = {
        "rules": [
            {"type": "COMMON", "jsonSchema": {}},
            {"type": "TRACK", "key": "Order Completed", "version": 1, "jsonSchema": ORDER_RULES},
            {"type": "IDENTIFY", "jsonSchema": IDENTIFY_RULES},
            {"type": "GROUP", "jsonSchema": GROUP_RULES},
            {"type": "PAGE", "key": "Home", "jsonSchema": {}},
        ]
    }
    check_protocols(write_plan(doc, "export.json"))


def test_protocols_public_api_response(write_plan: Callable[..., Path]) -> None:
    doc = {
        "data": {
            "rules": [
                {"type": "TRACK", "key": "Order Completed", "jsonSchema": ORDER_RULES},
                {"type": "IDENTIFY", "jsonSchema": IDENTIFY_RULES},
                {"type": "GROUP", "jsonSchema": GROUP_RULES},
            ],
            "pagination": {"current": "MA=="},
        }
    }
    check_protocols(write_plan(doc, "export.json"))


def test_typewriter_local_plan(write_plan: Callable[..., Path]) -> None:
    doc = {
        "events": [{"name": "Order Completed", "rules": ORDER_RULES}],
        "identify_traits": IDENTIFY_RULES,
        "group_traits": GROUP_RULES,
    }
    check_protocols(write_plan(doc, "tracking-plan.json"))


def test_protocols_common_schema_applies_to_every_call(write_plan: Callable[..., Path]) -> None:
    common = {
        "type": "object",
        "properties": {"context": {"type": "object", "required": ["app"]}},
    }
    doc = {"tracking_plan": {"rules": {"global": common, "events": []}}}
    plan = load_plan(write_plan(doc, "export.json"))
    found = plan.check({"type": "page", "name": "Home", "context": {}})
    assert rules(found) == [("plan/missing-required", "context.app")]
    assert "common schema" in found[0].message


def test_protocols_event_versions(write_plan: Callable[..., Path]) -> None:
    v1 = _message_schema({"plan": {"type": "string"}}, [])
    v2 = _message_schema({"plan": {"type": "string"}, "seats": {"type": "integer"}}, ["seats"])
    doc = {
        "tracking_plan": {
            "rules": {
                "events": [
                    {"name": "Signed Up", "version": 2, "rules": v2},
                    {"name": "Signed Up", "version": 1, "rules": v1},
                ]
            }
        }
    }
    plan = load_plan(write_plan(doc, "export.json"))
    # No version, or an unknown one: the oldest.
    assert plan.check(track("Signed Up", plan="pro")) == []
    m = track("Signed Up", plan="pro")
    m["context"] = {"protocols": {"event_version": 7}}
    assert plan.check(m) == []
    m["context"] = {"protocols": {"event_version": 2}}
    assert rules(plan.check(m)) == [("plan/missing-required", "properties.seats")]


# -- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "expect"),
    [
        ("p.yaml", "events: [\n", "invalid YAML (line"),
        ("p.json", "{", "invalid JSON (line 1"),
        ("p.json", "[]", "must be an object"),
        ("p.json", '{"hello": 1}', "not a tracking plan"),
        (
            "p.yaml",
            "events:\n  E:\n    properties:\n      n: {type: strin}\n",
            "unknown type 'strin'",
        ),
        ("p.yaml", "events:\n  E:\n    propertes: {}\n", "unknown key 'propertes'"),
        (
            "p.yaml",
            "events:\n  E:\n    properties:\n      s: {pattern: '('}\n",
            "invalid regular expression",
        ),
        ("p.json", '{"title": "E", "type": "strin"}', "invalid JSON Schema"),
        ("p.json", '{"title": "E", "properties": {"a": {"pattern": "("}}}', "pattern"),
        ("p.json", '{"tracking_plan": {"rules": {"events": [{"rules": {}}]}}}', "has no name"),
        ("p.json", '{"rules": [{"type": "TRACK", "jsonSchema": {}}]}', "needs a key"),
    ],
)
def test_bad_plans_fail_with_one_line(tmp_path: Path, name: str, content: str, expect: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(ValueError) as err:
        load_plan(path)
    text = str(err.value)
    assert expect in text
    assert "\n" not in text


def test_missing_file_and_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no such file"):
        load_plan(tmp_path / "nope.yaml")
    with pytest.raises(ValueError, match=r"no \*\.json schema files"):
        load_plan(tmp_path)


def test_the_example_in_docs_loads_and_checks(tmp_path: Path) -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "plans.md").read_text()
    block = docs.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "plan.yaml"
    path.write_text(block)
    plan = load_plan(path)
    assert plan.event_names == ["Order Completed", "Signed Up"]
    ok = track(
        "Order Completed",
        order_id="ord_1",
        revenue=3,
        coupon=None,
        note=[1],
        placed_at="2024-02-29T12:00:00+01:00",
        products=[{"product_id": "p", "price": 0}],
    )
    assert plan.check(ok) == []
    bad = track("Order Completed", order_id="1", products=[{"price": -1, "x": 1}])
    assert sorted_rules(plan.check(bad)) == [
        ("plan/invalid-value", "properties.products[0].price"),
        ("plan/missing-required", "properties.products[0].product_id"),
        ("plan/missing-required", "properties.revenue"),
        ("plan/pattern-mismatch", "properties.order_id"),
        ("plan/unplanned-property", "properties.products[0].x"),
    ]
    assert rules(plan.check({"type": "group", "traits": {"name": "A", "size": 3}})) == [
        ("plan/unplanned-property", "traits.size")
    ]
    assert sorted_rules(plan.check({"type": "identify", "traits": {"plan": "gold"}})) == [
        ("plan/missing-required", "traits.email"),
        ("plan/not-in-enum", "traits.plan"),
    ]


def test_a_json_schema_written_in_yaml(write_plan: Callable[..., Path]) -> None:
    plan = load_plan(write_plan({"title": "E", "required": ["a"]}, "e.yaml"))
    assert plan.format == "json-schema"
    assert rules(plan.check(track("E"))) == [("plan/missing-required", "properties.a")]


# -- $ref must resolve at load time -------------------------------------------------------


@pytest.mark.parametrize(
    ("schema", "ref"),
    [
        (
            {"title": "Plan Chosen", "properties": {"tier": {"$ref": "#/definitions/tier"}}},
            "#/definitions/tier",
        ),
        (
            {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "title": "Plan Chosen",
                "$defs": {"tier": {"type": "string"}},
                "properties": {"tier": {"prefixItems": [{"$ref": "#/$defs/seats"}]}},
            },
            "#/$defs/seats",
        ),
        (
            {"title": "Plan Chosen", "properties": {"tier": {"$ref": "tier.json"}}},
            "tier.json",
        ),
        (
            {"title": "Plan Chosen", "properties": {"tier": {"$ref": "https://x.test/t.json"}}},
            "https://x.test/t.json",
        ),
    ],
)
def test_unresolvable_ref_fails_at_load(
    write_plan: Callable[..., Path], schema: dict[str, Any], ref: str
) -> None:
    with pytest.raises(ValueError, match="does not resolve") as err:
        load_plan(write_plan(schema, "plan.json"))
    assert ref in str(err.value) and "\n" not in str(err.value)


def test_unresolvable_ref_in_protocols_and_dir_plans(
    write_plan: Callable[..., Path], tmp_path: Path
) -> None:
    export = {
        "tracking_plan": {
            "rules": {
                "events": [
                    {
                        "name": "Plan Chosen",
                        "rules": {"properties": {"properties": {"$ref": "#/nowhere"}}},
                    }
                ]
            }
        }
    }
    with pytest.raises(ValueError, match="does not resolve"):
        load_plan(write_plan(export, "export.json"))
    d = tmp_path / "schemas"
    d.mkdir()
    (d / "a.json").write_text(json.dumps(ORDER_SCHEMA))
    (d / "b.json").write_text(json.dumps({"title": "B Done", "$ref": "#/definitions/x"}))
    with pytest.raises(ValueError, match="b.json"):
        load_plan(d)


def test_resolvable_refs_still_work(write_plan: Callable[..., Path]) -> None:
    schema = {
        "title": "Plan Chosen",
        "definitions": {"tier": {"enum": ["free", "pro"]}},
        "properties": {
            "tier": {"$ref": "#/definitions/tier"},
            "meta": {"$ref": "http://json-schema.org/draft-07/schema#"},
            "sub": {
                "$id": "http://x.test/sub.json",
                "definitions": {"n": {"type": "integer"}},
                "properties": {"n": {"$ref": "#/definitions/n"}},
            },
        },
    }
    plan = load_plan(write_plan(schema, "plan.json"))
    assert plan.check(track("Plan Chosen", tier="pro", sub={"n": 1})) == []
    found = rules(plan.check(track("Plan Chosen", tier="gold", sub={"n": "x"})))
    assert sorted(found) == [
        ("plan/not-in-enum", "properties.tier"),
        ("plan/wrong-type", "properties.sub.n"),
    ]


# -- YAML is read as written -------------------------------------------------------------

YAML_11_PLAN = """\
events:
  On:
    properties:
      answer: {type: string, enum: [yes, no, on, off, y, n], required: true}
  No:
    properties:
      day: {enum: [2024-05-01, 12:30, 0755, 1_000]}
  Off Hours Scheduled: {}
  2024-05-01 Exported: {}
  0755: {}
identify:
  traits:
    Yes: boolean
    count: {type: integer, enum: [1, 0x10, 0o17]}
    ratio: {type: number, enum: [0.5, 1e3]}
    flag: {type: boolean, enum: [true, false]}
"""


def test_yaml_names_and_enums_are_read_as_written(write_plan: Callable[..., Path]) -> None:
    plan = load_plan(write_plan(YAML_11_PLAN))
    assert plan.event_names == ["On", "No", "Off Hours Scheduled", "2024-05-01 Exported", "0755"]
    assert plan.check(track("On", answer="yes")) == []
    assert plan.check(track("On", answer="off")) == []
    assert ("plan/not-in-enum", "properties.answer") in rules(plan.check(track("On", answer=True)))
    for day in ("2024-05-01", "12:30", "0755", "1_000"):
        assert plan.check(track("No", day=day)) == [], day
    assert rules(plan.check(track("No", day=493))) == [("plan/not-in-enum", "properties.day")]
    ident = {"type": "identify", "userId": "u", "traits": {"Yes": True, "count": 16}}
    assert plan.check(ident) == []
    ident["traits"] = {"count": 15, "ratio": 1000.0, "flag": False}
    assert plan.check(ident) == []
    ident["traits"] = {"true": True}
    assert plan.check(ident) == []  # not strict: "Yes" stays a name, "true" is just another key


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("strict: yes\nevents: {A Done: {}}\n", "must be true or false, not 'yes'"),
        (
            "events:\n  A Done:\n    properties:\n      x: {type: string, required: on}\n",
            "must be true or false",
        ),
        ("events:\n  ? [a, b]\n  : {}\n", "non-scalar key"),
    ],
)
def test_yaml_11_settings_fail_clearly(
    write_plan: Callable[..., Path], text: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        load_plan(write_plan(text))
