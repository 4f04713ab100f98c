"""A message's findings do not depend on the door it comes back through: a session, its
NDJSON/JSON export checked or opened, a HAR round trip, a JSON export reopened."""

from __future__ import annotations

import asyncio
import base64
import gzip
import io
import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from inspector.cli import main
from inspector.export import export_view
from inspector.importer import import_file
from inspector.ingest.service import Capture
from inspector.spec import Engine
from inspector.store import Store

NOW = datetime(2024, 5, 1, 13, 0, tzinfo=UTC)
JS = [("Content-Type", "application/json")]


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSPECTOR_DATA_DIR", str(tmp_path / "data"))


def _capture(path: Path, calls: list[tuple[Any, ...]]) -> Path:
    store = Store(path)
    capture = Capture(store, Engine(), clock=lambda: NOW)

    async def go() -> None:
        for method, rpath, headers, body, call_type, batch in calls:
            if method == "OPTIONS":
                await capture.keep(method, rpath, headers, body, kind="other", status=204)
            else:
                await capture.ingest(method, rpath, headers, body, call_type=call_type, batch=batch)

    asyncio.run(go())
    store.close()
    return path


def _run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _check_rules(path: Path) -> tuple[int, Counter[str]]:
    r = _run("check", str(path), "--format", "json")
    doc = json.loads(r.stdout)
    return r.exit_code, Counter(v["rule"] for m in doc["messages"] for v in m["violations"])


def _stored_rules(path: Path) -> Counter[str]:
    with Store(path, readonly=True) as st:
        return Counter(v.rule for m in st.iter_messages() for v in m.violations)


def _big_stale_batch(tmp_path: Path) -> Path:
    items = [
        {
            "type": "track",
            "event": "Signed Up",
            "userId": "u1",
            "messageId": f"m-{i}",
            "timestamp": "2024-05-01T10:00:00.000Z",
        }
        for i in range(2501)
    ]
    body = orjson.dumps({"batch": items, "sentAt": "2024-05-01T10:00:00.000Z"})  # 3 h old
    return _capture(tmp_path / "s.sqlite", [("POST", "/v1/batch", JS, body, None, True)])


def test_a_batch_sent_at_is_kept_by_ndjson_and_json_exports(tmp_path: Path) -> None:
    s = _big_stale_batch(tmp_path)
    code, rules = _check_rules(s)
    assert code == 1
    assert rules["session/clock-skew"] == 2501 and rules["session/batch-too-large"] == 1
    for name in ("b.ndjson", "b.json"):
        out = tmp_path / name
        assert _run("export", str(s), "-o", str(out)).exit_code == 0
        # The batch's sentAt is every message's: the clock skew is found in the export.
        code, rules = _check_rules(out)
        assert rules["session/clock-skew"] == 2501, name
    # A JSON export knows which messages shared a request: check finds the batch too big.
    code, rules = _check_rules(tmp_path / "b.json")
    assert (code, rules["session/batch-too-large"]) == (1, 1)
    first = (tmp_path / "b.ndjson").read_bytes().splitlines()[0]
    assert json.loads(first)["sentAt"] == "2024-05-01T10:00:00.000Z"
    assert list(json.loads(first))[-2:] == ["sentAt", "receivedAt"]


def test_opening_a_json_export_rebuilds_its_batches(tmp_path: Path) -> None:
    s = _big_stale_batch(tmp_path)
    out = tmp_path / "b.json"
    assert _run("export", str(s), "-o", str(out)).exit_code == 0
    copy = import_file(out, tmp_path / "copy.sqlite", engine=Engine())
    copy.close()
    rules = _stored_rules(tmp_path / "copy.sqlite")
    assert rules["session/batch-too-large"] == 1
    assert rules["session/clock-skew"] == 2501


def _json_export(path: Path) -> dict[str, Any]:
    buf = io.BytesIO()
    with Store(path, readonly=True) as st:
        export_view(st, "", "json", buf, include_hidden=True)
    doc: dict[str, Any] = json.loads(buf.getvalue())
    return doc


def test_a_json_export_reopened_keeps_each_request(tmp_path: Path) -> None:
    msg = b'{"type":"track","userId":"u","event":"A B","messageId":"m1"}'
    batch = b'{"batch":[' + msg + b"," + msg.replace(b"m1", b"m2") + b'],"writeKey":"wk"}'
    s = _capture(
        tmp_path / "s.sqlite",
        [
            ("POST", "/v1/track", [*JS, ("X-Sdk", "a")], msg, "track", False),
            ("POST", "/v1/batch", JS, b"{bad", None, True),
            ("POST", "/v1/t", JS, msg.replace(b'"type":"track",', b""), "track", False),
            (
                "POST",
                "/v1/batch",
                [*JS, ("Content-Encoding", "gzip")],
                gzip.compress(batch),
                None,
                True,
            ),
        ],
    )
    first = _json_export(s)
    (tmp_path / "a.json").write_text(json.dumps(first))
    import_file(tmp_path / "a.json", tmp_path / "copy.sqlite", engine=Engine()).close()
    second = _json_export(tmp_path / "copy.sqlite")

    def shape(doc: dict[str, Any]) -> list[Any]:
        return [
            (
                m["endpoint"],
                m["writeKey"],
                m["receivedAt"],
                m["message"],
                m["violations"],
                m["request"],
            )
            for m in doc["messages"]
        ]

    assert shape(second) == shape(first)
    assert [m["request"]["path"] for m in second["messages"]] == [
        "/v1/track",
        "/v1/t",
        "/v1/batch",
        "/v1/batch",
    ]
    assert second["messages"][1]["endpoint"] == "/v1/t"
    assert second["messages"][3]["request"]["gzip"] is True
    assert second["rejected"] == first["rejected"]


def test_a_har_round_trip_keeps_why_a_request_was_refused(tmp_path: Path) -> None:
    msg = b'{"type":"track","userId":"u","event":"A B"}'
    s = _capture(
        tmp_path / "s.sqlite",
        [
            ("OPTIONS", "/v1/batch", [("Origin", "http://x")], b"", None, False),
            ("POST", "/v1/track", [*JS, ("Content-Encoding", "gzip")], msg, "track", False),
            (
                "POST",
                "/v1/track",
                [*JS, ("Content-Encoding", "gzip")],
                b"\x1f\x8bnot",
                "track",
                False,
            ),
            (
                "POST",
                "/v1/track",
                [*JS, ("Content-Encoding", "gzip")],
                gzip.compress(msg),
                "track",
                False,
            ),
        ],
    )
    har = tmp_path / "s.har"
    assert _run("export", str(s), "-o", str(har)).exit_code == 0
    import_file(har, tmp_path / "copy.sqlite", engine=Engine()).close()

    def reqs(path: Path) -> list[Any]:
        with Store(path, readonly=True) as st:
            return [
                (
                    r.method,
                    r.path,
                    r.status,
                    r.reason,
                    r.headers,
                    r.body,
                    r.body_encoding,
                    r.wire_size,
                )
                for r in st.iter_requests()
            ]

    before, after = reqs(s), reqs(tmp_path / "copy.sqlite")
    assert before[1][3].startswith("Content-Encoding is gzip but the body is not valid gzip")
    assert after == before
    assert after[0][0] == "OPTIONS"  # the CORS preflight is kept


def test_a_browser_har_still_skips_unrelated_requests(tmp_path: Path) -> None:
    har = {
        "log": {
            "entries": [
                {
                    "startedDateTime": "2024-05-01T10:00:00.000Z",
                    "request": {
                        "method": "OPTIONS",
                        "url": "https://api.segment.io/v1/t",
                        "headers": [],
                    },
                    "response": {"status": 204},
                },
                {
                    "startedDateTime": "2024-05-01T10:00:00.000Z",
                    "request": {
                        "method": "GET",
                        "url": "https://example.com/app.js",
                        "headers": [],
                    },
                    "response": {"status": 200},
                },
                {
                    "startedDateTime": "2024-05-01T10:00:01.000Z",
                    "request": {
                        "method": "POST",
                        "url": "https://api.segment.io/v1/t",
                        "headers": [{"name": "Content-Encoding", "value": "gzip"}],
                        "postData": {
                            "text": base64.b64encode(
                                gzip.compress(b'{"type":"track","userId":"u","event":"A B"}')
                            ).decode(),
                            "_encoding": "base64",
                        },
                    },
                    "response": {"status": 200},
                },
            ]
        }
    }
    p = tmp_path / "browser.har"
    p.write_text(json.dumps(har))
    import_file(p, tmp_path / "copy.sqlite", engine=Engine()).close()
    with Store(tmp_path / "copy.sqlite", readonly=True) as st:
        assert [(r.method, r.path, r.status) for r in st.iter_requests()] == [
            ("POST", "/v1/t", 200)
        ]
