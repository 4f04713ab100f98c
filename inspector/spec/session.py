"""Spec rules that need the session so far: duplicate messageIds.

The other session/* rules (message size, batch position, clock skew, integrations.All)
need only the message and its ``MessageMeta``; they live in ``common.py``'s checker, which
already reads the fields they use.
"""

from __future__ import annotations

from typing import Any

from inspector.model import MessageMeta, Violation
from inspector.spec.registry import session_rule

_NONE: tuple[Violation, ...] = ()
_ANON = "23adfd82-aa0f-45a7-a756-24f2a7a4c895"


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
        shown = mid if len(mid) <= 100 else mid[:100] + "…"
        return (
            Violation(
                "session/duplicate-message-id",
                "error",
                "messageId",
                f'messageId "{shown}" was already used in this session; Segment keeps only the '
                "first and drops this one. Generate a new id per message.",
            ),
        )
