"""Spec rules: semantic events (ecommerce v2, mobile, video, B2B SaaS, email, live chat,
A/B testing, AI copilot, consent): documented property types, name spelling, legacy names.

The event table lives in ``data/semantic_events.json``; it is compiled once, on import, into
per-event dicts of property -> TypeSpec, so checking an event is a dict lookup plus a walk
over the properties it actually has. One checker (``check_semantic``) reports every rule of
this module; each rule is registered below it with its own id, docs and examples.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspector.model import MessageMeta, Violation
from inspector.spec.registry import checked_rule, checker
from inspector.spec.values import TypeSpec, check_typed, compile_type, preview

_NONE: tuple[Violation, ...] = ()
_ANON = "23adfd82-aa0f-45a7-a756-24f2a7a4c895"
_DATA = json.loads((Path(__file__).parent / "data" / "semantic_events.json").read_text("utf-8"))

#: Checked for every track call by the reserved/* rules; not repeated here.
_RESERVED_TRACK = frozenset({"revenue", "value", "currency"})

FAMILY_TITLES = {
    "ecommerce_v2": "Ecommerce v2",
    "mobile": "Mobile",
    "video": "Video",
    "b2b_saas": "B2B SaaS",
    "email": "Email",
    "live_chat": "Live Chat",
    "ab_testing": "A/B Testing",
    "ai_copilot": "AI Copilot",
    "consent": "Consent",
    "protocols_internal": "Protocols",
    "typewriter_internal": "Typewriter",
}


@dataclass(frozen=True, slots=True)
class EventSpec:
    name: str
    family: str
    #: top-level properties
    props: dict[str, TypeSpec]
    #: array property -> fields of each item (products.$.price)
    arrays: dict[str, dict[str, TypeSpec]]
    #: object property -> its fields (campaign.source)
    objects: dict[str, dict[str, TypeSpec]]


def _compile_event(name: str, entry: dict[str, Any]) -> EventSpec:
    top: dict[str, str] = {}
    arrays: dict[str, dict[str, str]] = {}
    objects: dict[str, dict[str, str]] = {}
    for key, spec in entry["properties"].items():
        if ".$." in key:
            base, _, field = key.partition(".$.")
            arrays.setdefault(base, {})[field] = spec
        elif "." in key:
            base, _, field = key.partition(".")
            objects.setdefault(base, {})[field] = spec
        elif key not in _RESERVED_TRACK:
            top[key] = spec
    for base in arrays:
        top[base] = "array<object>"  # items are objects whenever their fields are documented
    for base in objects:
        top.setdefault(base, "object")

    def comp(d: dict[str, str]) -> dict[str, TypeSpec]:
        return {k: compile_type(v) for k, v in d.items()}

    return EventSpec(
        name,
        entry["family"],
        comp(top),
        {k: comp(v) for k, v in arrays.items()},
        {k: comp(v) for k, v in objects.items()},
    )


EVENTS: dict[str, EventSpec] = {n: _compile_event(n, e) for n, e in _DATA["events"].items()}
#: legacy (v1 / Google Analytics) name -> current name
LEGACY: dict[str, str] = dict(_DATA["legacy"])
B2B_EVENTS = frozenset(n for n, e in EVENTS.items() if e.family == "b2b_saas")
INTERNAL_EVENTS = frozenset(
    n for n, e in EVENTS.items() if e.family in ("protocols_internal", "typewriter_internal")
)
CONSENT_EVENT = "Segment Consent Preference Updated"


def normalize(name: str) -> str:
    """Case, spaces, underscores and dashes removed: "order_completed" -> "ordercompleted"."""
    return "".join(ch for ch in name.lower() if ch.isalnum())


_BY_NORMAL: dict[str, str] = {normalize(n): n for n in EVENTS}
_LEGACY_BY_NORMAL: dict[str, str] = {normalize(old): old for old in LEGACY}

#: event name -> ("case", canonical) | ("legacy", legacy name) | None; bounded memo.
_LOOKUP: dict[str, tuple[str, str] | None] = {}


def _lookup(event: str) -> tuple[str, str] | None:
    hit = _LOOKUP.get(event, _LOOKUP)
    if hit is not _LOOKUP:
        return hit  # type: ignore[return-value]
    result: tuple[str, str] | None = None
    if len(event) <= 80:
        n = normalize(event)
        if n in _LEGACY_BY_NORMAL:
            result = ("legacy", _LEGACY_BY_NORMAL[n])
        elif n in _BY_NORMAL:
            result = ("case", _BY_NORMAL[n])
    if len(_LOOKUP) >= 10_000:
        _LOOKUP.clear()
    _LOOKUP[event] = result
    return result


# -- the checker ----------------------------------------------------------------------------

_TYPE = "semantic/property-type"
_VALUE = "semantic/property-value"


def _fields(
    fields: dict[str, TypeSpec], obj: dict[str, Any], base: str, out: list[Violation]
) -> None:
    for k, v in obj.items():
        s = fields.get(k)
        if s is None or v is None or (s.simple and type(v) in s.pytypes):
            continue
        check_typed(_TYPE, "error", v, s, f"{base}.{k}", out, _VALUE, "warning")


def _walk(spec: EventSpec, props: dict[str, Any], out: list[Violation]) -> None:
    _fields(spec.props, props, "properties", out)
    for key, fields in spec.arrays.items():
        items = props.get(key)
        if type(items) is not list:
            continue
        for i, item in enumerate(items):
            if type(item) is dict:
                _fields(fields, item, f"properties.{key}[{i}]", out)
    for key, fields in spec.objects.items():
        obj = props.get(key)
        if type(obj) is dict:
            _fields(fields, obj, f"properties.{key}", out)


def _clean_fields(fields: dict[str, TypeSpec], obj: dict[str, Any]) -> bool:
    for k, v in obj.items():
        s = fields.get(k)
        if s is None or v is None or (s.simple and type(v) in s.pytypes):
            continue
        return False
    return True


def _clean(spec: EventSpec, props: dict[str, Any]) -> bool:
    """True when ``_walk`` certainly finds nothing: every documented property (and item field)
    has one of its plain types. Anything else (enums, ranges, dates, odd items) is left to
    ``_walk``."""
    fields = spec.props
    for k, v in props.items():
        s = fields.get(k)
        if s is None or v is None:
            continue
        if s.simple:
            if type(v) in s.pytypes:
                continue
            return False
        item_fields = spec.arrays.get(k)
        if item_fields is None or type(v) is not list:
            return False
        for item in v:
            if type(item) is dict:
                if not _clean_fields(item_fields, item):
                    return False
            elif item is not None:
                return False
    for key, obj_fields in spec.objects.items():
        obj = props.get(key)
        if type(obj) is dict and not _clean_fields(obj_fields, obj):
            return False
    return True


def _consent(message: dict[str, Any], out: list[Violation]) -> None:
    """The consent event needs categoryPreferences; its type (an object of booleans) is
    checked on every message by context/consent-type."""
    ctx = message.get("context")
    consent = ctx.get("consent") if type(ctx) is dict else None
    prefs = consent.get("categoryPreferences") if type(consent) is dict else None
    if prefs is None:
        path = "context.consent.categoryPreferences"
        out.append(
            Violation(
                "semantic/consent-preferences",
                "error",
                path,
                f"{path} is missing; send an object mapping each consent category to true or "
                "false.",
            )
        )


def _name(ev: str, out: list[Violation]) -> None:
    """Legacy (v1) names and semantic names with the wrong case or separators."""
    old = ev if ev in LEGACY else None
    if old is None:
        hit = _lookup(ev)
        if hit is None:
            return
        if hit[0] == "case":
            out.append(
                Violation(
                    "semantic/event-name-case",
                    "warning",
                    "event",
                    f'event {preview(ev)} is the semantic event "{hit[1]}" spelled differently; '
                    f'send exactly "{hit[1]}" so destinations recognise it.',
                )
            )
            return
        old = hit[1]
    out.append(
        Violation(
            "semantic/legacy-v1-name",
            "warning",
            "event",
            f'event {preview(ev)} is the old ecommerce name "{old}"; send "{LEGACY[old]}" '
            "(ecommerce v2).",
        )
    )


@checker("semantic", types=("track",))
def check_semantic(
    message: dict[str, Any], meta: MessageMeta
) -> list[Violation] | tuple[Violation, ...]:
    ev = message.get("event")
    if type(ev) is not str:
        return _NONE
    spec = EVENTS.get(ev)
    out: list[Violation] = []
    if spec is None:
        if ev in _PLAIN:
            return _NONE
        _name(ev, out)
        if not out and len(_PLAIN) < 10_000:
            _PLAIN.add(ev)
        return out if out else _NONE
    props = message.get("properties")
    if type(props) is dict and props and not _clean(spec, props):
        _walk(spec, props, out)
    family = spec.family
    if family == "b2b_saas":
        ctx = message.get("context")
        if type(ctx) is not dict or ctx.get("groupId") is None:
            out.append(
                Violation(
                    "semantic/b2b-group-id",
                    "info",
                    "context.groupId",
                    f'"{ev}" is a B2B SaaS event; set context.groupId to the account id so '
                    "account-level tools attribute it.",
                )
            )
    elif family == "consent":
        _consent(message, out)
    elif ev in INTERNAL_EVENTS:
        out.append(
            Violation(
                "semantic/internal-event",
                "info",
                "event",
                f'"{ev}" is emitted by Segment\'s own tooling; rename your event unless this '
                "message really comes from Protocols or Typewriter.",
            )
        )
    return out if out else _NONE


#: Event names known to be neither semantic nor near misses (bounded memo).
_PLAIN: set[str] = set()


# -- the rules ------------------------------------------------------------------------------


def _track(event: str, props: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    msg: dict[str, Any] = {"type": "track", "event": event, "anonymousId": _ANON}
    if props is not None:
        msg["properties"] = props
    msg.update(extra)
    return msg


checked_rule(
    "semantic/property-type",
    "error",
    "Properties of a semantic event (Order Completed, Product Viewed, Video Playback Started, "
    "...) have the types the Spec documents, including each `products[]` item.",
    "Destinations map semantic events field by field; a price sent as a string or a products "
    "entry that is not an object is dropped or breaks the mapping.",
    checker="semantic",
    examples=[
        _track(
            "Order Completed",
            {"order_id": "50314b8e", "products": [{"product_id": "p1", "price": "19.99"}]},
        ),
        _track("Product Viewed", {"product_id": 507, "quantity": "1"}),
        _track("Cart Viewed", {"products": ["p1"]}),
        _track("Video Playback Started", {"full_screen": "yes"}),
    ],
    passes=[
        _track(
            "Order Completed",
            {
                "order_id": "50314b8e",
                "total": 27.5,
                "products": [{"product_id": "p1", "price": 19.99, "quantity": 1}],
            },
        ),
        _track("Video Playback Paused", {"position": 12.0, "total_length": None}),
    ],
    types=["track"],
)
checked_rule(
    "semantic/property-value",
    "warning",
    "Properties of a semantic event with a fixed set of values or a range stay inside it "
    "(video `ad_type` is pre-roll, mid-roll or post-roll; `sound` is 0-100; dates are "
    "ISO-8601).",
    "Destinations translate these values one to one; anything else is passed on as unknown "
    "or rejected.",
    checker="semantic",
    examples=[
        _track("Video Playback Started", {"ad_type": "preroll"}),
        _track("Video Playback Paused", {"sound": 150}),
        _track("Trial Started", {"trial_start_date": "next monday"}, context={"groupId": "a"}),
    ],
    passes=[_track("Video Playback Paused", {"ad_type": "mid-roll", "sound": 80})],
    types=["track"],
)
checked_rule(
    "semantic/event-name-case",
    "warning",
    "An event that is a semantic event apart from case or separators is spelled exactly as "
    "the Spec does (`Order Completed`, not `order_completed`).",
    "Destinations recognise semantic events by exact name; a near miss is treated as a custom "
    "event and loses its special mapping (revenue, funnels, video metrics).",
    checker="semantic",
    examples=[_track("order completed"), _track("ORDER_COMPLETED"), _track("productViewed")],
    passes=[_track("Order Completed"), _track("Orders Completed Report")],
    types=["track"],
)
checked_rule(
    "semantic/legacy-v1-name",
    "warning",
    "Ecommerce events use the v2 names (`Order Completed`), not the v1 or Google Analytics "
    "names (`Completed Order`, `Viewed Product`, `Started Order`).",
    "Segment still maps the old names, but newer destinations and tracking plans expect the v2 "
    "names, and mixing both splits one action across two events.",
    checker="semantic",
    examples=[_track("Completed Order"), _track("viewed product"), _track("Started Order")],
    passes=[_track("Order Completed"), _track("Product Viewed")],
    types=["track"],
)
checked_rule(
    "semantic/consent-preferences",
    "error",
    f"A `{CONSENT_EVENT}` event carries `context.consent.categoryPreferences` (its type, an "
    "object of booleans, is checked on every message by `context/consent-type`).",
    "Segment discards the event without it: consent state cannot be read "
    "(consent_categorypreferences_should_exist / _should_be_bool).",
    checker="semantic",
    examples=[
        _track(CONSENT_EVENT),
        _track(CONSENT_EVENT, context={"consent": {"categoryPreferences": None}}),
    ],
    passes=[
        _track(CONSENT_EVENT, context={"consent": {"categoryPreferences": {"Advertising": False}}}),
        _track("Order Completed"),
    ],
    types=["track"],
)
checked_rule(
    "semantic/b2b-group-id",
    "info",
    "B2B SaaS events (Signed Up, Account Created, Trial Started, ...) carry `context.groupId`.",
    "Account-level destinations attribute these events to an account through "
    "context.groupId; without it they are tied to the user only.",
    checker="semantic",
    examples=[_track("Account Created", {"account_name": "Initech"})],
    passes=[_track("Account Created", {"account_name": "Initech"}, context={"groupId": "acct-9"})],
    types=["track"],
)
checked_rule(
    "semantic/internal-event",
    "info",
    "Apps do not send the events Segment's own tools emit (`Violation Generated`, "
    "`Unknown Analytics Call Fired`).",
    "These names are reserved for Protocols and Typewriter; sending them by hand mixes real "
    "violations with made-up ones.",
    checker="semantic",
    examples=[_track("Violation Generated")],
    passes=[_track("Order Completed")],
    types=["track"],
)
