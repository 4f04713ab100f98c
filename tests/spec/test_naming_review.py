"""Findings of an outside review of the naming rules, and unseen variants of each kind.

Each group holds the reviewer's names and names of the same kind written for this file; none of
them is in the labelled sample or the held-out list.
"""

from __future__ import annotations

import pytest

from inspector.spec.naming_analysis import non_descriptive

# --------------------------------------------------------------------------- terms with digits

#: Digits that are part of a product, standard, form or brand: a name, not a value.
TERMS_WITH_DIGITS = [
    # the review
    "Auth0 Rule Triggered",
    "auth0_rule_triggered",
    "AUTH0_LOGIN_SUCCEEDED",
    "Windows 11 Upgrade Offered",
    "Office 365 Connected",
    "Microsoft 365 Account Linked",
    "SOC 2 Report Requested",
    "ISO 27001 Certificate Downloaded",
    "1099 Form Generated",
    "Form 1040 Filed",
    "W-9 Form Submitted",
    "Form W-2 Uploaded",
    "H.264 Video Transcoded",
    "HTTP/2 Enabled",
    "24/7 Support Contacted",
    "E2E Encryption Enabled",
    "3DS Authentication Failed",
    "ga4_property_linked",
    "Y2K Bug Found",
    "GA4 Property Linked",
    "2FA Enabled",
    # unseen, same kinds
    "Xbox 360 Controller Paired",
    "Python 3 Runtime Selected",
    "windows_11_upgrade_offered",
    "OFFICE_365_CONNECTED",
    "soc_2_report_requested",
    "Office 2019 License Activated",
    "PCI DSS 4 Audit Passed",
    "Form 1099 Downloaded",
    "W-4 Form Updated",
    "Form I-9 Submitted",
    "H.265 Stream Started",
    "HTTP/3 Negotiated",
    "P2P Transfer Sent",
    "Vitamin B12 Reminder Set",
    "Galaxy S24 Preordered",
    "iPhone 15 Preordered",
    "auth0_user_created",
    "GPT-4 Summary Generated",
    "24x7 Chat Opened",
    "SOC2 Report Downloaded",
    "e2e_test_suite_started",
]


@pytest.mark.parametrize("name", TERMS_WITH_DIGITS)
def test_digits_of_a_product_standard_or_brand_are_no_value(name: str) -> None:
    assert non_descriptive(name) is None, non_descriptive(name)


#: Numbers that count or pick things out, ids and codes: values, whatever the casing.
NUMBERED_VALUES = [
    ("Level 12 Completed", '"12"'),
    ("level_12_completed", '"12"'),
    ("LEVEL_12_COMPLETED", '"12"'),
    ("Step 3 Viewed", '"3"'),
    ("step_3_viewed", '"3"'),
    ("Question 5 Answered", '"5"'),
    ("Page 2 Viewed", '"2"'),
    ("Order 12345 Shipped", '"12345"'),
    ("Event 12", '"12"'),
    ("Room 12 Booked", '"12"'),
    ("Seat 14 Selected", '"14"'),
    ("Lesson 3 Completed", '"3"'),
    ("Episode 5 Watched", '"5"'),
    ("Coupon 20 Applied", '"20"'),
    ("Size 10 Selected", '"10"'),
    ("Round 3 Won", '"3"'),
    ("Team 7 Joined", '"7"'),
    ("Level 3 Boss Defeated", '"3"'),
    ("Amount 250 Entered", '"250"'),
    ("Viewed 3 Products", '"3"'),
    ("200 Points Earned", '"200"'),
    ("12 Items Added", '"12"'),
    ("2024 Report Exported", '"2024"'),
    ("Screen_Home_17", '"17"'),
    ("Pedido 5521 Enviado", '"5521"'),
    ("Bestellung 48213 abgeschlossen", '"48213"'),
    ("Button1 Clicked", '"1"'),
    ("SUMMER24 Applied", '"24"'),
    ("Promo SAVE20 Applied", '"20"'),
    ("Variant B2 Shown", '"2"'),
    ("Seat A12 Selected", '"12"'),
    ("evt2", '"2"'),
    ("E1", '"1"'),
]


@pytest.mark.parametrize(("name", "quoted"), NUMBERED_VALUES)
def test_counted_and_picked_numbers_stay_values(name: str, quoted: str) -> None:
    found = non_descriptive(name)
    assert found is not None and found.kind == "dynamic", (name, found)
    assert quoted in found.detail, found.detail


# --------------------------------------------------------------------------- whole values quoted

#: The quoted value is the whole value, and it is named for what it is.
WHOLE_VALUES = [
    # the review
    ("Account #8812 Created", 'an id ("#8812")'),
    ("Order #A7X9-22 Shipped", 'an id ("#A7X9-22")'),
    ("Paid $49.99", 'a price or amount ("$49.99")'),
    ("Price 19.99 Selected", 'a price or amount ("19.99")'),
    ("Viewed /products/shoes/123", 'a path ("/products/shoes/123")'),
    ("Viewed post 0x7f3a9c", 'a hex id ("0x7f3a9c")'),
    ("Call +1 415 555 0199 Clicked", 'a phone number ("+1 415 555 0199")'),
    ("Product B07XJ8C8F5 Viewed", 'an id ("B07XJ8C8F5")'),
    # unseen, same kinds
    ("Invoice #INV-2291 Paid", 'an id ("#INV-2291")'),
    ("Tipped €5", 'a price or amount ("€5")'),
    ("Donated 25 €", 'a price or amount ("25 €")'),
    ("Called 415-555-0199", 'a phone number ("415-555-0199")'),
    ("Opened /app/settings/billing", 'a path ("/app/settings/billing")'),
    ("Crash 0xDEADBEEF Reported", 'a hex id ("0xDEADBEEF")'),
    ("Product SKU12345 Viewed", 'an id ("SKU12345")'),
    ("Order ORD-99812 Shipped", 'an id ("ORD-99812")'),
    ("Item XJ7K2P9 Added", 'an id ("XJ7K2P9")'),
]


@pytest.mark.parametrize(("name", "what"), WHOLE_VALUES)
def test_the_whole_value_is_quoted_with_its_kind(name: str, what: str) -> None:
    found = non_descriptive(name)
    assert found is not None and found.kind == "dynamic", (name, found)
    assert found.detail == f"it carries a dynamic value, {what}", found.detail


# --------------------------------------------------------------------------- wrong reasons

#: Descriptive names that were flagged for a wrong reason (acronym, prefix, brand, tag, label).
DESCRIPTIVE = [
    # the review
    "Airbnb Listing Saved",
    "HDR Enabled",
    "ATM Located",
    "OKR Created",
    "Pre-Order Placed",
    "Booking.com Reservation Imported",
    "[Web] Order Completed",
    "Get Started Clicked",
    # unseen, same kinds
    "Eventbrite Tickets Imported",
    "Eventbrite.com Tickets Imported",
    "Dropbox Folder Shared",
    "NFT Minted",
    "CTA Clicked",
    "SLA Breached",
    "Re-Order Placed",
    "Non-Profit Verified",
    "Pre-Approval Requested",
    "[iOS] Cart Viewed",
    "[Android] Push Opened",
    "Go Back Tapped",
    "See All Clicked",
]


@pytest.mark.parametrize("name", DESCRIPTIVE)
def test_descriptive_names_flagged_for_a_wrong_reason_pass(name: str) -> None:
    assert non_descriptive(name) is None, non_descriptive(name)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Hdr Clicked", "cryptic"),  # written as an abbreviation, not an acronym
        ("HDR_CLK", "cryptic"),  # shouted: capitals say nothing
        ("Chkout Page Viewed", "cryptic"),
        ("Cartclk Viewed", "cryptic"),
        ("Visited example.com", "dynamic"),
        ("Clicked [button]", "dynamic"),
        ("Order Completed [id]", "dynamic"),
        ("Do Thing Clicked", "generic"),
        ("Get Event Clicked", "generic"),
        ("Start Clicked", "generic"),
    ],
)
def test_the_relaxed_detectors_still_flag(name: str, kind: str) -> None:
    found = non_descriptive(name)
    assert found is not None and found.kind == kind, (name, found)


# --------------------------------------------------------------------------- test markers, typed values

TEST_MARKED = [
    # the review
    ("DEBUG Order Completed", '"DEBUG"'),
    ("Order Completed TEST", '"TEST"'),
    ("test_order_completed", '"test"'),
    ("Order Completed v2 FINAL", '"FINAL"'),
    ("测试事件", '"测试事件"'),
    ("Тестовое событие", '"Тестовое"'),
    ("temp_event", '"temp"'),
    ("Order Completed (test)", '"test"'),
    ("Order Completed copy", '"copy"'),
    # unseen, same kinds
    ("Order Completed - test", '"test"'),
    ("Signup (debug)", '"debug"'),
    ("[TEST] Order Completed", '"TEST"'),
    ("dummy_purchase", '"dummy"'),
    ("wip_checkout_started", '"wip"'),
    ("Payment Failed copy", '"copy"'),
    ("Signup Completed DEBUG", '"DEBUG"'),
    ("テストイベント", '"テストイベント"'),
    ("test_product_added", '"test"'),
]


@pytest.mark.parametrize(("name", "marker"), TEST_MARKED)
def test_test_and_debug_markers_are_flagged(name: str, marker: str) -> None:
    found = non_descriptive(name)
    assert found is not None and found.kind == "test", (name, found)
    assert marker in found.detail


@pytest.mark.parametrize(
    "name",
    [
        "Button Clicked",  # the Track spec page's own example
        "Link Clicked",
        "A/B Test Viewed",
        "Test Drive Booked",
        "Speed Test Completed",
        "Debug Mode Enabled",
        "Debug Log Downloaded",
        "Copy Link Clicked",
        "Final Exam Submitted",
        "Temp Password Sent",
        "Test Results Viewed",
        "Code Copied",
        "Search Started",
        "Search Results Viewed",
        "search_results_viewed",
        "Search Filters Applied",
        "Product Searched",
        "Products Searched",
    ],
)
def test_names_with_marker_or_search_words_that_describe_pass(name: str) -> None:
    assert non_descriptive(name) is None, non_descriptive(name)


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("search_nike_air_max", 'a search term ("nike air max")'),
        ("Search iphone", 'a search term ("iphone")'),
        ("Category Shoes > Running Viewed", 'a category path ("Shoes > Running")'),
        ("search_adidas_ultraboost", 'a search term ("adidas ultraboost")'),
        ("Search red shoes", 'a search term ("red shoes")'),
        ("Searched nike", 'a search term ("nike")'),
        ("Category Men > Shoes > Sneakers Viewed", 'a category path ("Men > Shoes > Sneakers")'),
        ("Menu Settings » Privacy Opened", 'a category path ("Settings » Privacy")'),
    ],
)
def test_typed_search_terms_and_category_paths_are_values(name: str, what: str) -> None:
    found = non_descriptive(name)
    assert found is not None and found.kind == "dynamic", (name, found)
    assert found.detail == f"it carries a dynamic value, {what}"


def test_test_marker_message_says_how_to_mark_tests() -> None:
    from inspector.spec import naming

    (v,) = naming._non_descriptive_event("Order Completed TEST")
    assert "test or debug event" in v.message and '"environment": "test"' in v.message
    assert naming._event_name_convention("Order Completed (test)") == ()


# --------------------------------------------------------------------------- suggestions


def _suggested(name: str) -> str | None:
    from inspector.spec import naming

    found = naming._event_name_convention(name)
    if not found:
        return None
    import re

    quoted = re.findall(r'"([^"]*)"', found[0].message)
    return quoted[-1]


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        # the review
        ("Order Ship", "Order Shipped"),
        ("order_ship", "Order Shipped"),
        ("orderShip", "Order Shipped"),
        ("Order Fulfil", "Order Fulfilled"),
        ("Tutorial Begin", "Tutorial Begun"),
        ("Password Forget", "Password Forgotten"),
        ("cart_abandon", "Cart Abandoned"),
        # unseen, same kinds
        ("Item Ship", "Item Shipped"),
        ("order_fulfill", "Order Fulfilled"),
        ("Package Deliver", "Package Delivered"),
        ("Email Write", "Email Written"),
        ("Window Break", "Window Broken"),
        ("checkout_abandon", "Checkout Abandoned"),
        ("course_enrol", "Course Enrolled"),
        ("pedido_completado", "Pedido Completado"),  # casing only: no half-English rewrite
        ("query_run", "Query Run"),
    ],
)
def test_object_action_suggestions_use_the_past_participle(name: str, suggestion: str) -> None:
    assert _suggested(name) == suggestion


@pytest.mark.parametrize(
    "name",
    [
        # the review
        "Build Run",
        "SQL Query Run",
        "Query Run",
        "Report Run",
        "Job Run",
        "Pedido Completado",
        "Order Completed (test)",  # a test marker: non-descriptive reports it, nothing to rename
        "Order Completed copy",
        "Search iphone",  # a search term: non-descriptive reports it, no "iPhone Searched"
        # unseen, same kinds
        "Test Suite Run",
        "Pipeline Rerun",
        "Flag Set",
        "Password Reset",
        "Carrito Abandonado",
        "Bestellung Abgeschlossen",
    ],
)
def test_no_rename_for_participles_foreign_names_and_flagged_names(name: str) -> None:
    assert _suggested(name) is None


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        # the review
        ("ad_clicked", "Ad Clicked"),
        ("adClicked", "Ad Clicked"),
        ("AD_CLICKED", "Ad Clicked"),
        ("video_ad_skipped", "Video Ad Skipped"),
        ("twoFAEnabled", "2FA Enabled"),
        # unseen, same kinds
        ("two_fa_enabled", "2FA Enabled"),
        ("ads_blocked", "Ads Blocked"),
        ("zip_code_entered", "Zip Code Entered"),
        ("product_id_copied", "Product ID Copied"),  # acronyms that are no everyday word stay
        ("vat_number_added", "VAT Number Added"),
        ("saml_login_failed", "SAML Login Failed"),
    ],
)
def test_acronyms_that_are_words_read_as_words(name: str, suggestion: str) -> None:
    assert _suggested(name) == suggestion


def test_a_capital_with_a_combining_mark_before_lower_case_is_one_word() -> None:
    # A capital, a combining mark, then lower case once sent the tokeniser into an endless loop.
    from inspector.spec.naming_words import tokenize

    assert [t.text for t in tokenize("Q\u0301bc Order")] == ["Q\u0301bc", "Order"]
    assert [t.text for t in tokenize("HTMLParser")] == ["HTML", "Parser"]
    non_descriptive("\u1fac\u0301x \u1fac\u0ccb Order")  # returns


# --------------------------------------------------------------------------- whitespace


def _whitespace(name: str) -> str | None:
    from inspector.spec import naming

    found = naming._event_name_whitespace(name)
    return found[0].message if found else None


@pytest.mark.parametrize(
    ("name", "problem", "clean"),
    [
        # the review
        ("Order\u200dCompleted", "U+200D ZERO WIDTH JOINER", "Order Completed"),
        ("Order\u200bCompleted", "U+200B ZERO WIDTH SPACE", "Order Completed"),
        ("Order\x1b[31mCompleted", "an ANSI escape sequence", "Order Completed"),
        # unseen, same kinds
        ("order\u200d_completed", "U+200D ZERO WIDTH JOINER", "order_completed"),
        ("Checkout\u2060Started", "U+2060 WORD JOINER", "Checkout Started"),
        ("Compl\u200beted Order", "U+200B ZERO WIDTH SPACE", "Completed Order"),
        ("Order Completed\x1b[0m", "an ANSI escape sequence", "Order Completed"),
        ("\x1b[1;32mOrder Completed\x1b[0m", "an ANSI escape sequence", "Order Completed"),
        ("\x1b]0;title\x07Order Completed", "an ANSI escape sequence", "Order Completed"),
        ("\x1b]8;;https://x.io\x1b\\Order Completed", "an ANSI escape sequence", "Order Completed"),
        ("Order\x1bCompleted", "U+001B", "Order Completed"),
        ("Report Exported\u200d", "U+200D ZERO WIDTH JOINER", "Report Exported"),
    ],
)
def test_invisible_characters_and_escape_sequences(name: str, problem: str, clean: str) -> None:
    message = _whitespace(name)
    assert message is not None and problem in message, message
    assert message.endswith(f'send "{clean}".'), message


@pytest.mark.parametrize(
    "name",
    [
        "Family \U0001f468\u200d\U0001f469\u200d\U0001f467 Joined",  # ZWJ inside an emoji sequence
        "Badge \U0001f3f3\ufe0f\u200d\U0001f308 Earned",
        "Rapport exporté",
        "\u0915\u094d\u200d\u0937 Viewed",  # Devanagari joins letters with it
        "Order Completed",
    ],
)
def test_joiners_inside_emoji_and_scripts_are_fine(name: str) -> None:
    assert _whitespace(name) is None


@pytest.mark.parametrize(
    "name",
    ["Order\x1b[31mCompleted", "\x1b[38;5;196mOrder Completed\x1b[0m", "Order Completed\x1b[0m"],
)
def test_non_descriptive_ignores_escape_sequences(name: str) -> None:
    assert non_descriptive(name) is None, non_descriptive(name)


@pytest.mark.parametrize(
    "name",
    ["Python 3.12 Runtime Selected", "Web 2.0 Badge Shown", "iOS 17 Update Installed"],
)
def test_a_decimal_version_after_a_product_is_part_of_the_name(name: str) -> None:
    assert non_descriptive(name) is None, non_descriptive(name)


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("Price 19.99 Selected", 'a price or amount ("19.99")'),
        ("Paid 19.99", 'a price or amount ("19.99")'),
        ("Rated 4.5", 'a number ("4.5")'),
        ("Download v1.2.3", 'a version number ("v1.2.3")'),
        ("App 2.14.0 Installed", 'a version number ("2.14.0")'),
    ],
)
def test_a_decimal_value_is_quoted_whole(name: str, what: str) -> None:
    found = non_descriptive(name)
    assert found is not None and found.detail == f"it carries a dynamic value, {what}", found


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("ga4_property_linked", "GA4 Property Linked"),
        ("e2e_encryption_enabled", "E2E Encryption Enabled"),
        ("y2k_bug_found", "Y2K Bug Found"),
        ("3ds_authentication_failed", "3DS Authentication Failed"),
        ("auth0_rule_triggered", "Auth0 Rule Triggered"),
        ("AUTH0_LOGIN_SUCCEEDED", "Auth0 Login Succeeded"),
        ("windows_11_upgrade_offered", "Windows 11 Upgrade Offered"),
        ("html5_player_loaded", "HTML5 Player Loaded"),
        ("b2b_quote_requested", "B2B Quote Requested"),
        ("oauth2_token_refreshed", "OAuth2 Token Refreshed"),
    ],
)
def test_code_terms_keep_their_capitals_in_suggestions(name: str, suggestion: str) -> None:
    assert _suggested(name) == suggestion


def test_heldout_recall_is_complete() -> None:
    # The review's fixes must not cost recall: every bad name of both labelled lists is flagged.
    from tests.spec.test_naming_sample import HELDOUT, SAMPLE, measure

    for path in (SAMPLE, HELDOUT):
        recall, fp_rate, missed, false_pos = measure(path)
        assert recall == 1.0, missed
        assert fp_rate == 0.0, false_pos
