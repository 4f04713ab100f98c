"""Spec rules: the documented `context` fields, their sub-fields and formats.

Each documented context field has its own rule (``context/<field>-type``) built from one
table, so a field can be switched off alone and has its own entry in docs/rules.md. One
checker (``check_context``) walks the keys the context actually has and looks each up in
that table, so a typical context costs a handful of dict lookups.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspector.model import MessageMeta, Severity, Violation
from inspector.spec.registry import checked_rule, checker
from inspector.spec.values import TypeSpec, check_typed, compile_type, described, preview

_NONE: tuple[Violation, ...] = ()
_ANON = "23adfd82-aa0f-45a7-a756-24f2a7a4c895"


def _with_context(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"type": "track", "event": "Course Clicked", "anonymousId": _ANON, "context": ctx}


# field, rule slug, type, sub-field types, what it is, a bad value, a good value, severity
_BRANDS = "array<object>"
_TABLE: list[tuple[str, str, str, dict[str, str], str, Any, Any, Severity]] = [
    ("active", "active", "boolean", {}, "whether the user is active", "yes", False, "error"),
    (
        "app",
        "app",
        "object",
        {"name": "string", "version": "string", "build": "string", "namespace": "string"},
        "the current application (name, version, build)",
        {"name": "Shop", "version": 3.2},
        {"name": "Shop", "version": "3.2.0", "build": "412"},
        "error",
    ),
    (
        "campaign",
        "campaign",
        "object",
        {
            "name": "string",
            "source": "string",
            "medium": "string",
            "term": "string",
            "content": "string",
        },
        "the UTM campaign that brought the user",
        "spring_sale",
        {"name": "spring_sale", "source": "newsletter", "medium": "email"},
        "error",
    ),
    (
        "device",
        "device",
        "object",
        {
            "id": "string",
            "advertisingId": "string",
            "adTrackingEnabled": "boolean",
            "manufacturer": "string",
            "model": "string",
            "name": "string",
            "type": "string",
            "version": "string",
            "token": "string",
        },
        "the device (id, advertisingId, manufacturer, model, type, ...)",
        {"advertisingId": 7192, "manufacturer": "Apple"},
        {"id": "B5372DB0", "advertisingId": "7A3CBEA0", "manufacturer": "Apple", "type": "ios"},
        "error",
    ),
    ("ip", "ip", "string", {}, "the user's IP address", 1812345678, "108.0.78.21", "error"),
    (
        "library",
        "library",
        "object",
        {"name": "string", "version": "string"},
        "the library that sent the call (name, version)",
        {"name": "analytics-python", "version": 2},
        {"name": "analytics-python", "version": "2.3.2"},
        "error",
    ),
    ("locale", "locale", "string", {}, "the user's locale", ["en-US"], "en-US", "error"),
    (
        "location",
        "location",
        "object",
        {
            "city": "string",
            "country": "string",
            "region": "string",
            "latitude": "number|string",
            "longitude": "number|string",
            "speed": "number",
        },
        "the user's location (legacy: no library collects it any more)",
        {"city": "Paris", "speed": "fast"},
        {"city": "Paris", "latitude": 48.85, "longitude": 2.35},
        "warning",
    ),
    (
        "network",
        "network",
        "object",
        {"bluetooth": "boolean", "carrier": "string", "cellular": "boolean", "wifi": "boolean"},
        "the network connection (bluetooth, carrier, cellular, wifi)",
        {"wifi": "true"},
        {"wifi": True, "cellular": False, "carrier": "T-Mobile"},
        "error",
    ),
    (
        "os",
        "os",
        "object",
        {"name": "string", "version": "string"},
        "the operating system (name, version)",
        {"name": "iOS", "version": 17.4},
        {"name": "iOS", "version": "17.4"},
        "error",
    ),
    (
        "page",
        "page",
        "object",
        {
            "path": "string",
            "referrer": "string",
            "search": "string",
            "title": "string",
            "url": "string",
        },
        "the current web page (path, referrer, search, title, url)",
        {"path": "/academy/", "url": None, "title": ["Analytics Academy"]},
        {"path": "/academy/", "referrer": "", "url": "https://segment.com/academy/"},
        "error",
    ),
    (
        "referrer",
        "referrer",
        "object",
        {"type": "string", "name": "string", "url": "string", "link": "string", "id": "string"},
        "how the user was referred (type, name, url, link)",
        "https://example.com",
        {"type": "dataxu", "id": "ABCD-1234"},
        "error",
    ),
    (
        "screen",
        "screen",
        "object",
        {"width": "number", "height": "number", "density": "number"},
        "the device screen (width, height, density)",
        {"width": "1920", "height": 1080},
        {"width": 1920, "height": 1080, "density": 2},
        "error",
    ),
    ("timezone", "timezone", "string", {}, "the user's time zone", -5, "Europe/Amsterdam", "error"),
    (
        "groupId",
        "group-id",
        "string",
        {},
        "the account the call belongs to",
        123,
        "acme-42",
        "error",
    ),
    ("traits", "traits", "object", {}, "the user's traits", "plan=pro", {"plan": "pro"}, "error"),
    (
        "userAgent",
        "user-agent",
        "string",
        {},
        "the user agent string",
        {"browser": "Chrome"},
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)",
        "error",
    ),
    (
        "userAgentData",
        "user-agent-data",
        "object",
        {
            "brands": _BRANDS,
            "mobile": "boolean",
            "platform": "string",
            "bitness": "string",
            "model": "string",
            "platformVersion": "string",
            "uaFullVersion": "string",
            "fullVersionList": _BRANDS,
            "wow64": "boolean",
            "architecture": "string",
        },
        "the browser's client hints (brands, mobile, platform, ...)",
        {"brands": [{"brand": "Chromium", "version": 124}], "mobile": "false"},
        {"brands": [{"brand": "Chromium", "version": "124"}], "mobile": False, "platform": "macOS"},
        "error",
    ),
    ("channel", "channel", "string", {}, "where the call came from", 1, "server", "error"),
    (
        "protocols",
        "protocols",
        "object",
        {"event_version": "integer"},
        "Protocols settings (event_version)",
        {"event_version": "2"},
        {"event_version": 2},
        "error",
    ),
    (
        "consent",
        "consent",
        "object",
        {"categoryPreferences": "object"},
        "the user's consent state (categoryPreferences: each category mapped to true or "
        "false, on every message)",
        {"categoryPreferences": ["Advertising"]},
        {"categoryPreferences": {"Advertising": True, "Analytics": False}},
        "error",
    ),
    (
        "direct",
        "direct",
        "boolean",
        {},
        "the HTTP API's flag to record the caller's IP",
        "true",
        True,
        "error",
    ),
    (
        "amp",
        "amp",
        "object",
        {"id": "string"},
        "the AMP client id",
        {"id": 5},
        {"id": "amp-Xh3"},
        "error",
    ),
]


@dataclass(frozen=True, slots=True)
class _Field:
    rule: str
    severity: Severity
    path: str
    spec: TypeSpec
    subs: dict[str, TypeSpec]
    #: An object whose documented fields are all strings (library, page, os, ...): checked
    #: by one pass over its values.
    all_str: bool


_BRANDS_SPEC = compile_type(_BRANDS)
_FIELDS: dict[str, _Field] = {
    field: _Field(
        f"context/{slug}-type",
        severity,
        f"context.{field}",
        compile_type(spec),
        {k: (_BRANDS_SPEC if v == _BRANDS else compile_type(v)) for k, v in subs.items()},
        bool(subs) and all(v == "string" for v in subs.values()),
    )
    for field, slug, spec, subs, _what, _bad, _good, severity in _TABLE
}


def _brands(f: _Field, key: str, items: list[Any], out: list[Violation]) -> None:
    for i, item in enumerate(items):
        if type(item) is not dict:
            if item is not None:
                p = f"{f.path}.{key}[{i}]"
                out.append(
                    Violation(f.rule, f.severity, p, f"{p} is {described(item)}; send an object.")
                )
            continue
        for k in ("brand", "version"):
            v = item.get(k)
            if v is not None and type(v) is not str:
                p = f"{f.path}.{key}[{i}].{k}"
                out.append(
                    Violation(f.rule, f.severity, p, f"{p} is {described(v)}; send a string.")
                )


def _check_field(f: _Field, v: Any, out: list[Violation]) -> None:
    spec = f.spec
    if type(v) not in spec.pytypes and not spec.type_ok(v):
        out.append(
            Violation(f.rule, f.severity, f.path, f"{f.path} is {described(v)}; send {spec.text}.")
        )
        return
    subs = f.subs
    if not subs or type(v) is not dict:
        return
    for sk, sv in v.items():
        s = subs.get(sk)
        if s is None or sv is None:
            continue
        if s.simple and type(sv) in s.pytypes:
            continue
        if s is _BRANDS_SPEC and type(sv) is list:
            _brands(f, sk, sv, out)
        else:
            check_typed(f.rule, f.severity, sv, s, f"{f.path}.{sk}", out)


# -- formats --------------------------------------------------------------------------------

_DATA = Path(__file__).parent / "data"
TIMEZONES: frozenset[str] = frozenset(
    json.loads((_DATA / "timezones.json").read_text(encoding="utf-8"))["zones"]
)
_TZ_LOWER = {z.lower(): z for z in TIMEZONES}


def _timezone(v: Any, out: list[Violation]) -> None:
    if type(v) is not str or v in TIMEZONES:
        return
    right = _TZ_LOWER.get(v.lower()) if len(v) < 64 else None
    hint = f'; it is spelled "{right}"' if right else ', e.g. "America/New_York"'
    out.append(
        Violation(
            "context/timezone-format",
            "warning",
            "context.timezone",
            f"context.timezone is {preview(v)}, not an IANA time-zone name{hint}.",
        )
    )


_LOCALE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*\Z")
_OK_LOCALES: set[str] = set()


def _locale(v: Any, out: list[Violation]) -> None:
    if type(v) is not str or v in _OK_LOCALES:
        return
    if len(v) <= 35 and _LOCALE.match(v):
        if len(_OK_LOCALES) < 4096:
            _OK_LOCALES.add(v)
        return
    dashed = v.replace("_", "-")
    hint = f' (use "{dashed}")' if "_" in v and len(v) <= 35 and _LOCALE.match(dashed) else ""
    out.append(
        Violation(
            "context/locale-format",
            "warning",
            "context.locale",
            f'context.locale is {preview(v)}, not a language tag like "en-US"{hint}.',
        )
    )


_OK_IPS: set[str] = set()


def is_ip(v: str) -> bool:
    if v in _OK_IPS:
        return True
    if len(v) > 45:
        return False
    try:
        ipaddress.ip_address(v)
    except ValueError:
        return False
    if len(_OK_IPS) < 4096:
        _OK_IPS.add(v)
    return True


def _ip(v: Any, out: list[Violation]) -> None:
    if type(v) is not str or is_ip(v):
        return
    out.append(
        Violation(
            "context/ip-format",
            "warning",
            "context.ip",
            f"context.ip is {preview(v)}, not an IP address; send the client's address or leave "
            "it out.",
        )
    )


_CHANNELS = frozenset({"server", "browser", "mobile"})


def _channel_at(path: str, v: Any, out: list[Violation]) -> None:
    if type(v) is not str or v in _CHANNELS:
        return
    out.append(
        Violation(
            "context/channel-value",
            "warning",
            path,
            f'{path} is {preview(v)}; use "server", "browser" or "mobile".',
        )
    )


def _channel(v: Any, out: list[Violation]) -> None:
    _channel_at("context.channel", v, out)


def _campaign(v: Any, out: list[Violation]) -> None:
    if type(v) is not dict:
        return
    for k in v:
        if not k.startswith("utm_"):
            continue
        short = "name" if k == "utm_campaign" else k[4:]
        out.append(
            Violation(
                "context/campaign-utm-key",
                "info",
                f"context.campaign.{k}",
                f'context.campaign.{k} keeps the utm_ prefix; send it as "{short}".',
            )
        )


def _consent(v: Any, out: list[Violation]) -> None:
    """Each value of context.consent.categoryPreferences is a boolean, on any message: the
    Spec types it object<string, boolean> wherever it is sent."""
    prefs = v.get("categoryPreferences") if type(v) is dict else None
    if type(prefs) is not dict:
        return  # absent, or not an object: the type check above reports it
    base = "context.consent.categoryPreferences"
    for k, pv in prefs.items():
        if type(pv) is not bool:
            p = f"{base}.{k}"
            out.append(
                Violation(
                    "context/consent-type",
                    "error",
                    p,
                    f"{p} is {described(pv)}; send true or false.",
                )
            )


_FORMATS: dict[str, Callable[[Any, list[Violation]], None]] = {
    "consent": _consent,
    "timezone": _timezone,
    "locale": _locale,
    "ip": _ip,
    "channel": _channel,
    "campaign": _campaign,
}

#: Misspellings of documented context fields -> the documented name.
_ALIASES = {
    "user_agent": "userAgent",
    "useragent": "userAgent",
    "user-agent": "userAgent",
    "user_agent_data": "userAgentData",
    "ip_address": "ip",
    "ipAddress": "ip",
    "time_zone": "timezone",
    "timeZone": "timezone",
    "tz": "timezone",
    "group_id": "groupId",
    "language": "locale",
}


def _alias(ctx: dict[str, Any], alias: str, name: str, out: list[Violation]) -> None:
    extra = "" if name not in ctx else f" (context.{name} is also set)"
    out.append(
        Violation(
            "context/field-alias",
            "info",
            f"context.{alias}",
            f"context.{alias} is not a Spec field{extra}; send it as context.{name}.",
        )
    )


# -- the fast screen -------------------------------------------------------------------------
#
# Nearly every context is clean. ``_clean`` answers "certainly nothing to report" with a few
# dict lookups per key and no allocation; when it cannot tell, the full check runs (and
# produces exactly what it always did). Each kind below accepts only values the full check
# is known to pass.

_ANY = 0  #: an undocumented key: nothing to check
_TYPED = 1  #: a documented scalar/object without sub-fields: its Python type is enough
_IN_SET = 2  #: a string with a format: clean when it is among the known-good values
_STR_OBJ = 3  #: an object whose documented fields are all strings
_SUBS = 4  #: an object with typed sub-fields (userAgentData, location, screen, ...)
_FULL = 5  #: always the full check (field aliases, campaign)

_GOOD_VALUES: dict[str, frozenset[str] | set[str]] = {
    "timezone": TIMEZONES,
    "locale": _OK_LOCALES,
    "ip": _OK_IPS,
    "channel": _CHANNELS,
}


def _screen_kind(key: str, f: _Field) -> tuple[int, Any]:
    if key in _GOOD_VALUES and not f.subs and f.spec.pytypes == frozenset((str,)):
        return _IN_SET, _GOOD_VALUES[key]
    if key in _FORMATS:
        return _FULL, None
    if f.all_str:
        return _STR_OBJ, None
    if not f.subs:
        return _TYPED, f.spec.pytypes
    if f.spec.pytypes == frozenset((dict,)):
        return _SUBS, f.subs
    return _FULL, None


_SCREEN: dict[str, tuple[int, Any]] = {k: _screen_kind(k, f) for k, f in _FIELDS.items()}
for _alias_key in _ALIASES:
    _SCREEN.setdefault(_alias_key, (_FULL, None))


def _clean_subs(subs: dict[str, TypeSpec], v: dict[str, Any]) -> bool:
    for sk, sv in v.items():
        s = subs.get(sk)
        if s is None or sv is None or (s.simple and type(sv) in s.pytypes):
            continue
        if s is not _BRANDS_SPEC or type(sv) is not list:
            return False
        for item in sv:
            if type(item) is not dict:
                return False
            b = item.get("brand")
            if b is not None and type(b) is not str:
                return False
            b = item.get("version")
            if b is not None and type(b) is not str:
                return False
    return True


def _clean(ctx: dict[str, Any]) -> bool:
    screen = _SCREEN
    for key, v in ctx.items():
        entry = screen.get(key)
        if entry is None:
            continue
        kind, data = entry
        if kind == _FULL:
            return False
        if v is None:
            continue
        if kind == _IN_SET:
            if type(v) is not str or v not in data:
                return False
        elif kind == _STR_OBJ:
            if type(v) is not dict:
                return False
            for x in v.values():
                if type(x) is not str and x is not None:
                    return False
        elif kind == _TYPED:
            if type(v) not in data:
                return False
        elif kind == _SUBS and (type(v) is not dict or not _clean_subs(data, v)):
            return False
    return True


@checker("context")
def check_context(
    message: dict[str, Any], meta: MessageMeta
) -> list[Violation] | tuple[Violation, ...]:
    ctx = message.get("context")
    if type(ctx) is dict and message.get("channel") is None and _clean(ctx):
        return _NONE
    return _check_context(message)


def _check_context(message: dict[str, Any]) -> list[Violation] | tuple[Violation, ...]:
    out: list[Violation] = []
    top_channel = message.get("channel")
    if top_channel is not None:
        _channel_at("channel", top_channel, out)
    ctx = message.get("context")
    if type(ctx) is not dict or not ctx:
        return out if out else _NONE
    fields = _FIELDS
    formats = _FORMATS
    for key, v in ctx.items():
        f = fields.get(key)
        if f is None:
            name = _ALIASES.get(key)
            if name is not None:
                _alias(ctx, key, name, out)
            continue
        if v is None:
            continue
        if f.all_str and type(v) is dict:
            for x in v.values():
                if type(x) is not str and x is not None:
                    _check_field(f, v, out)
                    break
        elif f.subs or type(v) not in f.spec.pytypes:
            _check_field(f, v, out)
        fmt = formats.get(key)
        if fmt is not None:
            fmt(v, out)
    return out if out else _NONE


# -- the rules ------------------------------------------------------------------------------

_WHY = (
    "Segment and destinations read this field by its documented type; a value of another "
    "type is misread or dropped."
)

#: Further failing examples of a field's type rule (shown in the docs, run by the tests).
_MORE_BAD: dict[str, list[dict[str, Any]]] = {
    "consent": [_with_context({"consent": {"categoryPreferences": {"Advertising": "yes"}}})],
}

for _field, _slug, _spec, _subs, _what, _bad, _good, _sev in _TABLE:
    _f = _FIELDS[_field]
    if _subs:
        _listed = ", ".join(f"{k} ({s.text})" for k, s in _f.subs.items())
        _summary = (
            f"`context.{_field}` ({_what}) is an object; its documented fields have their "
            f"types: {_listed}."
        )
    else:
        _summary = f"`context.{_field}` ({_what}) is {_f.spec.text}."
    checked_rule(
        _f.rule,
        _sev,
        _summary,
        "Legacy field: destinations that still read it expect these types."
        if _field == "location"
        else _WHY,
        checker="context",
        examples=[_with_context({_field: _bad}), *_MORE_BAD.get(_field, ())],
        passes=[_with_context({_field: _good}), _with_context({})],
    )

checked_rule(
    "context/timezone-format",
    "warning",
    "`context.timezone` is an IANA time-zone name such as `America/New_York`.",
    "Destinations look the name up in the tz database; an offset or abbreviation is not found "
    "there, so local-time reports are wrong.",
    checker="context",
    examples=[_with_context({"timezone": "GMT+2"}), _with_context({"timezone": "+02:00"})],
    passes=[_with_context({"timezone": "America/New_York"}), _with_context({"timezone": "UTC"})],
)
checked_rule(
    "context/locale-format",
    "warning",
    "`context.locale` is a BCP-47 language tag such as `en-US`.",
    "Destinations parse the language and region from it; `en_US`, `English` or a blank do not "
    "parse.",
    checker="context",
    examples=[_with_context({"locale": "en_US"}), _with_context({"locale": "English (US)"})],
    passes=[_with_context({"locale": "en-US"}), _with_context({"locale": "zh-Hant-TW"})],
)
checked_rule(
    "context/ip-format",
    "warning",
    "`context.ip` is an IPv4 or IPv6 address.",
    "Geo-IP lookups in Segment and destinations fail on anything else.",
    checker="context",
    examples=[_with_context({"ip": "localhost"}), _with_context({"ip": "108.0.78.256"})],
    passes=[_with_context({"ip": "108.0.78.21"}), _with_context({"ip": "2001:db8::1"})],
)
checked_rule(
    "context/channel-value",
    "warning",
    "`context.channel` (and a top-level `channel`) is `server`, `browser` or `mobile`.",
    "Segment and destinations branch on these three values; any other is treated as unknown.",
    checker="context",
    examples=[_with_context({"channel": "web"}), {**_with_context({}), "channel": "ios"}],
    passes=[_with_context({"channel": "browser"}), {**_with_context({}), "channel": "server"}],
)
checked_rule(
    "context/campaign-utm-key",
    "info",
    "`context.campaign` keys drop the `utm_` prefix (`source`, not `utm_source`).",
    "The Spec maps utm_source to campaign.source (and utm_campaign to campaign.name); "
    "destinations read the short names, so prefixed keys are missed.",
    checker="context",
    examples=[_with_context({"campaign": {"utm_source": "newsletter"}})],
    passes=[_with_context({"campaign": {"source": "newsletter"}})],
)
checked_rule(
    "context/field-alias",
    "info",
    "Context fields use their documented names (`userAgent`, not `user_agent`).",
    "Segment and destinations read only the documented name; a variant is carried along but "
    "never used (no IP geo-lookup, no device parsing, ...).",
    checker="context",
    examples=[
        _with_context({"user_agent": "Mozilla/5.0"}),
        _with_context({"ipAddress": "1.2.3.4"}),
    ],
    passes=[_with_context({"userAgent": "Mozilla/5.0", "ip": "1.2.3.4"})],
)
