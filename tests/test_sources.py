"""inspector.sources: every input format, detected by content, and one-line errors."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from inspector import sources
from inspector.sources import SourceError, iter_records, load_messages

T1 = {"type": "track", "event": "A Done", "userId": "u1", "messageId": "m1"}
T2 = {"type": "identify", "userId": "u1", "messageId": "m2", "traits": {"plan": "pro"}}


def _write(tmp_path: Path, name: str, data: str | bytes) -> str:
    p = tmp_path / name
    p.write_bytes(data.encode() if isinstance(data, str) else data)
    return str(p)


def test_ndjson_keeps_exact_line_bytes(tmp_path: Path) -> None:
    line1 = '{"type": "track",  "event": "A Done", "userId": "u1", "messageId": "m1"}'
    path = _write(tmp_path, "m.ndjson", f"{line1}\r\n\n{json.dumps(T2)}\n")
    recs = list(iter_records(path))
    assert [r.message for r in recs] == [T1, T2]
    assert recs[0].raw == line1.encode()


def test_json_array_and_single_object(tmp_path: Path) -> None:
    assert list(load_messages(_write(tmp_path, "a.json", json.dumps([T1, T2], indent=2)))) == [
        T1,
        T2,
    ]
    assert list(load_messages(_write(tmp_path, "o.json", json.dumps(T1, indent=2)))) == [T1]


def test_batch_merges_context_and_integrations_item_keys_win(tmp_path: Path) -> None:
    body = {
        "batch": [
            {"type": "track", "event": "A Done", "userId": "u", "context": {"ip": "1.1.1.1"}},
            {"type": "track", "event": "B Done", "userId": "u", "integrations": {"Mixpanel": True}},
            "not an object",
        ],
        "context": {"library": {"name": "analytics-go", "version": "3.0.0"}, "ip": "9.9.9.9"},
        "integrations": {"Mixpanel": False, "All": True},
    }
    recs = list(iter_records(_write(tmp_path, "b.json", json.dumps(body))))
    assert [(r.batch_count, r.batch_index) for r in recs] == [(3, 0), (3, 1), (3, 2)]
    first, second, third = (r.message for r in recs)
    assert first["context"] == {
        "library": {"name": "analytics-go", "version": "3.0.0"},
        "ip": "1.1.1.1",
    }
    assert first["integrations"] == {"Mixpanel": False, "All": True}
    assert second["integrations"] == {"Mixpanel": True, "All": True}
    assert third == "not an object"
    assert "integrations" not in body["batch"][1] or body["batch"][1]["integrations"] == {
        "Mixpanel": True
    }


def test_ndjson_of_batches(tmp_path: Path) -> None:
    lines = [json.dumps({"batch": [T1, T2]}), json.dumps(T1)]
    recs = list(iter_records(_write(tmp_path, "b.ndjson", "\n".join(lines))))
    assert [r.message for r in recs] == [T1, T2, T1]
    assert [r.batch_count for r in recs] == [2, 2, 1]


def test_json_export_items(tmp_path: Path) -> None:
    doc = {
        "messages": [
            {"seq": 1, "received_at": "2024-05-01T12:00:00Z", "endpoint": "/v1/t", "message": T1},
            {"seq": 2, "message": T2},
        ]
    }
    recs = list(iter_records(_write(tmp_path, "e.json", json.dumps(doc))))
    assert [r.message for r in recs] == [T1, T2]
    assert recs[0].received_at == "2024-05-01T12:00:00Z" and recs[0].endpoint == "/v1/t"


def _har_entry(url: str, body: Any, method: str = "POST") -> dict[str, Any]:
    text = body if isinstance(body, str) else json.dumps(body)
    return {
        "startedDateTime": "2024-05-01T12:00:00.000Z",
        "request": {
            "method": method,
            "url": url,
            "postData": {"mimeType": "text/plain", "text": text},
        },
    }


def test_har_reads_ingestion_calls_only(tmp_path: Path) -> None:
    single = {"event": "A Done", "userId": "u1", "messageId": "m1"}
    har = {
        "log": {
            "entries": [
                _har_entry("https://cdn.segment.com/v1/projects/wk/settings", "", "GET"),
                _har_entry("http://127.0.0.1:8080/v1/t", single),
                _har_entry("http://127.0.0.1:8080/v1/m", {"series": []}),
                _har_entry("http://127.0.0.1:8080/v1/batch", {"batch": [T2]}),
                _har_entry("https://example.com/api/login", "password=x"),
            ]
        }
    }
    recs = list(iter_records(_write(tmp_path, "c.har", json.dumps(har))))
    assert [r.message for r in recs] == [{**single, "type": "track"}, T2]
    assert recs[0].endpoint == "/v1/t" and recs[0].received_at == "2024-05-01T12:00:00.000Z"
    assert recs[0].raw == json.dumps(single).encode()


def test_har_ingestion_body_that_is_not_json_is_an_error(tmp_path: Path) -> None:
    har = {"log": {"entries": [_har_entry("http://x/v1/batch", "{oops")]}}
    with pytest.raises(SourceError, match=r"HAR entry 1 \(/v1/batch\)"):
        list(iter_records(_write(tmp_path, "c.har", json.dumps(har))))


def test_errors_are_one_line(tmp_path: Path) -> None:
    bad_line = _write(tmp_path, "bad.ndjson", json.dumps(T1) + "\n{not json}\n")
    with pytest.raises(SourceError, match="line 2 is not JSON") as e:
        list(load_messages(bad_line))
    assert "\n" not in str(e.value)
    broken_doc = _write(tmp_path, "broken.json", '{\n  "type": "track",\n  "event": \n}\n')
    with pytest.raises(SourceError, match="not valid JSON"):
        list(load_messages(broken_doc))
    with pytest.raises(SourceError, match="no such file"):
        list(load_messages(tmp_path / "missing.json"))
    with pytest.raises(SourceError, match="is a directory"):
        list(load_messages(tmp_path))


def test_empty_file_and_bom(tmp_path: Path) -> None:
    assert list(load_messages(_write(tmp_path, "e.ndjson", "\n \n"))) == []
    bom = b"\xef\xbb\xbf" + json.dumps(T1).encode()
    assert list(load_messages(_write(tmp_path, "bom.json", bom))) == [T1]


def test_what_orjson_refuses_is_still_read(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "odd.ndjson",
        '{"type": "track", "n": 123456789012345678901234567890, "s": "\\ud800"}\n',
    )
    (msg,) = load_messages(path)
    assert msg["n"] == 123456789012345678901234567890 and msg["s"] == "\ud800"


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    stdin = io.TextIOWrapper(io.BytesIO((json.dumps(T1) + "\n" + json.dumps(T2)).encode()))
    monkeypatch.setattr(sys, "stdin", stdin)
    assert list(load_messages("-")) == [T1, T2]


def test_sqlite_session_uses_the_store(tmp_path: Path) -> None:
    from inspector.store import MessageRecord, RequestRecord, Store

    path = tmp_path / "s.sqlite"
    body = json.dumps({"batch": [T1, T2]}).encode()
    with Store(path) as st:
        req = RequestRecord(
            "2026-01-01T00:00:00.000Z", "POST", "/v1/batch", "ingest", 200, None, None, [], body
        )
        recs = [
            MessageRecord(
                i, -1, -1, req.received_at, "/v1/batch", None, "track", None, None, None, None, None
            )
            for i in range(2)
        ]
        st.append_sync(req, recs)
    assert list(load_messages(path)) == [T1, T2]
    records = list(sources.iter_records(path))
    assert [r.received_at for r in records] == ["2026-01-01T00:00:00.000Z"] * 2
    assert records[0].raw == json.dumps(T1).encode()


def test_foreign_sqlite_file_is_a_clear_error(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "other.sqlite"
    con = sqlite3.connect(path)
    con.execute("create table t (x)")
    con.commit()
    con.close()
    with pytest.raises(SourceError) as e:
        list(load_messages(path))
    assert "\n" not in str(e.value)


def test_har_skips_rejected_entries_and_reads_base64_bodies(tmp_path: Path) -> None:
    import base64 as b64

    def entry(body: str, status: int = 200, **post: Any) -> dict[str, Any]:
        return {
            "startedDateTime": "2026-01-01T00:00:00.000Z",
            "request": {
                "method": "POST",
                "url": "http://127.0.0.1:8787/v1/batch",
                "postData": {"mimeType": "application/json", "text": body, **post},
            },
            "response": {"status": status},
        }

    har = {
        "log": {
            "entries": [
                entry("{not json", 400),
                entry(
                    b64.b64encode(json.dumps({"batch": [T1]}).encode()).decode(), _encoding="base64"
                ),
                entry(json.dumps({"batch": [T2]})),
            ]
        }
    }
    path = _write(tmp_path, "c.har", json.dumps(har).encode())
    assert list(load_messages(path)) == [T1, T2]
