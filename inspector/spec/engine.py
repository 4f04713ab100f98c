"""Runs every registered rule over a message; one Engine per session (session rules keep state)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

# Importing the rule modules registers their rules.
from inspector.spec import calls, common, context, naming, reserved, semantic, session  # noqa: F401
from inspector.model import MessageMeta, Violation
from inspector.spec.registry import RULES, MessageRuleFunc, SessionRule

_DEFAULT_META = MessageMeta()


class Engine:
    """Checks messages in arrival order.

    ``extra`` adds message rules that are not in the registry (a tracking plan's checks).
    ``disabled`` turns rules off by id.
    """

    def __init__(
        self,
        extra: Iterable[MessageRuleFunc] = (),
        disabled: Iterable[str] = (),
    ) -> None:
        off = set(disabled)
        self._message_rules: list[MessageRuleFunc] = [
            r.func for r in RULES.values() if r.scope == "message" and r.func and r.id not in off
        ]
        self._message_rules.extend(extra)
        self._factories: list[Callable[[], SessionRule]] = [
            r.factory for r in RULES.values() if r.scope == "session" and r.factory and r.id not in off
        ]
        self._session: list[SessionRule] = [f() for f in self._factories]

    def reset(self) -> None:
        """Forget session state (duplicate ids, naming conventions seen, ...)."""
        self._session = [f() for f in self._factories]

    def check(self, message: Any, meta: MessageMeta = _DEFAULT_META) -> list[Violation]:
        out: list[Violation] = []
        for fn in self._message_rules:
            try:
                out.extend(fn(message, meta))
            except Exception as exc:  # a rule bug must never lose a message
                out.append(_crash(fn, exc))
        for rule in self._session:
            try:
                out.extend(rule.check(message, meta))
            except Exception as exc:
                out.append(_crash(rule, exc))
        return out


def _crash(where: object, exc: Exception) -> Violation:
    name = getattr(where, "__name__", type(where).__name__)
    return Violation("inspector/rule-crashed", "info", "", f"Rule {name} failed: {type(exc).__name__}: {exc}")
