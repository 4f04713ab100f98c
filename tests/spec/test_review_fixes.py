"""Findings of an outside review of the Spec and naming rules: each test states what a user
sees for an input the rules used to get wrong."""

from __future__ import annotations

from typing import Any

import pytest

from inspector.spec.engine import Engine


def _found(message: dict[str, Any]) -> dict[str, list[str]]:
    """rule id -> the messages of its findings, for one message in a fresh session."""
    out: dict[str, list[str]] = {}
    for v in Engine().check(message):
        out.setdefault(v.rule, []).append(v.message)
    return out


def _track(event: str, **extra: Any) -> dict[str, Any]:
    return {"type": "track", "userId": "u-1", "messageId": "m-1", "event": event, **extra}


@pytest.mark.parametrize(
    "ts", ["2015-12-12T19:11:01.Z", "2015-12-12T19:11:01,Z", "2015-12-12T19:11:01."]
)
def test_a_fraction_without_digits_is_not_iso_8601(ts: str) -> None:
    found = _found(_track("Order Completed", timestamp=ts))
    assert "common/timestamp-format" in found


@pytest.mark.parametrize("ts", ["2015-12-12T19:11:01.5Z", "2015-12-12T19:11:01,25+01:00"])
def test_a_fraction_with_digits_still_is(ts: str) -> None:
    assert "common/timestamp-format" not in _found(_track("Order Completed", timestamp=ts))
