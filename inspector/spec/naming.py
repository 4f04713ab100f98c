"""Spec rules: naming. Registered on import.

Event names (track only): non-descriptive names, Title Case Object + Action, conventions mixed
within a session, near-duplicate names. Property keys (track, page, screen): conventions mixed
within a session, keys generated from values. The word knowledge lives in ``naming_words`` and
the pure analysis in ``naming_analysis``; this module turns findings into violations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import islice
from typing import Any

from inspector.model import MessageMeta, Violation
from inspector.spec.naming_analysis import (
    CONVENTION_LABELS,
    KEY_CONVENTION_LABELS,
    OBJECT_PLACEHOLDER,
    action_problem,
    clean_spacing,
    convention,
    duplicate_keys,
    dynamic_key,
    key_convention,
    needs_object,
    non_descriptive,
    numbered_family,
    semantic_variant,
    spacing_problems,
    suggest_title,
)
from inspector.spec.naming_words import spec_property_keys
from inspector.spec.registry import message_rule, only_types, session_rule

#: Most distinct names/keys a session rule remembers (a hostile sender cannot grow it forever).
MAX_REMEMBERED = 20_000
#: Most property keys looked at in one message.
MAX_KEYS = 1_000
_SHAPE = 'Name events Object + past-tense Action in Title Case, e.g. "Video Played"'


def _q(text: str, limit: int = 80) -> str:
    """Quote a name for a violation message, cut to a readable length."""
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f'"{text}"'


_NONE: tuple[Violation, ...] = ()
#: Event-name findings depend on the name alone: name -> findings, per rule (bounded memos).
_NON_DESCRIPTIVE: dict[str, tuple[Violation, ...]] = {}
_CONVENTION: dict[str, tuple[Violation, ...]] = {}
#: Most names a memo holds before it starts over; longer names are not remembered.
MEMO_SIZE = 4096
MEMO_NAME_LENGTH = 256


def _remember(
    memo: dict[str, tuple[Violation, ...]], name: str, found: tuple[Violation, ...]
) -> tuple[Violation, ...]:
    if len(name) <= MEMO_NAME_LENGTH:
        if len(memo) >= MEMO_SIZE:
            memo.clear()
        memo[name] = found
    return found


def _track_event(message: Any) -> str | None:
    if not isinstance(message, dict) or message.get("type") != "track":
        return None
    ev = message.get("event")
    return ev if isinstance(ev, str) else None


_PROPERTY_TYPES = frozenset(("track", "page", "screen"))
#: Keys the Spec names outside its own snake_case convention (startupTime, conversationId).
#: Users must send them as written, so they say nothing about the user's convention. The
#: Spec's snake_case keys (order_id) do count: they are the recommended convention, and a
#: session that also sends productId really mixes two styles.
_SPEC_EXCEPTIONS = frozenset(
    k for k in spec_property_keys() if key_convention(k) not in (None, "snake")
)


def _property_keys(message: Any) -> Iterable[str]:
    # JSON object keys are always strings; only the count needs a bound.
    if type(message) is not dict:
        return ()
    t = message.get("type")
    if type(t) is not str or t not in _PROPERTY_TYPES:
        return ()
    props = message.get("properties")
    if type(props) is not dict or not props:
        return ()
    return props.keys() if len(props) <= MAX_KEYS else list(islice(props, MAX_KEYS))


# --------------------------------------------------------------------------- event names


@message_rule(
    "event-name/non-descriptive",
    "warning",
    "Track event names must say what happened: no generic words or placeholders, numbered names, "
    "cryptic abbreviations, bare single words, dynamic values (ids, emails, URLs, dates, prices, "
    'search terms) or punctuation only, and no test or debug markers ("Order Completed TEST").',
    'A name like "Event 12" or "TMDropd" means nothing to the people reading reports, and a value '
    "inside a name mints a new event per value in every destination and warehouse.",
    examples=(
        {"type": "track", "event": "Event 12", "userId": "u1"},
        {"type": "track", "event": "TMDropd", "userId": "u1"},
        {"type": "track", "event": "User Signed Up (11-01-2019)", "userId": "u1"},
    ),
)
@only_types("track")
def non_descriptive_event(message: Any, meta: MessageMeta) -> tuple[Violation, ...]:
    name = _track_event(message)
    if name is None:
        return _NONE
    hit = _NON_DESCRIPTIVE.get(name)
    if hit is not None:
        return hit
    return _remember(_NON_DESCRIPTIVE, name, _non_descriptive_event(name))


def _non_descriptive_event(name: str) -> tuple[Violation, ...]:
    found = non_descriptive(name)
    if found is None:
        return _NONE
    if found.kind == "dynamic":
        advice = 'keep values out of event names: send one fixed name (Object + past-tense Action, e.g. "Article Viewed") and put the value in a property'
    elif found.kind == "test":
        advice = 'send the real event name and mark tests outside it: a separate source or write key, or a property such as {"environment": "test"}'
    elif found.kind in ("empty", "punctuation"):
        advice = _SHAPE
    else:
        advice = "name the object and what happened to it. " + _SHAPE
    return (
        Violation(
            "event-name/non-descriptive",
            "warning",
            "event",
            f"Event name {_q(name)} is not descriptive: {found.detail}; {advice[0].lower() + advice[1:]}.",
        ),
    )


@message_rule(
    "event-name/convention",
    "info",
    'Track event names should be Object + past-tense Action in Title Case, like "Order Completed".',
    "Segment's semantic events and tracking-plan guidance use this shape; one shape makes events "
    "easy to find and keeps Protocols' exact-match planning simple.",
    examples=(
        {"type": "track", "event": "order_completed", "userId": "u1"},
        {"type": "track", "event": "Viewed Product", "userId": "u1"},
    ),
)
@only_types("track")
def event_name_convention(message: Any, meta: MessageMeta) -> tuple[Violation, ...]:
    name = _track_event(message)
    if name is None:
        return _NONE
    hit = _CONVENTION.get(name)
    if hit is not None:
        return hit
    return _remember(_CONVENTION, name, _event_name_convention(name))


def _event_name_convention(name: str) -> tuple[Violation, ...]:
    if not name.strip() or non_descriptive(name) is not None:
        return _NONE  # nothing to suggest for a name that says nothing; non-descriptive reports it
    conv = convention(name)
    if conv is None:
        return _NONE
    suggestion = suggest_title(name)
    # A verb-first phrase with no object ("Add to Favorites"): the suggestion names a stand-in
    # object, and the message says so rather than claim the rename is complete.
    fill = (
        f" with the real object in place of {_q(OBJECT_PLACEHOLDER)}" if needs_object(name) else ""
    )
    if conv == "title":
        problem = action_problem(name)
        if problem is None or suggestion == name:
            return _NONE
        if fill:
            problem += " and names no object"
        return (
            Violation(
                "event-name/convention",
                "info",
                "event",
                f"Event name {_q(name)} is Title Case but {problem}; use Object + past-tense Action, "
                f"e.g. {_q(suggestion)}{fill}.",
            ),
        )
    if suggestion == name:
        return _NONE
    return (
        Violation(
            "event-name/convention",
            "info",
            "event",
            f"Event name {_q(name)} is {CONVENTION_LABELS.get(conv, conv)}, not Title Case Object + Action; "
            f"rename it to {_q(suggestion)}{fill}.",
        ),
    )


_SPACING: dict[str, tuple[Violation, ...]] = {}


@message_rule(
    "event-name/whitespace",
    "warning",
    "Track event names have no leading, trailing or repeated spaces, no tabs or line breaks, "
    "no no-break spaces, no invisible characters (zero-width spaces, BOMs, a zero-width joiner "
    "outside an emoji sequence, ...) and no terminal escape sequences.",
    "Protocols, destinations and warehouses match event names exactly (case, spacing and "
    'spelling all count), so "Report Exported " is a different event from "Report Exported", '
    "and nobody can see why.",
    examples=(
        {"type": "track", "event": "Report Exported ", "userId": "u1"},
        {"type": "track", "event": "Report\tExported", "userId": "u1"},
        {"type": "track", "event": "Report Exported\u200b", "userId": "u1"},
    ),
    passes=(
        {"type": "track", "event": "Report Exported", "userId": "u1"},
        {"type": "track", "event": "Rapport exporté", "userId": "u1"},
    ),
)
@only_types("track")
def event_name_whitespace(message: Any, meta: MessageMeta) -> tuple[Violation, ...]:
    name = _track_event(message)
    if name is None or not name:
        return _NONE
    if (
        name.isascii()
        and name.isprintable()
        and name[0] != " "
        and name[-1] != " "
        and "  " not in name
    ):
        return _NONE  # the common case: plain ASCII with single spaces
    hit = _SPACING.get(name)
    if hit is not None:
        return hit
    return _remember(_SPACING, name, _event_name_whitespace(name))


def _event_name_whitespace(name: str) -> tuple[Violation, ...]:
    problems = spacing_problems(name)
    if not problems:
        return _NONE
    cleaned = clean_spacing(name)
    fix = (
        f"send {_q(cleaned)}" if cleaned else "send a name made of visible words"
    )  # a name of nothing but spaces and invisible characters
    listed = (
        problems[0] if len(problems) == 1 else ", ".join(problems[:-1]) + " and " + problems[-1]
    )
    return (
        Violation(
            "event-name/whitespace",
            "warning",
            "event",
            f"Event name {_q(name)} has {listed}; event names are matched exactly, so it is a "
            f"different event from the clean name: {fix}.",
        ),
    )


@session_rule(
    "event-name/mixed-conventions",
    "warning",
    "One session should not mix event-name conventions (Title Case, snake_case, camelCase, ...).",
    "Mixed conventions split one tracking plan into several styles and invite near-duplicate events "
    "that Protocols and warehouses treat as unrelated.",
    examples=(
        {"type": "track", "event": "Order Completed", "userId": "u1"},
        {"type": "track", "event": "cart_viewed", "userId": "u1"},
    ),
)
@only_types("track")
class MixedEventConventions:
    def __init__(self) -> None:
        #: convention -> first event name seen with it, in order of first appearance
        self.seen: dict[str, str] = {}

    def check(self, message: Any, meta: MessageMeta) -> tuple[Violation, ...]:
        name = _track_event(message)
        if name is None:
            return _NONE
        conv = convention(name)
        if conv is None or conv == "mixed" or conv in self.seen:
            return _NONE
        self.seen[conv] = name
        if len(self.seen) < 2:
            return _NONE
        listed = ", ".join(
            f"{CONVENTION_LABELS.get(c, c)} ({_q(n, 40)})" for c, n in self.seen.items()
        )
        example = suggest_title(name) if non_descriptive(name) is None else "Order Completed"
        return (
            Violation(
                "event-name/mixed-conventions",
                "warning",
                "event",
                f"This session mixes event-name conventions: {listed}; pick one for every event "
                f"(Segment recommends Title Case, e.g. {_q(example, 60)}).",
            ),
        )


@session_rule(
    "event-name/near-duplicate",
    "warning",
    "Event names in one session that differ only by case, separators, spacing, word order or tense "
    '("Signed Up", "signed_up", "Sign Up", "User Signed Up"), or that vary a semantic event\'s name.',
    "Each variant becomes a separate event in every destination and warehouse, splitting one action's "
    "data; a semantic event sent under another spelling loses its destination mappings.",
    examples=(
        {"type": "track", "event": "Signed Up", "userId": "u1"},
        {"type": "track", "event": "signed_up", "userId": "u1"},
    ),
)
@only_types("track")
class NearDuplicateEventNames:
    def __init__(self) -> None:
        self.names: set[str] = set()
        self.by_key: dict[str, str] = {}

    def check(self, message: Any, meta: MessageMeta) -> tuple[Violation, ...]:
        name = _track_event(message)
        if name is None or name in self.names or not name.strip():
            return _NONE
        if len(self.names) >= MAX_REMEMBERED:
            return _NONE
        self.names.add(name)
        keys = [k for k in duplicate_keys(name) if k]
        earlier = next((self.by_key[k] for k in keys if k in self.by_key), None)
        for k in keys:
            self.by_key.setdefault(k, name)
        if earlier is not None:
            return (
                Violation(
                    "event-name/near-duplicate",
                    "warning",
                    "event",
                    f"Event name {_q(name)} is a variant of {_q(earlier)} seen earlier in this session "
                    "(only case, separators, spacing, word order or tense differ); send one name for one action.",
                ),
            )
        sem = semantic_variant(name)
        if sem is not None:
            return (
                Violation(
                    "event-name/near-duplicate",
                    "warning",
                    "event",
                    f"Event name {_q(name)} is a variant of the Segment semantic event {_q(sem)}; "
                    f"send it exactly as {_q(sem)} so destinations recognise it.",
                ),
            )
        return _NONE


# --------------------------------------------------------------------------- property keys


@session_rule(
    "property-name/mixed-conventions",
    "info",
    "Property keys in one session should follow one convention (snake_case is recommended). "
    "The Spec's own non-snake_case keys (startupTime, conversationId) do not count toward a convention.",
    "Mixed conventions make the same field appear twice (order_id and orderId) in warehouses and "
    "destinations; Segment's semantic properties use snake_case.",
    examples=(
        {
            "type": "track",
            "event": "Order Completed",
            "userId": "u1",
            "properties": {"order_id": "o1", "totalPrice": 3},
        },
    ),
)
@only_types(*_PROPERTY_TYPES)
class MixedPropertyConventions:
    def __init__(self) -> None:
        self.seen: dict[str, str] = {}
        #: Keys already looked at: a key's convention never changes, so the same key in
        #: later messages (the common case) costs one set lookup.
        self.done: set[str] = set()

    def check(self, message: Any, meta: MessageMeta) -> list[Violation] | tuple[Violation, ...]:
        done = self.done
        keys = _property_keys(message)
        if done.issuperset(keys):
            return _NONE  # every key already looked at (the common case)
        out: list[Violation] = []
        for key in keys:
            if key in done:
                continue
            if len(done) < MAX_REMEMBERED:
                done.add(key)
            if key in _SPEC_EXCEPTIONS:
                continue  # the Spec's own camelCase keys (startupTime): not the user's choice
            if dynamic_key(key) is not None:
                continue  # reported by property-name/dynamic-key; not a naming style
            conv = key_convention(key)
            if conv is None or conv in ("mixed", "spaces") or conv in self.seen:
                continue
            self.seen[conv] = key
            if len(self.seen) < 2:
                continue
            listed = ", ".join(
                f"{KEY_CONVENTION_LABELS.get(c, c)} ({_q(k, 40)})" for c, k in self.seen.items()
            )
            out.append(
                Violation(
                    "property-name/mixed-conventions",
                    "info",
                    f"properties.{key}",
                    f"Property keys in this session mix conventions: {listed}; use one everywhere "
                    "(snake_case is recommended, e.g. order_id).",
                )
            )
        return out


_FAMILY_EXEMPT = frozenset({"address_line", "addressline", "address", "line", "street"})


@session_rule(
    "property-name/dynamic-key",
    "warning",
    "Property keys must be fixed names, not values: no ids, UUIDs, emails, numbers or dates as keys, "
    "and no numbered families like feature_1, feature_2.",
    "Every distinct key becomes a warehouse column and a schema entry; keys generated from values "
    "grow the schema without bound and cannot be queried as one field.",
    examples=(
        {
            "type": "track",
            "event": "Plan Compared",
            "userId": "u1",
            "properties": {"feature_1": True, "feature_2": False},
        },
        {
            "type": "track",
            "event": "Cart Viewed",
            "userId": "u1",
            "properties": {"3fa85f64-5717-4562-b3fc-2c963f66afa6": 1},
        },
    ),
)
@only_types(*_PROPERTY_TYPES)
class DynamicPropertyKeys:
    def __init__(self) -> None:
        #: family stem -> {number: key}
        self.families: dict[str, dict[str, str]] = {}
        self.reported: set[str] = set()
        #: Keys known to be fixed names already counted in their family: nothing more to do.
        self.done: set[str] = set()

    def check(self, message: Any, meta: MessageMeta) -> list[Violation] | tuple[Violation, ...]:
        done = self.done
        keys = _property_keys(message)
        if done.issuperset(keys):
            return _NONE  # every key a fixed name already counted (the common case)
        out: list[Violation] = []
        for key in keys:
            if key in done:
                continue
            why = dynamic_key(key)
            if why is not None:
                out.append(
                    Violation(
                        "property-name/dynamic-key",
                        "warning",
                        f"properties.{key}",
                        f"Property key {_q(key)} looks generated from a value: {why}; use a fixed key and "
                        'put the value in it, e.g. {"product_id": "..."}.',
                    )
                )
                continue
            if len(done) < MAX_REMEMBERED:
                done.add(key)  # a fixed key: its family membership is recorded below, once
            fam = numbered_family(key)
            if fam is None:
                continue
            stem, num = fam
            if stem in _FAMILY_EXEMPT or stem in self.reported:
                continue
            members = self.families.get(stem)
            if members is None:
                if len(self.families) >= MAX_REMEMBERED:
                    continue
                members = self.families[stem] = {}
            members.setdefault(num, key)
            if len(members) >= 2:
                self.reported.add(stem)
                others = ", ".join(_q(k, 40) for n, k in members.items() if k != key)
                out.append(
                    Violation(
                        "property-name/dynamic-key",
                        "warning",
                        f"properties.{key}",
                        f"Property key {_q(key)} is part of a numbered family with {others}; numbered keys "
                        f"become one warehouse column each: use one key holding a list, e.g. {_q(stem + 's')}: [...].",
                    )
                )
        return out


# --------------------------------------------------------------------------- one call per message
#
# The engine runs the naming rules of a track (or page/screen) call through these, one call
# instead of two message rules and up to four session rules. Each first asks whether every
# rule it stands for would certainly find nothing, without changing any state (the common
# case: a known name, known keys); otherwise it runs the rules one by one, in order, each
# with its own crash report, exactly as the engine would.

_Crash = Callable[[object, Exception], Violation]


def event_rules(crash: _Crash) -> Callable[[Any, MessageMeta], Any]:
    """``non_descriptive_event`` then ``event_name_convention`` as one call."""
    parts = (non_descriptive_event, event_name_convention)

    def naming_event_rules(message: Any, meta: MessageMeta) -> Any:
        name = _track_event(message)
        if name is None:
            return _NONE
        a = _NON_DESCRIPTIVE.get(name)
        b = _CONVENTION.get(name)
        if a is not None and b is not None:
            return a + b
        out: list[Violation] = []
        for fn in parts:
            try:
                out.extend(fn(message, meta))
            except Exception as exc:
                out.append(crash(fn, exc))
        return out

    return naming_event_rules


NAMING_SESSION_RULES = (
    MixedEventConventions,
    NearDuplicateEventNames,
    MixedPropertyConventions,
    DynamicPropertyKeys,
)


class NamingSessionRules:
    """Consecutive naming session rules (instances of ``NAMING_SESSION_RULES``) as one call."""

    __slots__ = ("rules", "crash", "events", "near", "mixed_keys", "dynamic_keys")

    def __init__(self, rules: Iterable[Any], crash: _Crash) -> None:
        self.rules = tuple(rules)
        self.crash = crash
        self.events: MixedEventConventions | None = None
        self.near: NearDuplicateEventNames | None = None
        self.mixed_keys: MixedPropertyConventions | None = None
        self.dynamic_keys: DynamicPropertyKeys | None = None
        for r in self.rules:
            if type(r) is MixedEventConventions:
                self.events = r
            elif type(r) is NearDuplicateEventNames:
                self.near = r
            elif type(r) is MixedPropertyConventions:
                self.mixed_keys = r
            elif type(r) is DynamicPropertyKeys:
                self.dynamic_keys = r
            else:
                raise TypeError(f"not a naming session rule: {r!r}")

    def _quiet(self, message: Any) -> bool:
        """True when no rule would report anything or remember anything new."""
        if self.events is not None or self.near is not None:
            name = _track_event(message)
            if name is not None:
                if self.events is not None:
                    conv = convention(name)
                    if not (conv is None or conv == "mixed" or conv in self.events.seen):
                        return False
                if self.near is not None and name not in self.near.names:
                    return False
        if self.mixed_keys is not None or self.dynamic_keys is not None:
            keys = _property_keys(message)
            if self.mixed_keys is not None and not self.mixed_keys.done.issuperset(keys):
                return False
            if self.dynamic_keys is not None and not self.dynamic_keys.done.issuperset(keys):
                return False
        return True

    def check(self, message: Any, meta: MessageMeta) -> Any:
        try:
            if self._quiet(message):
                return _NONE
        except Exception:
            pass  # the rules below report it, each on its own
        out: list[Violation] = []
        for rule in self.rules:
            try:
                found = rule.check(message, meta)
                if found:
                    out.extend(found)
            except Exception as exc:
                out.append(self.crash(rule, exc))
        return out
