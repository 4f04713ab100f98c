"""What the stream shows, independent of Textual: an index of rows and pages read on demand.

The stream is the current view's messages in arrival order, with rejected requests merged in
where they arrived (only when no filter is active: filters are about messages). The index
keeps message seqs in a compact sorted ``array('q')`` (8 bytes a message, 8 MB for a million)
plus the few rejected requests as (position, request id) pairs, so that row ``i`` maps to a
message or a rejected request in O(log n) and a seq maps back to its row the same way.

Building an index for a million messages is a scan of the session file: it runs in a worker
thread on a private SQLite connection (:func:`build_index`). Live appends are small range
queries on the seq primary key (:meth:`ViewIndex.append`).
"""

from __future__ import annotations

import os
import sqlite3
from array import array
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inspector.filters import Filter
from inspector.store.session import ROW_COLUMNS, Row

PAGE = 200


def connect_readonly(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    con.execute("PRAGMA busy_timeout=5000")
    return con


@dataclass(slots=True)
class RejectedRow:
    """A rejected request as one stream row."""

    id: int
    received_at: str
    method: str
    path: str
    status: int
    reason: str


@dataclass(slots=True)
class Totals:
    """Status bar counters over the whole current view (not the filter)."""

    messages: int = 0
    errors: int = 0
    warnings: int = 0
    rejected: int = 0
    hi_seq: int = 0
    hi_request: int = 0


@dataclass
class ViewIndex:
    """Rows of the stream: message seqs with rejected requests merged by arrival."""

    seqs: array[int] = field(default_factory=lambda: array("q"))
    #: For the j-th rejected row: how many messages come before it, and its request id.
    rej_k: list[int] = field(default_factory=list)
    rej_ids: list[int] = field(default_factory=list)
    #: Row position of the j-th rejected row (rej_k[j] + j).
    rej_pos: list[int] = field(default_factory=list)
    #: Highest seq / request id this index has considered (matched or not).
    hi_seq: int = 0
    hi_request: int = 0
    #: Highest request id of any message in the index (to merge rejected ones after it).
    last_msg_request: int = 0
    with_rejected: bool = True

    def __len__(self) -> int:
        return len(self.seqs) + len(self.rej_ids)

    @property
    def messages(self) -> int:
        return len(self.seqs)

    def at(self, i: int) -> tuple[str, int]:
        """('m', seq) or ('r', request id) for row ``i``."""
        j = bisect_left(self.rej_pos, i)
        if j < len(self.rej_pos) and self.rej_pos[j] == i:
            return ("r", self.rej_ids[j])
        return ("m", self.seqs[i - j])

    def index_of_seq(self, seq: int) -> int | None:
        k = bisect_left(self.seqs, seq)
        if k >= len(self.seqs) or self.seqs[k] != seq:
            return None
        return k + bisect_right(self.rej_k, k)

    def message_index(self, row: int) -> int:
        """Number of messages before row ``row`` (where a seq search should start)."""
        return row - bisect_right(self.rej_pos, row - 1) if row > 0 else 0

    def _add_rejected(self, rid: int, k: int) -> None:
        self.rej_k.append(k)
        self.rej_ids.append(rid)
        self.rej_pos.append(k + len(self.rej_ids) - 1)

    def append(
        self,
        con: Any,
        flt: Filter,
        view_start: int,
        rejected_since: int,
    ) -> int:
        """Add what was committed since the last call; returns the number of rows added.

        ``con`` is anything with ``execute(sql, params) -> list of tuples`` (a Store).
        """
        # Bound both reads first: a commit may land between the two queries.
        top = con.execute("SELECT max(seq) FROM messages")[0][0] or 0
        top_req = con.execute("SELECT max(id) FROM requests")[0][0] or 0
        new_msgs = con.execute(
            f"SELECT seq, request_id FROM messages WHERE seq > ? AND seq <= ? AND seq >= ? "
            f"AND ({flt.where}) ORDER BY seq",
            (self.hi_seq, top, view_start, *flt.params),
        )
        new_rej: list[tuple[int]] = []
        if self.with_rejected:
            new_rej = con.execute(
                "SELECT id FROM requests WHERE reason IS NOT NULL AND id > ? AND id <= ? "
                "ORDER BY id",
                (max(self.hi_request, rejected_since), top_req),
            )
        self.hi_request = max(self.hi_request, top_req)
        i = 0
        for (rid,) in new_rej:
            while i < len(new_msgs) and new_msgs[i][1] < rid:
                self.seqs.append(new_msgs[i][0])
                self.last_msg_request = new_msgs[i][1]
                i += 1
            self._add_rejected(rid, len(self.seqs))
        for seq, req in new_msgs[i:]:
            self.seqs.append(seq)
            self.last_msg_request = req
        self.hi_seq = max(self.hi_seq, top)
        return len(new_msgs) + len(new_rej)


#: Threads a big filter scan is split over.
PARALLEL = max(1, min(4, os.cpu_count() or 1))


def _scan(path: Path, flt: Filter, lo: int, hi: int, cancelled: Callable[[], bool]) -> array[int]:
    """Seqs in [lo, hi] that match ``flt``, on a private connection."""
    con = connect_readonly(path)
    out: array[int] = array("q")
    try:
        cur = con.execute(
            f"SELECT seq FROM messages WHERE seq >= ? AND seq <= ? AND ({flt.where}) ORDER BY seq",
            (lo, hi, *flt.params),
        )
        while True:
            chunk = cur.fetchmany(20000)
            if not chunk:
                break
            out.extend([r[0] for r in chunk])
            if cancelled():
                break
        return out
    finally:
        con.close()


def build_index(
    path: Path,
    flt: Filter,
    view_start: int,
    rejected_since: int,
    cancelled: Callable[[], bool] = lambda: False,
    with_totals: bool = False,
) -> tuple[ViewIndex, Totals | None]:
    """Scan the session for the view's rows (runs in a worker thread)."""
    con = connect_readonly(path)
    try:
        hi = con.execute("SELECT max(seq) FROM messages").fetchone()[0] or 0
        hi_req = con.execute("SELECT max(id) FROM requests").fetchone()[0] or 0
        idx = ViewIndex(with_rejected=flt.empty)
        lo = view_start
        if flt.empty:
            # Seqs are handed out one by one: when none is missing, the view is a range
            # (no need to read a million rows to learn their numbers).
            n = con.execute(
                "SELECT count(*) FROM messages WHERE seq >= ? AND seq <= ?", (lo, hi)
            ).fetchone()[0]
            first = con.execute("SELECT min(seq) FROM messages WHERE seq >= ?", (lo,)).fetchone()[0]
            if n and first is not None and n == hi - first + 1:
                idx.seqs = array("q", range(first, hi + 1))
            elif n:
                idx.seqs = _scan(path, flt, lo, hi, cancelled)
        else:
            parts = PARALLEL if hi - lo > 200_000 else 1
            if parts > 1:
                # The filter is evaluated by SQLite, which releases the GIL: scan slices of
                # the seq range on separate connections at once.
                step = (hi - lo) // parts + 1
                bounds = [(lo + k * step, min(hi, lo + (k + 1) * step - 1)) for k in range(parts)]
                with ThreadPoolExecutor(parts) as pool:
                    chunks = list(
                        pool.map(lambda b: _scan(path, flt, b[0], b[1], cancelled), bounds)
                    )
                for c in chunks:
                    idx.seqs.extend(c)
            else:
                idx.seqs = _scan(path, flt, lo, hi, cancelled)
        if cancelled():
            return idx, None
        seqs = idx.seqs
        idx.hi_seq = hi
        idx.hi_request = hi_req
        if seqs:
            idx.last_msg_request = con.execute(
                "SELECT request_id FROM messages WHERE seq = ?", (seqs[-1],)
            ).fetchone()[0]
        if idx.with_rejected:
            rids = [
                r[0]
                for r in con.execute(
                    "SELECT id FROM requests WHERE reason IS NOT NULL AND id > ? AND id <= ? "
                    "ORDER BY id",
                    (rejected_since, hi_req),
                )
            ]

            def request_of(k: int) -> int:
                return int(
                    con.execute(
                        "SELECT request_id FROM messages WHERE seq = ?", (seqs[k],)
                    ).fetchone()[0]
                )

            lo = 0
            for rid in rids:
                # Messages before this rejected request: those with a smaller request id
                # (request ids and seqs are handed out together, so both are increasing).
                a, b = lo, len(seqs)
                while a < b:
                    mid = (a + b) // 2
                    if request_of(mid) < rid:
                        a = mid + 1
                    else:
                        b = mid
                idx._add_rejected(rid, a)
                lo = a
        totals = None
        if with_totals:
            row = con.execute(
                "SELECT count(*), coalesce(sum(errors), 0), coalesce(sum(warnings), 0) "
                "FROM messages WHERE seq >= ? AND seq <= ?",
                (view_start, hi),
            ).fetchone()
            rej = con.execute(
                "SELECT count(*) FROM requests WHERE reason IS NOT NULL AND id > ? AND id <= ?",
                (rejected_since, hi_req),
            ).fetchone()[0]
            totals = Totals(row[0], row[1], row[2], rej, hi, hi_req)
        return idx, totals
    finally:
        con.close()


class RowCache:
    """Pages of stream rows read from the store on demand, least recently used dropped."""

    def __init__(self, max_pages: int = 64) -> None:
        self.pages: OrderedDict[int, list[Row | RejectedRow]] = OrderedDict()
        self.max_pages = max_pages

    def clear(self) -> None:
        self.pages.clear()

    def drop_page_of(self, i: int) -> None:
        self.pages.pop(i // PAGE, None)

    def get(self, store: Any, index: ViewIndex, i: int) -> Row | RejectedRow | None:
        if i < 0 or i >= len(index):
            return None
        p = i // PAGE
        page = self.pages.get(p)
        if page is None or len(page) <= i - p * PAGE:
            page = fetch_page(store, index, p * PAGE, min(len(index), (p + 1) * PAGE))
            self.pages[p] = page
            while len(self.pages) > self.max_pages:
                self.pages.popitem(last=False)
        else:
            self.pages.move_to_end(p)
        off = i - p * PAGE
        return page[off] if off < len(page) else None


def fetch_page(store: Any, index: ViewIndex, start: int, end: int) -> list[Row | RejectedRow]:
    keys = [index.at(i) for i in range(start, end)]
    seqs = [k for t, k in keys if t == "m"]
    rids = [k for t, k in keys if t == "r"]
    by_seq: dict[int, Row] = {}
    if seqs:
        marks = ",".join("?" * len(seqs))
        for r in store.execute(
            f"SELECT {ROW_COLUMNS} FROM messages WHERE seq IN ({marks})", list(seqs)
        ):
            by_seq[r[0]] = Row(*r)
    by_rid: dict[int, RejectedRow] = {}
    if rids:
        marks = ",".join("?" * len(rids))
        for rid, ts, meth, path, st, reason in store.execute(
            "SELECT id, received_at, method, path, status, reason FROM requests "
            f"WHERE id IN ({marks})",
            list(rids),
        ):
            by_rid[rid] = RejectedRow(rid, ts, meth, path, st, reason or "")
    out: list[Row | RejectedRow] = []
    for t, k in keys:
        row: Row | RejectedRow | None = by_seq.get(k) if t == "m" else by_rid.get(k)
        if row is None:  # vanished (cannot happen in an append-only file): show a gap
            row = RejectedRow(k, "", "", "", 0, "(missing)")
        out.append(row)
    return out


def next_error_seq(
    store: Any, flt: Filter, after_seq: int, view_start: int, backwards: bool = False
) -> int | None:
    """The next (or previous) message with an error in the view, by seq."""
    if backwards:
        rows = store.execute(
            f"SELECT seq FROM messages WHERE seq < ? AND seq >= ? AND errors > 0 AND ({flt.where}) "
            "ORDER BY seq DESC LIMIT 1",
            (after_seq, view_start, *flt.params),
        )
    else:
        rows = store.execute(
            f"SELECT seq FROM messages WHERE seq > ? AND seq >= ? AND errors > 0 AND ({flt.where}) "
            "ORDER BY seq LIMIT 1",
            (after_seq, view_start, *flt.params),
        )
    return int(rows[0][0]) if rows else None
