"""CSV: one row per message, the columns a spreadsheet user expects.

``seq, receivedAt, type, event, userId, anonymousId, messageId, library, writeKey, errors,
warnings, infos, rules``. ``event`` is the track event name, the page/screen name, the
group's groupId or the alias's previousId (the same "name" the UI shows). ``rules`` is the
space-separated ids of the rules the message broke, each once, in first-seen order.

CSV injection: a spreadsheet runs a cell starting with ``=``, ``+``, ``-``, ``@`` (or a tab
or carriage return) as a formula, and every text cell here comes from whoever sent the
event. Such cells get a leading ``'``. Nothing else is changed; numbers are written as is.
"""

from __future__ import annotations

import csv
import io
from typing import Any, BinaryIO

import orjson

from inspector.export._common import ExportOptions, iter_message_rows
from inspector.filters import Filter
from inspector.store import Store

EXTENSION = "csv"
MIME = "text/csv"

COLUMNS = (
    "seq",
    "receivedAt",
    "type",
    "event",
    "userId",
    "anonymousId",
    "messageId",
    "library",
    "writeKey",
    "errors",
    "warnings",
    "infos",
    "rules",
)

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """A text cell made safe for spreadsheets; other values unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return "" if value is None else value


def _rules(vblob: bytes | None) -> str:
    if not vblob:
        return ""
    seen: dict[str, None] = {}
    for v in orjson.loads(vblob):
        seen.setdefault(str(v.get("rule", "")), None)
    return " ".join(seen)


def export(store: Store, flt: Filter, out: BinaryIO, opts: ExportOptions) -> int:
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=False)
    try:
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        n = 0
        cols = (
            "m.seq, m.received_at, m.type, m.name, m.user_id, m.anonymous_id, m.message_id, "
            "m.library, m.write_key, m.errors, m.warnings, m.infos, m.violations"
        )
        for row in iter_message_rows(store, flt, opts, cols):
            *head, vblob = row
            writer.writerow([cell(v) for v in head] + [cell(_rules(vblob))])
            n += 1
        text.flush()
    finally:
        text.detach()
    return n
