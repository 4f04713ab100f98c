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


def test_application_updated_as_the_spec_example_sends_it_has_no_error() -> None:
    msg = _track(
        "Application Updated",
        properties={
            "previous_version": "1.1.2",
            "previous_build": 1234,
            "version": "1.1.3",
            "build": "1.1.3",
        },
    )
    assert [v for v in Engine().check(msg) if v.severity == "error"] == []
    # a type the Spec never sends is still an error
    bad = _track("Application Updated", properties={"previous_build": ["1234"]})
    assert "semantic/property-type" in _found(bad)


def test_video_lifecycle_example_plural_keys_have_no_error() -> None:
    msg = _track(
        "Video Playback Started",
        properties={
            "session_id": "12345",
            "content_asset_ids": ["0129370"],
            "content_pod_ids": ["segA", "segB"],
            "ad_asset_ids": ["ad123", "ad097"],
            "ad_pod_ids": ["adSegA", "adSegB"],
            "ad_types": ["mid-roll", "post-roll"],
            "position": 0,
            "total_length": 392,
            "sound": 88,
            "bitrate": 100,
            "full_screen": False,
            "video_player": "youtube",
            "ad_enabled": True,
            "quality": "hd1080",
        },
    )
    assert [v for v in Engine().check(msg) if v.severity == "error"] == []


@pytest.mark.parametrize("call", ["track", "identify", "page"])
def test_consent_preferences_are_typed_on_any_message(call: str) -> None:
    msg: dict[str, Any] = {
        "type": call,
        "userId": "u-1",
        "messageId": "m-1",
        "context": {"consent": {"categoryPreferences": {"Advertising": "yes", "Analytics": True}}},
    }
    if call == "track":
        msg["event"] = "Order Completed"
    found = Engine().check(msg)
    hits = [v for v in found if v.rule == "context/consent-type"]
    assert [(v.severity, v.path) for v in hits] == [
        ("error", "context.consent.categoryPreferences.Advertising")
    ]
    assert "send true or false" in hits[0].message
    ok = {**msg, "context": {"consent": {"categoryPreferences": {"Advertising": False}}}}
    assert not [v for v in Engine().check(ok) if v.rule.startswith("context/")]


def test_consent_event_reports_a_bad_preference_once() -> None:
    msg = _track(
        "Segment Consent Preference Updated",
        context={"consent": {"categoryPreferences": {"Advertising": "yes"}}},
    )
    assert [v.rule for v in Engine().check(msg) if v.severity == "error"] == [
        "context/consent-type"
    ]
    missing = _track("Segment Consent Preference Updated")
    assert "semantic/consent-preferences" in _found(missing)
