from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from inspector.export import FORMATS, ExportError, export_to_file, export_view, format_for
from inspector.export.csv_ import COLUMNS, cell
from inspector.importer import import_file
from inspector.store import Store


def _out(store: Store, fmt: str, flt: str = "") -> bytes:
    buf = io.BytesIO()
    export_view(store, flt, fmt, buf, include_hidden=True)
    return buf.getvalue()


async def test_json_document_shape(session: Store) -> None:
    doc = json.loads(_out(session, "json"))
    assert set(doc) == {"inspector", "messages", "rejected", "counts"}
    assert doc["inspector"]["session"] == "captured.sqlite"
    assert doc["counts"] == {"messages": 5, "rejected": 3}
    first = doc["messages"][0]
    assert list(first) == [
        "seq",
        "receivedAt",
        "endpoint",
        "writeKey",
        "message",
        "violations",
        "request",
    ]
    assert first["message"]["event"] == "Order Completed"
    assert first["writeKey"] == "wk1"
    assert first["request"]["method"] == "POST"
    assert first["request"]["path"] == "/v1/batch"
    assert ["Content-Type", "application/json"] in first["request"]["headers"]
    gz = doc["messages"][2]
    assert gz["request"]["gzip"] is True and gz["writeKey"] == "wk2"
    assert gz["violations"][0]["rule"] == "common/timestamp-format"
    rejected = {r["path"]: r for r in doc["rejected"]}
    assert rejected["/v1/track"]["bodyEncoding"] == "base64"
    assert rejected["/v1/batch"]["body"] == '{"batch": ['
    assert rejected["/v1/nope"]["status"] == 404


async def test_json_filtered_leaves_rejected_out(session: Store) -> None:
    doc = json.loads(_out(session, "json", "has:error"))
    assert [m["message"]["messageId"] for m in doc["messages"]] == ["m-3"]
    assert doc["rejected"] == [] and doc["inspector"]["filter"] == "has:error"


async def test_json_export_reopens_with_metadata(session: Store, tmp_path: Path) -> None:
    path = tmp_path / "doc.json"
    export_view(session, None, "json", path, include_hidden=True)
    s = import_file(path, tmp_path / "doc.sqlite")
    try:
        assert [(m.received_at, m.endpoint, m.write_key) for m in s.iter_messages()] == [
            (m.received_at, m.endpoint, m.write_key) for m in session.iter_messages()
        ]
        assert s.rejected_count() == 3
        assert _out(s, "ndjson") == _out(session, "ndjson")
        again = json.loads(_out(s, "json"))
        first = json.loads(_out(session, "json"))
        assert [m["message"] for m in again["messages"]] == [
            m["message"] for m in first["messages"]
        ]
    finally:
        s.close()


async def test_csv_rows_and_injection(session: Store) -> None:
    text = _out(session, "csv").decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == 6
    first = dict(zip(COLUMNS, rows[1], strict=True))
    assert first["type"] == "track" and first["event"] == "Order Completed"
    assert first["library"] == "analytics-python" and first["writeKey"] == "wk1"
    assert first["errors"] == "0" and first["rules"] == ""
    page = dict(zip(COLUMNS, rows[3], strict=True))
    assert page["anonymousId"] == "'-a1"  # would be a formula in a spreadsheet
    assert page["rules"] == "common/timestamp-format" and page["errors"] == "1"
    assert text.count("\r\n") == 6


def test_cell_prefixes_formulas_only() -> None:
    assert cell("=SUM(A1)") == "'=SUM(A1)"
    assert cell("+1") == "'+1" and cell("@x") == "'@x" and cell("-2") == "'-2"
    assert cell("\tx") == "'\tx"
    assert cell("a=b") == "a=b" and cell(3) == 3 and cell(None) == ""


async def test_registry_and_errors(session: Store, tmp_path: Path) -> None:
    assert set(FORMATS) == {"ndjson", "json", "har", "csv"}
    assert format_for("x.HAR") == "har" and format_for("x.jsonl") == "ndjson"
    assert format_for(None) == "ndjson" and format_for("x.txt", "csv") == "csv"
    try:
        export_view(session, "", "xml", io.BytesIO())
    except ExportError as exc:
        assert "xml" in str(exc)
    else:
        raise AssertionError("expected ExportError")
    try:
        export_view(session, 'event:"unclosed', "ndjson", io.BytesIO())
    except ExportError as exc:
        assert "quote" in str(exc)
    else:
        raise AssertionError("expected ExportError")
    path, n = export_to_file(session, "type:track", "csv", tmp_path, include_hidden=True)
    assert n == 2 and path.parent == tmp_path.resolve() and path.suffix == ".csv"
    assert path.name.startswith("captured-")
    # A registry entry is callable like the function it wraps.
    from inspector.export import ExportOptions
    from inspector.filters import Filter

    buf = io.BytesIO()
    assert FORMATS["ndjson"](session, Filter(), buf, ExportOptions()) == 5
