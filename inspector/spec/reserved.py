"""Spec rules: reserved properties (revenue, value, currency, page fields) and reserved
identify/group traits. Registered on import."""

from __future__ import annotations

import math
from typing import Any

from inspector.model import MessageMeta, Violation
from inspector.spec.registry import message_rule
from inspector.spec.values import (
    TypeSpec,
    check_typed,
    compile_type,
    described,
    looks_like_email,
    parse_time,
    preview,
)

_NONE: tuple[Violation, ...] = ()
_ANON = "23adfd82-aa0f-45a7-a756-24f2a7a4c895"

# ISO 4217 alphabetic codes in current use (plus the common fund/precious-metal codes).
_ISO_4217 = """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD
    BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP
    DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR
    IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD
    MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB
    PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD
    SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS
    VED VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XUA YER
    ZAR ZMW ZWG ZWL
"""
CURRENCIES = frozenset(_ISO_4217.split())


def _track(props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "track", "event": "Plan Upgraded", "anonymousId": _ANON, "properties": props}


def _props(message: dict[str, Any]) -> dict[str, Any] | None:
    p = message.get("properties")
    return p if type(p) is dict else None


# -- revenue, value, currency -------------------------------------------------------------


def _money_text(key: str, v: Any) -> str:
    if type(v) is str:
        s = v.strip()
        stripped = s.lstrip("$€£¥").replace(",", "")
        try:
            num = float(stripped)
        except ValueError:
            return f"properties.{key} is {described(v)}; send a plain number such as 19.99."
        if not math.isfinite(num):
            return f"properties.{key} is {described(v)}; send a plain number such as 19.99."
        shown = str(int(num)) if num.is_integer() and abs(num) < 1e15 else repr(num)
        symbol = " without a currency symbol" if stripped != s.replace(",", "") else ""
        return f"properties.{key} is the string {preview(v)}; send the number {shown}{symbol}."
    return f"properties.{key} is {described(v)}; send a plain number such as 19.99."


def _number_rule(key: str, meaning: str) -> None:
    rule = f"reserved/{key}-type"

    @message_rule(
        rule,
        "error",
        f"`properties.{key}` on a track call is a number ({meaning}).",
        f'Destinations sum {key} as a number; a string such as "19.99" is dropped or '
        "counted as zero.",
        examples=[_track({key: "19.99"}), _track({key: "$5"}), _track({key: True})],
        passes=[_track({key: 19.99}), _track({key: 0}), _track({})],
        types=["track"],
    )
    def rule_fn(message: dict[str, Any], meta: MessageMeta) -> tuple[Violation, ...]:
        p = message.get("properties")
        if type(p) is not dict:
            return _NONE
        v = p.get(key)
        if v is None:
            return _NONE
        t = type(v)
        if t is int or t is float:
            return _NONE
        return (Violation(rule, "error", f"properties.{key}", _money_text(key, v)),)

    rule_fn.__name__ = rule_fn.__qualname__ = f"reserved_{key}_type"


_number_rule("revenue", "a decimal amount such as 19.99")
_number_rule("value", "an abstract worth of the event")


@message_rule(
    "reserved/currency-code",
    "error",
    "`properties.currency` on a track call is an ISO 4217 code such as `USD`.",
    "Revenue destinations convert by this code; an unknown code is rejected or the amount is "
    "booked in US dollars.",
    examples=[
        _track({"revenue": 10, "currency": "$"}),
        _track({"currency": "dollars"}),
        _track({"currency": 840}),
    ],
    passes=[_track({"revenue": 10, "currency": "EUR"}), _track({"revenue": 10})],
    types=["track"],
)
def currency_code(message: dict[str, Any], meta: MessageMeta) -> tuple[Violation, ...]:
    p = message.get("properties")
    if type(p) is not dict:
        return _NONE
    v = p.get("currency")
    if v is None or (type(v) is str and v.upper() in CURRENCIES):
        return _NONE
    return (
        Violation(
            "reserved/currency-code",
            "error",
            "properties.currency",
            f"properties.currency is {described(v)}, not an ISO 4217 code; send a three-letter "
            'code such as "USD" or "EUR".',
        ),
    )


@message_rule(
    "reserved/currency-case",
    "warning",
    "`properties.currency` is written in upper case (`USD`, not `usd`).",
    "ISO 4217 codes are upper case and some destinations compare them exactly.",
    examples=[_track({"revenue": 10, "currency": "usd"})],
    passes=[_track({"revenue": 10, "currency": "USD"})],
    types=["track"],
)
def currency_case(message: dict[str, Any], meta: MessageMeta) -> tuple[Violation, ...]:
    p = message.get("properties")
    if type(p) is not dict:
        return _NONE
    v = p.get("currency")
    if type(v) is not str or v.isupper() or v.upper() not in CURRENCIES:
        return _NONE
    return (
        Violation(
            "reserved/currency-case",
            "warning",
            "properties.currency",
            f'properties.currency is {preview(v)}; write it in upper case ("{v.upper()}").',
        ),
    )


# -- page and screen properties -------------------------------------------------------------

_S = compile_type("string")
_PAGE_PROPS: tuple[tuple[str, TypeSpec], ...] = (
    ("name", _S),
    ("category", _S),
    ("path", _S),
    ("referrer", _S),
    ("search", _S),
    ("title", _S),
    ("url", _S),
    ("keywords", compile_type("array<string>")),
)


@message_rule(
    "reserved/page-property-type",
    "error",
    "A page call's reserved properties have their types: name, category, path, referrer, "
    "search, title and url are strings; keywords is an array of strings.",
    "Destinations build page views from these fields; another type is misread or dropped.",
    examples=[
        {"type": "page", "anonymousId": _ANON, "properties": {"url": {"href": "https://x.io"}}},
        {"type": "page", "anonymousId": _ANON, "properties": {"keywords": "pricing,plans"}},
    ],
    passes=[
        {
            "type": "page",
            "anonymousId": _ANON,
            "properties": {
                "path": "/pricing",
                "url": "https://x.io/pricing",
                "keywords": ["plans"],
            },
        }
    ],
    types=["page"],
)
def page_property_type(
    message: dict[str, Any], meta: MessageMeta
) -> list[Violation] | tuple[Violation, ...]:
    p = message.get("properties")
    if type(p) is not dict or not p:
        return _NONE
    out: list[Violation] = []
    for key, spec in _PAGE_PROPS:
        v = p.get(key)
        if v is not None:
            check_typed("reserved/page-property-type", "error", v, spec, f"properties.{key}", out)
    return out if out else _NONE


@message_rule(
    "reserved/screen-property-type",
    "error",
    "A screen call's reserved property `name` is a string.",
    "Destinations read properties.name as the screen name.",
    examples=[{"type": "screen", "anonymousId": _ANON, "properties": {"name": 3}}],
    passes=[{"type": "screen", "anonymousId": _ANON, "properties": {"name": "Home"}}],
    types=["screen"],
)
def screen_property_type(
    message: dict[str, Any], meta: MessageMeta
) -> list[Violation] | tuple[Violation, ...]:
    p = message.get("properties")
    if type(p) is not dict:
        return _NONE
    v = p.get("name")
    if v is None:
        return _NONE
    out: list[Violation] = []
    check_typed("reserved/screen-property-type", "error", v, _S, "properties.name", out)
    return out if out else _NONE


# -- traits ----------------------------------------------------------------------------------

_ADDRESS = "object"
_ADDRESS_FIELDS = {
    "city": "string",
    "country": "string",
    "postalCode": "string|number",
    "postal_code": "string|number",
    "state": "string",
    "street": "string",
}
_COMPANY_FIELDS = {
    "name": "string",
    "id": "string|number",
    "industry": "string",
    "employee_count": "number",
    "plan": "string",
}
_DATE = "string|number"  # type level; the ISO-8601 shape is reserved/trait-date-format's job

_USER_TRAITS = {
    "address": _ADDRESS,
    "age": "number",
    "avatar": "string",
    "birthday": _DATE,
    "company": "object",
    "createdAt": _DATE,
    "created_at": _DATE,
    "description": "string",
    "email": "string",
    "firstName": "string",
    "first_name": "string",
    "gender": "string",
    "id": "string",
    "lastName": "string",
    "last_name": "string",
    "name": "string",
    "phone": "string",
    "title": "string",
    "username": "string",
    "website": "string",
    "industry": "string",
    "plan": "string",
}
_GROUP_TRAITS = {
    "address": _ADDRESS,
    "avatar": "string",
    "createdAt": _DATE,
    "created_at": _DATE,
    "description": "string",
    "email": "string",
    "employees": "string|number",
    "id": "string",
    "industry": "string",
    "name": "string",
    "phone": "string",
    "website": "string",
    "plan": "string",
}


def _compile(table: dict[str, str]) -> dict[str, TypeSpec]:
    return {k: compile_type(v) for k, v in table.items()}


_USER_SPECS = _compile(_USER_TRAITS)
_GROUP_SPECS = _compile(_GROUP_TRAITS)
_NESTED = {"address": _compile(_ADDRESS_FIELDS), "company": _compile(_COMPANY_FIELDS)}


def _check_traits(
    rule: str, traits: dict[str, Any], specs: dict[str, TypeSpec], path: str, out: list[Violation]
) -> None:
    if len(traits) < len(specs):
        items = [(k, specs.get(k)) for k in traits]
    else:
        items = [(k, s) for k, s in specs.items() if k in traits]
    for key, spec in items:
        if spec is None:
            continue
        v = traits[key]
        if v is None:
            continue
        p = f"{path}.{key}"
        if not spec.type_ok(v):
            out.append(Violation(rule, "error", p, f"{p} is {described(v)}; send {spec.text}."))
            continue
        nested = _NESTED.get(key)
        if nested is not None and type(v) is dict:
            for nk, nv in v.items():
                ns = nested.get(nk)
                if ns is not None:
                    check_typed(rule, "error", nv, ns, f"{p}.{nk}", out)


def _user_trait_objects(message: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    if message.get("type") == "identify":
        t = message.get("traits")
        if type(t) is dict and t:
            found.append(("traits", t))
    ctx = message.get("context")
    if type(ctx) is dict:
        t = ctx.get("traits")
        if type(t) is dict and t:
            found.append(("context.traits", t))
    return found


def _group_trait_objects(message: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    if message.get("type") != "group":
        return []
    t = message.get("traits")
    return [("traits", t)] if type(t) is dict and t else []


def _identify(traits: dict[str, Any]) -> dict[str, Any]:
    return {"type": "identify", "userId": "u-1", "traits": traits}


def _group(traits: dict[str, Any]) -> dict[str, Any]:
    return {"type": "group", "userId": "u-1", "groupId": "g-1", "traits": traits}


@message_rule(
    "reserved/identify-trait-type",
    "error",
    "Reserved user traits (on identify and in `context.traits`) have their documented types: "
    "age is a number; address and company are objects; email, name, firstName, lastName, "
    "phone, title, username, website, avatar, gender, description, id are strings.",
    "Destinations map reserved traits onto typed profile fields; a value of another type is "
    "rejected or lost.",
    examples=[
        _identify({"age": "34"}),
        _identify({"phone": 5550100}),
        _identify({"address": {"city": ["Paris"]}}),
        {
            "type": "track",
            "event": "Plan Upgraded",
            "userId": "u-1",
            "context": {"traits": {"email": 1}},
        },
    ],
    passes=[
        _identify(
            {
                "age": 34,
                "email": "jane@example.com",
                "address": {"city": "Paris", "postalCode": 75001},
            }
        ),
        _identify({"age": None}),
    ],
)
def identify_trait_type(
    message: dict[str, Any], meta: MessageMeta
) -> list[Violation] | tuple[Violation, ...]:
    objs = _user_trait_objects(message)
    if not objs:
        return _NONE
    out: list[Violation] = []
    for path, traits in objs:
        _check_traits("reserved/identify-trait-type", traits, _USER_SPECS, path, out)
    return out if out else _NONE


@message_rule(
    "reserved/group-trait-type",
    "error",
    "Reserved group traits have their documented types: address is an object; employees is a "
    "number or string; name, email, industry, plan, phone, website, avatar, description, id "
    "are strings.",
    "Destinations map reserved group traits onto typed account fields; a value of another "
    "type is rejected or lost.",
    examples=[_group({"name": ["Initech"]}), _group({"employees": {"count": 30}})],
    passes=[_group({"name": "Initech", "employees": 329, "plan": "enterprise"})],
    types=["group"],
)
def group_trait_type(
    message: dict[str, Any], meta: MessageMeta
) -> list[Violation] | tuple[Violation, ...]:
    objs = _group_trait_objects(message)
    if not objs:
        return _NONE
    out: list[Violation] = []
    for path, traits in objs:
        _check_traits("reserved/group-trait-type", traits, _GROUP_SPECS, path, out)
    return out if out else _NONE


def _all_trait_objects(message: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    if message.get("type") == "group":
        return _group_trait_objects(message) + _user_trait_objects(message)
    return _user_trait_objects(message)


@message_rule(
    "reserved/email-format",
    "warning",
    "The reserved `email` trait looks like an email address.",
    "Email and CRM destinations reject or bounce an address they cannot parse.",
    examples=[_identify({"email": "jane.example.com"}), _group({"email": "sales at initech"})],
    passes=[_identify({"email": "jane@example.com"})],
)
def email_format(
    message: dict[str, Any], meta: MessageMeta
) -> list[Violation] | tuple[Violation, ...]:
    out: list[Violation] | None = None
    for path, traits in _all_trait_objects(message):
        v = traits.get("email")
        if type(v) is not str or looks_like_email(v):
            continue
        if out is None:
            out = []
        out.append(
            Violation(
                "reserved/email-format",
                "warning",
                f"{path}.email",
                f"{path}.email is {preview(v)}, which is not an email address; send "
                "name@domain or leave the trait out.",
            )
        )
    return out if out is not None else _NONE


_DATE_TRAITS = ("createdAt", "created_at", "birthday")


@message_rule(
    "reserved/trait-date-format",
    "warning",
    "Date traits (`createdAt`, `created_at`, `birthday`) are ISO-8601 strings.",
    "Segment and destinations parse dates as ISO-8601; an epoch number or a local format is "
    "stored as a plain value or misread.",
    examples=[_identify({"createdAt": 1449947461}), _identify({"birthday": "12/31/1990"})],
    passes=[_identify({"createdAt": "2015-12-12T19:11:01Z", "birthday": "1990-12-31"})],
)
def trait_date_format(
    message: dict[str, Any], meta: MessageMeta
) -> list[Violation] | tuple[Violation, ...]:
    out: list[Violation] | None = None
    for path, traits in _all_trait_objects(message):
        for key in _DATE_TRAITS:
            v = traits.get(key)
            if v is None or type(v) not in (str, int, float):
                continue  # other types are the type rules' business
            if type(v) is str and parse_time(v) is not None:
                continue
            if out is None:
                out = []
            out.append(
                Violation(
                    "reserved/trait-date-format",
                    "warning",
                    f"{path}.{key}",
                    f"{path}.{key} is {described(v)}, not an ISO-8601 date; send e.g. "
                    '"2015-12-12T19:11:01Z".',
                )
            )
    return out if out is not None else _NONE


_CASE_PAIRS = (("firstName", "first_name"), ("lastName", "last_name"), ("createdAt", "created_at"))


@message_rule(
    "reserved/trait-case-mixed",
    "warning",
    "A reserved trait is not sent in both camelCase and snake_case (`firstName` and `first_name`).",
    "Both spellings are accepted, so sending both creates duplicate traits in destinations.",
    examples=[_identify({"firstName": "Jane", "first_name": "Jane"})],
    passes=[_identify({"firstName": "Jane", "lastName": "Doe"})],
)
def trait_case_mixed(
    message: dict[str, Any], meta: MessageMeta
) -> list[Violation] | tuple[Violation, ...]:
    out: list[Violation] | None = None
    for path, traits in _all_trait_objects(message):
        for camel, snake in _CASE_PAIRS:
            if camel in traits and snake in traits:
                if out is None:
                    out = []
                out.append(
                    Violation(
                        "reserved/trait-case-mixed",
                        "warning",
                        f"{path}.{snake}",
                        f"{path} has both {camel} and {snake}; keep one spelling "
                        "(destinations see two traits).",
                    )
                )
    return out if out is not None else _NONE
