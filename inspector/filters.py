"""Filter expressions shared by the UI filter bar, the test API and `inspector export`.

``type:track event:"Order Completed" user:abc has:error rule:event-name/non-descriptive
lib:analytics.js -type:page free text`` becomes a SQL condition on the messages table.
Terms are ANDed; a leading ``-`` negates a term; bare words match the event/page name,
the ids and the message id (case-insensitive substring).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class FilterError(ValueError):
    """The filter text cannot be understood; the message says how to fix it."""


@dataclass
class Filter:
    where: str = "1"
    params: list[Any] = field(default_factory=list)
    text: str = ""

    @property
    def empty(self) -> bool:
        return self.where == "1"


def _like(value: str) -> str:
    return "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _type(v: str) -> tuple[str, list[Any]]:
    return "type = ?", [v.lower()]


def _event(v: str) -> tuple[str, list[Any]]:
    # The name column also holds page/screen names, a group's groupId and an alias's
    # previousId: an event is a track call's.
    return "(name = ? AND type = 'track')", [v]


def _name_like(v: str) -> tuple[str, list[Any]]:
    return "name LIKE ? ESCAPE '\\'", [_like(v)]


def _user(v: str) -> tuple[str, list[Any]]:
    return "(user_id = ? OR anonymous_id = ?)", [v, v]


def _user_id(v: str) -> tuple[str, list[Any]]:
    return "user_id = ?", [v]


def _anon(v: str) -> tuple[str, list[Any]]:
    return "anonymous_id = ?", [v]


def _lib(v: str) -> tuple[str, list[Any]]:
    return "library LIKE ? ESCAPE '\\'", [_like(v)]


def _rule(v: str) -> tuple[str, list[Any]]:
    # Violations are stored as JSON; the rule id sits in a "rule":"<id>" pair.
    # The column is a BLOB and LIKE on it matches nothing: compare its text.
    return "CAST(violations AS TEXT) LIKE ? ESCAPE '\\'", [
        '%"rule":"' + v.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    ]


def _has(v: str) -> tuple[str, list[Any]]:
    word = v.lower()
    cols = {
        "error": "errors > 0",
        "warning": "warnings > 0",
        "info": "infos > 0",
        "violation": "violations IS NOT NULL",
        "issue": "violations IS NOT NULL",
    }
    # Plurals mean the same: has:errors is has:error.
    if word not in cols and word.endswith("s") and word[:-1] in cols:
        word = word[:-1]
    if word not in cols:
        raise FilterError(
            f"has:{v} is not known; use has:error, has:warning, has:info or has:violation"
        )
    return cols[word], []


def _message_id(v: str) -> tuple[str, list[Any]]:
    return "message_id = ?", [v]


def _write_key(v: str) -> tuple[str, list[Any]]:
    return "write_key = ?", [v]


def _seq(v: str) -> tuple[str, list[Any]]:
    try:
        if ".." in v:
            a, b = v.split("..", 1)
            return "seq BETWEEN ? AND ?", [int(a or 0), int(b or 2**62)]
        if v.startswith(">="):
            return "seq >= ?", [int(v[2:])]
        if v.startswith(">"):
            return "seq > ?", [int(v[1:])]
        if v.startswith("<"):
            return "seq < ?", [int(v[1:])]
        return "seq = ?", [int(v)]
    except ValueError:
        raise FilterError(
            f"seq:{v} is not a number or range (seq:10, seq:>10, seq:10..20)"
        ) from None


def _text(v: str) -> tuple[str, list[Any]]:
    p = _like(v)
    return (
        "(name LIKE ? ESCAPE '\\' OR user_id LIKE ? ESCAPE '\\' OR anonymous_id LIKE ? ESCAPE '\\' "
        "OR message_id LIKE ? ESCAPE '\\' OR type LIKE ? ESCAPE '\\')",
        [p, p, p, p, p],
    )


TERMS: dict[str, Callable[[str], tuple[str, list[Any]]]] = {
    "type": _type,
    "event": _event,
    "name": _name_like,
    "user": _user,
    "userid": _user_id,
    "anon": _anon,
    "anonymousid": _anon,
    "lib": _lib,
    "library": _lib,
    "rule": _rule,
    "has": _has,
    "messageid": _message_id,
    "id": _message_id,
    "writekey": _write_key,
    "seq": _seq,
}

#: An example value for each term, for "needs a value" messages.
EXAMPLES = {
    "type": "type:track",
    "event": 'event:"Order Completed"',
    "name": "name:order",
    "user": "user:u123",
    "userid": "userid:u123",
    "anon": "anon:a456",
    "anonymousid": "anonymousid:a456",
    "lib": "lib:analytics.js",
    "library": "library:analytics-python",
    "rule": "rule:event-name/non-descriptive",
    "has": "has:error",
    "messageid": "messageid:ajs-123",
    "id": "id:ajs-123",
    "writekey": "writekey:KEY",
    "seq": "seq:10..20",
}

#: The terms named when an unknown one is used (the aliases are left out to keep it short).
MAIN_TERMS = ("type", "event", "name", "user", "has", "rule", "lib", "writekey", "seq")

HELP = (
    'type:track  event:"Order Completed"  name:order  user:ID  has:error  '
    "rule:event-name/non-descriptive  lib:analytics.js  seq:10..20  -type:page  free text"
)


def parse(text: str) -> Filter:
    """Parse filter text; raises FilterError with a fix-it message."""
    text = text.strip()
    if not text:
        return Filter()
    try:
        words = shlex.split(text)
    except ValueError:
        raise FilterError('unbalanced quotes in the filter; close the " around the value') from None
    parts: list[str] = []
    params: list[Any] = []
    for word in words:
        neg = word.startswith("-") and len(word) > 1
        if neg:
            word = word[1:]
        key, sep, value = word.partition(":")
        if sep and key.lower() in TERMS:
            if not value:
                example = EXAMPLES.get(key.lower(), f"{key}:value")
                raise FilterError(f"{key}: needs a value, e.g. {example}")
            sql, p = TERMS[key.lower()](value)
        elif sep and key.isidentifier() and not value.startswith("//"):
            raise FilterError(
                f"unknown filter term {key}:; use {' '.join(t + ':' for t in MAIN_TERMS)}"
            )
        else:
            sql, p = _text(word if not neg else word)
        parts.append(f"NOT ({sql})" if neg else f"({sql})")
        params.extend(p)
    return Filter(" AND ".join(parts), params, text)


#: An integer as a test-API parameter: ASCII digits (int() also takes "1_0" and "\uff11").
_INTEGER = re.compile(r"-?[0-9]+")


def from_params(q: dict[str, str]) -> Filter:
    """Build a filter from the test API's query parameters (exact matches)."""
    parts: list[str] = []
    params: list[Any] = []
    simple = {
        "type": "type",
        "userId": "user_id",
        "anonymousId": "anonymous_id",
        "messageId": "message_id",
        "writeKey": "write_key",
    }
    for key, col in simple.items():
        if key in q:
            parts.append(f"{col} = ?")
            params.append(q[key])
    if "event" in q:
        sql, p = _event(q["event"])
        parts.append(sql)
        params.extend(p)
    if "name" in q:
        # A page or screen name (the name column's other meanings are ids).
        parts.append("(name = ? AND type IN ('page', 'screen'))")
        params.append(q["name"])
    if "since" in q:
        if not _INTEGER.fullmatch(q["since"]):
            raise FilterError("since must be a seq number (digits 0-9)")
        # Clamped to SQLite's integer range: a larger seq matches nothing, not a 500.
        params.append(max(-(2**63), min(int(q["since"]), 2**63 - 1)))
        parts.append("seq > ?")
    if "rule" in q:
        if not q["rule"]:
            raise FilterError(
                "rule needs a value, e.g. rule=event-name/non-descriptive or rule=plan/"
            )
        sql, p = _rule(q["rule"])
        parts.append(sql)
        params.extend(p)
    if "severity" in q:
        if q["severity"].lower().rstrip("s") not in ("error", "warning", "info"):
            raise FilterError("severity must be error, warning or info")
        sql, p = _has(q["severity"])
        parts.append(sql)
        params.extend(p)
    if "q" in q:
        f = parse(q["q"])
        if not f.empty:
            parts.append(f"({f.where})")
            params.extend(f.params)
    return Filter(" AND ".join(parts) or "1", params)
