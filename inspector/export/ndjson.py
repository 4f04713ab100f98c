"""NDJSON: one Segment message per line, as sent, plus ``receivedAt``.

The shape of Segment's own raw exports: each line is the message object (with the batch's
``context``/``integrations`` merged in, as Segment does) and the server's ``receivedAt``
added as its last key. ``inspector open`` reads it back and strips ``receivedAt`` again, so
capture -> export -> open -> export gives the same bytes.

A message imported from a file that gave it no arrival time (an NDJSON line without
``receivedAt``) is written without one again, so ``export x.ndjson`` gives back its lines.

Lines are built from the stored bytes, never re-encoded: ``receivedAt`` (and the merged
members) are spliced into the message text, so every value is kept as the SDK wrote it.
"""

from __future__ import annotations

from typing import BinaryIO

from inspector.export._common import NO_ARRIVAL_SQL, ExportOptions, iter_message_raw, one_line
from inspector.export._raw import with_received_at
from inspector.filters import Filter
from inspector.store import Store

EXTENSION = "ndjson"
MIME = "application/x-ndjson"


def export(store: Store, flt: Filter, out: BinaryIO, opts: ExportOptions) -> int:
    n = 0
    buf: list[bytes] = []
    write = out.write
    cols = f"m.received_at, {NO_ARRIVAL_SQL}"
    for (received_at, no_arrival), raw in iter_message_raw(store, flt, opts, cols, sent_at=True):
        line = one_line(raw)
        buf.append(line if no_arrival else with_received_at(line, received_at))
        n += 1
        if len(buf) >= 1000:
            buf.append(b"")
            write(b"\n".join(buf))
            buf.clear()
    if buf:
        buf.append(b"")
        write(b"\n".join(buf))
    return n
