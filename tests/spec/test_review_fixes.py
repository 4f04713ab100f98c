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


@pytest.mark.parametrize(
    "uid",
    ["{{userId}}", "${userId}", "${currentUser.userId}", "<nil>", "N/A", "false", '""', "''"],
)
def test_placeholder_ids_are_flagged(uid: str) -> None:
    found = _found({"type": "identify", "userId": uid, "messageId": "m-1"})
    assert "common/placeholder-id" in found, found
    assert found["common/placeholder-id"][0].startswith("userId is ")


@pytest.mark.parametrize(
    "uid", ["u-1", "1000", "user-{42}", "nathalie", "N/A-1234", "$5-off-buyer", "a" * 40]
)
def test_real_ids_are_not_placeholders(uid: str) -> None:
    assert "common/placeholder-id" not in _found({"type": "identify", "userId": uid})


def test_placeholder_advice_fits_the_field() -> None:
    [prev] = _found({"type": "alias", "userId": "u-1", "previousId": "null"})[
        "common/placeholder-id"
    ]
    assert "leave the field out" not in prev and "alias needs it" in prev
    [group] = _found({"type": "group", "userId": "u-1", "groupId": "undefined"})[
        "common/placeholder-id"
    ]
    assert "profile" not in group and "account" in group
    [user] = _found({"type": "identify", "userId": "null"})["common/placeholder-id"]
    assert "becomes one profile" in user


def test_article_before_identify_and_alias() -> None:
    found = _found({"type": "identify", "userId": "u-1", "event": "Order Completed"})
    assert found["common/misplaced-field"][0].startswith("An identify call has a top-level event")
    found = _found({"type": "alias", "userId": "u", "previousId": "p", "properties": {}})
    assert found["common/misplaced-field"][0].startswith("An alias call has")
    found = _found({"type": "page", "userId": "u", "event": "X"})
    assert found["common/misplaced-field"][0].startswith("A page call has")


def test_a_blank_id_is_called_blank() -> None:
    [text] = _found({"type": "identify", "userId": " ", "messageId": "m-1"})["common/id-type"]
    assert "empty string" not in text and "blank" in text and "whitespace" in text
    [text] = _found({"type": "identify", "userId": "   ", "anonymousId": "a-1"})["common/empty-id"]
    assert "blank" in text
    [text] = _found({"type": "identify", "userId": "", "messageId": "m-1"})["common/id-type"]
    assert "an empty string" in text


def test_a_long_blank_id_is_not_skipped_by_the_fast_path() -> None:
    assert "common/id-type" in _found({"type": "identify", "userId": " " * 20})


def _convention(name: str) -> list[str]:
    return [v.message for v in Engine().check(_track(name)) if v.rule == "event-name/convention"]


def _non_descriptive(name: str) -> list[str]:
    return [
        v.message for v in Engine().check(_track(name)) if v.rule == "event-name/non-descriptive"
    ]


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("USER_REGISTERED", "User Registered"),
        ("PAGE_VIEW", "Page Viewed"),
        ("ORDER_SHIPPED", "Order Shipped"),
        ("SSO_LOGIN_FAILED", "SSO Login Failed"),
        ("REPORT EXPORTED", "Report Exported"),
    ],
)
def test_all_caps_names_get_title_case_suggestions(name: str, suggestion: str) -> None:
    [text] = _convention(name)
    assert f'"{suggestion}"' in text


@pytest.mark.parametrize("name", ["iOS App Opened", "SSO Login Failed", "PDF Exported"])
def test_acronyms_in_mixed_case_names_are_kept(name: str) -> None:
    assert _convention(name) == [] and _non_descriptive(name) == []


@pytest.mark.parametrize("name", ["Report-Exported", "report:exported", "Report/Exported"])
def test_words_joined_by_punctuation_get_a_convention_note(name: str) -> None:
    [text] = _convention(name)
    assert "joined by punctuation" in text and '"Report Exported"' in text


@pytest.mark.parametrize(
    "name",
    [
        "Button Clicked",
        "Link Clicked",
        "Item Added",
        "Item Removed",
        "Error Occurred",
        "Q&A Posted",
        "Top 10 List Viewed",
        "Report Exported v2",
        "Page Scrolled 50 Percent",
    ],
)
def test_descriptive_names_are_not_flagged(name: str) -> None:
    assert _non_descriptive(name) == []
    assert _convention(name) == []


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("Search for shoes", 'a search term ("shoes")'),
        ("Searched: red shoes", 'a search term ("red shoes")'),
        ("Error: file not found", 'a value after a colon ("file not found")'),
        ("debug_log", "only generic words"),
        ("イベント", "generic word"),
        ("테스트", "generic word"),
        ("тест", "generic word"),
        ("Element Clicked", "only generic words"),
        ("Level 17", 'a number ("17")'),
    ],
)
def test_non_descriptive_names_are_flagged_with_the_reason(name: str, why: str) -> None:
    [text] = _non_descriptive(name)
    assert why in text


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("Report Exported ", "trailing whitespace"),
        ("  Report Exported", "leading whitespace"),
        ("Report  Exported", "repeated spaces"),
        ("Report\tExported", "a tab"),
        ("Report\nExported", "a line break"),
        ("Report Exported\u200b", "an invisible character (U+200B ZERO WIDTH SPACE)"),
        ("Report\u00a0Exported", "a non-standard space (U+00A0 NO-BREAK SPACE)"),
    ],
)
def test_stray_whitespace_in_event_names_is_a_warning(name: str, what: str) -> None:
    hits = [v for v in Engine().check(_track(name)) if v.rule == "event-name/whitespace"]
    assert [(v.severity, v.path) for v in hits] == [("warning", "event")]
    assert what in hits[0].message
    assert hits[0].message.endswith('send "Report Exported".')


@pytest.mark.parametrize(
    "name", ["Report Exported", "Rapport exporté", "👨\u200d👩\u200d👧 Family Added", "注文完了"]
)
def test_clean_names_have_no_whitespace_finding(name: str) -> None:
    assert not [v for v in Engine().check(_track(name)) if v.rule == "event-name/whitespace"]


def test_whitespace_finding_through_check(tmp_path: Any) -> None:
    import json

    from click.testing import CliRunner

    from inspector.cli import main

    p = tmp_path / "w.ndjson"
    p.write_text(json.dumps(_track("Report\tExported")) + "\n")
    r = CliRunner().invoke(main, ["check", str(p)])
    assert r.exit_code == 0
    assert 'event-name/whitespace  event  Event name "Report\\tExported" has a tab' in r.stdout
