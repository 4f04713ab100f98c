from __future__ import annotations

import io
import json
from pathlib import Path

import orjson

from inspector.export import export_view
from inspector.importer import import_file
from inspector.store import Store


def _ndjson(store: Store, flt: str = "") -> bytes:
    buf = io.BytesIO()
    export_view(store, flt, "ndjson", buf, include_hidden=True)
    return buf.getvalue()


async def test_one_message_per_line_with_received_at_last(session: Store) -> None:
    out = _ndjson(session)
    lines = out.splitlines()
    assert out.endswith(b"\n")
    assert len(lines) == session.count() == 5
    msgs = [json.loads(x) for x in lines]
    for m, row in zip(msgs, session.iter_messages(), strict=True):
        assert list(m)[-1] == "receivedAt"
        assert m["receivedAt"] == row.received_at
        rest = {k: v for k, v in m.items() if k != "receivedAt"}
        # The message as sent (exactly: json keeps big integers), plus the merged fields.
        sent = json.loads(row.raw)
        expected = {**sent, **{k: v for k, v in row.data.items() if k not in sent}}
        expected.pop("receivedAt", None)
        assert rest == expected
    # Key order as sent, batch-level context merged (go), type from the path (/v1/t).
    assert list(msgs[0])[:3] == ["type", "event", "userId"]
    assert msgs[2]["context"]["library"]["name"] == "analytics-go"
    assert msgs[2]["receivedAt"] != "forged"
    assert msgs[3]["type"] == "track"
    assert msgs[3]["properties"]["big"] == 123456789012345678901234567890
    assert msgs[1]["traits"]["name"] == "Zoë 🎉"


async def test_round_trip_capture_export_open_export_is_identical(
    session: Store, tmp_path: Path
) -> None:
    first = tmp_path / "first.ndjson"
    n = export_view(session, None, "ndjson", first, include_hidden=True)
    assert n == 5
    reopened = import_file(first, tmp_path / "reopened.sqlite")
    try:
        assert reopened.readonly
        assert reopened.count() == n
        second = tmp_path / "second.ndjson"
        export_view(reopened, None, "ndjson", second, include_hidden=True)
        # receivedAt came back from the file, not from the clock of the import.
        assert [m.received_at for m in reopened.iter_messages()] == [
            m.received_at for m in session.iter_messages()
        ]

        # Violations are computed again by the same engine (the forged receivedAt the go
        # sample sent was replaced by the server's, so its finding is gone).
        def rules(s: Store) -> list[list[str]]:
            return [
                [v.rule for v in m.violations if v.path != "receivedAt"] for m in s.iter_messages()
            ]

        assert rules(reopened) == rules(session)
    finally:
        reopened.close()
    assert second.read_bytes() == first.read_bytes()
    # And once more: a fixed point.
    third = import_file(second, tmp_path / "third.sqlite")
    try:
        assert _ndjson(third) == first.read_bytes()
    finally:
        third.close()


async def test_filter_uses_the_ui_terms(session: Store) -> None:
    assert len(_ndjson(session, "type:track").splitlines()) == 2
    assert len(_ndjson(session, "-type:track").splitlines()) == 3
    # write_key and received_at exist in both tables: the filter must still work.
    lines = _ndjson(session, "writekey:wk2").splitlines()
    assert [orjson.loads(x)["messageId"] for x in lines] == ["m-3"]
    assert _ndjson(session, 'event:"Order Completed"').count(b"\n") == 1
    assert _ndjson(session, "user:nobody") == b""


async def test_view_after_reset_is_what_the_ui_exports(tmp_path: Path, session: Store) -> None:
    path = tmp_path / "copy.sqlite"
    import shutil

    shutil.copy(session.path, path)
    s = Store(path)
    try:
        s.reset_view()
        buf = io.BytesIO()
        assert export_view(s, "", "ndjson", buf) == 0
        assert export_view(s, "", "ndjson", io.BytesIO(), include_hidden=True) == 5
    finally:
        s.close()
