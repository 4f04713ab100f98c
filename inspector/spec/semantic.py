"""Spec rules: semantic events (ecommerce v2, mobile, video, B2B SaaS, email, live chat,
A/B testing, AI copilot, consent): documented property types, name spelling, legacy names.

The event table lives in ``data/semantic_events.json``; it is compiled once, on import, into
per-event tuples of (property, TypeSpec) so checking an event is a dict lookup plus a walk
over the properties it documents.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspector.model import MessageMeta, Violation
from inspector.spec.registry import message_rule
from inspector.spec.values import TypeSpec, check_typed, compile_type, described, preview

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
    props: tuple[tuple[str, TypeSpec], ...]
    #: array property -> fields of each item (products.$.price)
    arrays: tuple[tuple[str, tuple[tuple[str, TypeSpec], ...]], ...]
    #: object property -> its fields (campaign.source)
    objects: tuple[tuple[str, tuple[tuple[str, TypeSpec], ...]], ...]


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

    def comp(d: dict[str, str]) -> tuple[tuple[str, TypeSpec], ...]:
        return tuple((k, compile_type(v)) for k, v in d.items())

    return EventSpec(
        name,
        entry["family"],
        comp(top),
        tuple((k, comp(v)) for k, v in arrays.items()),
        tuple((k, comp(v)) for k, v in objects.items()),
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


def _track(event: str, props: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    msg: dict[str, Any] = {"type": "track", "event": event, "anonymousId": _ANON}
    if props is not None:
        msg["properties"] = props
    msg.update(extra)
    return msg


# -- documented property types ----------------------------------------------------------------


def _walk(spec: EventSpec, props: dict[str, Any], values: bool, out: list[Violation]) -> None:
    """Type findings (``values=False``) or enum/range/date findings (``values=True``)."""
    rule = "semantic/property-value" if values else "semantic/property-type"
    for key, ts in spec.props:
        v = props.get(key)
        if v is None:
            continue
        if values:
            if ts.items is None and ts.type_ok(v):
                check_typed(rule, "error", v, ts, f"properties.{key}", out, rule, "warning")
        else:
            check_typed(rule, "error", v, ts, f"properties.{key}", out)
    for key, fields in spec.arrays:
        items = props.get(key)
        if type(items) is not list:
            continue
        for i, item in enumerate(items):
            if type(item) is not dict:
                continue
            base = f"properties.{key}[{i}]"
            for fk, fs in fields:
                fv = item.get(fk)
                if fv is None:
                    continue
                if values:
                    if fs.items is None and fs.type_ok(fv):
                        check_typed(rule, "error", fv, fs, f"{base}.{fk}", out, rule, "warning")
                else:
                    check_typed(rule, "error", fv, fs, f"{base}.{fk}", out)
    for key, fields in spec.objects:
        obj = props.get(key)
        if type(obj) is not dict:
            continue
        for fk, fs in fields:
            fv = obj.get(fk)
            if fv is None:
                continue
            if values:
                if fs.items is None and fs.type_ok(fv):
                    check_typed(
                        rule, "error", fv, fs, f"properties.{key}.{fk}", out, rule, "warning"
                    )
            else:
                check_typed(rule, "error", fv, fs, f"properties.{key}.{fk}", out)


def _spec_and_props(message: dict[str, Any]) -> tuple[EventSpec, dict[str, Any]] | None:
    ev = message.get("event")
    if type(ev) is not str:
        return None
    spec = EVENTS.get(ev)
    if spec is None:
        return None
    props = message.get("properties")
    if type(props) is not dict or not props:
        return None
    return spec, props


@message_rule(
    "semantic/property-type",
    "error",
    "Properties of a semantic event (Order Completed, Product Viewed, Video Playback Started, "
    "...) have the types the Spec documents, including each `products[]` item.",
    "Destinations map semantic events field by field; a price sent as a string or a products "
    "entry that is not an object is dropped or breaks the mapping.",
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
        _track("order completed", {"products": "none"}),
    ],
    types=["track"],
)
def property_type(
    message: dict[str, Any], meta: MessageMeta
) -> list[Violation] | tuple[Violation, ...]:
    found = _spec_and_props(message)
    if found is None:
        return _NONE
    out: list[Violation] = []
    _walk(found[0], found[1], False, out)
    return out if out else _NONE


@message_rule(
    "semantic/property-value",
    "warning",
    "Properties of a semantic event with a fixed set of values or a range stay inside it "
    "(video `ad_type` is pre-roll, mid-roll or post-roll; `sound` is 0-100; dates are "
    "ISO-8601).",
    "Destinations translate these values one to one; anything else is passed on as unknown "
    "or rejected.",
    examples=[
        _track("Video Playback Started", {"ad_type": "preroll"}),
        _track("Video Playback Paused", {"sound": 150}),
        _track("Trial Started", {"trial_start_date": "next monday"}),
    ],
    passes=[_track("Video Playback Paused", {"ad_type": "mid-roll", "sound": 80})],
    types=["track"],
)
def property_value(
    message: dict[str, Any], meta: MessageMeta
) -> list[Violation] | tuple[Violation, ...]:
    found = _spec_and_props(message)
    if found is None:
        return _NONE
    out: list[Violation] = []
    _walk(found[0], found[1], True, out)
    return out if out else _NONE


# -- names --------------------------------------------------------------------------------------


@message_rule(
    "semantic/event-name-case",
    "warning",
    "An event that is a semantic event apart from case or separators is spelled exactly as "
    "the Spec does (`Order Completed`, not `order_completed`).",
    "Destinations recognise semantic events by exact name; a near miss is treated as a custom "
    "event and loses its special mapping (revenue, funnels, video metrics).",
    examples=[_track("order completed"), _track("ORDER_COMPLETED"), _track("productViewed")],
    passes=[_track("Order Completed"), _track("Orders Completed Report")],
    types=["track"],
)
def event_name_case(message: dict[str, Any], meta: MessageMeta) -> tuple[Violation, ...]:
    ev = message.get("event")
    if type(ev) is not str or ev in EVENTS or ev in LEGACY:
        return _NONE
    hit = _lookup(ev)
    if hit is None or hit[0] != "case":
        return _NONE
    return (
        Violation(
            "semantic/event-name-case",
            "warning",
            "event",
            f'event {preview(ev)} is the semantic event "{hit[1]}" spelled differently; send '
            f'exactly "{hit[1]}" so destinations recognise it.',
        ),
    )


@message_rule(
    "semantic/legacy-v1-name",
    "warning",
    "Ecommerce events use the v2 names (`Order Completed`), not the v1 or Google Analytics "
    "names (`Completed Order`, `Viewed Product`, `Started Order`).",
    "Segment still maps the old names, but new destinations and tracking plans expect the v2 "
    "names, and mixing both splits one action across two events.",
    examples=[_track("Completed Order"), _track("viewed product"), _track("Started Order")],
    passes=[_track("Order Completed"), _track("Product Viewed")],
    types=["track"],
)
def legacy_v1_name(message: dict[str, Any], meta: MessageMeta) -> tuple[Violation, ...]:
    ev = message.get("event")
    if type(ev) is not str or ev in EVENTS:
        return _NONE
    old = ev if ev in LEGACY else None
    if old is None:
        hit = _lookup(ev)
        if hit is None or hit[0] != "legacy":
            return _NONE
        old = hit[1]
    new = LEGACY[old]
    return (
        Violation(
            "semantic/legacy-v1-name",
            "warning",
            "event",
            f'event {preview(ev)} is the old ecommerce name "{old}"; send "{new}" (ecommerce v2).',
        ),
    )


# -- event-specific context ---------------------------------------------------------------------


@message_rule(
    "semantic/consent-preferences",
    "error",
    f"A `{CONSENT_EVENT}` event carries `context.consent.categoryPreferences`, an object of "
    "booleans.",
    "Segment discards the event without it: consent state cannot be read "
    "(consent_categorypreferences_should_exist / _should_be_bool).",
    examples=[
        _track(CONSENT_EVENT),
        _track(CONSENT_EVENT, context={"consent": {"categoryPreferences": {"Advertising": "yes"}}}),
    ],
    passes=[
        _track(CONSENT_EVENT, context={"consent": {"categoryPreferences": {"Advertising": False}}}),
        _track("Order Completed"),
    ],
    types=["track"],
)
def consent_preferences(
    message: dict[str, Any], meta: MessageMeta
) -> list[Violation] | tuple[Violation, ...]:
    if message.get("event") != CONSENT_EVENT:
        return _NONE
    ctx = message.get("context")
    consent = ctx.get("consent") if type(ctx) is dict else None
    prefs = consent.get("categoryPreferences") if type(consent) is dict else None
    path = "context.consent.categoryPreferences"
    if type(prefs) is not dict:
        what = "missing" if prefs is None else described(prefs)
        return (
            Violation(
                "semantic/consent-preferences",
                "error",
                path,
                f"{path} is {what}; send an object mapping each consent category to true or false.",
            ),
        )
    out: list[Violation] = []
    for k, v in prefs.items():
        if type(v) is not bool:
            out.append(
                Violation(
                    "semantic/consent-preferences",
                    "error",
                    f"{path}.{k}",
                    f"{path}.{k} is {described(v)}; send true or false.",
                )
            )
    return out if out else _NONE


@message_rule(
    "semantic/b2b-group-id",
    "info",
    "B2B SaaS events (Signed Up, Account Created, Trial Started, ...) carry `context.groupId`.",
    "Account-level destinations attribute these events to an account through "
    "context.groupId; without it they are tied to the user only.",
    examples=[_track("Account Created", {"account_name": "Initech"})],
    passes=[_track("Account Created", {"account_name": "Initech"}, context={"groupId": "acct-9"})],
    types=["track"],
)
def b2b_group_id(message: dict[str, Any], meta: MessageMeta) -> tuple[Violation, ...]:
    ev = message.get("event")
    if type(ev) is not str or ev not in B2B_EVENTS:
        return _NONE
    ctx = message.get("context")
    if type(ctx) is dict and ctx.get("groupId") is not None:
        return _NONE
    return (
        Violation(
            "semantic/b2b-group-id",
            "info",
            "context.groupId",
            f'"{ev}" is a B2B SaaS event; set context.groupId to the account id so '
            "account-level tools attribute it.",
        ),
    )


@message_rule(
    "semantic/internal-event",
    "info",
    "Apps do not send the events Segment's own tools emit (`Violation Generated`, "
    "`Unknown Analytics Call Fired`).",
    "These names are reserved for Protocols and Typewriter; sending them by hand mixes real "
    "violations with fake ones.",
    examples=[_track("Violation Generated")],
    passes=[_track("Order Completed")],
    types=["track"],
)
def internal_event(message: dict[str, Any], meta: MessageMeta) -> tuple[Violation, ...]:
    ev = message.get("event")
    if type(ev) is not str or ev not in INTERNAL_EVENTS:
        return _NONE
    return (
        Violation(
            "semantic/internal-event",
            "info",
            "event",
            f'"{ev}" is emitted by Segment\'s own tooling; rename your event unless this '
            "message really comes from Protocols or Typewriter.",
        ),
    )
