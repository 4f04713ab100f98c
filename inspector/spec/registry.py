"""The rule registry.

A *message rule* is a pure function ``(message, meta) -> iterable of Violation``.
A *session rule* is a class with ``check(message, meta) -> iterable of Violation`` that
may remember what it saw; the engine makes one instance per session.
Both are registered with metadata that ``docs/rules.md`` is generated from.

The engine calls rules only with messages that are JSON objects (``dict``); a message of any
other JSON type gets the single ``common/not-an-object`` finding. A rule may say which call
types it applies to (``types=``) so the engine skips it for the others. Returning an empty
tuple (or list) is the cheap "nothing found" answer; that is the path nearly every message takes.

A *checker* is one function that finds the violations of several related rules in a single
pass over the message (all context fields, all common fields, ...). Calling one function per
area instead of one per rule is what keeps the engine fast. Each rule it reports is still
registered on its own with ``checked_rule`` (id, severity, docs, examples), so rules are
documented, tested and switched off one by one; the engine calls the checker once and drops
findings of disabled rules.
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
class Example:
    """A message together with what the endpoint knew about it (size, batch, arrival).

    Use it in ``examples=``/``passes=`` when a rule depends on ``MessageMeta``; plain
    messages are checked with a default ``MessageMeta()``.
    """

    message: Any
    meta: MessageMeta | None = None
    #: Shown in the docs beside the example, e.g. "sent as 40,000 bytes".
    note: str = ""


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
    #: Messages (or sessions, in order) that must not trigger it; used in tests.
    passes: tuple[Any, ...] = ()
    #: Call types the rule applies to; ``None`` means every message.
    types: frozenset[str] | None = None
    #: Name of the checker (see ``CHECKERS``) that finds this rule's violations, if any.
    checker: str | None = None


@dataclass(frozen=True)
class Checker:
    name: str
    func: MessageRuleFunc
    #: Call types the checker applies to; ``None`` means every message.
    types: frozenset[str] | None = None


def only_types(*types: str) -> Callable[[Any], Any]:
    """Tell the engine a rule finds nothing outside these call types, so it is not called for
    the others. Unlike ``types=``, this is a dispatch hint only: the rule's documented scope
    (and a direct call of the rule) is unchanged."""

    def deco(obj: Any) -> Any:
        obj.only_types = frozenset(types)
        return obj

    return deco


RULES: dict[str, RuleInfo] = {}
CHECKERS: dict[str, Checker] = {}


def _types(types: Iterable[str] | None) -> frozenset[str] | None:
    return None if types is None else frozenset(types)


def message_rule(
    id: str,
    severity: Severity,
    summary: str,
    why: str,
    examples: Iterable[Any] = (),
    emits: Iterable[str] = (),
    *,
    passes: Iterable[Any] = (),
    types: Iterable[str] | None = None,
) -> Callable[[MessageRuleFunc], MessageRuleFunc]:
    def deco(fn: MessageRuleFunc) -> MessageRuleFunc:
        if id in RULES:
            raise ValueError(f"duplicate rule id {id}")
        RULES[id] = RuleInfo(
            id,
            severity,
            summary,
            why,
            tuple(examples),
            "message",
            fn,
            None,
            tuple(emits),
            tuple(passes),
            _types(types),
        )
        return fn

    return deco


def session_rule(
    id: str,
    severity: Severity,
    summary: str,
    why: str,
    examples: Iterable[Any] = (),
    emits: Iterable[str] = (),
    *,
    passes: Iterable[Any] = (),
    types: Iterable[str] | None = None,
) -> Callable[[type], type]:
    def deco(cls: type) -> type:
        if id in RULES:
            raise ValueError(f"duplicate rule id {id}")
        RULES[id] = RuleInfo(
            id,
            severity,
            summary,
            why,
            tuple(examples),
            "session",
            None,
            cls,
            tuple(emits),
            tuple(passes),
            _types(types),
        )
        return cls

    return deco


def checker(
    name: str, types: Iterable[str] | None = None
) -> Callable[[MessageRuleFunc], MessageRuleFunc]:
    """Register a function that reports the violations of several ``checked_rule`` rules."""

    def deco(fn: MessageRuleFunc) -> MessageRuleFunc:
        if name in CHECKERS:
            raise ValueError(f"duplicate checker {name}")
        CHECKERS[name] = Checker(name, fn, _types(types))
        return fn

    return deco


def checked_rule(
    id: str,
    severity: Severity,
    summary: str,
    why: str,
    *,
    checker: str,
    examples: Iterable[Any] = (),
    passes: Iterable[Any] = (),
    types: Iterable[str] | None = None,
) -> None:
    """Register rule ``id`` whose violations the named checker reports.

    The rule's own function (``RuleInfo.func``) runs the checker and keeps this rule's
    findings, so a rule can still be called alone (tests, tools); the engine calls the
    checker once for all of its rules instead.
    """
    if id in RULES:
        raise ValueError(f"duplicate rule id {id}")

    def only_this_rule(message: Any, meta: MessageMeta) -> list[Violation]:
        return [v for v in CHECKERS[checker].func(message, meta) if v.rule == id]

    only_this_rule.__name__ = only_this_rule.__qualname__ = id.replace("/", "_").replace("-", "_")
    RULES[id] = RuleInfo(
        id,
        severity,
        summary,
        why,
        tuple(examples),
        "message",
        only_this_rule,
        None,
        (),
        tuple(passes),
        _types(types),
        checker,
    )
