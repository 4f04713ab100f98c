"""The rule registry.

A *message rule* is a pure function ``(message, meta) -> iterable of Violation``.
A *session rule* is a class with ``check(message, meta) -> iterable of Violation`` that
may remember what it saw; the engine makes one instance per session.
Both are registered with metadata that ``docs/rules.md`` is generated from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from inspector.model import MessageMeta, Severity, Violation

MessageRuleFunc = Callable[[Any, MessageMeta], Iterable[Violation]]


class SessionRule(Protocol):
    def check(self, message: Any, meta: MessageMeta) -> Iterable[Violation]: ...


@dataclass(frozen=True)
class RuleInfo:
    id: str
    severity: Severity
    #: One sentence: what the rule checks.
    summary: str
    #: One sentence: why it matters.
    why: str
    #: Messages that trigger it (a session rule gets them in order); used in docs and tests.
    examples: tuple[Any, ...] = field(default=())
    scope: str = "message"  # "message" | "session"
    func: MessageRuleFunc | None = None
    factory: Callable[[], SessionRule] | None = None
    #: Rule ids this registration may emit besides its own id (sub-ids).
    emits: tuple[str, ...] = ()


RULES: dict[str, RuleInfo] = {}


def message_rule(
    id: str, severity: Severity, summary: str, why: str, examples: Iterable[Any] = (), emits: Iterable[str] = ()
) -> Callable[[MessageRuleFunc], MessageRuleFunc]:
    def deco(fn: MessageRuleFunc) -> MessageRuleFunc:
        if id in RULES:
            raise ValueError(f"duplicate rule id {id}")
        RULES[id] = RuleInfo(id, severity, summary, why, tuple(examples), "message", fn, None, tuple(emits))
        return fn

    return deco


def session_rule(
    id: str, severity: Severity, summary: str, why: str, examples: Iterable[Any] = (), emits: Iterable[str] = ()
) -> Callable[[type], type]:
    def deco(cls: type) -> type:
        if id in RULES:
            raise ValueError(f"duplicate rule id {id}")
        RULES[id] = RuleInfo(id, severity, summary, why, tuple(examples), "session", None, cls, tuple(emits))
        return cls

    return deco
