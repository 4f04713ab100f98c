"""Small, fast value checks shared by the rule modules.

Everything here is allocation-light and never raises on odd input: rules run on every
message at ingest, and messages can hold any JSON value.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from inspector.model import Severity, Violation

_NoneType = type(None)

#: JSON kind of a decoded value, by its exact Python type (bool is not an integer here).
KIND: dict[type, str] = {
    str: "string",
    bool: "boolean",
    int: "integer",
    float: "number",
    dict: "object",
    list: "array",
    _NoneType: "null",
}

A_KIND: dict[str, str] = {
    "string": "a string",
    "boolean": "a boolean",
    "integer": "an integer",
    "number": "a number",
    "object": "an object",
    "array": "an array",
    "null": "null",
    "date": "an ISO-8601 date string",
    "other": "a value of an unknown type",
}


def kind(value: Any) -> str:
    return KIND.get(type(value), "other")


def is_number(value: Any) -> bool:
    """A JSON number (int or float, not a boolean)."""
    t = type(value)
    return t is int or t is float


def is_nonempty_str(value: Any) -> bool:
    return type(value) is str and value.strip() != ""


def preview(value: Any, limit: int = 40) -> str:
    """A short, JSON-like rendering of a value for a violation message."""
    t = type(value)
    if t is str:
        s = value if len(value) <= limit else value[:limit] + "…"
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if value is None:
        return "null"
    if t is bool:
        return "true" if value else "false"
    if t is int or t is float:
        s = repr(value)
        return s if len(s) <= limit else s[:limit] + "…"
    if t is dict:
        return "an object"
    if t is list:
        return "an array"
    return "a value of an unknown type"


def described(value: Any) -> str:
    """ "a string ("19.99")", "an object", "null": what a value is, for messages."""
    k = kind(value)
    if k in ("object", "array", "null", "other"):
        return A_KIND[k]
    return f"{A_KIND[k]} ({preview(value)})"


def parse_time(value: Any) -> datetime | None:
    """The datetime an ISO-8601 string denotes, or None when it is not one."""
    if type(value) is not str or len(value) < 8 or len(value) > 64:
        return None
    try:
        return iso_time(value)
    except ValueError:
        return None


_ORDINAL = re.compile(r"(\d{4})-?(\d{3})(?=$|T)")
#: A decimal mark not followed by a digit ("01.Z", "01."): ISO-8601 needs at least one
#: digit of a fraction, though ``datetime.fromisoformat`` reads "19:11:01.Z" anyway.
_EMPTY_FRACTION = re.compile(r"[.,](?!\d)")
_LEAP_SECOND = re.compile(r"(T\d{2}:?\d{2}:?)60")


def iso_time(value: str) -> datetime:
    """``datetime.fromisoformat`` plus the ISO-8601 forms it refuses: ordinal dates
    (2025-015) and a leap second (23:59:60, read as 23:59:59). Raises ValueError."""
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        pass
    else:
        # fromisoformat reads "19:11:01.Z" (a decimal mark with no digits); ISO-8601 does not
        p = value.find(".")
        if p == -1:
            p = value.find(",")
        if p == -1 or value[p + 1 : p + 2].isdigit():
            return dt
    if _EMPTY_FRACTION.search(value) is not None:
        raise ValueError(f"not an ISO-8601 time (a fraction needs digits): {value!r}")
    text = _LEAP_SECOND.sub(r"\g<1>59", value, count=1)
    m = _ORDINAL.match(text)
    if m is not None:
        year, day = int(m.group(1)), int(m.group(2))
        if not 1 <= day <= (366 if calendar.isleap(year) else 365):
            raise ValueError(f"day {day} of {year} does not exist")
        date = datetime(year, 1, 1) + timedelta(days=day - 1)
        text = date.strftime("%Y-%m-%d") + text[m.end() :]
    if text == value:
        raise ValueError(f"not an ISO-8601 time: {value!r}")
    return datetime.fromisoformat(text)


#: Every character ``str.isspace`` (and so the regex ``\s``) counts as whitespace; none is
#: above U+3000.
_WHITESPACE = frozenset(c for c in map(chr, range(0x3001)) if c.isspace())


def looks_like_email(value: str) -> bool:
    """One '@' between a non-empty local part and a dotted domain; no spaces."""
    at = value.find("@")
    if at <= 0 or value.find("@", at + 1) != -1:
        return False
    dot = value.rfind(".")  # the domain's last dot: neither its first nor its last character
    if dot <= at + 1 or dot == len(value) - 1:
        return False
    return _WHITESPACE.isdisjoint(value)


def article(word: str) -> str:
    """ "an" before a vowel ("an identify call", "an alias call"), else "a"."""
    return "an" if word[:1].lower() in ("a", "e", "i", "o", "u") else "a"


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def violation(rule: str, severity: Severity, path: str, message: str) -> Violation:
    return Violation(rule, severity, path, message)


# --------------------------------------------------------------------------------------
# Type specifications: a tiny language for documented field types.
#
#   string  number  integer  boolean  object  array  null  date (an ISO-8601 string)
#   a|b               union
#   array<T>          array whose items are T
#   enum(a|b|c)       a string, one of the values
#   integer(0-100)    an integer in a range;  integer(1|2|3)  one of the values
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TypeSpec:
    text: str
    #: JSON kinds accepted as the right type ("number" also admits "integer").
    kinds: frozenset[str]
    #: "integer" is asked for: an integral float such as 12.0 is accepted too.
    integral: bool = False
    #: Allowed values (enum), after the type check.
    values: frozenset[Any] | None = None
    low: float | None = None
    high: float | None = None
    #: Kinds each array item must have.
    items: TypeSpec | None = None
    #: A string that must be an ISO-8601 date.
    date: bool = False
    #: Python types that certainly pass (the fast path: ``type(v) in spec.pytypes``). An
    #: integral float for "integer" is not among them; the full check accepts it.
    pytypes: frozenset[type] = frozenset()
    #: Nothing to check beyond the type (no items, enum, range or date).
    simple: bool = True

    def type_ok(self, value: Any) -> bool:
        k = KIND.get(type(value), "other")
        if k in self.kinds:
            return True
        return self.integral and k == "number" and value.is_integer()

    def describe(self) -> str:
        return self.text


def _a(word: str) -> str:
    return A_KIND.get(word, word)


_PYTYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "number": (float,),
    "object": (dict,),
    "array": (list,),
    "null": (_NoneType,),
}


def compile_type(spec: str) -> TypeSpec:
    ts = _compile_type(spec)
    pytypes = frozenset(t for k in ts.kinds for t in _PYTYPES[k])
    simple = ts.items is None and ts.values is None and ts.low is None and not ts.date
    return replace(ts, pytypes=pytypes, simple=simple)


def _compile_type(spec: str) -> TypeSpec:
    spec = spec.strip()
    if spec.startswith("array<") and spec.endswith(">"):
        inner = compile_type(spec[6:-1])
        return TypeSpec(f"an array of {_plural(inner.text)}", frozenset({"array"}), items=inner)
    if spec.startswith("enum(") and spec.endswith(")"):
        vals = spec[5:-1].split("|")
        return TypeSpec(
            "one of " + ", ".join(f'"{v}"' for v in vals),
            frozenset({"string"}),
            values=frozenset(vals),
        )
    if spec.startswith("integer(") and spec.endswith(")"):
        body = spec[8:-1]
        if "|" in body:
            ints = frozenset(int(x) for x in body.split("|"))
            return TypeSpec(
                "an integer, one of " + ", ".join(str(i) for i in sorted(ints)),
                frozenset({"integer"}),
                integral=True,
                values=ints,
            )
        lo, _, hi = body.partition("-")
        return TypeSpec(
            f"an integer from {lo} to {hi}",
            frozenset({"integer"}),
            integral=True,
            low=float(lo),
            high=float(hi),
        )
    parts = spec.split("|")
    kinds: set[str] = set()
    integral = False
    date = False
    for p in parts:
        if p == "number":
            kinds.update(("number", "integer"))
        elif p == "integer":
            kinds.add("integer")
            integral = True
        elif p == "date":
            kinds.add("string")
            date = True
        elif p in ("string", "boolean", "object", "array", "null"):
            kinds.add(p)
        else:
            raise ValueError(f"unknown type {p!r} in {spec!r}")
    text = " or ".join(_a(p) for p in parts)
    return TypeSpec(text, frozenset(kinds), integral=integral, date=date)


def _plural(text: str) -> str:
    for art in ("an ", "a "):
        if text.startswith(art):
            return text[len(art) :] + "s"
    return text


def check_typed(
    rule: str,
    severity: Severity,
    value: Any,
    spec: TypeSpec,
    path: str,
    out: list[Violation],
    value_rule: str | None = None,
    value_severity: Severity = "warning",
) -> None:
    """Append a violation when ``value`` does not have the type ``spec`` documents.

    Null counts as absent (SDKs send null for unset optional fields) unless the spec itself
    allows null. Enum and range problems go to ``value_rule`` when one is given.
    """
    if value is None:
        return
    if not spec.type_ok(value):
        out.append(
            Violation(
                rule,
                severity,
                path,
                f"{path} is {described(value)}; send {spec.text}.",
            )
        )
        return
    if spec.items is not None:
        item = spec.items
        for i, v in enumerate(value):
            if v is not None and not item.type_ok(v):
                p = f"{path}[{i}]"
                out.append(
                    Violation(rule, severity, p, f"{p} is {described(v)}; send {item.text}.")
                )
        return
    if value_rule is None:
        return
    bad_value = spec.values is not None and value not in spec.values
    out_of_range = (
        spec.low is not None and spec.high is not None and not spec.low <= value <= spec.high
    )
    if bad_value or out_of_range:
        out.append(
            Violation(
                value_rule,
                value_severity,
                path,
                f"{path} is {preview(value)}; the Spec allows {spec.text}.",
            )
        )
    elif spec.date and parse_time(value) is None:
        out.append(
            Violation(
                value_rule,
                value_severity,
                path,
                f'{path} is {preview(value)}, not an ISO-8601 date; send e.g. "2024-05-01T12:00:00Z".',
            )
        )
