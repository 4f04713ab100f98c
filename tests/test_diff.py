"""Tests of the pure diff module: structural diff, context diffs, identity, drift, timeline."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from inspector.diff import (
    MISSING,
    VOLATILE,
    Change,
    ContextTracker,
    IdentityResolver,
    compare_messages,
    compare_values,
    context_diffs,
    diff_messages,
    diff_values,
    drift_summary,
    flatten,
    identity_key,
    identity_timeline,
    numbered,
    render_path,
    unchanged_paths,
)


def kinds(changes: list[Change]) -> list[tuple[str, str]]:
    return [(c.kind, c.path) for c in changes]


# --- structural diff --------------------------------------------------------------------


def test_equal_values_have_no_changes() -> None:
    v = {"a": {"b": [1, {"c": None}], "d": "x"}, "e": []}
    assert diff_values(v, v) == []


def test_nested_objects_added_removed_changed() -> None:
    old = {"library": {"name": "analytics.js", "version": "2.3.0"}, "locale": "en-US"}
    new = {"library": {"name": "analytics.js", "version": "2.4.0"}, "timezone": "UTC"}
    changes = diff_values(old, new, prefix="context")
    assert changes == [
        Change("changed", "context.library.version", "2.3.0", "2.4.0"),
        Change("removed", "context.locale", "en-US", None),
        Change("added", "context.timezone", None, "UTC"),
    ]


def test_added_subtree_is_reported_leaf_by_leaf() -> None:
    changes = diff_values({}, {"page": {"url": "u", "path": "/"}, "ids": []})
    assert changes == [
        Change("added", "page.url", None, "u"),
        Change("added", "page.path", None, "/"),
        Change("added", "ids", None, []),
    ]


def test_removed_subtree_is_reported_leaf_by_leaf() -> None:
    assert kinds(diff_values({"a": {"b": 1, "c": {"d": 2}}}, {})) == [
        ("removed", "a.b"),
        ("removed", "a.c.d"),
    ]


def test_arrays_longer_and_shorter() -> None:
    assert diff_values([1, 2], [1, 2, 3]) == [Change("added", "[2]", None, 3)]
    assert diff_values({"x": [1, 2, 3]}, {"x": [1]}) == [
        Change("removed", "x[1]", 2, None),
        Change("removed", "x[2]", 3, None),
    ]
    assert diff_values({"x": [1, 2]}, {"x": [2, 1]}) == [
        Change("changed", "x[0]", 1, 2),
        Change("changed", "x[1]", 2, 1),
    ]


def test_arrays_of_objects_compared_by_index() -> None:
    old = {"products": [{"sku": "a", "price": 1}, {"sku": "b", "price": 2}]}
    new = {"products": [{"sku": "a", "price": 1.5}, {"sku": "b", "price": 2}, {"sku": "c"}]}
    assert diff_values(old, new, prefix="properties") == [
        Change("changed", "properties.products[0].price", 1, 1.5),
        Change("added", "properties.products[2].sku", None, "c"),
    ]


def test_type_changes_are_one_change_not_a_cascade() -> None:
    old = {"page": {"url": "u", "path": "/"}, "n": 1, "flag": True, "z": None}
    new = {"page": "u", "n": "1", "flag": 1, "z": {"a": 1}}
    changes = diff_values(old, new)
    assert kinds(changes) == [
        ("type-changed", "page"),
        ("type-changed", "n"),
        ("type-changed", "flag"),
        ("type-changed", "z"),
    ]
    assert changes[0].old == {"url": "u", "path": "/"} and changes[0].new == "u"
    d = changes[0].to_dict()
    assert d["old_type"] == "object" and d["new_type"] == "string"
    assert kinds(diff_values({"a": [1]}, {"a": {"0": 1}})) == [("type-changed", "a")]


def test_int_and_float_are_the_same_number_but_bool_is_not() -> None:
    assert diff_values({"n": 1}, {"n": 1.0}) == []
    assert kinds(diff_values({"n": 0}, {"n": False})) == [("type-changed", "n")]
    assert diff_values({"n": float("nan")}, {"n": float("nan")}) == []


def test_empty_containers_are_leaves() -> None:
    assert flatten({"a": {}, "b": [], "c": {"d": []}}) == [
        ("a", {}),
        ("b", []),
        ("c.d", []),
    ]
    assert kinds(diff_values({"a": {}}, {"a": {"b": 1}})) == [("added", "a.b")]
    assert kinds(diff_values({"a": {}}, {"a": []})) == [("type-changed", "a")]
    assert kinds(diff_values({"a": {}}, {})) == [("removed", "a")]


def test_missing_sides() -> None:
    assert diff_values(MISSING, {"a": 1}) == [Change("added", "a", None, 1)]
    assert diff_values({"a": 1}, MISSING, prefix="context") == [
        Change("removed", "context.a", 1, None)
    ]
    assert diff_values(MISSING, MISSING) == []
    # None is a JSON null, not a missing side.
    assert kinds(diff_values(None, {"a": 1}, prefix="context")) == [("type-changed", "context")]
    assert kinds(diff_values("str", 5)) == [("type-changed", "")]
    assert diff_values("a", "b") == [Change("changed", "", "a", "b")]


def test_unicode_keys_stay_dotted_and_odd_keys_are_quoted() -> None:
    old = {"größe": 1, "名前": "a", "a.b": 1, "first name": "x", "[0]": 1, "": 0, "9x": 1}
    new = {"größe": 2, "名前": "b", "a.b": 2, "first name": "y", "[0]": 2, "": 1, "9x": 2}
    paths = [c.path for c in diff_values(old, new, prefix="context")]
    assert paths == [
        "context.größe",
        "context.名前",
        'context["a.b"]',
        'context["first name"]',
        'context["[0]"]',
        'context[""]',
        'context["9x"]',
    ]


def test_keys_with_dots_do_not_collide_with_nesting() -> None:
    changes = diff_values({"a.b": 1, "a": {"b": 1}}, {"a.b": 2, "a": {"b": 3}})
    assert kinds(changes) == [("changed", '["a.b"]'), ("changed", "a.b")]


def test_render_path() -> None:
    assert render_path("", "a") == "a"
    assert render_path("a", 0) == "a[0]"
    assert render_path("", 3) == "[3]"
    assert render_path("x", 'q"uote') == 'x["q\\"uote"]'
    assert render_path("x", "\u202e") == 'x["\u202e"]'


def test_document_order_old_keys_then_new_keys() -> None:
    changes = diff_values({"b": 1, "a": 1}, {"z": 1, "a": 2, "b": 2})
    assert [c.path for c in changes] == ["b", "a", "z"]


def test_default_ignore_list_drops_volatile_fields_anywhere() -> None:
    a = {"messageId": "1", "timestamp": "t1", "context": {"sentAt": "s", "ip": "1"}, "x": 1}
    b = {"messageId": "2", "timestamp": "t2", "context": {"sentAt": "z", "ip": "1"}, "x": 2}
    assert kinds(diff_values(a, b)) == [("changed", "x")]
    assert {c.path for c in diff_values(a, b, ignore=())} == {
        "messageId",
        "timestamp",
        "context.sentAt",
        "x",
    }
    assert set(VOLATILE) >= {"messageId", "sentAt", "receivedAt", "writeKey", "_metadata"}


def test_custom_ignore_by_full_path_and_by_key_name() -> None:
    a = {"page": {"url": "a", "path": "/a"}, "other": {"url": "x"}, "a.b": 1}
    b = {"page": {"url": "b", "path": "/b"}, "other": {"url": "y"}, "a.b": 2}
    # Full path: only that node (and subtree).
    assert kinds(diff_values(a, b, ignore=["context.page.url"], prefix="context")) == [
        ("changed", "context.page.path"),
        ("changed", "context.other.url"),
        ("changed", 'context["a.b"]'),
    ]
    # Key name: anywhere.
    assert kinds(diff_values(a, b, ignore=["url"])) == [
        ("changed", "page.path"),
        ("changed", '["a.b"]'),
    ]
    # Subtree and quoted path.
    assert kinds(diff_values(a, b, ignore=["page", '["a.b"]'])) == [("changed", "other.url")]
    assert kinds(diff_values({"l": [1, 2]}, {"l": [3, 4]}, ignore=["l[0]"])) == [
        ("changed", "l[1]")
    ]


def test_compare_values_and_unchanged_paths_for_folded_views() -> None:
    old = {"library": {"name": "js", "version": "1"}, "locale": "en", "ip": "1"}
    new = {"library": {"name": "js", "version": "2"}, "ip": "1"}
    all_ = compare_values(old, new, prefix="context")
    assert kinds(all_) == [
        ("unchanged", "context.library.name"),
        ("changed", "context.library.version"),
        ("removed", "context.locale"),
        ("unchanged", "context.ip"),
    ]
    assert unchanged_paths(old, new, prefix="context") == ["context.library.name", "context.ip"]


def test_change_to_dict() -> None:
    assert Change("added", "a", None, 1).to_dict() == {"kind": "added", "path": "a", "new": 1}
    assert Change("removed", "a", 1, None).to_dict() == {"kind": "removed", "path": "a", "old": 1}
    assert Change("changed", "a", None, 1).to_dict() == {
        "kind": "changed",
        "path": "a",
        "old": None,
        "new": 1,
    }


def test_deep_nesting_does_not_overflow() -> None:
    old: object = 1
    new: object = 2
    for _ in range(5000):
        old, new = {"a": old}, {"a": new}
    changes = diff_values(old, new)
    assert len(changes) == 1 and changes[0].path.count(".") == 4999


def test_diff_messages_context_only() -> None:
    a = {"type": "track", "event": "A", "context": {"ip": "1"}, "messageId": "1"}
    b = {"type": "track", "event": "B", "context": {"ip": "2"}, "messageId": "2"}
    assert kinds(diff_messages(a, b)) == [("changed", "event"), ("changed", "context.ip")]
    assert kinds(diff_messages(a, b, context_only=True)) == [("changed", "context.ip")]
    assert kinds(diff_messages("x", b, context_only=True)) == [("added", "context.ip")]
    rows = compare_messages(a, b, context_only=False)
    assert kinds(rows) == [
        ("unchanged", "type"),
        ("changed", "event"),
        ("changed", "context.ip"),
    ]
    assert kinds(compare_messages(a, a, context_only=True)) == [("unchanged", "context.ip")]
    assert flatten(a) == [("type", "track"), ("event", "A"), ("context.ip", "1")]
    assert ("messageId", "1") in flatten(a, ignore=())


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=4), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(json_values, json_values)
@example({"": False}, {"": 0})
def test_property_diff_never_raises_and_is_consistent(a: object, b: object) -> None:
    forward = diff_values(a, b, ignore=())
    backward = diff_values(b, a, ignore=())
    # Same JSON, not Python ==: {"": False} == {"": 0} in Python, but JSON tells a boolean
    # from a number and the diff rightly reports the type change.
    assert (forward == []) == (backward == []) == _same_json(a, b)
    flip = {"added": "removed", "removed": "added"}
    assert sorted((flip.get(c.kind, c.kind), c.path) for c in forward) == sorted(
        (c.kind, c.path) for c in backward
    )
    # Every change path is unique.
    assert len({c.path for c in forward}) == len(forward)


def _same_json(a: object, b: object) -> bool:
    import json

    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


# --- identity -------------------------------------------------------------------------


def test_identity_resolver_links_identify_and_alias() -> None:
    r = IdentityResolver()
    assert r.observe({"type": "page", "anonymousId": "anon-1"}) == "anon-1"
    assert r.observe({"type": "identify", "anonymousId": "anon-1", "userId": "u1"}) == "u1"
    assert r.key({"type": "track", "anonymousId": "anon-1"}) == "u1"
    assert r.observe({"type": "alias", "previousId": "u1", "userId": "u2"}) == "u2"
    assert r.key({"anonymousId": "anon-1"}) == "u2"
    assert r.members("anon-1") == ["anon-1", "u1", "u2"]
    assert identity_key({"userId": "x", "anonymousId": "y"}) == "x"
    assert identity_key({"anonymousId": 42}) == "42"
    for odd in (None, "s", [], {"userId": ""}, {"userId": None, "anonymousId": True}):
        assert identity_key(odd) is None
        assert r.observe(odd) is None


# --- session: context diffs, drift, timeline --------------------------------------------


def ctx(version: str, url: str, locale: str | None = "en-US", **extra: object) -> dict:
    c: dict = {
        "library": {"name": "analytics.js", "version": version},
        "page": {"url": url, "path": "/"},
        "userAgent": "UA/1",
    }
    if locale is not None:
        c["locale"] = locale
    c.update(extra)
    return c


def session() -> list[tuple[int, dict]]:
    msgs = [
        # 1-2: anonymous page views
        {"type": "page", "anonymousId": "anon-1", "messageId": "m1", "context": ctx("2.3.0", "https://x/a")},
        {"type": "page", "anonymousId": "anon-1", "messageId": "m2", "context": ctx("2.3.0", "https://x/b")},
        # 3: someone else, interleaved
        {"type": "page", "anonymousId": "anon-9", "messageId": "m3", "context": ctx("1.0.0", "https://x/z", "fr-FR")},
        # 4: identify links anon-1 -> user-1; library upgraded mid-session
        {"type": "identify", "anonymousId": "anon-1", "userId": "user-1", "traits": {"email": "a@x", "plan": "free"}, "messageId": "m4", "context": ctx("2.4.0", "https://x/b")},
        # 5: alias user-1 -> user-2
        {"type": "alias", "previousId": "user-1", "userId": "user-2", "messageId": "m5", "context": ctx("2.4.0", "https://x/b")},
        # 6: track by new userId: page.url stale (same as before), locale disappeared
        {"type": "track", "userId": "user-2", "event": "Clicked", "messageId": "m6", "context": ctx("2.4.0", "https://x/b", None)},
        # 7: identify changes a trait, adds one
        {"type": "identify", "userId": "user-2", "traits": {"plan": "pro", "name": "A"}, "messageId": "m7", "context": ctx("2.4.0", "https://x/b", None)},
        # 8: group
        {"type": "group", "userId": "user-2", "groupId": "acme", "traits": {"size": 5}, "messageId": "m8", "context": ctx("2.4.0", "https://x/b", None)},
    ]  # fmt: skip
    return numbered(msgs)


def test_session_context_diffs_follow_identity_through_identify_and_alias() -> None:
    results = list(context_diffs(session()))
    assert [r.identity for r in results] == [
        "anon-1",
        "anon-1",
        "anon-9",
        "user-1",
        "user-2",
        "user-2",
        "user-2",
        "user-2",
    ]
    first = results[0]
    assert first.vs_identity is None and first.vs_previous is None
    # 3 is anon-9's first message: no identity baseline, but a stream baseline.
    assert results[2].vs_identity is None and results[2].vs_previous_seq == 2
    # 4 (identify) is compared with anon-1's page view 2, not with anon-9's message 3.
    four = results[3]
    assert four.vs_identity_seq == 2
    assert kinds(four.vs_identity or []) == [("changed", "context.library.version")]
    assert four.vs_previous_seq == 3
    assert {c.path for c in four.vs_previous or []} == {
        "context.library.version",
        "context.page.url",
        "context.locale",
    }
    # 5 (alias user-1 -> user-2) is linked to 4; nothing changed.
    assert results[4].vs_identity_seq == 4 and results[4].vs_identity == []
    # 6: locale disappeared vs the same person.
    six = results[5]
    assert six.vs_identity_seq == 5
    assert six.vs_identity == [Change("removed", "context.locale", "en-US", None)]
    d = six.to_dict()
    assert d["vs_identity"] == [{"kind": "removed", "path": "context.locale", "old": "en-US"}]


def test_context_tracker_never_raises_on_odd_messages() -> None:
    t = ContextTracker()
    for m in (None, "x", 3, [], {"anonymousId": {}}, {"context": "str"}, {"context": [1]}):
        t.feed(m)
    r = t.feed({"anonymousId": "a", "context": {"ip": "1"}}, seq=9)
    assert r.vs_previous == [Change("type-changed", "context", [1], {"ip": "1"})]
    r2 = t.feed({"anonymousId": "a"}, seq=10)
    assert r2.vs_identity == [Change("removed", "context.ip", "1", None)]
    assert r2.vs_identity_seq == 9


def test_context_tracker_respects_ignore_list() -> None:
    msgs = numbered(
        [
            {"anonymousId": "a", "context": {"page": {"url": "1"}, "ip": "1"}},
            {"anonymousId": "a", "context": {"page": {"url": "2"}, "ip": "2"}},
        ]
    )
    last = list(context_diffs(msgs, ignore=["context.page.url"]))[-1]
    assert kinds(last.vs_identity or []) == [("changed", "context.ip")]


def test_drift_summary_of_session() -> None:
    drift = drift_summary(session())
    assert drift.messages == 8 and drift.identities == 2  # user-2 (merged) and anon-9
    version = drift.get("context.library.version")
    assert version is not None
    assert version.distinct == 3 and version.max_per_identity == 2
    assert version.per_identity == {"user-2": 2, "anon-9": 1}
    assert version.first_changed is not None
    assert version.first_changed.seq == 4 and version.first_changed.since_seq == 2
    assert (version.first_changed.old, version.first_changed.new) == ("2.3.0", "2.4.0")
    assert version.changes == 1

    locale = drift.get("context.locale")
    assert locale is not None
    assert locale.disappearances == 1 and locale.first_disappeared is not None
    assert locale.first_disappeared.seq == 6 and locale.first_disappeared.since_seq == 5
    assert locale.first_disappeared.old == "en-US"
    assert locale.first_seq == 1

    url = drift.get("context.page.url")
    assert url is not None
    # a -> b on page 2, then stale "b" for the rest of the session.
    assert url.changes == 1 and url.first_changed is not None and url.first_changed.seq == 2
    assert url.values()[0] == ("https://x/b", 6)

    user_agent = drift.get("context.userAgent")
    assert user_agent is not None and not user_agent.drifting
    # Most drifty first; stable paths last.
    scores = [p.score for p in drift.paths]
    assert scores == sorted(scores, reverse=True)
    assert drift.paths[-1].score == 0
    assert {p.path for p in drift.drifting} == {
        "context.library.version",
        "context.page.url",
        "context.locale",
    }
    d = drift.to_dict()
    assert d["paths"][0]["path"] in {
        "context.library.version",
        "context.page.url",
        "context.locale",
    }
    import json

    json.dumps(d)  # JSON-serialisable


def test_drift_appeared_and_ignore() -> None:
    msgs = numbered(
        [
            {"userId": "u", "context": {"ip": "1"}, "sentAt": "x"},
            {"userId": "u", "context": {"ip": "1", "timezone": "UTC"}},
            "not a message",
            {"userId": "u", "context": {"ip": "2", "timezone": "UTC"}},
        ]
    )
    drift = drift_summary(msgs)
    assert drift.skipped == 1 and drift.messages == 3
    tz = drift.get("context.timezone")
    assert tz is not None and tz.appearances == 1 and tz.first_appeared is not None
    assert tz.first_appeared.seq == 2 and tz.first_seq == 2
    assert drift_summary(msgs, ignore=["ip"]).get("context.ip") is None


def test_identity_timeline() -> None:
    tl = identity_timeline(session(), "anon-1")
    assert tl.identity == "user-2"
    assert tl.anonymous_ids == ["anon-1"]
    assert tl.user_ids == ["user-1", "user-2"]
    assert tl.transition_seq == 4
    assert tl.messages == 7 and (tl.first_seq, tl.last_seq) == (1, 8)
    assert tl.traits == {"email": "a@x", "plan": "pro", "name": "A"}
    assert tl.groups == {"acme": {"size": 5}}
    ev = [(e.seq, e.kind) for e in tl.events]
    assert ev == [
        (1, "first-seen"),
        (4, "first-seen"),
        (4, "linked"),
        (4, "identify"),
        (5, "first-seen"),
        (5, "alias"),
        (7, "identify"),
        (8, "group"),
    ]
    ident7 = tl.events[6].data
    assert ident7["added"] == {"name": "A"}
    assert ident7["changed"] == {"plan": {"old": "free", "new": "pro"}}
    assert tl.events[3].data["added"] == {"email": "a@x", "plan": "free"}
    assert tl.to_dict()["events"][2] == {
        "seq": 4,
        "kind": "linked",
        "anonymousId": "anon-1",
        "userId": "user-1",
        "via": "identify",
    }
    # Same person whichever id is asked for.
    assert identity_timeline(session(), "user-1").to_dict() | {"query": 0} == tl.to_dict() | {
        "query": 0
    }
    other = identity_timeline(session(), "anon-9")
    assert other.identity == "anon-9" and other.messages == 1 and other.transition_seq is None
    missing = identity_timeline(session(), "nobody")
    assert not missing.found and missing.events == []


def test_alias_from_anonymous_id_is_a_transition() -> None:
    msgs = numbered(
        [
            {"type": "page", "anonymousId": "a"},
            {"type": "alias", "previousId": "a", "userId": "u"},
            {"type": "track", "userId": "u"},
        ]
    )
    tl = identity_timeline(msgs, "u")
    assert tl.transition_seq == 2 and tl.anonymous_ids == ["a"] and tl.messages == 3


@pytest.mark.parametrize("module", ["inspector.diff"])
def test_core_module_does_not_import_textual(module: str) -> None:
    code = f"import sys, {module}; assert 'textual' not in sys.modules, 'textual imported'"
    subprocess.run([sys.executable, "-c", code], check=True)
