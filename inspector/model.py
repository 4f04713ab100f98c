"""Plain data shared by every part of the inspector. No I/O, no third-party imports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

Severity = Literal["error", "warning", "info"]

#: Lower is worse; used to sort and to compute a message's "worst" severity.
SEVERITY_RANK: dict[str, int] = {"error": 0, "warning": 1, "info": 2}

CALL_TYPES: tuple[str, ...] = ("track", "identify", "page", "screen", "group", "alias")


@dataclass(frozen=True, slots=True)
class Violation:
    """One finding of a rule about one message (or about the session at that message)."""

    rule: str
    severity: Severity
    path: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "path": self.path,
            "message": self.message,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Violation:
        return cls(d["rule"], d["severity"], d.get("path", ""), d.get("message", ""))


class MessageMeta(NamedTuple):
    """What the rules may know about a message beyond its JSON.

    A NamedTuple rather than a frozen dataclass: one is built per message on the ingest hot
    path, and this is three times cheaper to construct while staying immutable.
    """

    #: Size in bytes of the message's own JSON text as it was sent (0 when not measured).
    size: int = 0
    #: Number of messages in the request that carried it (1 for single calls).
    batch_count: int = 1
    #: Position of the message in its batch, from 0.
    batch_index: int = 0
    #: Server arrival time, ISO-8601 UTC (what Segment stamps as receivedAt).
    received_at: str | None = None
    #: Request path it arrived on, e.g. "/v1/batch".
    endpoint: str = ""
    #: The ``sentAt`` of the batch that carried the message. Server SDKs (Python, Node, Go,
    #: Java, Ruby) and mobile SDKs stamp it on the batch only, so clock skew is checked
    #: against it when the message has no ``sentAt`` of its own.
    sent_at: Any = None


@dataclass(slots=True)
class Message:
    """A captured message as the store keeps it."""

    seq: int
    received_at: str
    endpoint: str
    write_key: str | None
    #: The message as the SDK sent it (plus batch-level context/integrations merged,
    #: and `type` filled from the path for single calls that omit it).
    data: Any
    violations: list[Violation] = field(default_factory=list)
    request_id: int = 0
    batch_index: int = 0
    #: Exact bytes of this message's JSON as the SDK sent it.
    raw: bytes = b""

    @property
    def type(self) -> str:
        t = self.data.get("type") if isinstance(self.data, dict) else None
        return t if isinstance(t, str) else ""

    @property
    def worst(self) -> str | None:
        if not self.violations:
            return None
        return min((v.severity for v in self.violations), key=lambda s: SEVERITY_RANK.get(s, 9))


@dataclass(slots=True)
class RejectedRequest:
    """A request the endpoint refused (or could not read). Kept so nothing sent is lost."""

    id: int
    received_at: str
    method: str
    path: str
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes


def display_name(data: Any) -> str:
    """The event name for track, the page/screen name, or the call type otherwise."""
    if not isinstance(data, dict):
        return ""
    t = data.get("type")
    if t == "track":
        e = data.get("event")
        return e if isinstance(e, str) else ""
    if t in ("page", "screen"):
        n = data.get("name")
        return n if isinstance(n, str) else ""
    if t == "group":
        g = data.get("groupId")
        return str(g) if g is not None else ""
    if t == "alias":
        p = data.get("previousId")
        return f"{p} -> {data.get('userId')}"
    return ""
