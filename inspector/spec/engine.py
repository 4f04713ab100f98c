"""Runs every registered rule over a message; one Engine per session (session rules keep state)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from inspector.model import CALL_TYPES, MessageMeta, Violation

# Importing the rule modules registers their rules.
from inspector.spec import calls, common, context, naming, reserved, semantic, session  # noqa: F401
from inspector.spec.registry import CHECKERS, RULES, MessageRuleFunc, SessionRule

_DEFAULT_META = MessageMeta()

#: The one finding a message that is not a JSON object gets.
NOT_AN_OBJECT = "common/not-an-object"


class Engine:
    """Checks messages in arrival order.

    ``extra`` adds message rules that are not in the registry (a tracking plan's checks).
    ``disabled`` turns rules off by id (a registration's id or one of the ids it emits).

    Rules are dispatched by call type once, here, so checking a message costs one list walk
    over the rules that apply to its type.
    """

    def __init__(
        self,
        extra: Iterable[MessageRuleFunc] = (),
        disabled: Iterable[str] = (),
    ) -> None:
        off = set(disabled)
        infos = [r for r in RULES.values() if r.id not in off and r.id != NOT_AN_OBJECT]
        extra = list(extra)
        used = {r.checker for r in infos if r.checker is not None}
        checkers = [c for c in CHECKERS.values() if c.name in used]

        def applies(types: frozenset[str] | None, t: str | None) -> bool:
            return types is None or (t is not None and t in types)

        def message_rules(t: str | None) -> list[MessageRuleFunc]:
            fns = [c.func for c in checkers if applies(c.types, t)]
            fns += [
                r.func
                for r in infos
                if r.scope == "message"
                and r.func
                and r.checker is None
                and applies(r.types, t)
                and applies(getattr(r.func, "only_types", None), t)
            ]
            return fns + extra

        #: call type -> functions to call; the ``None`` entry serves unknown or missing types.
        self._by_type: dict[str | None, list[MessageRuleFunc]] = {
            t: message_rules(t) for t in (*CALL_TYPES, None)
        }
        self._session_infos = [r for r in infos if r.scope == "session" and r.factory]
        self._session: list[tuple[frozenset[str] | None, SessionRule]] = []
        self.reset()
        not_obj = RULES.get(NOT_AN_OBJECT)
        self._not_object: MessageRuleFunc | None = (
            not_obj.func if not_obj is not None and NOT_AN_OBJECT not in off else None
        )
        emitted = {e for r in RULES.values() for e in r.emits}
        checked = {r.id for r in RULES.values() if r.checker is not None}
        #: Disabled ids that a checker or another registration may still report; their
        #: findings are filtered out after the fact.
        self._off_filtered = frozenset(off & (emitted | checked))

    def reset(self) -> None:
        """Forget session state (duplicate ids, naming conventions seen, ...)."""
        self._session = [
            (r.types, r.factory()) for r in self._session_infos if r.factory is not None
        ]
        #: id(callable) -> what a crash report names (the rule object for a session rule).
        where: dict[int, object] = {}
        table: dict[str | None, tuple[Callable[[Any, MessageMeta], Any], ...]] = {}
        for t, fns in self._by_type.items():
            row: list[Callable[[Any, MessageMeta], Any]] = _fuse_event_rules(list(fns))
            rules = [
                rule
                for types, rule in self._session
                if (types is None or (t is not None and t in types))
                and (
                    (only := getattr(rule, "only_types", None)) is None
                    or (t is not None and t in only)
                )
            ]
            for rule in _fuse_naming_session(rules):
                bound = rule.check
                where[id(bound)] = rule
                row.append(bound)
            table[t] = tuple(row)
        #: call type -> message rules then session rules, in that order: one flat loop.
        self._calls = table
        self._where = where

    def check(self, message: Any, meta: MessageMeta = _DEFAULT_META) -> list[Violation]:
        out: list[Violation] = []
        if type(message) is not dict:
            if self._not_object is not None:
                _run(self._not_object, message, meta, out)
            return out
        t = message.get("type")
        run = self._calls.get(t) if type(t) is str else None
        if run is None:
            run = self._calls[None]
        for fn in run:
            try:
                found = fn(message, meta)
                if found:
                    out.extend(found)
            except Exception as exc:  # a rule bug must never lose a message
                out.append(_crash(self._where.get(id(fn), fn), exc))
        if out and self._off_filtered:
            out = [v for v in out if v.rule not in self._off_filtered]
        return out


def _fuse_event_rules(
    row: list[Callable[[Any, MessageMeta], Any]],
) -> list[Callable[[Any, MessageMeta], Any]]:
    """The two event-name message rules, when both run and are adjacent, as one call."""
    for i in range(len(row) - 1):
        if row[i] is naming.non_descriptive_event and row[i + 1] is naming.event_name_convention:
            return [*row[:i], naming.event_rules(_crash), *row[i + 2 :]]
    return row


def _fuse_naming_session(rules: list[Any]) -> list[Any]:
    """Runs of two or more consecutive naming session rules, each as one call."""
    out: list[Any] = []
    run: list[Any] = []
    for rule in [*rules, None]:
        if rule is not None and type(rule) in naming.NAMING_SESSION_RULES:
            run.append(rule)
            continue
        if len(run) >= 2:
            out.append(naming.NamingSessionRules(run, _crash))
        else:
            out.extend(run)
        run = []
        if rule is not None:
            out.append(rule)
    return out


def _run(fn: MessageRuleFunc, message: Any, meta: MessageMeta, out: list[Violation]) -> None:
    try:
        out.extend(fn(message, meta))
    except Exception as exc:
        out.append(_crash(fn, exc))


def _crash(where: object, exc: Exception) -> Violation:
    name = getattr(where, "__name__", type(where).__name__)
    return Violation(
        "inspector/rule-crashed", "info", "", f"Rule {name} failed: {type(exc).__name__}: {exc}"
    )
