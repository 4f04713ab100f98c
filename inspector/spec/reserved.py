"""Spec rules: reserved properties (revenue, value, currency, page and screen fields) and
reserved identify/group traits (types, email shape, ISO-8601 dates, mixed spellings).

One checker (``check_reserved``) looks only at the objects the call type has; each rule is
registered below it with its own id, docs and examples.
"""

from __future__ import annotations

import math
from typing import Any

from inspector.model import MessageMeta, Violation
from inspector.spec.registry import checked_rule, checker
from inspector.spec.values import (
    TypeSpec,
    check_typed,
    compile_type,
    described,
    iso_time,
    looks_like_email,
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


def _money_number(text: str) -> float | None:
    """The amount a money string means, reading "1,234.56", "1.234,56" and "19,99" as people
    write them: the last separator followed by one or two digits is the decimal one."""
    last = max(text.rfind(","), text.rfind("."))
    if last >= 0 and 1 <= len(text) - last - 1 <= 2 and text[last + 1 :].isdigit():
        whole = text[:last].replace(",", "").replace(".", "")
        text = f"{whole}.{text[last + 1 :]}"
    else:
        text = text.replace(",", "")
    try:
        return float(text)
    except ValueError:
        return None


def _money_text(key: str, v: Any) -> str:
    if type(v) is str:
        s = v.strip()
        bare = s.lstrip("$€£¥").strip()
        num = _money_number(bare)
        if num is None or not math.isfinite(num):
            return f"properties.{key} is {described(v)}; send a plain number such as 19.99."
        shown = str(int(num)) if num.is_integer() and abs(num) < 1e15 else repr(num)
        symbol = " without a currency symbol" if bare != s else ""
        return f"properties.{key} is the string {preview(v)}; send the number {shown}{symbol}."
    return f"properties.{key} is {described(v)}; send a plain number such as 19.99."


def _currency(v: Any, out: list[Violation]) -> None:
    if type(v) is str:
        if v in CURRENCIES:
            return
        up = v.upper()
        if up in CURRENCIES:
            out.append(
                Violation(
                    "reserved/currency-case",
                    "warning",
                    "properties.currency",
                    f'properties.currency is {preview(v)}; write it in upper case ("{up}").',
                )
            )
            return
    out.append(
        Violation(
            "reserved/currency-code",
            "error",
            "properties.currency",
            f"properties.currency is {described(v)}, not an ISO 4217 code; send a three-letter "
            'code such as "USD" or "EUR".',
        )
    )


_TRACK_RESERVED = frozenset(("revenue", "value", "currency"))


def _track_props(p: dict[str, Any], out: list[Violation]) -> None:
    for key in ("revenue", "value"):
        v = p.get(key)
        if v is not None and type(v) is not int and type(v) is not float:
            out.append(
                Violation(f"reserved/{key}-type", "error", f"properties.{key}", _money_text(key, v))
            )
    cur = p.get("currency")
    if cur is not None and (type(cur) is not str or cur not in CURRENCIES):
        _currency(cur, out)


_S = compile_type("string")
_PAGE_PROPS: dict[str, TypeSpec] = {
    "name": _S,
    "category": _S,
    "path": _S,
    "referrer": _S,
    "search": _S,
    "title": _S,
    "url": _S,
    "keywords": compile_type("array<string>"),
}


def _page_props(p: dict[str, Any], out: list[Violation]) -> None:
    for key, v in p.items():
        spec = _PAGE_PROPS.get(key)
        if spec is None or v is None or (spec.simple and type(v) in spec.pytypes):
            continue
        check_typed("reserved/page-property-type", "error", v, spec, f"properties.{key}", out)


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


_fromisoformat = iso_time


def _is_time(v: str) -> bool:
    """``parse_time(v) is not None`` for a string, without the call."""
    if len(v) < 8 or len(v) > 64:
        return False
    try:
        _fromisoformat(v)
    except ValueError:
        return False
    return True


_DATE_TRAITS = frozenset({"createdAt", "created_at", "birthday"})
_CASE_PAIRS = (("firstName", "first_name"), ("lastName", "last_name"), ("createdAt", "created_at"))
_CASE_SNAKES = frozenset(snake for _, snake in _CASE_PAIRS)


def _traits(
    rule: str, traits: dict[str, Any], specs: dict[str, TypeSpec], path: str, out: list[Violation]
) -> None:
    """Types (``rule``), email shape, ISO-8601 dates and mixed spellings of one traits object."""
    for key, v in traits.items():
        spec = specs.get(key)
        if spec is None or v is None:
            continue
        tv = type(v)
        if tv not in spec.pytypes:
            p = f"{path}.{key}"
            out.append(Violation(rule, "error", p, f"{p} is {described(v)}; send {spec.text}."))
            continue
        if key == "email":
            if not looks_like_email(v):
                out.append(
                    Violation(
                        "reserved/email-format",
                        "warning",
                        f"{path}.email",
                        f"{path}.email is {preview(v)}, which is not an email address; send "
                        "name@domain or leave the trait out.",
                    )
                )
        elif key in _DATE_TRAITS:
            if tv is not str or not _is_time(v):
                p = f"{path}.{key}"
                out.append(
                    Violation(
                        "reserved/trait-date-format",
                        "warning",
                        p,
                        f"{p} is {described(v)}, not an ISO-8601 date; send e.g. "
                        '"2015-12-12T19:11:01Z".',
                    )
                )
        elif tv is dict:
            nested = _NESTED.get(key)
            if nested is not None:
                for nk, nv in v.items():
                    ns = nested.get(nk)
                    if ns is not None and nv is not None and type(nv) not in ns.pytypes:
                        check_typed(rule, "error", nv, ns, f"{path}.{key}.{nk}", out)
    if _CASE_SNAKES.isdisjoint(traits):
        return
    for camel, snake in _CASE_PAIRS:
        if camel in traits and snake in traits:
            out.append(
                Violation(
                    "reserved/trait-case-mixed",
                    "warning",
                    f"{path}.{snake}",
                    f"{path} has both {camel} and {snake}; keep one spelling "
                    "(destinations see two traits).",
                )
            )


_USER_RULE = "reserved/identify-trait-type"
_GROUP_RULE = "reserved/group-trait-type"


@checker("reserved")
def check_reserved(
    message: dict[str, Any], meta: MessageMeta
) -> list[Violation] | tuple[Violation, ...]:
    out: list[Violation] = []
    t = message.get("type")
    if t == "track":
        p = message.get("properties")
        if type(p) is dict and p and not _TRACK_RESERVED.isdisjoint(p):
            _track_props(p, out)
    elif t == "page":
        p = message.get("properties")
        if type(p) is dict and p:
            _page_props(p, out)
    elif t == "screen":
        p = message.get("properties")
        if type(p) is dict:
            name = p.get("name")
            if name is not None and type(name) is not str:
                check_typed(
                    "reserved/screen-property-type", "error", name, _S, "properties.name", out
                )
    elif t == "identify":
        tr = message.get("traits")
        if type(tr) is dict and tr:
            _traits(_USER_RULE, tr, _USER_SPECS, "traits", out)
    elif t == "group":
        tr = message.get("traits")
        if type(tr) is dict and tr:
            _traits(_GROUP_RULE, tr, _GROUP_SPECS, "traits", out)
    ctx = message.get("context")
    if type(ctx) is dict:
        tr = ctx.get("traits")
        if type(tr) is dict and tr:
            _traits(_USER_RULE, tr, _USER_SPECS, "context.traits", out)
    return out if out else _NONE


# -- the rules ------------------------------------------------------------------------------


def _track(props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "track", "event": "Plan Upgraded", "anonymousId": _ANON, "properties": props}


def _identify(traits: dict[str, Any]) -> dict[str, Any]:
    return {"type": "identify", "userId": "u-1", "traits": traits}


def _group(traits: dict[str, Any]) -> dict[str, Any]:
    return {"type": "group", "userId": "u-1", "groupId": "g-1", "traits": traits}


for _key, _meaning in (
    ("revenue", "a decimal amount such as 19.99"),
    ("value", "an abstract worth of the event"),
):
    checked_rule(
        f"reserved/{_key}-type",
        "error",
        f"`properties.{_key}` on a track call is a number ({_meaning}).",
        f'Destinations sum {_key} as a number; a string such as "19.99" is dropped or counted '
        "as zero.",
        checker="reserved",
        examples=[_track({_key: "19.99"}), _track({_key: "$5"}), _track({_key: True})],
        passes=[_track({_key: 19.99}), _track({_key: 0}), _track({})],
        types=["track"],
    )

checked_rule(
    "reserved/currency-code",
    "error",
    "`properties.currency` on a track call is an ISO 4217 code such as `USD`.",
    "Revenue destinations convert by this code; an unknown code is rejected or the amount is "
    "booked in US dollars.",
    checker="reserved",
    examples=[
        _track({"revenue": 10, "currency": "$"}),
        _track({"currency": "dollars"}),
        _track({"currency": 840}),
    ],
    passes=[_track({"revenue": 10, "currency": "EUR"}), _track({"revenue": 10})],
    types=["track"],
)
checked_rule(
    "reserved/currency-case",
    "warning",
    "`properties.currency` is written in upper case (`USD`, not `usd`).",
    "ISO 4217 codes are upper case and some destinations compare them exactly.",
    checker="reserved",
    examples=[_track({"revenue": 10, "currency": "usd"})],
    passes=[_track({"revenue": 10, "currency": "USD"})],
    types=["track"],
)
checked_rule(
    "reserved/page-property-type",
    "error",
    "A page call's reserved properties have their types: name, category, path, referrer, "
    "search, title and url are strings; keywords is an array of strings.",
    "Destinations build page views from these fields; another type is misread or dropped.",
    checker="reserved",
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
checked_rule(
    "reserved/screen-property-type",
    "error",
    "A screen call's reserved property `name` is a string.",
    "Destinations read properties.name as the screen name.",
    checker="reserved",
    examples=[{"type": "screen", "anonymousId": _ANON, "properties": {"name": 3}}],
    passes=[{"type": "screen", "anonymousId": _ANON, "properties": {"name": "Home"}}],
    types=["screen"],
)
checked_rule(
    "reserved/identify-trait-type",
    "error",
    "Reserved user traits (on identify and in `context.traits`) have their documented types: "
    "age is a number; address and company are objects; email, name, firstName, lastName, "
    "phone, title, username, website, avatar, gender, description, id are strings.",
    "Destinations map reserved traits onto typed profile fields; a value of another type is "
    "rejected or lost.",
    checker="reserved",
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
checked_rule(
    "reserved/group-trait-type",
    "error",
    "Reserved group traits have their documented types: address is an object; employees is a "
    "number or string; name, email, industry, plan, phone, website, avatar, description, id "
    "are strings.",
    "Destinations map reserved group traits onto typed account fields; a value of another "
    "type is rejected or lost.",
    checker="reserved",
    examples=[_group({"name": ["Initech"]}), _group({"employees": {"count": 30}})],
    passes=[_group({"name": "Initech", "employees": 329, "plan": "enterprise"})],
    types=["group"],
)
checked_rule(
    "reserved/email-format",
    "warning",
    "The reserved `email` trait looks like an email address.",
    "Email and CRM destinations reject or bounce an address they cannot parse.",
    checker="reserved",
    examples=[_identify({"email": "jane.example.com"}), _group({"email": "sales at initech"})],
    passes=[_identify({"email": "jane@example.com"})],
)
checked_rule(
    "reserved/trait-date-format",
    "warning",
    "Date traits (`createdAt`, `created_at`, `birthday`) are ISO-8601 strings.",
    "Segment and destinations parse dates as ISO-8601; an epoch number or a local format is "
    "stored as a plain value or misread.",
    checker="reserved",
    examples=[_identify({"createdAt": 1449947461}), _identify({"birthday": "12/31/1990"})],
    passes=[_identify({"createdAt": "2015-12-12T19:11:01Z", "birthday": "1990-12-31"})],
)
checked_rule(
    "reserved/trait-case-mixed",
    "warning",
    "A reserved trait is not sent in both camelCase and snake_case (`firstName` and `first_name`).",
    "Both spellings are accepted, so sending both creates duplicate traits in destinations.",
    checker="reserved",
    examples=[_identify({"firstName": "Jane", "first_name": "Jane"})],
    passes=[_identify({"firstName": "Jane", "lastName": "Doe"})],
)
