from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import orjson
import pytest

from inspector.export import export_view
from inspector.importer import import_file
from inspector.ingest import Capture, create_app, start_server
from inspector.spec import Engine
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
        req = session.request(row.request_id)
        assert req is not None
        if req.path == "/v1/batch" and "sentAt" not in expected:
            # The batch's own sentAt is every item's, as Segment applies it.
            expected["sentAt"] = json.loads(req.body)["sentAt"]
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


#: Values that parsing and re-encoding would change: 1.10 -> 1.1, 1E+2 -> 100.0,
#: 1e400 -> null/Infinity, an integer past 64 bits (which made every non-ASCII char \u-escaped).
HOSTILE = (
    b'{"userId":"b","event":"Bytes C","type":"track",'
    b'"properties":{"n":1.10,"e":1E+2,"i":1e400,"s":"caf\xc3\xa9 \\u00e9"}}',
    b'{ "type" : "identify", "userId":"z\xc3\xab", "traits": {"big": 123456789012345678901234567890,'
    b' "name": "Zo\xc3\xab \xf0\x9f\x8e\x89", "receivedAt": 1}, "receivedAt": "2000-01-01" }',
)


@pytest.fixture
async def hostile(tmp_path: Path) -> AsyncIterator[Store]:
    """A session captured over real HTTP holding HOSTILE, once as a batch with batch-level
    context (merged in: stored as ``extra``) and once as single calls."""
    path = tmp_path / "hostile.sqlite"
    store = Store(path)
    capture = Capture(store, Engine())
    runner, url = await start_server(create_app(capture), "127.0.0.1", 0)
    try:
        async with aiohttp.ClientSession() as http:
            body = b'{"batch":[' + b",".join(HOSTILE) + b'],"context":{"ip":"1.2.3.4"}}'
            async with http.post(url + "/v1/batch", data=body) as r:
                assert r.status == 200, await r.text()
            for msg in HOSTILE:
                async with http.post(url + "/v1/batch", data=b'{"batch":[' + msg + b"]}") as r:
                    assert r.status == 200, await r.text()
    finally:
        await runner.cleanup()
        store.close()
    ro = Store(path, readonly=True)
    yield ro
    ro.close()


async def test_hostile_values_are_exported_byte_for_byte(hostile: Store, tmp_path: Path) -> None:
    lines = _ndjson(hostile).splitlines()
    msgs = list(hostile.iter_messages())
    assert len(lines) == len(msgs) == 4
    # The single calls (no merged fields): the bytes as sent, receivedAt spliced in last
    # (the sender's own receivedAt is dropped: Segment replaces it).
    assert lines[2] == HOSTILE[0][:-1] + b',"receivedAt":"' + msgs[2].received_at.encode() + b'"}'
    assert b'"n":1.10,"e":1E+2,"i":1e400' in lines[2]
    assert (
        b"Zo\xc3\xab \xf0\x9f\x8e\x89" in lines[3] and b"123456789012345678901234567890" in lines[3]
    )
    assert b'"2000-01-01"' not in lines[3] and b'"receivedAt": 1}' in lines[3]
    assert lines[3].endswith(b'1},"receivedAt":"' + msgs[3].received_at.encode() + b'" }')
    # The batch with batch-level context: the context member is added, nothing else changes.
    assert lines[0].startswith(HOSTILE[0][:-1] + b',"context":{"ip":"1.2.3.4"}')
    assert b"\\u00eb" not in b"".join(lines)  # nothing escaped

    # The JSON document holds the same message text.
    buf = io.BytesIO()
    export_view(hostile, None, "json", buf, include_hidden=True)
    assert b'"message":' + HOSTILE[0][:-1] + b',"context":{"ip":"1.2.3.4"}}' in buf.getvalue()
    assert b'"n":1.10,"e":1E+2,"i":1e400' in buf.getvalue()

    # Round trips stay byte-identical: NDJSON -> open -> NDJSON, and JSON -> open -> NDJSON.
    first = tmp_path / "first.ndjson"
    export_view(hostile, None, "ndjson", first, include_hidden=True)
    doc = tmp_path / "doc.json"
    doc.write_bytes(buf.getvalue())
    for i, src in enumerate((first, doc)):
        reopened = import_file(src, tmp_path / f"re{i}.sqlite")
        try:
            assert _ndjson(reopened) == first.read_bytes()
        finally:
            reopened.close()


def test_a_date_without_a_time_is_not_an_arrival_time(tmp_path: Path) -> None:
    """Only an ISO-8601 date-time is taken off a line as its arrival time: a bare date
    stays in the message, and the line comes back byte for byte."""
    src = tmp_path / "in.ndjson"
    lines = [
        b'{"type":"track","event":"A","messageId":"d1","receivedAt":"2024-05-01"}',
        b'{"type":"track","event":"B","messageId":"d2","receivedAt":"2024-05-01T10:00:00Z"}',
    ]
    src.write_bytes(b"\n".join(lines) + b"\n")
    with import_file(src, tmp_path / "s.sqlite") as st:
        rows = list(st.iter_messages())
        out = _ndjson(st)
    assert rows[0].data["receivedAt"] == "2024-05-01"
    assert rows[0].received_at == "1970-01-01T00:00:00.001Z"  # the stand-in, not the date
    assert rows[1].received_at == "2024-05-01T10:00:00Z" and "receivedAt" not in rows[1].data
    assert out == src.read_bytes()


def test_a_line_with_receivedat_twice_keeps_both_members(tmp_path: Path) -> None:
    """An export writes one receivedAt; a line repeating it is the sender's message and is
    kept byte for byte (no arrival time taken from it, no member dropped)."""
    src = tmp_path / "in.ndjson"
    dup = (
        b'{"type":"track","event":"A","messageId":"r1",'
        b'"receivedAt":"2024-05-01T09:00:00Z","receivedAt":"2024-05-01T10:00:00Z"}'
    )
    escaped = (
        b'{"type":"track","event":"B","messageId":"r2",'
        b'"receiv\\u0065dAt":"2024-05-01T09:00:00Z","receivedAt":"2024-05-01T10:00:00Z"}'
    )
    src.write_bytes(dup + b"\n" + escaped + b"\n")
    with import_file(src, tmp_path / "s.sqlite") as st:
        rows = list(st.iter_messages())
        out = _ndjson(st)
    assert [r.raw for r in rows] == [dup, escaped]
    assert out == src.read_bytes()
