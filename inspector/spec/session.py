"""Spec rules about the message in its session and request: duplicates, size, batch
position, clock skew, and routing that reaches no destination. Registered on import."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from inspector.model import MessageMeta, Violation
from inspector.spec.registry import Example, message_rule, session_rule
from inspector.spec.values import parse_time

_NONE: tuple[Violation, ...] = ()
_ANON = "23adfd82-aa0f-45a7-a756-24f2a7a4c895"

MAX_MESSAGE_BYTES = 32 * 1024
MAX_BATCH_EVENTS = 2500
#: Beyond this, sentAt vs arrival (or a timestamp in the future) is reported as skew.
SKEW_SECONDS = 5 * 60


def _track(**extra: Any) -> dict[str, Any]:
    msg: dict[str, Any] = {"type": "track", "event": "Order Completed", "anonymousId": _ANON}
    msg.update(extra)
    return msg


@session_rule(
    "session/duplicate-message-id",
    "error",
    "No two messages in a session share a `messageId`.",
    "Segment de-duplicates on messageId, so the later message is silently dropped.",
    examples=[
        _track(messageId="ajs-1f3b"),
        _track(messageId="ajs-1f3b", event="Checkout Started"),
    ],
    passes=[_track(messageId="ajs-1f3b"), _track(messageId="ajs-1f3c")],
)
class DuplicateMessageId:
    __slots__ = ("seen",)

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def check(self, message: Any, meta: MessageMeta) -> tuple[Violation, ...]:
        mid = message.get("messageId") if type(message) is dict else None
        if type(mid) is not str or not mid:
            return _NONE
        seen = self.seen
        if mid not in seen:
            seen.add(mid)
            return _NONE
        return (
            Violation(
                "session/duplicate-message-id",
                "error",
                "messageId",
                f"messageId {mid[:100]!r} was already used in this session; Segment keeps only "
                "the first and drops this one. Generate a new id per message.",
            ),
        )


@message_rule(
    "session/message-too-large",
    "error",
    "A message's JSON is at most 32 KB (32,768 bytes).",
    "Segment rejects a larger message with 400 and the event is lost.",
    examples=[Example(_track(), MessageMeta(size=40_000), "sent as 40,000 bytes")],
    passes=[Example(_track(), MessageMeta(size=32_768), "sent as 32,768 bytes"), _track()],
)
def message_too_large(message: dict[str, Any], meta: MessageMeta) -> tuple[Violation, ...]:
    size = meta.size
    if size <= MAX_MESSAGE_BYTES:
        return _NONE
    return (
        Violation(
            "session/message-too-large",
            "error",
            "",
            f"The message is {size:,} bytes, over Segment's 32 KB (32,768-byte) limit; it will "
            "be rejected. Trim large properties or move blobs out of the event.",
        ),
    )


@message_rule(
    "session/batch-too-large",
    "error",
    "A batch carries at most 2,500 events.",
    "Segment answers 200 but drops every event past the 2,500th, so the loss is silent.",
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
def batch_too_large(message: dict[str, Any], meta: MessageMeta) -> tuple[Violation, ...]:
    if meta.batch_index < MAX_BATCH_EVENTS or meta.batch_count <= MAX_BATCH_EVENTS:
        return _NONE
    return (
        Violation(
            "session/batch-too-large",
            "error",
            "",
            f"This is event {meta.batch_index + 1:,} of a {meta.batch_count:,}-event batch; "
            "Segment drops events past the 2,500th. Flush smaller batches.",
        ),
    )


def _utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt


def _seconds(delta_s: float) -> str:
    s = abs(delta_s)
    if s < 3600:
        return f"{s / 60:.0f} minutes"
    if s < 172800:
        return f"{s / 3600:.1f} hours"
    return f"{s / 86400:.0f} days"


@message_rule(
    "session/clock-skew",
    "warning",
    "`sentAt` is within 5 minutes of the arrival time, and `timestamp`/`originalTimestamp` "
    "are not more than 5 minutes in the future.",
    "A skewed device clock shifts every event it sends; Segment corrects timestamp by "
    "sentAt, but only if sentAt is set, and the corrected time is still wrong when the "
    "clock changed between the two.",
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
    ],
    passes=[
        _track(
            sentAt="2015-12-12T19:11:01.169Z",
            timestamp="2015-12-12T19:11:01.249Z",
            receivedAt="2015-12-12T19:11:01.266Z",
        ),
        _track(timestamp="2015-12-12T19:11:01.249Z"),
    ],
)
def clock_skew(
    message: dict[str, Any], meta: MessageMeta
) -> list[Violation] | tuple[Violation, ...]:
    arrival = meta.received_at or message.get("receivedAt")
    if arrival is None:
        return _NONE
    received = parse_time(arrival)
    if received is None:
        return _NONE
    received = _utc(received)
    out: list[Violation] | None = None
    sent = parse_time(message.get("sentAt"))
    if sent is not None:
        delta = (_utc(sent) - received).total_seconds()
        if abs(delta) > SKEW_SECONDS:
            out = [
                Violation(
                    "session/clock-skew",
                    "warning",
                    "sentAt",
                    f"sentAt is {_seconds(delta)} {'ahead of' if delta > 0 else 'behind'} the "
                    "arrival time; the sending device's clock is off (or the event was queued "
                    "offline for long). Check the device clock.",
                )
            ]
    for key in ("timestamp", "originalTimestamp"):
        ts = parse_time(message.get(key))
        if ts is None:
            continue
        delta = (_utc(ts) - received).total_seconds()
        if delta > SKEW_SECONDS:
            if out is None:
                out = []
            out.append(
                Violation(
                    "session/clock-skew",
                    "warning",
                    key,
                    f"{key} is {_seconds(delta)} in the future of the arrival time; the clock "
                    "that set it is ahead. Set it from a correct clock, or leave it to the SDK.",
                )
            )
    return out if out is not None else _NONE


@message_rule(
    "session/all-integrations-disabled",
    "warning",
    "`integrations.All: false` is not sent without enabling at least one destination.",
    "With All false and nothing switched back on, the event reaches no destination at all.",
    examples=[
        _track(integrations={"All": False}),
        _track(integrations={"All": False, "Mixpanel": False}),
    ],
    passes=[
        _track(integrations={"All": False, "Mixpanel": True}),
        _track(integrations={"Salesforce": False}),
    ],
)
def all_integrations_disabled(message: dict[str, Any], meta: MessageMeta) -> tuple[Violation, ...]:
    integ = message.get("integrations")
    if type(integ) is not dict or integ.get("All") is not False:
        return _NONE
    for name, opt in integ.items():
        if name != "All" and (opt is True or type(opt) is dict):
            return _NONE
    return (
        Violation(
            "session/all-integrations-disabled",
            "warning",
            "integrations.All",
            "integrations.All is false and no destination is switched back on, so this event "
            'reaches no destination. Enable the ones you need (e.g. "Mixpanel": true) or drop '
            '"All": false.',
        ),
    )
