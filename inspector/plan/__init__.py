"""Tracking plans: validate traffic against a plan, locally, with JSON Schema.

``load_plan(path)`` reads any accepted format (a JSON Schema file or directory, the simple
YAML/JSON format of docs/plans.md, a Segment Protocols export) and returns a ``Plan`` whose
``rules`` go to ``Engine(extra=...)``. The rule reloads the plan when its file changes.
"""

from __future__ import annotations

from inspector.plan.plan import Plan, load_error, load_plan
from inspector.plan.report import coverage_report, coverage_text, junit_xml
from inspector.plan.schema import PLAN_RULES

__all__ = [
    "PLAN_RULES",
    "Plan",
    "coverage_report",
    "coverage_text",
    "junit_xml",
    "load_error",
    "load_plan",
]
