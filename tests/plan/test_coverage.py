"""Coverage of a plan by a session: the report, the text summary and the JUnit XML."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from inspector.cli import main
from inspector.plan import Plan, coverage_report, coverage_text, junit_xml, load_plan

from .helpers import track


def feed(plan: Plan) -> None:
    plan.check(track("Order Completed", order_id="o1", revenue="1", products=[{"sku": "A"}]))
    plan.check(track("Order Completed", order_id="o2"))
    plan.check(track("Order Complete"))
    plan.check({"type": "identify", "userId": "u", "traits": {"email": "a@b"}})


def test_report_before_any_message(simple_plan: Plan) -> None:
    r = coverage_report(simple_plan)
    assert r["unseen"] == ["Order Completed", "Product Viewed"]
    assert r["totals"] == {"events": 2, "events_seen": 0, "required": 0, "required_seen": 0}
    kinds = [(e["kind"], e["name"]) for e in r["entries"]]
    assert kinds == [
        ("track", "Order Completed"),
        ("track", "Product Viewed"),
        ("identify", "identify"),
        ("group", "group"),
    ]
    order = r["entries"][0]
    assert order["required"] == ["properties.order_id", "properties.products[].sku"]


def test_report_after_messages(simple_plan: Plan) -> None:
    feed(simple_plan)
    r = simple_plan.coverage_summary()
    assert r == coverage_report(simple_plan)
    assert r["unseen"] == ["Product Viewed"]
    order = r["entries"][0]
    assert order["seen"] == 2
    assert order["required_unseen"] == []
    assert order["violations"] == {"plan/wrong-type": 1}
    assert (order["errors"], order["warnings"]) == (1, 0)
    assert r["unplanned"] == {"Order Complete": 1}
    assert r["totals"] == {"events": 2, "events_seen": 1, "required": 2, "required_seen": 2}
    identify = r["entries"][2]
    assert identify["seen"] == 1 and identify["violations"] == {}


def test_required_property_never_present(simple_plan: Plan) -> None:
    simple_plan.check(track("Order Completed", revenue=1))
    simple_plan.check(track("Order Completed", revenue=2, products=[]))
    r = coverage_report(simple_plan)
    assert r["required_unseen"] == {
        "Order Completed": ["properties.order_id", "properties.products[].sku"]
    }
    assert r["totals"]["required_seen"] == 0


def test_reset(simple_plan: Plan) -> None:
    feed(simple_plan)
    simple_plan.coverage.reset()
    assert coverage_report(simple_plan)["totals"]["events_seen"] == 0


def test_scan_fills_coverage_from_stored_messages(simple_plan: Plan) -> None:
    simple_plan.scan([track("Product Viewed", product_id="p"), "not a message", None])
    assert coverage_report(simple_plan)["unseen"] == ["Order Completed"]


def test_text_summary(simple_plan: Plan) -> None:
    feed(simple_plan)
    text = coverage_text(coverage_report(simple_plan))
    assert "1/2 planned events seen (50%)" in text
    assert "never seen     Product Viewed" in text
    assert "plan/wrong-type x1" in text
    assert "unplanned   1  Order Complete" in text


def cases(xml: str) -> dict[str, ET.Element]:
    root = ET.fromstring(xml)
    assert root.tag == "testsuites"
    [suite] = root.findall("testsuite")
    assert suite.get("name") == "tracking-plan"
    out = {c.get("name", ""): c for c in suite.findall("testcase")}
    assert suite.get("tests") == str(len(out))
    failed = sum(1 for c in out.values() if c.find("failure") is not None)
    assert suite.get("failures") == str(failed)
    return out


def test_junit_xml(simple_plan: Plan) -> None:
    feed(simple_plan)
    got = cases(junit_xml(simple_plan, coverage_report(simple_plan)))
    assert list(got) == [
        "Order Completed",
        "Product Viewed",
        "identify",
        "group",
        "unplanned events",
    ]
    order = got["Order Completed"].find("failure")
    assert order is not None and order.get("type") == "violations"
    assert "plan/wrong-type" in (order.get("message") or "")
    unseen = got["Product Viewed"].find("failure")
    assert unseen is not None and unseen.get("type") == "not-seen"
    assert got["identify"].find("failure") is None
    assert got["group"].find("failure") is not None
    unplanned = got["unplanned events"].find("failure")
    assert unplanned is not None and "Order Complete (1" in (unplanned.text or "")
    assert got["Order Completed"].get("classname") == "tracking-plan.track"


def test_junit_warnings_do_not_fail_a_case(simple_plan: Plan) -> None:
    simple_plan.check(track("Order Completed", order_id="o", colour="red"))
    got = cases(junit_xml(simple_plan))
    case = got["Order Completed"]
    assert case.find("failure") is None
    out = case.find("system-out")
    assert out is not None and "plan/unplanned-property: 1" in (out.text or "")


def test_junit_escapes_hostile_names(simple_plan: Plan) -> None:
    simple_plan.check(track("</testcase><x a='1'>\x00\x1b[31m & \ud800"))
    xml = junit_xml(simple_plan)
    got = cases(xml)  # parses: nothing broke out of the document
    text = got["unplanned events"].find("failure")
    assert text is not None and "\\x00\\e[31m" in (text.text or "")


def test_text_summary_escapes_control_characters(simple_plan: Plan) -> None:
    simple_plan.check(track("evil\x1b[2J\nname"))
    text = coverage_text(coverage_report(simple_plan))
    assert "\x1b" not in text
    assert "evil\\e[2J\\nname" in text


def test_required_traits_of_seen_calls_count_in_the_headline(simple_plan: Plan) -> None:
    feed(simple_plan)  # Order Completed with both required properties
    simple_plan.check({"type": "group", "userId": "u", "groupId": "g", "traits": {}})
    r = coverage_report(simple_plan)
    assert r["required_unseen"] == {"(group)": ["traits.name"]}
    assert r["totals"]["required"] == 3 and r["totals"]["required_seen"] == 2
    assert "2/3 required properties/traits of seen calls seen (67%)" in coverage_text(r)


def test_junit_shows_network_text_as_the_text_output_does(tmp_path: Path) -> None:
    """An event name with C0, ESC, a bidi override and a CDATA end: the JUnit file carries the
    same visible escapes as the text output (``safety.clean``), never the raw characters, and
    stays well-formed."""
    plan = tmp_path / "plan.yaml"
    plan.write_text("events:\n  Order Completed: {}\n")
    name = "Bad\x01\x1b[31mRed\u202e]]>"
    msgs = tmp_path / "m.ndjson"
    msgs.write_text(json.dumps({"type": "track", "event": name, "userId": "u", "messageId": "m"}))
    junit = tmp_path / "j.xml"
    result = CliRunner().invoke(
        main, ["check", "--plan", str(plan), "--junit", str(junit), str(msgs)]
    )
    assert result.exit_code == 0, result.output
    shown = "Bad\\x01\\e[31mRed\\u202e]]>"
    assert f'Event "{shown}" is not in the tracking plan.' in result.stdout
    xml = junit.read_text(encoding="utf-8")
    assert "\u202e" not in xml and "\x01" not in xml and "\x1b" not in xml
    assert "Bad\\x01\\e[31mRed\\u202e]]&gt; (1 message(s))" in xml
    failure = ET.fromstring(xml).find("testsuite/testcase[@name='unplanned events']/failure")
    assert failure is not None and failure.text == f"{shown} (1 message(s))"


def test_junit_cleans_planned_names_and_reload_errors_too(simple_plan: Plan) -> None:
    simple_plan.check(track("Order Completed", order_id="o"))
    report = coverage_report(simple_plan)
    report["entries"][0]["name"] = "Order\u202eCompleted"
    report["error"] = "p.yaml: bad \u2066name"
    xml = junit_xml(simple_plan, report)
    assert "\u202e" not in xml and "\u2066" not in xml
    root = ET.fromstring(xml)
    assert root.find("testsuite/testcase[@name='Order\\u202eCompleted']") is not None
    err = root.find("testsuite/system-err")
    assert err is not None and err.text == (
        "plan reload failed, previous plan in force: p.yaml: bad \\u2066name"
    )


@pytest.mark.parametrize(
    ("n", "total", "shown"),
    [
        (2, 3, "67%"),
        (7, 8, "88%"),
        (1, 3, "33%"),
        (1, 2, "50%"),
        (1, 8, "13%"),
        (199, 200, "99%"),
        (999, 1000, "99%"),
        (1, 201, "1%"),
        (1, 1000, "1%"),
        (0, 5, "0%"),
        (5, 5, "100%"),
        (0, 0, "-"),
    ],
)
def test_percentages_round_to_nearest_but_never_claim_all_or_nothing(
    n: int, total: int, shown: str
) -> None:
    from inspector.plan.report import percent

    assert percent(n, total) == shown


def test_coverage_text_rounds_its_percentages(write_plan: Callable[..., Path]) -> None:
    events = {f"E{i}": {} for i in range(8)}
    plan = load_plan(write_plan({"events": events}))
    for i in range(7):
        plan.check(track(f"E{i}"))
    first = coverage_text(coverage_report(plan)).splitlines()[0]
    assert "7/8 planned events seen (88%)" in first
