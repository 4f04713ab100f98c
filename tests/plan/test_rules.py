"""Each plan violation kind: rule id, severity, path, and the plan's expectation in the message."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspector.plan import PLAN_RULES, Plan
from inspector.spec import Engine

from .helpers import rules, track


def only(plan: Plan, message: Any, rule: str) -> list:
    return [v for v in plan.check(message) if v.rule == rule]


def test_a_message_that_follows_the_plan_has_no_findings(simple_plan: Plan) -> None:
    m = track(
        "Order Completed",
        order_id="o1",
        revenue=12.5,
        currency="EUR",
        products=[{"sku": "AB-1", "price": 3}],
    )
    assert simple_plan.check(m) == []


def test_unplanned_event_suggests_the_closest_name(simple_plan: Plan) -> None:
    [v] = simple_plan.check(track("Order Complete", order_id="o1"))
    assert (v.rule, v.severity, v.path) == ("plan/unplanned-event", "warning", "event")
    assert 'did you mean "Order Completed"?' in v.message


def test_unplanned_event_differing_only_in_case_and_separators(simple_plan: Plan) -> None:
    [v] = simple_plan.check(track("order_completed"))
    assert v.rule == "plan/unplanned-event"
    assert '"Order Completed"' in v.message and "case and separators" in v.message
    [v] = simple_plan.check(track("product-viewed"))
    assert '"Product Viewed"' in v.message


def test_unplanned_event_with_nothing_close(simple_plan: Plan) -> None:
    [v] = simple_plan.check(track("Zebra Fed"))
    assert v.rule == "plan/unplanned-event"
    assert "did you mean" not in v.message


def test_missing_required_property(simple_plan: Plan) -> None:
    [v] = only(simple_plan, track("Order Completed", revenue=1), "plan/missing-required")
    assert (v.severity, v.path) == ("error", "properties.order_id")
    assert "requires it (string)" in v.message and '"Order Completed"' in v.message


def test_missing_properties_object_counts_as_empty(simple_plan: Plan) -> None:
    m = {"type": "track", "event": "Product Viewed", "userId": "u"}
    assert rules(simple_plan.check(m)) == [("plan/missing-required", "properties.product_id")]


def test_missing_required_in_an_array_item(simple_plan: Plan) -> None:
    m = track("Order Completed", order_id="o", products=[{"sku": "A"}, {"price": 1}])
    assert rules(simple_plan.check(m)) == [("plan/missing-required", "properties.products[1].sku")]


def test_wrong_type(simple_plan: Plan) -> None:
    [v] = simple_plan.check(track("Order Completed", order_id="o", revenue="12.50"))
    assert (v.rule, v.severity, v.path) == ("plan/wrong-type", "error", "properties.revenue")
    assert v.message == "properties.revenue is a string; the plan expects number."


def test_wrong_type_nested_path(simple_plan: Plan) -> None:
    m = track("Order Completed", order_id="o", products=[{"sku": "A", "price": "1"}])
    [v] = simple_plan.check(m)
    assert (v.rule, v.path) == ("plan/wrong-type", "properties.products[0].price")


def test_wrong_type_of_the_properties_object(simple_plan: Plan) -> None:
    m = {"type": "track", "event": "Order Completed", "properties": ["x"]}
    [v] = simple_plan.check(m)
    assert (v.rule, v.path) == ("plan/wrong-type", "properties")
    assert "is an array; the plan expects object" in v.message


def test_value_not_in_enum(simple_plan: Plan) -> None:
    [v] = simple_plan.check(track("Order Completed", order_id="o", currency="usd"))
    assert (v.rule, v.severity, v.path) == ("plan/not-in-enum", "error", "properties.currency")
    assert v.message == 'properties.currency is "usd"; the plan expects one of "USD", "EUR".'


def test_pattern_mismatch(simple_plan: Plan) -> None:
    m = track("Order Completed", order_id="o", products=[{"sku": "ab 1"}])
    [v] = simple_plan.check(m)
    assert (v.rule, v.severity) == ("plan/pattern-mismatch", "error")
    assert v.path == "properties.products[0].sku"
    assert "/^[A-Z0-9-]+$/" in v.message and '"ab 1"' in v.message


def test_unplanned_property_on_a_strict_event(simple_plan: Plan) -> None:
    m = track("Order Completed", order_id="o", colour="red", **{"odd key": 1})
    found = simple_plan.check(m)
    assert rules(found) == [
        ("plan/unplanned-property", "properties.colour"),
        ("plan/unplanned-property", 'properties["odd key"]'),
    ]
    assert all(v.severity == "warning" for v in found)
    assert "order_id, revenue, currency, products" in found[0].message


def test_strict_applies_to_nested_objects_too(simple_plan: Plan) -> None:
    m = track("Order Completed", order_id="o", products=[{"sku": "A", "name": "x"}])
    assert rules(simple_plan.check(m)) == [
        ("plan/unplanned-property", "properties.products[0].name")
    ]


def test_unplanned_property_not_flagged_on_a_lenient_event(simple_plan: Plan) -> None:
    assert simple_plan.check(track("Product Viewed", product_id="p", colour="red")) == []


def test_identify_traits(simple_plan: Plan) -> None:
    m = {"type": "identify", "userId": "u", "traits": {"email": "nope", "age": "40"}}
    assert rules(simple_plan.check(m)) == [
        ("plan/pattern-mismatch", "traits.email"),
        ("plan/wrong-type", "traits.age"),
    ]
    # Traits are optional unless marked; an identify with none is fine.
    assert simple_plan.check({"type": "identify", "userId": "u"}) == []


def test_group_traits_required_and_strict(simple_plan: Plan) -> None:
    m = {"type": "group", "groupId": "g", "traits": {"plan": "pro"}}
    assert rules(simple_plan.check(m)) == [
        ("plan/missing-required", "traits.name"),
        ("plan/unplanned-property", "traits.plan"),
    ]


def test_other_call_types_are_not_checked(simple_plan: Plan) -> None:
    for m in (
        {"type": "page", "name": "Home", "properties": {"x": 1}},
        {"type": "screen", "name": "Home"},
        {"type": "alias", "userId": "a", "previousId": "b"},
        {"type": "track"},
        {"type": "track", "event": 12},
    ):
        assert simple_plan.check(m) == []


def test_every_emitted_rule_is_documented(simple_plan: Plan) -> None:
    found = simple_plan.check(
        track("Order Completed", revenue="x", currency="?", products=[{"sku": "a a"}], q=1)
    ) + simple_plan.check(track("Nope"))
    assert {v.rule for v in found} <= set(PLAN_RULES)
    assert all(v.severity == PLAN_RULES[v.rule][0] for v in found)


def test_engine_runs_the_plan_with_the_spec_rules(simple_plan: Plan) -> None:
    engine = Engine(extra=simple_plan.rules)
    found = engine.check(track("Order Completed", order_id="o", revenue="1"))
    assert ("plan/wrong-type", "properties.revenue") in rules(found)
    assert not any(v.rule == "inspector/rule-crashed" for v in found)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.one_of(
        json_values,
        st.fixed_dictionaries(
            {
                "type": st.sampled_from(["track", "identify", "group", "page"]),
                "event": st.sampled_from(["Order Completed", "Product Viewed", "x"]) | json_values,
                "properties": json_values,
                "traits": json_values,
            }
        ),
    )
)
def test_never_raises_on_any_json(simple_plan: Plan, message: Any) -> None:
    found = simple_plan.check(message)
    assert all(v.rule.startswith("plan/") for v in found)


@pytest.mark.parametrize("value", [float("nan"), 10**400, {"a": {"b": {"c": [[[]]]}}}])
def test_odd_values(simple_plan: Plan, value: Any) -> None:
    found = simple_plan.check(track("Order Completed", order_id="o", revenue=value))
    assert all(v.rule.startswith("plan/") for v in found)
