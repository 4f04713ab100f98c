"""Spec rules: the common fields every message carries, plus the per-message session/*
rules that read the same fields (size, batch position, clock skew, integrations).

One checker (``check_common``) finds them all in a single pass; each rule is registered
below it with its own id, docs and examples.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from inspector.model import MessageMeta, Violation
from inspector.spec.registry import Example, checked_rule, checker, message_rule
from inspector.spec.values import (
    article,
    described,
    iso_time,
    looks_like_email,
    parse_time,
    preview,
)

CALL_TYPES = ("track", "identify", "page", "screen", "group", "alias")
_CALL_TYPE_SET = frozenset(CALL_TYPES)
_NONE: tuple[Violation, ...] = ()
_MISSING = object()

MAX_MESSAGE_BYTES = 32 * 1024
MAX_BATCH_EVENTS = 2500
#: Beyond this, sentAt vs arrival (or a timestamp in the future) is reported as skew.
SKEW_SECONDS = 5 * 60

TIME_FIELDS = ("receivedAt", "timestamp", "sentAt", "originalTimestamp")
_fromisoformat = iso_time

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
        "",  # what is left of '""', "<>", "()" once the wrappers are stripped
        "n/a",
        "na",
        "false",
        "true",
        "empty",
        "blank",
        "missing",
        "not set",
        "notset",
        "unset",
        "default",
        "placeholder",
    }
)


#: An id that is an unrendered template or variable: ``{{userId}}``, ``${user.id}``,
#: ``%{id}``, ``#{id}``, ``<%= id %>``, ``{userId}``, ``$userId``, ``%USER_ID%``.
_TEMPLATE = re.compile(
    r"\{\{.*\}\}|\$\{.*\}|[%#]\{.*\}|<%.*%>|\{[A-Za-z_][\w.\-]*\}|\$[A-Za-z_]\w*"
    r"|%[A-Za-z_]\w*%",
    re.DOTALL,
)
_TEMPLATE_FIRST = frozenset("{$%#<")
#: Wrappers a serialised empty or null value keeps: quotes, angle brackets (Go's ``<nil>``),
#: parentheses (C's ``(null)``), square brackets.
_WRAPPERS = "'\"`<>()[] "
#: The first characters of ids the fast path must still look at (placeholders, templates,
#: quotes, blanks).
SLOW_FIRST = frozenset("0-{$%#<('\"`[ \t\n\r\u00a0\u3000")


def is_placeholder(v: str) -> bool:
    """A hard-coded, serialised-empty or unrendered id: "null", "undefined", "N/A", "false",
    "-1", all zeros, '""', "<nil>", "{{userId}}", "${userId}", ..."""
    if not v:
        return False
    if v[0] in "0-" and not v.strip("0-"):
        return True
    if v[0].isalnum() and v[-1].isalnum():
        # no wrapper, no template, no padding: only the words themselves ("null", "N/A")
        return len(v) <= 24 and v.lower() in _PLACEHOLDERS
    if len(v) > 64:
        return False
    text = v.strip()
    if len(text) <= 24:
        low = text.lower()
        if low in _PLACEHOLDERS or low.strip(_WRAPPERS) in _PLACEHOLDERS:
            return True  # includes '""', "''", "<>", "()": the empty string serialised
    return text[:1] in _TEMPLATE_FIRST and _TEMPLATE.fullmatch(text) is not None


#: call type -> {field: where it belongs}
_MISPLACED: dict[str, tuple[tuple[str, str], ...]] = {
    "track": (
        ("traits", "context.traits (or an identify call)"),
        ("groupId", "context.groupId"),
        ("previousId", "an alias call"),
    ),
    "identify": (
        ("properties", "traits"),
        ("event", "a track call"),
        ("groupId", "context.groupId (or a group call)"),
    ),
    "page": (("event", "a track call"), ("traits", "context.traits")),
    "screen": (("event", "a track call"), ("traits", "context.traits")),
    "group": (("event", "a track call"), ("properties", "traits")),
    "alias": (
        ("event", "a track call"),
        ("properties", "a track call"),
        ("traits", "an identify call"),
    ),
}

# -- messages (the slow path: only built when something is wrong) --------------------------


def _type_unknown(t: Any) -> Violation:
    if t is None:
        text = '"type" is missing; set it to track, identify, page, screen, group or alias.'
    elif type(t) is str and t.lower() in _CALL_TYPE_SET:
        text = f'"type" is {preview(t)}; types are lower-case: use "{t.lower()}".'
    else:
        text = f'"type" is {described(t)}; use one of track, identify, page, screen, group, alias.'
    return Violation("common/type-unknown", "error", "type", text)


def _usable_id(v: Any) -> bool:
    return type(v) is str and bool(v) and not v.isspace()


def _check_id(key: str, v: Any, out: list[Violation], other: Any = None) -> None:
    if type(v) is not str or not v or v.isspace():
        if type(v) is str and _usable_id(other):
            # analytics-kotlin sends userId "" for anonymous users; Segment identifies the
            # message by the other id, so this is harmful noise, not a dropped message.
            other_key = "anonymousId" if key == "userId" else "userId"
            out.append(
                Violation(
                    "common/empty-id",
                    "warning",
                    key,
                    f"{key} is {_empty(v)}; Segment identifies this message by {other_key} "
                    f"alone. Leave {key} out until there is a real one.",
                )
            )
            return
        if type(v) is str:
            text = (
                f"{key} is {_empty(v)}; Segment drops the message. Leave it out or send a real id."
            )
        elif type(v) in (int, float):
            text = f"{key} is {described(v)}; send it as a string ({preview(str(v))})."
        else:
            text = f"{key} is {described(v)}; send a non-empty string."
        out.append(Violation("common/id-type", "error", key, text))
        return
    if is_placeholder(v):
        out.append(_placeholder(key, v))
    if key == "userId" and "@" in v and looks_like_email(v):
        out.append(
            Violation(
                "common/email-as-user-id",
                "info",
                "userId",
                "userId is an email address; use a stable database id and send the email as "
                "the email trait.",
            )
        )


def _empty(v: str) -> str:
    """ "an empty string" or "blank (only whitespace)": what an unusable string id is."""
    return "an empty string" if not v else f"blank ({preview(v)}, only whitespace)"


#: id field -> what a placeholder there does, and what to send instead.
_PLACEHOLDER_ADVICE = {
    "groupId": (
        "every account sent with it becomes one group (company) downstream",
        "Send the account's real id.",
    ),
    "previousId": (
        "every user aliased with it is merged into one identity",
        "Send the id the user had before (their anonymousId or old userId); alias needs it.",
    ),
}
_USER_ADVICE = (
    "every user sent with it becomes one profile",
    "Send the real id, or leave the field out.",
)


def _placeholder(key: str, v: str) -> Violation:
    effect, fix = _PLACEHOLDER_ADVICE.get(key, _USER_ADVICE)
    return Violation(
        "common/placeholder-id",
        "warning",
        key,
        f"{key} is {preview(v)}, a placeholder; {effect}. {fix}",
    )


def _message_id(mid: Any, out: list[Violation]) -> None:
    if mid is _MISSING:
        out.append(
            Violation(
                "common/message-id-missing",
                "info",
                "messageId",
                "The message has no messageId; set a UUID per message so retries are "
                "de-duplicated.",
            )
        )
    elif type(mid) is not str or not mid:
        out.append(
            Violation(
                "common/message-id-type",
                "error",
                "messageId",
                f"messageId is {described(mid)}; send a unique non-empty string (a UUID) or "
                "leave it out.",
            )
        )
    else:
        out.append(
            Violation(
                "common/message-id-too-long",
                "error",
                "messageId",
                f"messageId is {len(mid)} characters long; keep it under 100 (a UUID is 36).",
            )
        )


def _bad_time(key: str, v: Any) -> Violation:
    hint = " (epoch numbers are not accepted)" if type(v) in (int, float) else ""
    return Violation(
        "common/timestamp-format",
        "error",
        key,
        f"{key} is {described(v)}, not an ISO-8601 date-time{hint}; send e.g. "
        '"2015-12-12T19:11:01.249Z".',
    )


def _naive_time(key: str, v: str) -> Violation:
    return Violation(
        "common/timestamp-timezone",
        "warning",
        key,
        f"{key} is {preview(v)} with no time-zone offset; it will be read as UTC. "
        'Append "Z" for UTC or the local offset.',
    )


def _duration(delta_s: float) -> str:
    s = abs(delta_s)
    if s < 3600:
        return f"{s / 60:.0f} minutes"
    if s < 172800:
        return f"{s / 3600:.1f} hours"
    return f"{s / 86400:.0f} days"


def _utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt


#: The last arrival time parsed (batches share one); a pure memo.
_ARRIVAL: list[Any] = [None, None]
_SKEW = timedelta(seconds=SKEW_SECONDS)


def _arrival(value: Any) -> tuple[datetime, datetime, datetime] | None:
    """(arrival, earliest sentAt, latest sentAt/timestamp) without skew; memoised."""
    if _ARRIVAL[0] == value:
        return _ARRIVAL[1]  # type: ignore[no-any-return]
    dt = parse_time(value) if type(value) is str else None
    bounds = _bounds(_utc(dt)) if dt is not None else None
    _ARRIVAL[0], _ARRIVAL[1] = value, bounds
    return bounds


def _bounds(dt: datetime) -> tuple[datetime, datetime, datetime] | None:
    try:
        return dt, dt - _SKEW, dt + _SKEW
    except OverflowError:  # year 1 or 9999
        return None


#: The last batch-level sentAt parsed (every item of a batch shares it); a pure memo.
_BATCH_SENT: list[Any] = [None, None]


def _batch_sent_at(value: str) -> datetime | None:
    if _BATCH_SENT[0] == value:
        return _BATCH_SENT[1]  # type: ignore[no-any-return]
    dt = None
    if 8 <= len(value) <= 64:
        try:
            dt = _utc(_fromisoformat(value))
        except ValueError:
            dt = None
    _BATCH_SENT[0], _BATCH_SENT[1] = value, dt
    return dt


def _skew(key: str, delta: float, batch: bool = False) -> Violation:
    if key == "sentAt":
        what = "The batch's sentAt" if batch else "sentAt"
        text = (
            f"{what} is {_duration(delta)} {'ahead of' if delta > 0 else 'behind'} the arrival "
            "time; the sending device's clock is off (or the event was queued offline for "
            "long). Check the device clock."
        )
    else:
        text = (
            f"{key} is {_duration(delta)} in the future of the arrival time; the clock that set "
            "it is ahead. Set it from a correct clock, or leave it to the SDK."
        )
    return Violation("session/clock-skew", "warning", key, text)


def _integrations(integ: dict[str, Any], out: list[Violation]) -> None:
    enabled = False
    for name, opt in integ.items():
        t = type(opt)
        if t is bool or t is dict:
            if name != "All" and (opt is True or t is dict):
                enabled = True
            continue
        out.append(
            Violation(
                "common/integrations-value",
                "warning",
                f"integrations.{name}",
                f"integrations.{name} is {described(opt)}; use true, false or an options object.",
            )
        )
    if integ.get("All") is False and not enabled:
        out.append(
            Violation(
                "session/all-integrations-disabled",
                "warning",
                "integrations.All",
                "integrations.All is false and no destination is switched back on, so this "
                'event reaches no destination. Enable the ones you need (e.g. "Mixpanel": true) '
                'or drop "All": false.',
            )
        )


# -- the checker ----------------------------------------------------------------------------


@checker("common")
def check_common(
    message: dict[str, Any], meta: MessageMeta
) -> list[Violation] | tuple[Violation, ...]:
    out: list[Violation] = []
    get = message.get
    t = get("type")
    if type(t) is not str or t not in _CALL_TYPE_SET:
        out.append(_type_unknown(t))
        t = None

    # identity
    uid = get("userId")
    aid = get("anonymousId")
    if uid is None and aid is None:
        if t != "alias":
            out.append(
                Violation(
                    "common/missing-identity",
                    "error",
                    "",
                    "The message has neither userId nor anonymousId; Segment drops it. Set one "
                    "of them (the SDKs set anonymousId for you unless it was removed).",
                )
            )
    else:
        # fast path: a long string id that cannot be a placeholder or an email
        if uid is not None and not (
            type(uid) is str and len(uid) > 16 and uid[0] not in SLOW_FIRST and "@" not in uid
        ):
            _check_id("userId", uid, out, aid)
        if aid is not None and not (
            type(aid) is str and len(aid) > 16 and aid[0] not in SLOW_FIRST
        ):
            _check_id("anonymousId", aid, out, uid)
    if t == "group" or t == "alias":
        key = "groupId" if t == "group" else "previousId"
        v = get(key)
        if type(v) is str and v and is_placeholder(v):
            out.append(_placeholder(key, v))

    # messageId
    mid = get("messageId", _MISSING)
    if mid is not None and (type(mid) is not str or not mid or len(mid) >= 100):
        _message_id(mid, out)

    # timestamps, and clock skew against the arrival time (receivedAt first: it is the
    # arrival time when the endpoint did not record one)
    arrival_text = meta.received_at
    bounds = _arrival(arrival_text) if arrival_text is not None else None
    for key in TIME_FIELDS:
        v = get(key)
        if v is None:
            continue
        dt = None
        if type(v) is str and 8 <= len(v) <= 64:
            try:
                dt = _fromisoformat(v)
            except ValueError:
                pass
        if dt is None:
            out.append(_bad_time(key, v))
            continue
        if dt.tzinfo is None:
            out.append(_naive_time(key, v))
            dt = dt.replace(tzinfo=UTC)
        if key == "receivedAt":
            if bounds is None:
                bounds = _bounds(dt)
        elif bounds is not None and (dt > bounds[2] or (key == "sentAt" and dt < bounds[1])):
            out.append(_skew(key, (dt - bounds[0]).total_seconds()))
    batch_sent = meta.sent_at
    if batch_sent is not None and get("sentAt") is None:
        # Server and mobile SDKs stamp sentAt on the batch only; it is every item's.
        sent = _batch_sent_at(batch_sent) if type(batch_sent) is str else None
        if sent is None:
            bad = _bad_time("sentAt", batch_sent)
            out.append(replace(bad, message="The batch's " + bad.message))
        elif bounds is not None and (sent > bounds[2] or sent < bounds[1]):
            out.append(_skew("sentAt", (sent - bounds[0]).total_seconds(), batch=True))

    # context and integrations
    ctx = get("context")
    if ctx is not None and type(ctx) is not dict:
        out.append(
            Violation(
                "common/context-type",
                "error",
                "context",
                f"context is {described(ctx)}; send an object such as "
                '{"library": {"name": "...", "version": "..."}}.',
            )
        )
    integ = get("integrations")
    if integ is not None:
        if type(integ) is not dict:
            out.append(
                Violation(
                    "common/integrations-type",
                    "error",
                    "integrations",
                    f"integrations is {described(integ)}; send an object such as "
                    '{"All": true, "Salesforce": false}.',
                )
            )
        elif integ:
            _integrations(integ, out)

    # fields that belong to another call
    if t is not None:
        for key, where in _MISPLACED[t]:
            if get(key) is not None:
                out.append(
                    Violation(
                        "common/misplaced-field",
                        "warning",
                        key,
                        f"{article(t).capitalize()} {t} call has a top-level {key}, which "
                        f"Segment ignores on {t}; move "
                        f"it to {where}.",
                    )
                )

    # size and batch position
    size = meta.size
    if size > MAX_MESSAGE_BYTES:
        out.append(
            Violation(
                "session/message-too-large",
                "error",
                "",
                f"The message is {size:,} bytes, over Segment's 32 KB (32,768-byte) limit; it "
                "will be rejected. Trim large properties or move blobs out of the event.",
            )
        )
    if meta.batch_index >= MAX_BATCH_EVENTS and meta.batch_count > MAX_BATCH_EVENTS:
        out.append(
            Violation(
                "session/batch-too-large",
                "error",
                "",
                f"This is event {meta.batch_index + 1:,} of a {meta.batch_count:,}-event batch; "
                "Segment drops events past the 2,500th. Flush smaller batches.",
            )
        )
    return out if out else _NONE


# -- the rules ------------------------------------------------------------------------------

_ID = "23adfd82-aa0f-45a7-a756-24f2a7a4c895"
_DROP = object()


def _track(**extra: Any) -> dict[str, Any]:
    msg: dict[str, Any] = {
        "type": "track",
        "event": "Course Clicked",
        "anonymousId": _ID,
        "messageId": "ajs-f8ca1e4de5024d9430b3928bd8ac6b96",
    }
    msg.update(extra)
    return {k: v for k, v in msg.items() if v is not _DROP}


@message_rule(
    "common/not-an-object",
    "error",
    "The message is a JSON object.",
    "Segment answers 400 for anything else, and no other check can run on it.",
    examples=[["track", "Order Completed"], "hello", None],
    passes=[_track()],
)
def not_an_object(message: Any, meta: MessageMeta) -> tuple[Violation, ...]:
    """The engine calls this (alone) for every message that is not a dict."""
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


checked_rule(
    "common/type-unknown",
    "error",
    "`type` is one of track, identify, page, screen, group, alias.",
    "Segment routes a message by its type; a missing or unknown type is rejected in a batch.",
    checker="common",
    examples=[_track(type="event"), _track(type=_DROP), _track(type="Track")],
    passes=[_track(), {"type": "identify", "userId": "u1", "messageId": "m1"}],
)
checked_rule(
    "common/missing-identity",
    "error",
    "Every call except alias carries a `userId` or an `anonymousId`.",
    "Segment discards a message with neither (no_user_anon_id): it cannot be tied to anyone.",
    checker="common",
    examples=[_track(anonymousId=_DROP), _track(anonymousId=None, userId=None)],
    passes=[_track(), _track(anonymousId=_DROP, userId="u-1")],
)
checked_rule(
    "common/id-type",
    "error",
    "`userId` and `anonymousId`, when present, are non-empty strings.",
    "Segment discards ids that are empty or not strings (id_not_string).",
    checker="common",
    examples=[
        _track(userId=12345),
        _track(anonymousId="", userId=_DROP),
        _track(userId={"id": 1}),
    ],
    passes=[_track(userId="12345"), _track(userId=None)],
)
checked_rule(
    "common/empty-id",
    "warning",
    "An empty `userId` or `anonymousId` beside a usable other id is left out instead.",
    'Segment identifies the message by the other id (analytics-kotlin sends `userId: ""` for '
    "anonymous users), but an empty id is easy to mistake for a real one in destinations and "
    "queries.",
    checker="common",
    examples=[_track(userId=""), _track(userId="u-1", anonymousId="")],
    passes=[_track(), _track(userId="u-1", anonymousId=_DROP)],
)
checked_rule(
    "common/placeholder-id",
    "warning",
    'No id is a placeholder such as "null", "undefined", "anonymous", "N/A", "-1", all '
    'zeros, a quoted empty string (\'""\') or an unrendered template ("{{userId}}").',
    "Every user sent with the same placeholder id is merged into one profile downstream.",
    checker="common",
    examples=[
        _track(userId="null"),
        _track(anonymousId="00000000-0000-0000-0000-000000000000"),
        {"type": "group", "userId": "u1", "groupId": "undefined"},
        _track(userId="{{userId}}"),
        _track(userId='""'),
    ],
    passes=[_track(userId="0a3f2c"), _track(userId="1000"), _track(userId="user-{42}")],
)
checked_rule(
    "common/email-as-user-id",
    "info",
    "`userId` is not an email address.",
    "Emails change and are personal data; Segment advises a stable database id as userId "
    "and the email as a trait.",
    checker="common",
    examples=[_track(userId="jane@example.com")],
    passes=[_track(userId="u-42"), _track(userId="team@")],
)
checked_rule(
    "common/message-id-type",
    "error",
    "`messageId`, when present, is a non-empty string.",
    "The library validators reject a non-string messageId, and Segment de-duplicates on it.",
    checker="common",
    examples=[_track(messageId=42), _track(messageId="")],
    passes=[_track(), _track(messageId=None)],
)
checked_rule(
    "common/message-id-too-long",
    "error",
    "`messageId` is under 100 characters.",
    "Segment requires messageId to be under 100 characters.",
    checker="common",
    examples=[_track(messageId="m" * 120)],
    passes=[_track(messageId="m" * 99)],
)
checked_rule(
    "common/message-id-missing",
    "info",
    "The message carries a `messageId`.",
    "Without one Segment assigns its own, so a retried request is stored twice.",
    checker="common",
    examples=[_track(messageId=_DROP)],
    passes=[_track()],
)
checked_rule(
    "common/timestamp-format",
    "error",
    "`timestamp`, `sentAt`, `originalTimestamp` and `receivedAt`, when present, are ISO-8601 "
    "strings.",
    "Segment cannot read any other form, so the event lands at the wrong time or the "
    "timestamp is lost.",
    checker="common",
    examples=[_track(timestamp=1449947461), _track(sentAt="12/12/2015 19:11")],
    passes=[
        _track(timestamp="2015-12-12T19:11:01.249Z", sentAt="2015-12-12T19:11:01+00:00"),
        _track(timestamp="2016-12-31T23:59:60Z"),  # a leap second
        _track(timestamp="2015-346T19:11:01Z"),  # an ordinal date
    ],
)
checked_rule(
    "common/timestamp-timezone",
    "warning",
    "ISO-8601 timestamps carry a time-zone offset (`Z` or `+hh:mm`).",
    "A time without an offset is read as UTC, shifting events by the device's offset.",
    checker="common",
    examples=[_track(timestamp="2015-12-12T19:11:01")],
    passes=[_track(timestamp="2015-12-12T19:11:01Z")],
)
checked_rule(
    "common/context-type",
    "error",
    "`context`, when present, is an object.",
    "Segment and every destination read context as a dictionary; anything else is dropped.",
    checker="common",
    examples=[_track(context="web"), _track(context=[{"ip": "1.2.3.4"}])],
    passes=[_track(context={}), _track(context=None)],
)
checked_rule(
    "common/integrations-type",
    "error",
    "`integrations`, when present, is an object.",
    "Segment reads it as destination name -> enabled/options; anything else is ignored or "
    "rejected.",
    checker="common",
    examples=[_track(integrations=["Mixpanel"]), _track(integrations="All")],
    passes=[_track(integrations={}), _track(integrations={"All": True, "Mixpanel": False})],
)
checked_rule(
    "common/integrations-value",
    "warning",
    "Each `integrations` value is a boolean or an options object.",
    'A string such as "false" is truthy: the destination you meant to switch off still gets '
    "the event.",
    checker="common",
    examples=[_track(integrations={"Mixpanel": "false"}), _track(integrations={"All": 0})],
    passes=[_track(integrations={"Mixpanel": False, "Amplitude": {"session_id": 1}})],
)
checked_rule(
    "common/misplaced-field",
    "warning",
    "Fields that belong to another call (traits on track, properties on identify, ...) are "
    "not sent at the top level.",
    "Segment and destinations ignore them there, so the data silently goes nowhere.",
    checker="common",
    examples=[
        _track(traits={"plan": "pro"}),
        {"type": "identify", "userId": "u1", "properties": {"plan": "pro"}},
    ],
    passes=[
        _track(context={"traits": {"plan": "pro"}}),
        {"type": "identify", "userId": "u1", "traits": {"plan": "pro"}},
    ],
)

# session/* rules that need only the message and its meta (duplicates are in session.py)
checked_rule(
    "session/message-too-large",
    "error",
    "A message's JSON is at most 32 KB (32,768 bytes).",
    "Segment rejects a larger message with 400 and the event is lost.",
    checker="common",
    examples=[Example(_track(), MessageMeta(size=40_000), "sent as 40,000 bytes")],
    passes=[Example(_track(), MessageMeta(size=32_768), "sent as 32,768 bytes"), _track()],
)
checked_rule(
    "session/batch-too-large",
    "error",
    "A batch carries at most 2,500 events.",
    "Segment answers 200 but drops every event past the 2,500th, so the loss is silent.",
    checker="common",
    examples=[
        Example(
            _track(),
            MessageMeta(batch_count=2600, batch_index=2500, endpoint="/v1/batch"),
            "the 2,501st event of a 2,600-event batch",
        )
    ],
    passes=[
        Example(
            _track(),
            MessageMeta(batch_count=2600, batch_index=2499, endpoint="/v1/batch"),
            "the 2,500th event of a 2,600-event batch",
        )
    ],
)
checked_rule(
    "session/clock-skew",
    "warning",
    "`sentAt` (the message's, or else its batch's) is within 5 minutes of the arrival time, "
    "and `timestamp`/`originalTimestamp` are not more than 5 minutes in the future of it.",
    "A skewed device clock shifts every event it sends; Segment corrects timestamp by "
    "sentAt only when sentAt is set, and the corrected time is still wrong when the clock "
    "changed in between.",
    checker="common",
    examples=[
        _track(
            sentAt="2015-12-12T18:40:00.000Z",
            timestamp="2015-12-12T18:39:59.000Z",
            receivedAt="2015-12-12T19:11:01.266Z",
        ),
        Example(
            _track(timestamp="2030-01-01T00:00:00Z"),
            MessageMeta(received_at="2025-01-01T00:00:00Z"),
            "arrived 2025-01-01T00:00:00Z",
        ),
        Example(
            _track(timestamp="2024-12-31T23:00:00Z"),
            MessageMeta(received_at="2025-01-01T00:00:00Z", sent_at="2024-12-31T23:00:05Z"),
            "arrived 2025-01-01T00:00:00Z in a batch whose sentAt is 2024-12-31T23:00:05Z",
        ),
    ],
    passes=[
        _track(
            sentAt="2015-12-12T19:11:01.169Z",
            timestamp="2015-12-12T19:11:01.249Z",
            receivedAt="2015-12-12T19:11:01.266Z",
        ),
        _track(timestamp="2015-12-12T19:11:01.249Z"),
        Example(
            _track(timestamp="2024-12-31T23:59:58Z"),
            MessageMeta(received_at="2025-01-01T00:00:00Z", sent_at="2024-12-31T23:59:59Z"),
            "arrived 2025-01-01T00:00:00Z in a batch whose sentAt is 2024-12-31T23:59:59Z",
        ),
    ],
)
checked_rule(
    "session/all-integrations-disabled",
    "warning",
    "`integrations.All: false` is not sent without enabling at least one destination.",
    "With All false and nothing switched back on, the event reaches no destination at all.",
    checker="common",
    examples=[
        _track(integrations={"All": False}),
        _track(integrations={"All": False, "Mixpanel": False}),
    ],
    passes=[
        _track(integrations={"All": False, "Mixpanel": True}),
        _track(integrations={"Salesforce": False}),
    ],
)
