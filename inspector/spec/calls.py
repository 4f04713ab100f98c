"""Spec rules: what each call type needs (track, identify, page, screen, group, alias).

Registered on import; each rule names the call types it applies to, so the engine runs it
only for those.
"""

from __future__ import annotations

from typing import Any

from inspector.model import MessageMeta, Violation
from inspector.spec.registry import message_rule
from inspector.spec.values import described, preview

_NONE: tuple[Violation, ...] = ()
_ANON = "23adfd82-aa0f-45a7-a756-24f2a7a4c895"


def _msg(t: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"type": t, "anonymousId": _ANON}
    base.update(fields)
    return base


# -- track ---------------------------------------------------------------------------------


@message_rule(
    "track/event-missing",
    "error",
    "A track call has an `event`.",
    "Segment discards a track call without an event name (event_not_defined).",
    examples=[_msg("track", properties={"plan": "pro"})],
    passes=[_msg("track", event="Plan Upgraded")],
    types=["track"],
)
def track_event_missing(message: dict[str, Any], meta: MessageMeta) -> tuple[Violation, ...]:
    if message.get("event") is not None:
        return _NONE
    hint = ""
    name = message.get("name")
    if type(name) is str and name:
        hint = f' The message has name {preview(name)}: send it as "event".'
    return (
        Violation(
            "track/event-missing",
            "error",
            "event",
            "A track call has no event; Segment drops it. Set event to what the user did, "
            f'e.g. "Order Completed".{hint}',
        ),
    )


@message_rule(
    "track/event-type",
    "error",
    "A track call's `event` is a non-empty string.",
    "Segment discards a track call whose event is not a string (event_not_string), and an "
    "empty name cannot be told apart from other empty names.",
    examples=[_msg("track", event=42), _msg("track", event=""), _msg("track", event="   ")],
    passes=[_msg("track", event="Order Completed")],
    types=["track"],
)
def track_event_type(message: dict[str, Any], meta: MessageMeta) -> tuple[Violation, ...]:
    v = message.get("event")
    if v is None or (type(v) is str and v.strip()):
        return _NONE
    what = "blank" if type(v) is str else described(v)
    return (
        Violation(
            "track/event-type",
            "error",
            "event",
            f'event is {what}; send a non-empty string naming the action, e.g. "Order Completed".',
        ),
    )


def _object_rule(rule: str, call: str, key: str, code: str) -> None:
    article = "An" if call[0] in "aeiou" else "A"

    @message_rule(
        rule,
        "error",
        f"{article} {call} call's `{key}`, when present, is an object.",
        f"Segment discards the call when {key} is not an object ({code}).",
        examples=[_msg(call, **{key: "plan=pro"}), _msg(call, **{key: [1, 2]})],
        passes=[_msg(call, **{key: {"plan": "pro"}}), _msg(call, **{key: {}})],
        types=[call],
    )
    def rule_fn(message: dict[str, Any], meta: MessageMeta) -> tuple[Violation, ...]:
        v = message.get(key)
        if v is None or type(v) is dict:
            return _NONE
        return (
            Violation(
                rule,
                "error",
                key,
                f'{key} is {described(v)}; send an object of name/value pairs, e.g. {{"plan": "pro"}}.',
            ),
        )

    rule_fn.__name__ = rule_fn.__qualname__ = rule.replace("/", "_").replace("-", "_")


_object_rule("track/properties-type", "track", "properties", "properties_not_object")
_object_rule("page/properties-type", "page", "properties", "properties_not_object")
_object_rule("screen/properties-type", "screen", "properties", "properties_not_object")
_object_rule("identify/traits-type", "identify", "traits", "traits_not_object")
_object_rule("group/traits-type", "group", "traits", "traits_not_object")


# -- page / screen name and category ------------------------------------------------------


def _name_rule(rule: str, call: str, key: str, code: str) -> None:
    @message_rule(
        rule,
        "error",
        f"A {call} call's `{key}`, when present, is a non-empty string.",
        f"Segment discards the call when {key} is empty or not a string ({code}).",
        examples=[_msg(call, **{key: ""}), _msg(call, **{key: 7})],
        passes=[_msg(call, **{key: "Pricing"}), _msg(call)],
        types=[call],
    )
    def rule_fn(message: dict[str, Any], meta: MessageMeta) -> tuple[Violation, ...]:
        v = message.get(key)
        if v is None or (type(v) is str and v.strip()):
            return _NONE
        what = "blank" if type(v) is str else described(v)
        return (
            Violation(
                rule,
                "error",
                key,
                f"{key} is {what}; send a non-empty string or leave {key} out.",
            ),
        )

    rule_fn.__name__ = rule_fn.__qualname__ = rule.replace("/", "_").replace("-", "_")


_name_rule("page/name-type", "page", "name", "name_not_string")
_name_rule("page/category-type", "page", "category", "category_not_string")
_name_rule("screen/name-type", "screen", "name", "name_not_string")
_name_rule("screen/category-type", "screen", "category", "category_not_string")


# -- group ---------------------------------------------------------------------------------


@message_rule(
    "group/group-id-missing",
    "error",
    "A group call has a non-empty `groupId`.",
    "The group call exists to tie the user to an account; without groupId there is none.",
    examples=[_msg("group", traits={"name": "Initech"}), _msg("group", groupId="")],
    passes=[_msg("group", groupId="0e8c78ea9d97")],
    types=["group"],
)
def group_id_missing(message: dict[str, Any], meta: MessageMeta) -> tuple[Violation, ...]:
    v = message.get("groupId")
    if v is not None and not (type(v) is str and not v.strip()):
        return _NONE
    return (
        Violation(
            "group/group-id-missing",
            "error",
            "groupId",
            "A group call has no groupId; set it to the account's id in your database.",
        ),
    )


@message_rule(
    "group/group-id-type",
    "error",
    "A group call's `groupId` is a string.",
    "The Spec types groupId as a string; a number loses leading zeros and may not match the "
    "account id elsewhere.",
    examples=[_msg("group", groupId=1234), _msg("group", groupId={"id": "a"})],
    passes=[_msg("group", groupId="1234")],
    types=["group"],
)
def group_id_type(message: dict[str, Any], meta: MessageMeta) -> tuple[Violation, ...]:
    v = message.get("groupId")
    if v is None or type(v) is str:
        return _NONE
    hint = f" ({preview(str(v))})" if type(v) in (int, float) else ""
    return (
        Violation(
            "group/group-id-type",
            "error",
            "groupId",
            f"groupId is {described(v)}; send it as a string{hint}.",
        ),
    )


# -- alias ---------------------------------------------------------------------------------


@message_rule(
    "alias/previous-id-missing",
    "error",
    "An alias call has `previousId`, a non-empty string.",
    "Alias merges previousId into userId; without it there is nothing to merge.",
    examples=[
        {"type": "alias", "userId": "u-1"},
        {"type": "alias", "userId": "u-1", "previousId": 5},
    ],
    passes=[{"type": "alias", "userId": "u-1", "previousId": _ANON}],
    types=["alias"],
)
def alias_previous_id(message: dict[str, Any], meta: MessageMeta) -> tuple[Violation, ...]:
    v = message.get("previousId")
    if type(v) is str and v.strip():
        return _NONE
    if v is None:
        text = "An alias call has no previousId; set it to the old id (usually the anonymousId)."
    else:
        text = f"previousId is {described(v)}; send the old id as a non-empty string."
    return (Violation("alias/previous-id-missing", "error", "previousId", text),)


@message_rule(
    "alias/user-id-missing",
    "error",
    "An alias call has a `userId`.",
    "userId is the identity the previous id is merged into; alias without it is discarded.",
    examples=[{"type": "alias", "previousId": _ANON, "anonymousId": _ANON}],
    passes=[{"type": "alias", "userId": "u-1", "previousId": _ANON}],
    types=["alias"],
)
def alias_user_id(message: dict[str, Any], meta: MessageMeta) -> tuple[Violation, ...]:
    if message.get("userId") is not None:
        return _NONE
    return (
        Violation(
            "alias/user-id-missing",
            "error",
            "userId",
            "An alias call has no userId; set it to the new, known id of the user.",
        ),
    )


@message_rule(
    "alias/same-ids",
    "warning",
    "An alias call's `previousId` differs from its `userId`.",
    "Aliasing an id to itself does nothing, which usually means the old id was lost before "
    "the call.",
    examples=[{"type": "alias", "userId": "u-1", "previousId": "u-1"}],
    passes=[{"type": "alias", "userId": "u-1", "previousId": _ANON}],
    types=["alias"],
)
def alias_same_ids(message: dict[str, Any], meta: MessageMeta) -> tuple[Violation, ...]:
    v = message.get("previousId")
    if type(v) is not str or not v or v != message.get("userId"):
        return _NONE
    return (
        Violation(
            "alias/same-ids",
            "warning",
            "previousId",
            "previousId equals userId, so the alias merges nothing; pass the old id "
            "(e.g. the anonymousId before login).",
        ),
    )
