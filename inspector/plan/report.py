"""Coverage of a tracking plan by a session, as plain data, text and JUnit XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any

from inspector.plan.schema import PLAN_RULES
from inspector.safety import clean

if TYPE_CHECKING:
    from inspector.plan.plan import Plan


def coverage_report(plan: Plan) -> dict[str, Any]:
    """What the checked messages covered of the plan.

    ``entries`` has one item per planned thing (each track event, then identify and group
    when planned)::

        {"kind": "track", "name": "Order Completed", "seen": 3,
         "required": ["properties.order_id", ...], "required_unseen": [...],
         "violations": {"plan/wrong-type": 1}, "errors": 1, "warnings": 0}

    ``violations`` counts messages with at least one finding of that rule. ``unseen`` lists the
    planned events never seen; ``required_unseen`` maps each seen event to the required paths
    that were never present; ``unplanned`` counts the track events the plan does not have.
    """
    compiled = plan.compiled
    seen, present, violations, unplanned = plan.coverage.snapshot()
    entries: list[dict[str, Any]] = []
    for target in compiled.targets():
        key = (target.kind, target.name)
        versions = (
            compiled.events.get(target.name, [target]) if target.kind == "track" else [target]
        )
        required: list[str] = []
        for t in versions:
            for p, _segs in t.required:
                if p not in required:
                    required.append(p)
        got = present.get(key, set())
        counts = violations.get(key, {})
        entries.append(
            {
                "kind": target.kind,
                "name": target.name,
                "seen": seen.get(key, 0),
                "required": required,
                "required_unseen": [p for p in required if p not in got],
                "violations": dict(sorted(counts.items())),
                "errors": sum(n for r, n in counts.items() if _severity(r) == "error"),
                "warnings": sum(n for r, n in counts.items() if _severity(r) != "error"),
            }
        )
    events = [e for e in entries if e["kind"] == "track"]
    seen_events = [e for e in events if e["seen"]]
    # Required properties *and* the required traits of identify/group calls that were seen.
    seen_calls = [e for e in entries if e["seen"]]
    req_total = sum(len(e["required"]) for e in seen_calls)
    req_seen = sum(len(e["required"]) - len(e["required_unseen"]) for e in seen_calls)
    return {
        "plan": str(plan.path),
        "format": compiled.format,
        "error": plan.last_error,
        "entries": entries,
        "unseen": [e["name"] for e in events if not e["seen"]],
        "required_unseen": {
            (e["name"] if e["kind"] == "track" else f"({e['kind']})"): e["required_unseen"]
            for e in seen_calls
            if e["required_unseen"]
        },
        "unplanned": dict(sorted(unplanned.items())),
        "totals": {
            "events": len(events),
            "events_seen": len(seen_events),
            "required": req_total,
            "required_seen": req_seen,
        },
    }


def _severity(rule: str) -> str:
    info = PLAN_RULES.get(rule)
    return info[0] if info else "error"


def percent(n: int, total: int) -> str:
    """``n`` of ``total`` as a whole percentage, rounded to nearest, but never "100%" short
    of complete nor "0%" once anything was seen (2/3 -> 67%, 199/200 -> 99%, 1/300 -> 1%);
    "-" when there is nothing to count."""
    if total <= 0:
        return "-"
    pct = (200 * n + total) // (2 * total)  # round half up, in integers
    if n < total:
        pct = min(pct, 99)
    if n > 0:
        pct = max(pct, 1)
    return f"{pct}%"


def coverage_text(report: dict[str, Any]) -> str:
    """A short human summary (what ``inspector check --coverage`` prints)."""
    tot = report["totals"]
    lines = [
        f"Tracking plan coverage ({clean(report['plan'])}): "
        f"{tot['events_seen']}/{tot['events']} planned events seen "
        f"({percent(tot['events_seen'], tot['events'])}), "
        f"{tot['required_seen']}/{tot['required']} required properties/traits of seen calls seen "
        f"({percent(tot['required_seen'], tot['required'])})"
    ]
    if report.get("error"):
        lines.append(
            f"  plan reload failed, previous plan still in force: {clean(report['error'])}"
        )
    for e in report["entries"]:
        label = clean(e["name"]) if e["kind"] == "track" else f"({e['kind']})"
        if not e["seen"]:
            lines.append(f"  never seen     {label}")
            continue
        extra = ""
        if e["errors"] or e["warnings"]:
            extra = "  " + ", ".join(f"{r} x{n}" for r, n in e["violations"].items())
        lines.append(f"  seen {e['seen']:>6}    {label}{extra}")
        for p in e["required_unseen"]:
            lines.append(f"      required, never present: {clean(p)}")
    for name, n in report["unplanned"].items():
        lines.append(f"  unplanned {n:>3}  {clean(name)}")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------
# JUnit XML
# --------------------------------------------------------------------------------------


def _xml_text(text: object) -> str:
    """One untrusted string for the XML, through the project's one sanitiser: control,
    bidi and other invisible characters become visible escapes (as in the text output), which
    also leaves only characters XML 1.0 can carry; ElementTree escapes the markup (<, &, ]]>)."""
    return clean(text)


def _lines(parts: list[str]) -> str:
    """Several untrusted lines: each one cleaned, joined by real newlines."""
    return "\n".join(_xml_text(p) for p in parts)


def junit_xml(plan: Plan, coverage: dict[str, Any] | None = None) -> str:
    """The coverage as a JUnit XML document: suite "tracking-plan", one case per planned thing.

    A case fails when the event was never seen, or when any message of it had an error
    (missing required, wrong type, not in enum, pattern mismatch, invalid value). Warnings
    (unplanned properties) and required properties never present are reported in the case's
    system-out. One more case, "unplanned events", fails when the session had track events the
    plan does not list.
    """
    report = coverage if coverage is not None else coverage_report(plan)
    suite = ET.Element("testsuite", name="tracking-plan")
    failures = 0
    tests = 0
    for e in report["entries"]:
        tests += 1
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"tracking-plan.{e['kind']}",
            name=_xml_text(e["name"]),
        )
        notes: list[str] = []
        if e["seen"]:
            notes.append(f"seen {e['seen']} time(s)")
        for r, n in e["violations"].items():
            notes.append(f"{r}: {n} message(s)")
        for p in e["required_unseen"]:
            notes.append(f"required, never present: {p}")
        if not e["seen"]:
            failures += 1
            what = "event" if e["kind"] == "track" else f"{e['kind']} call"
            fail = ET.SubElement(
                case,
                "failure",
                type="not-seen",
                message=_xml_text(f"planned {what} never seen in the session"),
            )
            fail.text = _xml_text(f"{e['name']} was never seen.")
        elif e["errors"]:
            failures += 1
            errs = {r: n for r, n in e["violations"].items() if _severity(r) == "error"}
            fail = ET.SubElement(
                case,
                "failure",
                type="violations",
                message=_xml_text(", ".join(f"{r} in {n} message(s)" for r, n in errs.items())),
            )
            fail.text = _lines([f"{r}: {n} message(s)" for r, n in errs.items()])
        if notes:
            ET.SubElement(case, "system-out").text = _lines(notes)
    tests += 1
    case = ET.SubElement(
        suite, "testcase", classname="tracking-plan.unplanned", name="unplanned events"
    )
    unplanned = report["unplanned"]
    if unplanned:
        failures += 1
        fail = ET.SubElement(
            case,
            "failure",
            type="unplanned",
            message=_xml_text(f"{len(unplanned)} event name(s) not in the tracking plan"),
        )
        fail.text = _lines([f"{n} ({c} message(s))" for n, c in unplanned.items()])
    if report.get("error"):
        ET.SubElement(suite, "system-err").text = _xml_text(
            f"plan reload failed, previous plan in force: {report['error']}"
        )
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", "0")
    suites = ET.Element("testsuites", name="inspector", tests=str(tests), failures=str(failures))
    suites.append(suite)
    ET.indent(suites)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
    )
