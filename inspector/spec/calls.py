"""Spec rules: what each call type needs (track, identify, page, screen, group, alias).

One checker (``check_calls``) dispatches on the call type; each rule is registered below it
with its own id, docs and examples.
"""

from __future__ import annotations

from typing import Any

from inspector.model import MessageMeta, Violation
from inspector.spec.registry import checked_rule, checker
from inspector.spec.values import described, preview

_NONE: tuple[Violation, ...] = ()
_ANON = "23adfd82-aa0f-45a7-a756-24f2a7a4c895"

_DISCARD_CODE = {"properties": "properties_not_object", "traits": "traits_not_object"}


def _not_object(t: str, key: str, v: Any) -> Violation:
    return Violation(
        f"{t}/{key}-type",
        "error",
        key,
        f'{key} is {described(v)}; send an object of name/value pairs, e.g. {{"plan": "pro"}}.',
    )


def _blank_or_not_string(rule: str, key: str, v: Any) -> Violation:
    what = "blank" if type(v) is str else described(v)
    return Violation(
        rule, "error", key, f"{key} is {what}; send a non-empty string or leave {key} out."
    )


def _empty_category(t: str) -> Violation:
    return Violation(
        f"{t}/category-empty",
        "warning",
        "category",
        'category is "" (analytics-kotlin sends that when no category is given). Segment '
        "lists an empty category as a reason to discard the call: pass a category, or leave "
        "it out.",
    )


def _track(message: dict[str, Any], out: list[Violation]) -> None:
    ev = message.get("event")
    if ev is None:
        hint = ""
        name = message.get("name")
        if type(name) is str and name:
            hint = f' The message has name {preview(name)}: send it as "event".'
        out.append(
            Violation(
                "track/event-missing",
                "error",
                "event",
                "A track call has no event; Segment drops it. Set event to what the user did, "
                f'e.g. "Order Completed".{hint}',
            )
        )
    elif type(ev) is not str or not ev or ev.isspace():
        what = "blank" if type(ev) is str else described(ev)
        out.append(
            Violation(
                "track/event-type",
                "error",
                "event",
                f"event is {what}; send a non-empty string naming the action, e.g. "
                '"Order Completed".',
            )
        )
    p = message.get("properties")
    if p is not None and type(p) is not dict:
        out.append(_not_object("track", "properties", p))


def _page_or_screen(t: str, message: dict[str, Any], out: list[Violation]) -> None:
    for key in ("name", "category"):
        v = message.get(key)
        if v is not None and (type(v) is not str or not v or v.isspace()):
            if key == "category" and v == "":
                out.append(_empty_category(t))
            else:
                out.append(_blank_or_not_string(f"{t}/{key}-type", key, v))
    p = message.get("properties")
    if p is not None and type(p) is not dict:
        out.append(_not_object(t, "properties", p))


def _group(message: dict[str, Any], out: list[Violation]) -> None:
    g = message.get("groupId")
    if g is None or (type(g) is str and (not g or g.isspace())):
        out.append(
            Violation(
                "group/group-id-missing",
                "error",
                "groupId",
                "A group call has no groupId; set it to the account's id in your database.",
            )
        )
    elif type(g) is not str:
        hint = f" ({preview(str(g))})" if type(g) in (int, float) else ""
        out.append(
            Violation(
                "group/group-id-type",
                "error",
                "groupId",
                f"groupId is {described(g)}; send it as a string{hint}.",
            )
        )
    tr = message.get("traits")
    if tr is not None and type(tr) is not dict:
        out.append(_not_object("group", "traits", tr))


def _alias(message: dict[str, Any], out: list[Violation]) -> None:
    prev = message.get("previousId")
    if type(prev) is not str or not prev or prev.isspace():
        if prev is None:
            text = (
                "An alias call has no previousId; set it to the old id (usually the anonymousId)."
            )
        else:
            text = f"previousId is {described(prev)}; send the old id as a non-empty string."
        out.append(Violation("alias/previous-id-missing", "error", "previousId", text))
    uid = message.get("userId")
    if uid is None:
        out.append(
            Violation(
                "alias/user-id-missing",
                "error",
                "userId",
                "An alias call has no userId; set it to the new, known id of the user.",
            )
        )
    elif type(prev) is str and prev and prev == uid:
        out.append(
            Violation(
                "alias/same-ids",
                "warning",
                "previousId",
                "previousId equals userId, so the alias merges nothing; pass the old id "
                "(e.g. the anonymousId before login).",
            )
        )


@checker("calls", types=("track", "identify", "page", "screen", "group", "alias"))
def check_calls(
    message: dict[str, Any], meta: MessageMeta
) -> list[Violation] | tuple[Violation, ...]:
    t = message.get("type")
    out: list[Violation] = []
    if t == "track":
        _track(message, out)
    elif t == "page" or t == "screen":
        _page_or_screen(t, message, out)
    elif t == "identify":
        tr = message.get("traits")
        if tr is not None and type(tr) is not dict:
            out.append(_not_object("identify", "traits", tr))
    elif t == "group":
        _group(message, out)
    elif t == "alias":
        _alias(message, out)
    return out if out else _NONE


# -- the rules ------------------------------------------------------------------------------


def _msg(t: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"type": t, "anonymousId": _ANON}
    if t == "group":
        base["groupId"] = "0e8c78ea9d97"
    base.update(fields)
    return base


checked_rule(
    "track/event-missing",
    "error",
    "A track call has an `event`.",
    "Segment discards a track call without an event name (event_not_defined).",
    checker="calls",
    examples=[_msg("track", properties={"plan": "pro"})],
    passes=[_msg("track", event="Plan Upgraded")],
    types=["track"],
)
checked_rule(
    "track/event-type",
    "error",
    "A track call's `event` is a non-empty string.",
    "Segment discards a track call whose event is not a string (event_not_string), and an "
    "empty name cannot be told apart from other empty names.",
    checker="calls",
    examples=[_msg("track", event=42), _msg("track", event=""), _msg("track", event="   ")],
    passes=[_msg("track", event="Order Completed")],
    types=["track"],
)

for _call, _key in (
    ("track", "properties"),
    ("page", "properties"),
    ("screen", "properties"),
    ("identify", "traits"),
    ("group", "traits"),
):
    _ok = {"event": "Plan Upgraded"} if _call == "track" else {}
    checked_rule(
        f"{_call}/{_key}-type",
        "error",
        f"{'An' if _call[0] in 'aeiou' else 'A'} {_call} call's `{_key}`, when present, is an "
        "object.",
        f"Segment discards the call when {_key} is not an object ({_DISCARD_CODE[_key]}).",
        checker="calls",
        examples=[_msg(_call, **_ok, **{_key: "plan=pro"}), _msg(_call, **_ok, **{_key: [1, 2]})],
        passes=[_msg(_call, **_ok, **{_key: {"plan": "pro"}}), _msg(_call, **_ok, **{_key: {}})],
        types=[_call],
    )

for _call in ("page", "screen"):
    for _key, _code in (("name", "name_not_string"), ("category", "category_not_string")):
        checked_rule(
            f"{_call}/{_key}-type",
            "error",
            f"A {_call} call's `{_key}`, when present, is a non-empty string.",
            f"Segment discards the call when {_key} is empty or not a string ({_code}).",
            checker="calls",
            examples=[
                _msg(_call, **{_key: "" if _key == "name" else " "}),
                _msg(_call, **{_key: 7}),
            ],
            passes=[_msg(_call, **{_key: "Pricing"}), _msg(_call)],
            types=[_call],
        )
    checked_rule(
        f"{_call}/category-empty",
        "warning",
        f'A {_call} call\'s `category`, when present, is not the empty string "".',
        "Segment lists an empty category as a discard reason (category_not_string), and "
        "analytics-kotlin sends one on every call made without a category; a warning, not an "
        "error, because an official SDK sends it.",
        checker="calls",
        examples=[_msg(_call, name="Home", category="")],
        passes=[_msg(_call, name="Home", category="Docs"), _msg(_call, name="Home")],
        types=[_call],
    )

checked_rule(
    "group/group-id-missing",
    "error",
    "A group call has a non-empty `groupId`.",
    "The group call exists to tie the user to an account; without groupId there is none.",
    checker="calls",
    examples=[
        {"type": "group", "anonymousId": _ANON, "traits": {"name": "Initech"}},
        _msg("group", groupId=""),
    ],
    passes=[_msg("group", groupId="0e8c78ea9d97")],
    types=["group"],
)
checked_rule(
    "group/group-id-type",
    "error",
    "A group call's `groupId` is a string.",
    "The Spec types groupId as a string; a number loses leading zeros and may not match the "
    "account id elsewhere.",
    checker="calls",
    examples=[_msg("group", groupId=1234), _msg("group", groupId={"id": "a"})],
    passes=[_msg("group", groupId="1234")],
    types=["group"],
)
checked_rule(
    "alias/previous-id-missing",
    "error",
    "An alias call has `previousId`, a non-empty string.",
    "Alias merges previousId into userId; without it there is nothing to merge.",
    checker="calls",
    examples=[
        {"type": "alias", "userId": "u-1"},
        {"type": "alias", "userId": "u-1", "previousId": 5},
    ],
    passes=[{"type": "alias", "userId": "u-1", "previousId": _ANON}],
    types=["alias"],
)
checked_rule(
    "alias/user-id-missing",
    "error",
    "An alias call has a `userId`.",
    "userId is the identity the previous id is merged into; alias without it is discarded.",
    checker="calls",
    examples=[{"type": "alias", "previousId": _ANON, "anonymousId": _ANON}],
    passes=[{"type": "alias", "userId": "u-1", "previousId": _ANON}],
    types=["alias"],
)
checked_rule(
    "alias/same-ids",
    "warning",
    "An alias call's `previousId` differs from its `userId`.",
    "Aliasing an id to itself does nothing, which usually means the old id was lost before "
    "the call.",
    checker="calls",
    examples=[{"type": "alias", "userId": "u-1", "previousId": "u-1"}],
    passes=[{"type": "alias", "userId": "u-1", "previousId": _ANON}],
    types=["alias"],
)
