"""CSV: one row per message, the columns a spreadsheet user expects.

``seq, receivedAt, type, event, userId, anonymousId, messageId, library, writeKey, errors,
warnings, infos, rules``. ``event`` is the track event name, the page/screen name, the
group's groupId or the alias's previousId (the same "name" the UI shows). ``rules`` is the
space-separated ids of the rules the message broke, each once, in first-seen order.

CSV injection: a spreadsheet runs a cell starting with ``=``, ``+``, ``-``, ``@`` (or a tab
or carriage return) as a formula, and every text cell here comes from whoever sent the
event. Such text cells get a leading ``'``. Nothing else is changed: a JSON number (a
``userId`` of ``-5``) is written as it is, and an ``event`` that is an object or an array
is written as its compact JSON.

Control characters: a file gets the data exactly; output to a terminal (the export's
stream is a tty) goes through ``inspector.safety.clean``, so an ESC or BEL in an event name
cannot reach the terminal (``\\e``, ``\\x07`` are shown instead).
"""

from __future__ import annotations

import csv
import io
from typing import Any, BinaryIO

import orjson

from inspector.export._common import ExportOptions, dumps, iter_message_rows
from inspector.filters import Filter
from inspector.safety import clean
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

#: The message field each call type's ``event`` column shows (the store's ``name``).
_NAME_FIELD = {
    "track": "event",
    "page": "name",
    "screen": "name",
    "group": "groupId",
    "alias": "previousId",
}
#: Columns (by index) the store summarises from message fields: a JSON number in them is
#: stored as its text, an object or array not at all, so the message itself tells which.
_TYPE, _EVENT, _LIBRARY = 2, 3, 7
_FROM_MESSAGE = range(_TYPE, _LIBRARY + 1)


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


def _maybe_number(v: Any) -> bool:
    """A summary cell that may be a JSON number's text starting with ``-`` (the only
    formula character a number can start with)."""
    return isinstance(v, str) and v[:1] == "-" and (v[1:2].isdigit() or v == "-Infinity")


def _field(data: Any, index: int, call_type: Any) -> Any:
    """The message field behind summary column ``index``."""
    if not isinstance(data, dict):
        return None
    if index == _TYPE:
        return data.get("type")
    if index == _EVENT:
        name = _NAME_FIELD.get(call_type) if isinstance(call_type, str) else None
        return data.get(name) if name else None
    if index == _LIBRARY:
        ctx = data.get("context")
        lib = ctx.get("library") if isinstance(ctx, dict) else None
        return lib.get("name") if isinstance(lib, dict) else None
    key = ("userId", "anonymousId", "messageId")[index - 4]
    return data.get(key)


def _cells(head: list[Any], store: Store) -> list[Any]:
    """The row's cells; the message is read only for the few rows whose summary cannot
    say (a ``-`` that may be a number, an event that may be an object)."""
    call_type = head[_TYPE]
    need = (head[_EVENT] is None and call_type in _NAME_FIELD) or head[_TYPE] is None
    need = need or any(_maybe_number(head[i]) for i in _FROM_MESSAGE)
    if not need:
        return [cell(v) for v in head]
    msg = store.get(int(head[0]))
    data = msg.data if msg is not None else None
    out = []
    for i, v in enumerate(head):
        if i in _FROM_MESSAGE and data is not None:
            orig = _field(data, i, call_type)
            if isinstance(orig, (int, float)) and not isinstance(orig, bool):
                out.append(v)  # a number: as it is, never a formula
                continue
            if v is None and isinstance(orig, (dict, list)):
                v = dumps(orig).decode("utf-8", "surrogatepass")
        out.append(cell(v))
    return out


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
            cells = [*_cells(head, store), cell(_rules(vblob))]
            if opts.terminal:
                cells = [clean(c, None) if isinstance(c, str) else c for c in cells]
            writer.writerow(cells)
            n += 1
        text.flush()
    finally:
        text.detach()
    return n
