"""The stream's index: rejected requests merged by arrival, the same whether built or appended."""

from __future__ import annotations

import asyncio
from pathlib import Path

from inspector import filters
from inspector.ingest.service import Capture
from inspector.store import Store
from inspector.tui.viewmodel import RejectedRow, RowCache, ViewIndex, build_index


async def _feed(capture: Capture, plan: str) -> None:
    for ch in plan:
        if ch == "m":
            body = b'{"batch":[{"type":"track","userId":"u","event":"A B"},{"type":"track","userId":"u","event":"C D"}]}'
            await capture.ingest("POST", "/v1/batch", [], body, call_type=None, batch=True)
        else:
            await capture.ingest("POST", "/v1/batch", [], b"{oops", call_type=None, batch=True)


def _keys(index: ViewIndex) -> list[tuple[str, int]]:
    return [index.at(i) for i in range(len(index))]


def test_rejected_rows_are_merged_in_arrival_order(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite")
    try:
        capture = Capture(store)
        live = ViewIndex()
        everything = filters.Filter()
        for part in ("rmm", "r", "mrrm", "", "m r"):
            asyncio.run(_feed(capture, part.replace(" ", "")))
            live.append(store, everything, store.view_start, 0)
        built, totals = build_index(store.path, everything, store.view_start, 0, with_totals=True)
        assert _keys(built) == _keys(live)
        kinds = "".join(k for k, _ in _keys(built))
        # r, then 2 messages a batch
        assert kinds == "r" + "mm" * 2 + "r" + "mm" + "rr" + "mm" + "mm" + "r"
        assert totals is not None and totals.messages == 10 and totals.rejected == 5
        for i, (kind, ident) in enumerate(_keys(built)):
            if kind == "m":
                assert built.index_of_seq(ident) == i
        rows = RowCache()
        first = rows.get(store, built, 0)
        assert isinstance(first, RejectedRow) and first.status == 400
        # a filter leaves rejected requests out
        only = filters.parse('event:"C D"')
        f_idx, _ = build_index(store.path, only, store.view_start, 0)
        assert len(f_idx) == 5 and all(k == "m" for k, _ in _keys(f_idx))
    finally:
        store.close()
