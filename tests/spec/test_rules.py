"""Every rule triggers on its own examples and stays quiet on its passes; the Spec's full
examples and real SDK output produce no error; behaviour of individual rules in detail."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from inspector.model import MessageMeta, Violation
from inspector.spec.engine import Engine
from inspector.spec.registry import CHECKERS, RULES, Example, RuleInfo
from tests.spec.payloads import (
    SPEC_EXAMPLES,
    TRACK_SPEC_EXAMPLE,
    analytics_js_page,
    analytics_python_track,
)

#: The modules this suite covers completely (naming has its own tests).
SPEC_MODULES = (
    "inspector.spec.common",
    "inspector.spec.calls",
    "inspector.spec.context",
    "inspector.spec.reserved",
    "inspector.spec.semantic",
    "inspector.spec.session",
)


def _module(rule: RuleInfo) -> str:
    if rule.checker is not None:
        return CHECKERS[rule.checker].func.__module__
    target = rule.func if rule.func is not None else rule.factory
    return getattr(target, "__module__", "")


SPEC_RULES = sorted(r.id for r in RULES.values() if _module(r) in SPEC_MODULES)


def _unpack(ex: Any) -> tuple[Any, MessageMeta]:
    if isinstance(ex, Example):
        return ex.message, ex.meta or MessageMeta()
    return ex, MessageMeta()


def _run_session(items: tuple[Any, ...]) -> list[list[Violation]]:
    engine = Engine()
    return [engine.check(*_unpack(ex)) for ex in items]


def _ids(vs: list[Violation]) -> set[str]:
    return {v.rule for v in vs}


def test_catalogue_is_large_and_ids_are_well_formed() -> None:
    assert len(SPEC_RULES) >= 70
    for rid in RULES:
        assert rid == rid.lower() and "/" in rid and " " not in rid, rid


@pytest.mark.parametrize("rule_id", SPEC_RULES)
def test_spec_rule_has_examples_and_passes(rule_id: str) -> None:
    rule = RULES[rule_id]
    assert rule.examples, f"{rule_id} has no failing example"
    assert rule.passes, f"{rule_id} has no passing example"
    assert rule.summary.strip() and rule.why.strip()
    assert rule.severity in ("error", "warning", "info")


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_examples_trigger_their_rule(rule_id: str) -> None:
    rule = RULES[rule_id]
    if rule.scope == "session":
        found = _run_session(rule.examples)
        assert rule_id in _ids(found[-1]), f"the last example of {rule_id} does not trigger it"
        return
    for ex in rule.examples:
        vs = Engine().check(*_unpack(ex))
        hits = [v for v in vs if v.rule == rule_id]
        assert hits, f"{rule_id} not triggered by {ex!r}: got {sorted(_ids(vs))}"
        for v in hits:
            assert v.severity == rule.severity
            assert v.message and v.message.endswith((".", ")")), v.message
        assert "inspector/rule-crashed" not in _ids(vs)


@pytest.mark.parametrize("rule_id", sorted(r for r in RULES if RULES[r].passes))
def test_passes_do_not_trigger_their_rule(rule_id: str) -> None:
    rule = RULES[rule_id]
    if rule.scope == "session":
        found = _run_session(rule.passes)
        assert all(rule_id not in _ids(vs) for vs in found)
        return
    for ex in rule.passes:
        vs = Engine().check(*_unpack(ex))
        assert rule_id not in _ids(vs), f"{rule_id} triggered by its pass {ex!r}: {vs}"


@pytest.mark.parametrize("rule_id", [r for r in SPEC_RULES if RULES[r].scope == "message"])
def test_a_rule_called_alone_finds_what_the_engine_finds(rule_id: str) -> None:
    rule = RULES[rule_id]
    assert rule.func is not None
    for ex in rule.examples:
        msg, meta = _unpack(ex)
        alone = [v for v in rule.func(msg, meta) if v.rule == rule_id]
        engine = [v for v in Engine().check(msg, meta) if v.rule == rule_id]
        assert alone == engine


@pytest.mark.parametrize("name", sorted(SPEC_EXAMPLES))
def test_spec_examples_produce_no_error(name: str) -> None:
    vs = Engine().check(copy.deepcopy(SPEC_EXAMPLES[name]))
    assert [v for v in vs if v.severity == "error"] == []
    # and nothing at all from the Spec rules (naming advice is the naming rules' business)
    assert [v for v in vs if v.rule in SPEC_RULES] == []


def test_seed_track_example_is_clean_with_arrival_time() -> None:
    meta = MessageMeta(size=900, received_at="2015-12-12T19:11:01.266Z", endpoint="/v1/t")
    assert Engine().check(copy.deepcopy(TRACK_SPEC_EXAMPLE), meta) == []


def test_sdk_shaped_messages_are_clean() -> None:
    engine = Engine()
    for i in range(50):
        for msg in (analytics_python_track(i), analytics_js_page(i)):
            vs = engine.check(msg, MessageMeta(size=800, received_at="2024-05-01T12:00:00.300Z"))
            assert [v for v in vs if v.rule in SPEC_RULES] == [], vs


# -- engine behaviour -------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, 1, 1.5, True, "track", [], [{"type": "track"}]])
def test_non_object_gets_exactly_one_error(value: Any) -> None:
    vs = Engine().check(value)
    assert [(v.rule, v.severity, v.path) for v in vs] == [("common/not-an-object", "error", "")]


def test_unknown_type_runs_common_rules_only() -> None:
    vs = Engine().check({"type": "purchase", "userId": "u-1", "messageId": "m-1", "properties": 5})
    assert _ids(vs) == {"common/type-unknown"}


def test_disabled_rules_are_silent_including_checker_rules() -> None:
    msg = {"type": "track", "event": "x", "userId": "null", "properties": {"revenue": "1"}}
    assert {"common/placeholder-id", "reserved/revenue-type"} <= _ids(Engine().check(msg))
    quiet = Engine(disabled=["common/placeholder-id", "reserved/revenue-type"]).check(msg)
    assert not {"common/placeholder-id", "reserved/revenue-type"} & _ids(quiet)


def test_extra_rules_run_and_a_crashing_rule_is_reported_not_raised() -> None:
    def plan_rule(message: Any, meta: MessageMeta) -> list[Violation]:
        return [Violation("plan/x", "error", "", "planned")]

    def broken(message: Any, meta: MessageMeta) -> list[Violation]:
        raise KeyError("boom")

    vs = Engine(extra=[plan_rule, broken]).check(copy.deepcopy(TRACK_SPEC_EXAMPLE))
    assert "plan/x" in _ids(vs)
    crashed = [v for v in vs if v.rule == "inspector/rule-crashed"]
    assert len(crashed) == 1 and "broken" in crashed[0].message


def test_reset_forgets_seen_message_ids() -> None:
    engine = Engine()
    msg = copy.deepcopy(TRACK_SPEC_EXAMPLE)
    assert "session/duplicate-message-id" not in _ids(engine.check(msg))
    assert "session/duplicate-message-id" in _ids(engine.check(msg))
    engine.reset()
    assert "session/duplicate-message-id" not in _ids(engine.check(msg))


# -- details of individual rules --------------------------------------------------------------


def _track(event: str = "Plan Upgraded", **fields: Any) -> dict[str, Any]:
    return {
        "type": "track",
        "event": event,
        "userId": "u-12345678901234567",
        "messageId": "m",
        **fields,
    }


def _find(msg: Any, rule: str, meta: MessageMeta | None = None) -> list[Violation]:
    return [v for v in Engine().check(msg, meta or MessageMeta()) if v.rule == rule]


def test_product_price_path_and_message() -> None:
    msg = _track("Order Completed", properties={"products": [{"price": 1}, {"price": "19.99"}]})
    (v,) = _find(msg, "semantic/property-type")
    assert v.path == "properties.products[1].price"
    assert '"19.99"' in v.message and "number" in v.message


def test_revenue_string_names_the_number() -> None:
    (v,) = _find(_track(properties={"revenue": "19.99"}), "reserved/revenue-type")
    assert v.path == "properties.revenue" and "the number 19.99" in v.message
    (v,) = _find(_track(properties={"revenue": "$1,250"}), "reserved/revenue-type")
    assert "1250" in v.message and "currency symbol" in v.message
    assert _find(_track(properties={"revenue": "inf"}), "reserved/revenue-type")


def test_revenue_on_semantic_event_is_reported_once() -> None:
    msg = _track("Order Completed", properties={"revenue": "10"})
    rules = [v.rule for v in Engine().check(msg) if v.path == "properties.revenue"]
    assert rules == ["reserved/revenue-type"]


@pytest.mark.parametrize(
    ("event", "rule", "right"),
    [
        ("order completed", "semantic/event-name-case", "Order Completed"),
        ("order_completed", "semantic/event-name-case", "Order Completed"),
        ("Product added", "semantic/event-name-case", "Product Added"),
        ("application opened", "semantic/event-name-case", "Application Opened"),
        ("Completed Order", "semantic/legacy-v1-name", "Order Completed"),
        ("completed order", "semantic/legacy-v1-name", "Order Completed"),
        ("Viewed Product Category", "semantic/legacy-v1-name", "Product List Viewed"),
    ],
)
def test_semantic_names_point_at_the_right_one(event: str, rule: str, right: str) -> None:
    vs = Engine().check(_track(event))
    hits = [v for v in vs if v.rule == rule]
    assert len(hits) == 1 and f'"{right}"' in hits[0].message
    other = {"semantic/event-name-case", "semantic/legacy-v1-name"} - {rule}
    assert not other & _ids(vs)


@pytest.mark.parametrize(
    "value",
    ["null", "NULL", "undefined", "anonymous", "-1", "0", "000000", "0000-0000", "[object Object]"],
)
def test_placeholder_ids(value: str) -> None:
    (v,) = _find(_track(userId=value), "common/placeholder-id")
    assert v.path == "userId"


@pytest.mark.parametrize("value", ["u-1", "1000", "10", "anon", "nullable-user", "0a"])
def test_not_placeholder_ids(value: str) -> None:
    assert not _find(_track(userId=value), "common/placeholder-id")


def test_identity_null_counts_as_absent_and_alias_is_exempt() -> None:
    assert _find({"type": "page", "userId": None, "anonymousId": None}, "common/missing-identity")
    assert not _find({"type": "alias", "previousId": "a"}, "common/missing-identity")
    assert _find({"type": "alias", "previousId": "a"}, "alias/user-id-missing")


def test_clock_skew_uses_meta_arrival_and_message_received_at() -> None:
    meta = MessageMeta(received_at="2024-05-01T12:00:00Z")
    ok = _track(sentAt="2024-05-01T12:04:00Z", timestamp="2024-05-01T11:00:00Z")
    assert not _find(ok, "session/clock-skew", meta)
    behind = _track(sentAt="2024-05-01T11:00:00Z")
    (v,) = _find(behind, "session/clock-skew", meta)
    assert v.path == "sentAt" and "behind" in v.message
    future = _track(timestamp="2024-05-01T12:30:00+00:00")
    (v,) = _find(future, "session/clock-skew", meta)
    assert v.path == "timestamp" and "future" in v.message
    # a naive timestamp is read as UTC and still compared
    assert _find(_track(sentAt="2024-05-01T13:00:00"), "session/clock-skew", meta)
    # without any arrival time there is nothing to compare with
    assert not _find(behind, "session/clock-skew")


def test_size_and_batch_limits_are_exact() -> None:
    msg = _track()
    assert not _find(msg, "session/message-too-large", MessageMeta(size=32768))
    assert _find(msg, "session/message-too-large", MessageMeta(size=32769))
    last_ok = MessageMeta(batch_count=2501, batch_index=2499)
    first_dropped = MessageMeta(batch_count=2501, batch_index=2500)
    assert not _find(msg, "session/batch-too-large", last_ok)
    (v,) = _find(msg, "session/batch-too-large", first_dropped)
    assert "2,500th" in v.message


def test_all_integrations_disabled_respects_options_objects() -> None:
    assert not _find(
        _track(integrations={"All": False, "Amplitude": {"session_id": 1}}),
        "session/all-integrations-disabled",
    )
    assert _find(
        _track(integrations={"All": False, "Amplitude": False}), "session/all-integrations-disabled"
    )


def test_context_subfield_paths() -> None:
    ctx = {
        "device": {"advertisingId": 5},
        "screen": {"width": "1920"},
        "userAgentData": {"brands": [{"brand": "Chromium", "version": 124}, "x"], "mobile": "no"},
        "protocols": {"event_version": 2.0},
    }
    paths = {v.path for v in Engine().check(_track(context=ctx))}
    assert {
        "context.device.advertisingId",
        "context.screen.width",
        "context.userAgentData.brands[0].version",
        "context.userAgentData.brands[1]",
        "context.userAgentData.mobile",
    } <= paths
    assert "context.protocols.event_version" not in paths  # 2.0 is an integral number


def test_timezone_suggests_the_right_spelling() -> None:
    (v,) = _find(_track(context={"timezone": "america/new_york"}), "context/timezone-format")
    assert '"America/New_York"' in v.message


def test_locale_suggests_a_dash() -> None:
    (v,) = _find(_track(context={"locale": "en_US"}), "context/locale-format")
    assert '"en-US"' in v.message


def test_traits_in_context_are_checked_like_identify_traits() -> None:
    msg = _track(context={"traits": {"email": "nope", "createdAt": 5, "age": "3"}})
    ids = _ids(Engine().check(msg))
    assert {
        "reserved/email-format",
        "reserved/trait-date-format",
        "reserved/identify-trait-type",
    } <= ids


def test_group_traits_employees_may_be_string_or_number() -> None:
    for employees in (329, "329"):
        msg = {"type": "group", "userId": "u", "groupId": "g", "traits": {"employees": employees}}
        assert not _find(msg, "reserved/group-trait-type")


def test_video_integer_accepts_integral_floats_only() -> None:
    ok = _track("Video Playback Paused", properties={"position": 12.0})
    bad = _track("Video Playback Paused", properties={"position": 12.5})
    assert not _find(ok, "semantic/property-type")
    assert _find(bad, "semantic/property-type")


def test_unicode_and_control_characters_survive() -> None:
    msg = _track("Ordér Cömpleted\x1b[31m", properties={"revenue": "\u202e19"})
    vs = Engine().check(msg)
    assert any(v.rule == "reserved/revenue-type" for v in vs)
