"""Spec rules: the common fields every message carries. Registered on import."""

from __future__ import annotations

from typing import Any

from inspector.model import MessageMeta, Violation
from inspector.spec.registry import message_rule
from inspector.spec.values import described, looks_like_email, parse_time, preview

CALL_TYPES = ("track", "identify", "page", "screen", "group", "alias")
_CALL_TYPE_SET = frozenset(CALL_TYPES)
_NONE: tuple[Violation, ...] = ()

_ID = "23adfd82-aa0f-45a7-a756-24f2a7a4c895"


def _track(**extra: Any) -> dict[str, Any]:
    msg: dict[str, Any] = {
        "type": "track",
        "event": "Course Clicked",
        "anonymousId": _ID,
        "messageId": "ajs-f8ca1e4de5024d9430b3928bd8ac6b96",
    }
    msg.update(extra)
    return {k: v for k, v in msg.items() if v is not _DROP}


_DROP = object()


# -- the message itself ---------------------------------------------------------------


@message_rule(
    "common/not-an-object",
    "error",
    "The message is a JSON object.",
    "Segment answers 400 for anything else, and no other check can run on it.",
    examples=[["track", "Order Completed"], "hello", None],
    passes=[_track()],
)
def not_an_object(message: Any, meta: MessageMeta) -> tuple[Violation, ...]:
    if type(message) is dict:
        return _NONE
    return (
        Violation(
            "common/not-an-object",
            "error",
            "",
            f"The message is {described(message)}, not a JSON object; send one object per call "
            'with a "type" field.',
        ),
    )


@message_rule(
    "common/type-unknown",
    "error",
    "`type` is one of track, identify, page, screen, group, alias.",
    "Segment routes a message by its type; a missing or unknown type is rejected in a batch.",
    examples=[_track(type="event"), _track(type=_DROP), _track(type="Track")],
    passes=[_track(), {"type": "identify", "userId": "u1"}],
)
def type_unknown(message: dict[str, Any], meta: MessageMeta) -> tuple[Violation, ...]:
    t = message.get("type")
    if type(t) is str and t in _CALL_TYPE_SET:
        return _NONE
    if t is None:
        text = '"type" is missing; set it to track, identify, page, screen, group or alias.'
    elif type(t) is str and t.lower() in _CALL_TYPE_SET:
        text = f'"type" is {preview(t)}; types are lower-case: use "{t.lower()}".'
    else:
        text = f'"type" is {described(t)}; use one of track, identify, page, screen, group, alias.'
    return (Violation("common/type-unknown", "error", "type", text),)


# -- identity ---------------------------------------------------------------------------


@message_rule(
    "common/missing-identity",
    "error",
    "Every call except alias carries a `userId` or an `anonymousId`.",
    "Segment discards a message with neither (no_user_anon_id): it cannot be tied to anyone.",
    examples=[_track(anonymousId=_DROP), _track(anonymousId=None, userId=None)],
    passes=[_track(), _track(anonymousId=_DROP, userId="u-1")],
)
def missing_identity(message: dict[str, Any], meta: MessageMeta) -> tuple[Violation, ...]:
    if message.get("userId") is not None or message.get("anonymousId") is not None:
        return _NONE
    if message.get("type") == "alias":
        return _NONE  # alias has its own rules for userId/previousId
    return (
        Violation(
            "common/missing-identity",
            "error",
            "",
            "The message has neither userId nor anonymousId; Segment drops it. Set one of them "
            "(the SDKs set anonymousId for you unless it was removed).",
        ),
    )


@message_rule(
    "common/id-type",
    "error",
    "`userId` and `anonymousId`, when present, are non-empty strings.",
    "Segment discards ids that are empty or not strings (id_not_string).",
    examples=[_track(userId=12345), _track(anonymousId=""), _track(userId={"id": 1})],
    passes=[_track(userId="12345"), _track(userId=None)],
)
def id_type(message: dict[str, Any], meta: MessageMeta) -> list[Violation] | tuple[Violation, ...]:
    out: list[Violation] | None = None
    for key in ("userId", "anonymousId"):
        v = message.get(key)
        if v is None or (type(v) is str and v.strip()):
            continue
        if out is None:
            out = []
        if type(v) is str:
            text = f"{key} is an empty string; Segment drops the message. Leave it out or send a real id."
        elif type(v) in (int, float):
            text = f"{key} is {described(v)}; send it as a string ({preview(str(v))})."
        else:
            text = f"{key} is {described(v)}; send a non-empty string."
        out.append(Violation("common/id-type", "error", key, text))
    return out if out is not None else _NONE


_PLACEHOLDERS = frozenset(
    {
        "null",
        "undefined",
        "none",
        "nil",
        "nan",
        "anonymous",
        "unknown",
        "void",
        "abc123",
        "-1",
        "[object object]",
        "{}",
        "user_id",
        "userid",
        "anonymous_id",
        "anonymousid",
    }
)


def is_placeholder(v: str) -> bool:
    """A hard-coded or serialised-empty id: "null", "undefined", "-1", all zeros, ..."""
    if not v:
        return False
    if v[0] in "0-" and not v.strip("0-"):
        return True
    return len(v) <= 16 and v.strip().lower() in _PLACEHOLDERS


_PLACEHOLDER_KEYS = ("userId", "anonymousId", "groupId", "previousId")


@message_rule(
    "common/placeholder-id",
    "warning",
    'No id is a placeholder such as "null", "undefined", "anonymous", "-1" or all zeros.',
    "Every user sent with the same placeholder id is merged into one profile downstream.",
    examples=[
        _track(userId="null"),
        _track(anonymousId="00000000-0000-0000-0000-000000000000"),
        {"type": "group", "userId": "u1", "groupId": "undefined"},
    ],
    passes=[_track(userId="0a3f2c"), _track(userId="1000")],
)
def placeholder_id(
    message: dict[str, Any], meta: MessageMeta
) -> list[Violation] | tuple[Violation, ...]:
    out: list[Violation] | None = None
    for key in _PLACEHOLDER_KEYS:
        v = message.get(key)
        if type(v) is str and v and is_placeholder(v):
            if out is None:
                out = []
            out.append(
                Violation(
                    "common/placeholder-id",
                    "warning",
                    key,
                    f"{key} is {preview(v)}, a placeholder; every user sent with it becomes one "
                    "profile. Send the real id, or leave the field out.",
                )
            )
    return out if out is not None else _NONE


@message_rule(
    "common/email-as-user-id",
    "info",
    "`userId` is not an email address.",
    "Emails change and are personal data; Segment advises a stable database id as userId "
    "and the email as a trait.",
    examples=[_track(userId="jane@example.com")],
    passes=[_track(userId="u-42"), _track(userId="team@")],
)
def email_as_user_id(message: dict[str, Any], meta: MessageMeta) -> tuple[Violation, ...]:
    v = message.get("userId")
    if type(v) is not str or "@" not in v or not looks_like_email(v):
        return _NONE
    return (
        Violation(
            "common/email-as-user-id",
            "info",
            "userId",
            "userId is an email address; use a stable database id and send the email as the "
            "email trait.",
        ),
    )


# -- messageId ---------------------------------------------------------------------------


@message_rule(
    "common/message-id-type",
    "error",
    "`messageId`, when present, is a non-empty string.",
    "The library validators reject a non-string messageId, and Segment de-duplicates on it.",
    examples=[_track(messageId=42), _track(messageId="")],
    passes=[_track(), _track(messageId=None)],
)
def message_id_type(message: dict[str, Any], meta: MessageMeta) -> tuple[Violation, ...]:
    v = message.get("messageId")
    if v is None or (type(v) is str and v):
        return _NONE
    return (
        Violation(
            "common/message-id-type",
            "error",
            "messageId",
            f"messageId is {described(v)}; send a unique non-empty string (a UUID) or leave it "
            "out.",
        ),
    )


@message_rule(
    "common/message-id-too-long",
    "error",
    "`messageId` is under 100 characters.",
    "Segment requires messageId to be under 100 characters.",
    examples=[_track(messageId="m" * 120)],
    passes=[_track(messageId="m" * 99)],
)
def message_id_too_long(message: dict[str, Any], meta: MessageMeta) -> tuple[Violation, ...]:
    v = message.get("messageId")
    if type(v) is not str or len(v) < 100:
        return _NONE
    return (
        Violation(
            "common/message-id-too-long",
            "error",
            "messageId",
            f"messageId is {len(v)} characters long; keep it under 100 (a UUID is 36).",
        ),
    )


@message_rule(
    "common/message-id-missing",
    "info",
    "The message carries a `messageId`.",
    "Without one Segment assigns its own, so a retried request is stored twice.",
    examples=[_track(messageId=_DROP)],
    passes=[_track()],
)
def message_id_missing(message: dict[str, Any], meta: MessageMeta) -> tuple[Violation, ...]:
    if "messageId" in message:
        return _NONE
    return (
        Violation(
            "common/message-id-missing",
            "info",
            "messageId",
            "The message has no messageId; set a UUID per message so retries are de-duplicated.",
        ),
    )


# -- timestamps --------------------------------------------------------------------------

TIME_FIELDS = ("timestamp", "sentAt", "originalTimestamp", "receivedAt")


@message_rule(
    "common/timestamp-format",
    "error",
    "`timestamp`, `sentAt`, `originalTimestamp` and `receivedAt`, when present, are ISO-8601 "
    "strings.",
    "Segment cannot read any other form, so the event lands at the wrong time or the "
    "timestamp is lost.",
    examples=[_track(timestamp=1449947461), _track(sentAt="12/12/2015 19:11")],
    passes=[_track(timestamp="2015-12-12T19:11:01.249Z", sentAt="2015-12-12T19:11:01+00:00")],
)
def timestamp_format(
    message: dict[str, Any], meta: MessageMeta
) -> list[Violation] | tuple[Violation, ...]:
    out: list[Violation] | None = None
    for key in TIME_FIELDS:
        v = message.get(key)
        if v is None:
            continue
        if parse_time(v) is not None:
            continue
        if out is None:
            out = []
        hint = " (epoch numbers are not accepted)" if type(v) in (int, float) else ""
        out.append(
            Violation(
                "common/timestamp-format",
                "error",
                key,
                f"{key} is {described(v)}, not an ISO-8601 date-time{hint}; send e.g. "
                '"2015-12-12T19:11:01.249Z".',
            )
        )
    return out if out is not None else _NONE


@message_rule(
    "common/timestamp-timezone",
    "warning",
    "ISO-8601 timestamps carry a time-zone offset (`Z` or `+hh:mm`).",
    "A time without an offset is read as UTC, shifting events by the device's offset.",
    examples=[_track(timestamp="2015-12-12T19:11:01")],
    passes=[_track(timestamp="2015-12-12T19:11:01Z")],
)
def timestamp_timezone(
    message: dict[str, Any], meta: MessageMeta
) -> list[Violation] | tuple[Violation, ...]:
    out: list[Violation] | None = None
    for key in TIME_FIELDS:
        v = message.get(key)
        if type(v) is not str:
            continue
        dt = parse_time(v)
        if dt is None or dt.tzinfo is not None:
            continue
        if out is None:
            out = []
        out.append(
            Violation(
                "common/timestamp-timezone",
                "warning",
                key,
                f"{key} is {preview(v)} with no time-zone offset; it will be read as UTC. "
                'Append "Z" for UTC or the local offset.',
            )
        )
    return out if out is not None else _NONE


# -- context and integrations -------------------------------------------------------------


@message_rule(
    "common/context-type",
    "error",
    "`context`, when present, is an object.",
    "Segment and every destination read context as a dictionary; anything else is dropped.",
    examples=[_track(context="web"), _track(context=[{"ip": "1.2.3.4"}])],
    passes=[_track(context={}), _track(context=None)],
)
def context_type(message: dict[str, Any], meta: MessageMeta) -> tuple[Violation, ...]:
    v = message.get("context")
    if v is None or type(v) is dict:
        return _NONE
    return (
        Violation(
            "common/context-type",
            "error",
            "context",
            f"context is {described(v)}; send an object such as "
            '{"library": {"name": "...", "version": "..."}}.',
        ),
    )


@message_rule(
    "common/integrations-type",
    "error",
    "`integrations`, when present, is an object.",
    "Segment reads it as destination name -> enabled/options; anything else is ignored or "
    "rejected.",
    examples=[_track(integrations=["Mixpanel"]), _track(integrations="All")],
    passes=[_track(integrations={}), _track(integrations={"All": True, "Mixpanel": False})],
)
def integrations_type(message: dict[str, Any], meta: MessageMeta) -> tuple[Violation, ...]:
    v = message.get("integrations")
    if v is None or type(v) is dict:
        return _NONE
    return (
        Violation(
            "common/integrations-type",
            "error",
            "integrations",
            f"integrations is {described(v)}; send an object such as "
            '{"All": true, "Salesforce": false}.',
        ),
    )


@message_rule(
    "common/integrations-value",
    "warning",
    "Each `integrations` value is a boolean or an options object.",
    'A string such as "false" is truthy: the destination you meant to switch off still gets '
    "the event.",
    examples=[_track(integrations={"Mixpanel": "false"}), _track(integrations={"All": 0})],
    passes=[_track(integrations={"Mixpanel": False, "Amplitude": {"session_id": 1}})],
)
def integrations_value(
    message: dict[str, Any], meta: MessageMeta
) -> list[Violation] | tuple[Violation, ...]:
    v = message.get("integrations")
    if type(v) is not dict or not v:
        return _NONE
    out: list[Violation] | None = None
    for name, opt in v.items():
        t = type(opt)
        if t is bool or t is dict:
            continue
        if out is None:
            out = []
        out.append(
            Violation(
                "common/integrations-value",
                "warning",
                f"integrations.{name}",
                f"integrations.{name} is {described(opt)}; use true, false or an options object.",
            )
        )
    return out if out is not None else _NONE


# -- fields sent on the wrong call --------------------------------------------------------

#: call type -> {field: where it belongs}
_MISPLACED: dict[str, dict[str, str]] = {
    "track": {
        "traits": "context.traits (or an identify call)",
        "groupId": "context.groupId",
        "previousId": "an alias call",
    },
    "identify": {
        "properties": "traits",
        "event": "a track call",
        "groupId": "context.groupId (or a group call)",
    },
    "page": {"event": "a track call", "traits": "context.traits"},
    "screen": {"event": "a track call", "traits": "context.traits"},
    "group": {"event": "a track call", "properties": "traits"},
    "alias": {"event": "a track call", "properties": "a track call", "traits": "an identify call"},
}


@message_rule(
    "common/misplaced-field",
    "warning",
    "Fields that belong to another call (traits on track, properties on identify, ...) are "
    "not sent at the top level.",
    "Segment and destinations ignore them there, so the data silently goes nowhere.",
    examples=[
        _track(traits={"plan": "pro"}),
        {"type": "identify", "userId": "u1", "properties": {"plan": "pro"}},
    ],
    passes=[
        _track(context={"traits": {"plan": "pro"}}),
        {"type": "identify", "userId": "u1", "traits": {"plan": "pro"}},
    ],
)
def misplaced_field(
    message: dict[str, Any], meta: MessageMeta
) -> list[Violation] | tuple[Violation, ...]:
    t = message.get("type")
    table = _MISPLACED.get(t) if type(t) is str else None
    if table is None:
        return _NONE
    out: list[Violation] | None = None
    for key, where in table.items():
        if message.get(key) is None:
            continue
        if out is None:
            out = []
        out.append(
            Violation(
                "common/misplaced-field",
                "warning",
                key,
                f"A {t} call has a top-level {key}, which Segment ignores on {t}; move it to "
                f"{where}.",
            )
        )
    return out if out is not None else _NONE
