"""Tests of the naming rules: event names (track) and property keys (track, page, screen)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.model import MessageMeta, Violation
from inspector.spec import naming
from inspector.spec.naming_analysis import (
    convention,
    duplicate_keys,
    key_convention,
    non_descriptive,
    past_tense,
    suggest_title,
)
from inspector.spec.naming_words import is_word, stem, tokenize
from inspector.spec.registry import RULES

META = MessageMeta()
NAMING_IDS = (
    "event-name/non-descriptive",
    "event-name/convention",
    "event-name/mixed-conventions",
    "event-name/near-duplicate",
    "property-name/mixed-conventions",
    "property-name/dynamic-key",
)


def track(event: Any, **props: Any) -> dict[str, Any]:
    return {"type": "track", "event": event, "userId": "u1", "properties": props}


def run(rule_id: str, messages: list[Any]) -> list[list[Violation]]:
    """Feed messages in order to one rule (a fresh instance for session rules)."""
    info = RULES[rule_id]
    if info.scope == "message":
        assert info.func is not None
        return [list(info.func(m, META)) for m in messages]
    assert info.factory is not None
    inst = info.factory()
    return [list(inst.check(m, META)) for m in messages]


def flat(results: list[list[Violation]]) -> list[Violation]:
    return [v for vs in results for v in vs]


# --------------------------------------------------------------------------- registry


def test_rules_registered_with_severities() -> None:
    expected = {
        "event-name/non-descriptive": ("warning", "message"),
        "event-name/convention": ("info", "message"),
        "event-name/mixed-conventions": ("warning", "session"),
        "event-name/near-duplicate": ("warning", "session"),
        "property-name/mixed-conventions": ("info", "session"),
        "property-name/dynamic-key": ("warning", "session"),
    }
    for rid, (sev, scope) in expected.items():
        info = RULES[rid]
        assert (info.severity, info.scope) == (sev, scope)
        assert info.summary and info.why and info.examples


@pytest.mark.parametrize("rule_id", NAMING_IDS)
def test_registered_examples_trigger_their_rule(rule_id: str) -> None:
    out = flat(run(rule_id, list(RULES[rule_id].examples)))
    assert out and all(v.rule == rule_id for v in out)


def test_engine_runs_naming_rules() -> None:
    from inspector.spec.engine import Engine

    eng = Engine()
    ids = {v.rule for v in eng.check(track("Event 12"))}
    assert "event-name/non-descriptive" in ids
    eng.check(track("Signed Up"))
    ids = {v.rule for v in eng.check(track("signed_up"))}
    assert {
        "event-name/near-duplicate",
        "event-name/mixed-conventions",
        "event-name/convention",
    } <= ids


# --------------------------------------------------------------------------- non-descriptive


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Event", "generic"),
        ("Action", "generic"),
        ("foo", "placeholder"),
        ("unnamed", "placeholder"),
        ("NaN", "placeholder"),
        ("Event 12", "dynamic"),
        ("Slide 3", "dynamic"),
        ("TMDropd", "cryptic"),
        ("HdrLnkClk", "cryptic"),
        ("NavBtnClk", "cryptic"),
        ("Purchase", "bare"),
        ("Click", "generic"),
        ("User 8c1f0e2a-55b1-4c1e-9f0a-1e2d3c4b5a69 Started", "dynamic"),
        ("jane@example.org signed in", "dynamic"),
        ("Opened https://shop.example.com/cart", "dynamic"),
        ("Viewed /pricing", "dynamic"),
        ("User Signed Up (11-01-2019)", "dynamic"),
        ("Order a7f3e9b2c1d4 Placed", "dynamic"),
        ("Clicked {button}", "dynamic"),
        ("!!!", "punctuation"),
        ("", "empty"),
        ("   ", "empty"),
        ("asdfasdf", "cryptic"),
        ("Element Clicked", "generic"),
        ("User Action", "generic"),
    ],
)
def test_non_descriptive_flags(name: str, kind: str) -> None:
    found = non_descriptive(name)
    assert found is not None, name
    assert found.kind == kind, (name, found)


@pytest.mark.parametrize(
    "name",
    [
        "Order Completed",
        "order_completed",
        "productAdded",
        "SAML Login Failed",
        "JSON Export Downloaded",
        "macOS App Installed",
        "2FA Enabled",
        "OAuth Token Refreshed",
        "iOS Push Permission Granted",
        "Logged In",
        "Sign Up",
        "Unsubscribed",
        "Unknown Analytics Call Fired",
        "Zendesk Ticket Created",
        "KYC Check Passed",
        "A/B Test Viewed",
        "Wi-Fi Connected",
        "注文完了",
        "Page Viewed",
    ],
)
def test_non_descriptive_passes(name: str) -> None:
    assert non_descriptive(name) is None, non_descriptive(name)


def test_non_descriptive_rule_message_and_scope() -> None:
    (vs,) = run("event-name/non-descriptive", [track("Event 12")])
    assert len(vs) == 1
    v = vs[0]
    assert v.severity == "warning" and v.path == "event"
    assert "12" in v.message and "property" in v.message
    (vs,) = run("event-name/non-descriptive", [track("TMDropd")])
    assert "Object + past-tense Action" in vs[0].message and "Video Played" in vs[0].message
    # only track events; page names and good names are left alone
    assert (
        flat(
            run(
                "event-name/non-descriptive",
                [
                    {"type": "page", "name": "Event 12"},
                    {"type": "screen", "name": "x"},
                    track("Order Completed"),
                ],
            )
        )
        == []
    )


WEIRD: list[Any] = [
    None,
    1,
    "track",
    [],
    [track("Event 1")],
    {},
    {"type": "track"},
    {"type": "track", "event": None},
    {"type": "track", "event": 12},
    {"type": "track", "event": ["Event 1"]},
    {"type": "track", "event": "x" * 200_000},
    {"type": "track", "event": "\x00\u202e\ud800"},
    {"type": "track", "event": "Order Completed", "properties": None},
    {"type": "track", "event": "Order Completed", "properties": ["a", "b"]},
    {"type": "track", "event": "Order Completed", "properties": {"k" * 100_000: 1, "": 2}},
    {"type": "page", "properties": {"feature_1": 1, "feature_2": 2, "orderId": 1, "order_id": 2}},
    {"type": "identify", "traits": {"feature_1": 1}},
]


@pytest.mark.parametrize("rule_id", NAMING_IDS)
def test_rules_never_raise_on_odd_messages(rule_id: str) -> None:
    run(rule_id, WEIRD)


@settings(max_examples=200, deadline=None)
@given(name=st.text(max_size=80))
def test_analysis_total_on_any_text(name: str) -> None:
    non_descriptive(name)
    convention(name)
    suggest_title(name)
    duplicate_keys(name)
    key_convention(name)
    for rid in NAMING_IDS:
        run(rid, [track(name, **{name: 1})])


# --------------------------------------------------------------------------- convention


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("order_completed", "Order Completed"),
        ("videoPlaybackStarted", "Video Playback Started"),
        ("order-refunded", "Order Refunded"),
        ("order completed", "Order Completed"),
        ("Order completed", "Order Completed"),
        ("json_export_downloaded", "JSON Export Downloaded"),
        ("iosPushPermissionGranted", "iOS Push Permission Granted"),
        ("Viewed Product", "Product Viewed"),
        ("Play Video", "Video Played"),
        ("Video Play", "Video Played"),
        ("Sign Up", "Signed Up"),
    ],
)
def test_convention_suggests_title_case_object_action(name: str, suggestion: str) -> None:
    (vs,) = run("event-name/convention", [track(name)])
    assert len(vs) == 1, (name, vs)
    assert vs[0].severity == "info" and vs[0].path == "event"
    assert f'"{suggestion}"' in vs[0].message


@pytest.mark.parametrize(
    "name",
    [
        "Order Completed",
        "Signed Up",
        "Logged In",
        "Product Added to Wishlist",
        "Email Marked as Spam",
        "Event 12",
        "",
    ],
)
def test_convention_quiet_for_good_or_non_descriptive_names(name: str) -> None:
    assert run("event-name/convention", [track(name)]) == [[]]


def test_convention_names_the_casing() -> None:
    (vs,) = run("event-name/convention", [track("cart_viewed")])
    assert "snake_case" in vs[0].message
    (vs,) = run("event-name/convention", [track("cartViewed")])
    assert "camelCase" in vs[0].message


@pytest.mark.parametrize(
    ("name", "conv"),
    [
        ("Order Completed", "title"),
        ("iOS App Opened", "title"),
        ("Email Marked as Spam", "title"),
        ("order_completed", "snake"),
        ("orderCompleted", "camel"),
        ("OrderCompleted", "pascal"),
        ("order-completed", "kebab"),
        ("order.completed", "dot"),
        ("ORDER_COMPLETED", "screaming"),
        ("order completed", "lower"),
        ("Order completed", "sentence"),
        ("signup", None),
        ("", None),
    ],
)
def test_convention_classifier(name: str, conv: str | None) -> None:
    assert convention(name) == conv


def test_past_tense() -> None:
    assert [past_tense(v) for v in ("add", "drop", "save", "apply", "submit", "send", "view")] == [
        "Added",
        "Dropped",
        "Saved",
        "Applied",
        "Submitted",
        "Sent",
        "Viewed",
    ]


# --------------------------------------------------------------------------- mixed conventions (session)


def test_mixed_conventions_reports_each_new_convention_once() -> None:
    res = run(
        "event-name/mixed-conventions",
        [
            track("Order Completed"),
            track("Product Viewed"),
            track("cart_viewed"),
            track("checkout_started"),
            track("videoPlaybackStarted"),
            track("Order Completed"),
        ],
    )
    counts = [len(vs) for vs in res]
    assert counts == [0, 0, 1, 0, 1, 0]
    last = res[4][0]
    assert last.severity == "warning" and last.path == "event"
    for label in ("Title Case", "snake_case", "camelCase", '"Order Completed"', '"cart_viewed"'):
        assert label in last.message


def test_mixed_conventions_quiet_for_one_convention() -> None:
    msgs = [track(n) for n in ("Order Completed", "Cart Viewed", "Signed Up", "signup")]
    msgs.append({"type": "page", "name": "checkout_page"})
    assert flat(run("event-name/mixed-conventions", msgs)) == []


def test_mixed_conventions_state_is_per_instance() -> None:
    assert flat(run("event-name/mixed-conventions", [track("Order Completed")])) == []
    assert flat(run("event-name/mixed-conventions", [track("cart_viewed")])) == []


# --------------------------------------------------------------------------- near-duplicates (session)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Signed Up", "signed_up"),
        ("Signed Up", "Sign Up"),
        ("Signed Up", "User Signed Up"),
        ("Sign up", "Signup"),
        ("Report Exported", "report-exported"),
        ("Report Exported", "Exported Report"),
        ("Report Exported", "reportExported"),
        ("Report Exported", "Report  Exported"),
        ("Invoice Paid", "Invoice Pay"),
        ("Logged In", "Login"),
    ],
)
def test_near_duplicate_pairs(first: str, second: str) -> None:
    res = run("event-name/near-duplicate", [track(first), track(second)])
    assert res[0] == [] or "semantic" in res[0][0].message
    assert len(res[1]) == 1, (first, second, res)
    v = res[1][0]
    assert v.severity == "warning" and v.path == "event"
    assert f'"{second}"' in v.message and f'"{first}"' in v.message


def test_near_duplicate_reports_a_name_once_and_not_repeats() -> None:
    res = run(
        "event-name/near-duplicate",
        [
            track("Report Exported"),
            track("Report Exported"),
            track("report_exported"),
            track("report_exported"),
        ],
    )
    assert [len(vs) for vs in res] == [0, 0, 1, 0]


def test_near_duplicate_quiet_for_distinct_names() -> None:
    names = [
        "Report Exported",
        "Report Shared",
        "Product Added",
        "Product Added to Cart",
        "Cart Viewed",
        "Cart Shared",
    ]
    assert flat(run("event-name/near-duplicate", [track(n) for n in names])) == []


@pytest.mark.parametrize(
    "name", ["order completed", "ORDER_COMPLETED", "orderCompleted", "Completed Order", "signed_in"]
)
def test_near_duplicate_semantic_event_wrong_case(name: str) -> None:
    (vs,) = run("event-name/near-duplicate", [track(name)])
    assert len(vs) == 1 and "semantic event" in vs[0].message


def test_near_duplicate_exact_semantic_is_fine() -> None:
    assert (
        flat(run("event-name/near-duplicate", [track("Order Completed"), track("Signed In")])) == []
    )


def test_duplicate_keys_and_stem() -> None:
    assert duplicate_keys("Signed Up")[1] == duplicate_keys("Signup")[1]
    assert duplicate_keys("Order Completed")[0] == duplicate_keys("completed_orders")[0]
    assert stem("cancelled") == stem("canceled") == stem("cancel")
    assert stem("sent") == "send"


# --------------------------------------------------------------------------- property keys (session)


def test_property_mixed_conventions() -> None:
    res = run(
        "property-name/mixed-conventions",
        [
            track("Order Completed", order_id="o1", revenue=3, product_id="p"),
            track("Cart Viewed", cart_id="c1"),
            track("Product Viewed", productId="p1", sku="s"),
            {"type": "page", "name": "Home", "properties": {"pageTitle": "x", "PageType": "y"}},
        ],
    )
    assert [len(vs) for vs in res] == [0, 0, 1, 1]
    v = res[2][0]
    assert v.path == "properties.productId" and v.severity == "info"
    assert "snake_case" in v.message and "camelCase" in v.message and "order_id" in v.message
    assert res[3][0].path == "properties.PageType"


def test_property_mixed_conventions_quiet() -> None:
    msgs = [
        track("Order Completed", order_id="o1", total=3),
        {
            "type": "page",
            "properties": {
                "path": "/",
                "url": "http://x",
                "referrer": "",
                "title": "t",
                "search": "",
            },
        },
        {"type": "identify", "traits": {"firstName": "a"}},
        track("Cart Viewed", cart_id="c"),
    ]
    assert flat(run("property-name/mixed-conventions", msgs)) == []


@pytest.mark.parametrize(
    "key",
    [
        "12345",
        "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "jane@example.org",
        "user_829301",
        "2024-01-05",
        "a7f3e9b2c1d4e5f6",
    ],
)
def test_dynamic_key_obvious(key: str) -> None:
    (vs,) = run("property-name/dynamic-key", [track("Order Completed", **{key: 1})])
    assert len(vs) == 1 and vs[0].path == f"properties.{key}" and vs[0].severity == "warning"


def test_dynamic_key_numbered_family_within_one_message() -> None:
    (vs,) = run(
        "property-name/dynamic-key",
        [track("Plan Compared", feature_1=True, feature_2=False, feature_3=True)],
    )
    assert len(vs) == 1
    assert vs[0].path == "properties.feature_2" and '"feature_1"' in vs[0].message


def test_dynamic_key_numbered_family_across_messages() -> None:
    res = run(
        "property-name/dynamic-key",
        [
            track("Slot Filled", slot1="a"),
            track("Slot Filled", slot2="b"),
            track("Slot Filled", slot3="c"),
        ],
    )
    assert [len(vs) for vs in res] == [0, 1, 0]


def test_dynamic_key_quiet() -> None:
    msgs = [
        track(
            "Order Completed",
            order_id="o",
            mp4_url="u",
            ipv4="1.2.3.4",
            ipv6="::1",
            sha256="x",
            address_line_1="a",
            address_line_2="b",
        ),
        track("Order Completed", top_3=1, s3_bucket="b"),
        {"type": "identify", "traits": {"feature_1": 1, "feature_2": 2}},
    ]
    assert flat(run("property-name/dynamic-key", msgs)) == []


# --------------------------------------------------------------------------- words and tokens


def test_tokenizer_keeps_acronyms_and_compounds() -> None:
    assert [t.text for t in tokenize("OAuthTokenRefreshed")] == ["OAuth", "Token", "Refreshed"]
    assert [t.text for t in tokenize("macOS App Installed")] == ["macOS", "App", "Installed"]
    assert [t.text for t in tokenize("2FA_enabled")] == ["2FA", "enabled"]
    assert [t.text for t in tokenize("HTMLEmailSent")] == ["HTML", "Email", "Sent"]
    assert [t.text for t in tokenize("user_12345_clicked")] == ["user", "12345", "clicked"]


def test_word_list_morphology() -> None:
    for w in (
        "completed",
        "added",
        "shipped",
        "webhooks",
        "onboarding",
        "unarchived",
        "dropdown",
        "replies",
    ):
        assert is_word(w), w
    for w in ("clk", "btn", "dropd", "qwe", "hdr"):
        assert not is_word(w), w


def test_module_exports_rules() -> None:
    assert callable(naming.non_descriptive_event) and callable(naming.event_name_convention)


# --------------------------------------------------------------------------- review fixes
# Names of other languages, brands and model numbers: general detectors, checked on names
# that are not the review's own examples.


@pytest.mark.parametrize(
    "name",
    [
        "Pedido Enviado",
        "Carrito Abandonado",
        "Pagamento Confermato",
        "Warenkorb geleert",
        "Konto erstellt",
        "Einkauf abgeschlossen",
        "Bestelling geplaatst",
        "Inscription validée",
        "Abonnement résilié",
        "Zamówienie anulowane",
        "Suscripción Renovada",
        "Rechnung bezahlt",
        "Produto Adicionado",
        "Tilaus vahvistettu",
        "Sipariş Tamamlandı",
        "carrito_abandonado",
        "pedidoEnviado",
    ],
)
def test_non_english_descriptive_names_pass(name: str) -> None:
    assert non_descriptive(name) is None, non_descriptive(name)


@pytest.mark.parametrize(
    "name",
    [
        "PS5 Bundle Purchased",
        "Claude3 Summary Generated",
        "COVID-19 Notice Dismissed",
        "Web3 Wallet Connected",
        "500 Error Page Shown",
        "Error 503 Displayed",
        "McAfee Scan Completed",
        "Shopify Store Connected",
        "Klaviyo List Synced",
        "Figma File Exported",
        "Kafka Topic Created",
    ],
)
def test_model_numbers_status_codes_and_brands_pass(name: str) -> None:
    assert non_descriptive(name) is None, non_descriptive(name)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Button2 Clicked", "dynamic"),  # an English word numbered: a value
        ("Coupon SAVE20 Applied", "dynamic"),
        ("Ticket INV-2291 Paid", "dynamic"),  # more than two digits: an id
        ("Level2 Unlocked", "dynamic"),
        ("Variant C3 Shown", "dynamic"),  # one letter: a code
        ("200 Points Earned", "dynamic"),  # not an error status
        ("Page 404", "dynamic"),
        ("Pedido 5521 Enviado", "dynamic"),
        ("Bestellung 48213 abgeschlossen", "dynamic"),
        ("Commande #4412 passée", "dynamic"),
        ("Pedido", "bare"),  # one word of any language is still a bare word
        ("Abgeschlossen", "bare"),
        ("Chkout Cmpltd", "cryptic"),
        ("Usr Prfl Updtd", "cryptic"),
        ("Mc", "cryptic"),
        ("Zzzap Triggered", "cryptic"),
        ("Sdfg Hjkl", "cryptic"),
        ("Kwq Blorf Triggered", "cryptic"),
        ("Pdfx Zxvb Opened", "cryptic"),
    ],
)
def test_still_flagged_beside_the_relaxed_detectors(name: str, kind: str) -> None:
    found = non_descriptive(name)
    assert found is not None and found.kind == kind, (name, found)


def test_unicode_words_are_not_split_at_accents() -> None:
    assert [t.text for t in tokenize("Zamówienie złożone")] == ["Zamówienie", "złożone"]
    assert [t.text for t in tokenize("crèmeBrûléeOrdered")] == ["crème", "Brûlée", "Ordered"]
    # decomposed accents (NFD) are one word too
    assert [t.text for t in tokenize("Commande passe\u0301e")] == ["Commande", "passée"]
    assert [t.text for t in tokenize("McAfeeScanCompleted")] == ["McAfee", "Scan", "Completed"]


@pytest.mark.parametrize(
    ("name", "conv", "suggestion"),
    [
        ("commande_passée", "snake", "Commande Passée"),
        ("größe_geändert", "snake", "Größe Geändert"),
        ("crèmeBrûléeOrdered", "camel", "Crème Brûlée Ordered"),
        ("ÉtapeValidée", "pascal", "Étape Validée"),
        ("html5_video_play", "snake", "HTML5 Video Played"),
        ("GPT4AnswerRated", "pascal", "GPT4 Answer Rated"),
        ("mcafee_scan_completed", "snake", "Mcafee Scan Completed"),
        ("503_page_viewed", "snake", "503 Page Viewed"),
    ],
)
def test_convention_and_suggestion_unicode_and_numbers(
    name: str, conv: str, suggestion: str
) -> None:
    assert convention(name) == conv
    assert suggest_title(name) == suggestion
    (vs,) = run("event-name/convention", [track(name)])
    assert len(vs) == 1 and f'"{suggestion}"' in vs[0].message


def test_convention_ignores_names_without_latin_letters() -> None:
    assert convention("Заказ оформлен") is None
    assert convention("注文完了") is None


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("Added To Cart", "Product Added"),
        ("remove_from_basket", "Product Removed"),
        ("Added to Wishlist", "Product Added to Wishlist"),
    ],
)
def test_verb_first_phrases_become_the_semantic_event(name: str, suggestion: str) -> None:
    (vs,) = run("event-name/convention", [track(name)])
    assert len(vs) == 1
    assert f'"{suggestion}"' in vs[0].message
    assert "in place of" not in vs[0].message


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("Add to Favorites", "Item Added to Favorites"),
        ("removed_from_playlist", "Item Removed from Playlist"),
        ("Shared via Email", "Item Shared via Email"),
    ],
)
def test_verb_first_phrases_without_object_say_the_object_is_missing(
    name: str, suggestion: str
) -> None:
    (vs,) = run("event-name/convention", [track(name)])
    assert len(vs) == 1
    msg = vs[0].message
    assert f'"{suggestion}"' in msg and 'in place of "Item"' in msg
    # the suggestion itself is Object + past-tense Action: it draws no convention finding
    assert run("event-name/convention", [track(suggestion)]) == [[]]


def test_spec_camel_case_keys_do_not_count_toward_a_convention() -> None:
    res = run(
        "property-name/mixed-conventions",
        [
            track("Video Quality Updated", startupTime=1, dropped_frames=0, video_player="x"),
            track("Conversation Rated", conversationId="c1", rating_score=4),
            track("Build Published", appVersion="1.0", release_channel="beta"),
        ],
    )
    assert flat(res) == []
    # a user's own camelCase key still mixes with snake_case
    res = run(
        "property-name/mixed-conventions",
        [track("Video Quality Updated", startupTime=1, video_player="x", bufferLength=2)],
    )
    assert [v.path for v in flat(res)] == ["properties.bufferLength"]


@pytest.mark.parametrize(
    ("key", "why"),
    [
        ("2024-05-01", "it is a date"),
        ("31/12/2023", "it is a date"),
        ("2024-05-01 10:30", "it is a date or time"),
        ("12345", "it is a number"),
        ("3.14", "it is a number"),
    ],
)
def test_dynamic_key_names_dates_as_dates(key: str, why: str) -> None:
    from inspector.spec.naming_analysis import dynamic_key

    assert dynamic_key(key) == why


def test_long_words_are_quoted_at_one_length() -> None:
    """A 10,000-character name: every quote of it in a finding is cut the same way."""
    from inspector.spec.engine import Engine

    name = "E" * 10_000
    found = Engine().check({"type": "track", "event": name, "userId": "u"})
    for v in found:
        if v.rule.startswith("event-name/"):
            assert len(v.message) < 400, v.message
            assert name[:100] not in v.message


# --------------------------------------------------------------------------- verb or object


def _convention_text(name: str) -> str:
    (vs,) = run("event-name/convention", [track(name)])
    assert len(vs) == 1, (name, vs)
    return vs[0].message


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        # the object already comes first; only the tense is wrong
        ("Order Cancel", "Order Cancelled"),
        ("Order Complete", "Order Completed"),
        ("Order Place", "Order Placed"),
        ("Order Refund", "Order Refunded"),
        ("Report Export", "Report Exported"),
        ("Report Download", "Report Downloaded"),
        ("Comment Post", "Comment Posted"),
        ("Post Like", "Post Liked"),
        ("Order Status Check", "Order Status Checked"),
        ("Upload Start", "Upload Started"),
    ],
)
def test_object_first_names_keep_their_object(name: str, suggestion: str) -> None:
    text = _convention_text(name)
    assert "the action is not in the past tense" in text, text
    assert "comes before the object" not in text
    assert f'e.g. "{suggestion}".' in text


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("Cancel Order", "Order Cancelled"),
        ("Place Order", "Order Placed"),
        ("Refund Order", "Order Refunded"),
        ("Export Report", "Report Exported"),
        ("Post Comment", "Comment Posted"),
        ("Like Post", "Post Liked"),
        ("Request Refund", "Refund Requested"),
        ("Order Pizza", "Pizza Ordered"),
        ("Report Bug", "Bug Reported"),
        ("Start Upload", "Upload Started"),
    ],
)
def test_action_first_names_are_turned_round(name: str, suggestion: str) -> None:
    text = _convention_text(name)
    assert "the action comes before the object" in text
    assert f'e.g. "{suggestion}".' in text


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("Order Completd", "Order Completed"),
        ("Product Viewd", "Product Viewed"),
        ("Checkout Strated", "Checkout Started"),
        ("Subscription Cancle", "Subscription Cancelled"),
        ("Shipping Address Updtaed", "Shipping Address Updated"),
        ("Coupon Applie", "Coupon Applied"),
    ],
)
def test_a_misspelled_action_is_corrected_not_swapped(name: str, suggestion: str) -> None:
    text = _convention_text(name)
    typo = name.split()[-1]
    assert f'its action "{typo}" looks misspelled' in text
    assert f'e.g. "{suggestion}".' in text
    assert suggest_title(name.lower().replace(" ", "_")) == suggestion


@pytest.mark.parametrize(
    "name",
    [
        "Order Details",  # a noun phrase with no action: nothing to reorder
        "Search Results",
        "Play Button",
        "Order Cancellation",
        "Order Cancelling",
        "Bug Report",
        "Pizza Order",
        "Share Post",  # either word may be the action: no guess
        "Order Zorblatz",  # not a word, and close to no known action
    ],
)
def test_no_rename_is_invented_for_unclear_names(name: str) -> None:
    assert suggest_title(name) == name
    assert run("event-name/convention", [track(name)]) == [[]]


_OBJECTS = ["Order", "Report", "Cart", "Video", "Subscription", "Shipping Address", "Comment"]
_ACTIONS = ["cancel", "complete", "start", "open", "create", "delete", "submit", "add", "update"]


@pytest.mark.parametrize("obj", _OBJECTS)
@pytest.mark.parametrize("verb", _ACTIONS)
def test_every_shape_of_object_and_action_gets_object_past_action(obj: str, verb: str) -> None:
    past = past_tense(verb)
    want = f"{obj} {past}"
    for name in (f"{obj} {verb.title()}", f"{verb.title()} {obj}", f"{past} {obj}", want):
        assert suggest_title(name) == want, name
        assert suggest_title(name.lower().replace(" ", "_")) == want, name
