"""The engine never raises and no rule crashes, whatever JSON value arrives."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspector.model import MessageMeta
from inspector.spec.engine import Engine
from inspector.spec.registry import RULES

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
    | st.sampled_from(
        [
            "",
            " ",
            "null",
            "-1",
            "0000",
            "USD",
            "usd",
            "2015-12-12T19:11:01.249Z",
            "2015-12-12T19:11:01",
            "9999-12-31T23:59:59+14:00",
            "0001-01-01T00:00:00-23:59",
            "Order Completed",
            "order_completed",
            "Completed Order",
            "Segment Consent Preference Updated",
            "Account Created",
            "Video Playback Started",
            "America/New_York",
            "en_US",
            "1.2.3.4",
            "\x00\u202e",
        ]
    )
)

json_values = st.recursive(
    _scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=6)
    ),
    max_leaves=40,
)

_KEYS = [
    "type",
    "event",
    "name",
    "category",
    "userId",
    "anonymousId",
    "groupId",
    "previousId",
    "messageId",
    "timestamp",
    "sentAt",
    "originalTimestamp",
    "receivedAt",
    "context",
    "integrations",
    "properties",
    "traits",
    "channel",
]
_CONTEXT_KEYS = sorted(
    {
        "active",
        "app",
        "campaign",
        "device",
        "ip",
        "library",
        "locale",
        "location",
        "network",
        "os",
        "page",
        "referrer",
        "screen",
        "timezone",
        "groupId",
        "traits",
        "userAgent",
        "userAgentData",
        "channel",
        "protocols",
        "consent",
        "direct",
        "amp",
        "user_agent",
    }
)
_PROPERTY_KEYS = [
    "revenue",
    "value",
    "currency",
    "products",
    "price",
    "quantity",
    "position",
    "ad_type",
    "sound",
    "total_length",
    "campaign",
    "keywords",
    "url",
    "email",
    "createdAt",
    "address",
    "company",
    "employees",
    "firstName",
    "first_name",
    "trial_start_date",
]

#: Smaller values for the many fields of a message-shaped dict (generation cost adds up).
small_values = st.recursive(
    _scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)

_object_of = lambda keys: st.dictionaries(st.sampled_from(keys), small_values, max_size=6)  # noqa: E731

message_like = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["track", "identify", "page", "screen", "group", "alias", "x"])
        | small_values,
        "event": small_values,
        "name": small_values,
        "userId": small_values,
        "anonymousId": small_values,
        "groupId": small_values,
        "previousId": small_values,
        "messageId": small_values,
        "timestamp": small_values,
        "sentAt": small_values,
        "receivedAt": small_values,
        "context": _object_of(_CONTEXT_KEYS) | small_values,
        "integrations": st.dictionaries(
            st.sampled_from(["All", "Mixpanel", "Segment.io"]), small_values
        )
        | small_values,
        "properties": _object_of(_PROPERTY_KEYS)
        | st.fixed_dictionaries({"products": st.lists(_object_of(_PROPERTY_KEYS) | small_values)})
        | small_values,
        "traits": _object_of(_PROPERTY_KEYS) | small_values,
        "channel": small_values,
    },
)

metas = st.builds(
    MessageMeta,
    size=st.integers(min_value=0, max_value=100_000),
    batch_count=st.integers(min_value=1, max_value=5000),
    batch_index=st.integers(min_value=0, max_value=4999),
    received_at=st.none() | st.sampled_from(["2015-12-12T19:11:01.266Z", "garbage", "2015-12-12"]),
    endpoint=st.sampled_from(["", "/v1/batch", "/v1/t"]),
    # The batch's sentAt is any JSON value the SDK put there.
    sent_at=st.none()
    | st.sampled_from(["2015-12-12T19:10:00Z", "2015-12-12T19:11:01.266Z", "x", "2015-13-45"])
    | small_values,
)

_ENGINE = Engine()


def _assert_clean_run(value: Any, meta: MessageMeta) -> None:
    vs = _ENGINE.check(value, meta)
    assert all(v.rule != "inspector/rule-crashed" for v in vs), vs
    for v in vs:
        assert v.rule in RULES, v
        assert v.severity == RULES[v.rule].severity
        assert isinstance(v.path, str) and isinstance(v.message, str) and v.message


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values, metas)
def test_arbitrary_json_never_raises(value: Any, meta: MessageMeta) -> None:
    _assert_clean_run(value, meta)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(message_like, metas)
def test_message_shaped_values_never_raise(value: dict[str, Any], meta: MessageMeta) -> None:
    _assert_clean_run(value, meta)


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(
        ["Order Completed", "Product Viewed", "Video Ad Playing", "Install Attributed"]
    ),
    _object_of(_PROPERTY_KEYS),
)
def test_semantic_events_with_arbitrary_properties(event: str, props: dict[str, Any]) -> None:
    _assert_clean_run(
        {"type": "track", "event": event, "userId": "u", "properties": props}, MessageMeta()
    )


def test_deep_nesting_does_not_recurse() -> None:
    deep: Any = "x"
    for _ in range(5000):
        deep = {"a": deep, "products": [deep]}
    msg = {
        "type": "track",
        "event": "Order Completed",
        "userId": "u",
        "properties": deep,
        "context": deep,
    }
    _assert_clean_run(msg, MessageMeta())
