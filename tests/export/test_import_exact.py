"""Files read by `open`/`export`/`replay` keep every message byte for byte, whatever their
shape: a JSON array, a batch body, NDJSON with non-object lines. NaN is not JSON."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from inspector.cli import main
from inspector.store import Store

VALUES = '{"a":1.10,"b":1E+2,"c":1e400,"d":123456789012345678901234567890,"e":"\\u00e9"}'
MSG = f'{{"type":"track","userId":"u","event":"A B","properties":{VALUES}}}'


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSPECTOR_DATA_DIR", str(tmp_path / "data"))


def export(path: Path) -> list[str]:
    r = CliRunner().invoke(main, ["export", str(path)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return r.stdout.splitlines()


def without_received_at(line: str) -> str:
    head, sep, _ = line.rpartition(',"receivedAt":')
    return head + "}" if sep else line


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("array.json", f"[{MSG}, 1]"),
        ("pretty.json", f"[\n  {MSG},\n  1\n]\n"),
        ("nonobject.ndjson", f"{MSG}\n1\n"),
        ("first-nonobject.ndjson", f"1\n{MSG}\n"),
    ],
)
def test_values_survive_import(tmp_path: Path, name: str, text: str) -> None:
    src = tmp_path / name
    src.write_text(text)
    lines = export(src)
    assert sorted(without_received_at(ln) for ln in lines) == sorted([MSG, "1"])


def test_batch_file_keeps_bytes_and_merges_batch_context(tmp_path: Path) -> None:
    src = tmp_path / "batch.json"
    src.write_text(f'{{"batch":[{MSG}],"context":{{"library":{{"name":"analytics-go"}}}}}}')
    [line] = export(src)
    assert line.startswith(MSG[:-1] + ',"context":{"library":{"name":"analytics-go"}}')


def test_nan_is_not_json(tmp_path: Path) -> None:
    src = tmp_path / "nan.ndjson"
    src.write_text('{"type":"track","userId":"u","event":"A B","properties":{"x":NaN}}\n')
    r = CliRunner().invoke(main, ["export", str(src)])
    assert r.exit_code == 2
    assert "NaN is not valid JSON" in r.stderr


def test_rechecking_a_session_keeps_its_rejected_requests_in_place(tmp_path: Path) -> None:
    # `open --plan SESSION` re-checks the session into a new one through the capture
    # pipeline, request by request: every request keeps its method, path, headers, body,
    # encoding and wire size, rejected ones are copied (never re-ingested), in their places.
    import asyncio
    import gzip
    from datetime import UTC, datetime

    from inspector.importer import import_file
    from inspector.ingest.service import Capture
    from inspector.spec import Engine
    from inspector.store import Store

    src = tmp_path / "live.sqlite"
    store = Store(src)
    now = datetime(2024, 5, 1, 13, 0, tzinfo=UTC)
    capture = Capture(store, Engine(), write_keys=["wk"], clock=lambda: now)
    hdrs = [("Content-Type", "application/json"), ("Authorization", "Basic d2s6")]
    batch = (
        b'{"batch":[' + MSG.encode() + b"," + MSG.encode() + b'],"sentAt":"2024-05-01T10:00:00Z"}'
    )

    async def traffic() -> None:
        await capture.ingest(
            "POST", "/v1/track", hdrs, MSG.encode(), call_type="track", batch=False
        )
        await capture.ingest("POST", "/v1/track", hdrs, b"{bad", call_type="track", batch=False)
        await capture.ingest("POST", "/v1/batch", hdrs, b"[1]", call_type=None, batch=True)
        await capture.keep("OPTIONS", "/v1/batch", hdrs[:1], b"", kind="other", status=204)
        await capture.ingest(
            "POST",
            "/v1/b",
            [*hdrs, ("Content-Encoding", "gzip")],
            gzip.compress(batch),
            call_type=None,
            batch=True,
        )
        # An unknown writeKey: refused here, and must stay refused in the copy.
        await capture.ingest(
            "POST", "/v1/t", hdrs[:1], MSG.encode(), call_type="track", batch=False
        )
        await capture.ingest("POST", "/v1/nope", hdrs, b"", call_type="track", batch=False)

    asyncio.run(traffic())
    capture.reset()  # rejections before a reset are still in the file
    store.close()

    def facts(path: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
        with Store(path, readonly=True) as st:
            reqs = [
                (
                    r.id,
                    r.received_at,
                    r.method,
                    r.path,
                    r.kind,
                    r.status,
                    r.reason,
                    r.write_key,
                    r.headers,
                    r.body,
                    r.body_encoding,
                    r.wire_size,
                )
                for r in st.iter_requests()
            ]
            msgs = [
                (
                    m.seq,
                    m.request_id,
                    m.batch_index,
                    m.received_at,
                    m.endpoint,
                    m.write_key,
                    m.data,
                    [v.rule for v in m.violations],
                )
                for m in st.iter_messages(include_hidden=True)
            ]
        return reqs, msgs

    import_file(src, tmp_path / "copy.sqlite", engine=Engine()).close()
    src_reqs, src_msgs = facts(src)
    copy_reqs, copy_msgs = facts(tmp_path / "copy.sqlite")
    assert [(r[3], r[5], r[6] is None) for r in copy_reqs] == [
        ("/v1/track", 200, True),
        ("/v1/track", 400, False),
        ("/v1/batch", 400, False),
        ("/v1/batch", 204, True),
        ("/v1/b", 200, True),
        ("/v1/t", 401, False),
        ("/v1/nope", 400, False),
    ]
    assert copy_reqs == src_reqs
    assert copy_msgs == src_msgs
    gz = copy_reqs[4]
    assert gz[10] == "gzip" and gz[11] == len(gzip.compress(batch)) and gz[9] == batch
    # The batch's stale sentAt is found again in the copy.
    assert "session/clock-skew" in copy_msgs[1][7]


@pytest.mark.parametrize("fmt", ["json", "ndjson"])
async def test_rechecking_an_imported_session_keeps_write_keys_and_spans(
    session: Store, tmp_path: Path, fmt: str
) -> None:
    """`open --plan` of a session that was itself imported from a JSON export or NDJSON:
    each message keeps its writeKey (from the batch body or the Authorization header of the
    original request, not in the rebuilt body) and its byte span, so the CSV export of the
    copy shows the same writeKeys and every message the same bytes."""
    import csv
    import io

    from inspector.export import export_view
    from inspector.importer import import_file

    export_view(session, None, fmt, tmp_path / f"a.{fmt}", include_hidden=True)
    imported = tmp_path / "imported.sqlite"
    import_file(tmp_path / f"a.{fmt}", imported).close()
    import_file(imported, tmp_path / "copy.sqlite").close()

    def facts(path: Path) -> tuple[list[object], list[str], list[bytes]]:
        with Store(path, readonly=True) as st:
            spans = st.execute("SELECT write_key, raw_start, raw_end FROM messages ORDER BY seq")
            buf = io.BytesIO()
            export_view(st, None, "csv", buf, include_hidden=True)
            rows = list(csv.DictReader(io.StringIO(buf.getvalue().decode())))
            return spans, [r["writeKey"] for r in rows], [m.raw for m in st.iter_messages()]

    before, after = facts(imported), facts(tmp_path / "copy.sqlite")
    assert after == before
    if fmt == "json":
        assert after[1] == ["wk1", "wk1", "wk2", "wk3", ""]
    assert all(start >= 0 for _, start, _ in after[0])


def _batched_session(path: Path, messages: int, per: int = 100) -> Path:
    import asyncio

    import orjson

    from inspector.ingest.service import Capture
    from inspector.spec import Engine

    store = Store(path)
    capture = Capture(store, Engine())

    async def go() -> None:
        for r in range(messages // per):
            batch = [
                {
                    "type": "track",
                    "event": "Order Completed",
                    "userId": f"u{i}",
                    "messageId": f"m-{r}-{i}",
                    "timestamp": "2024-05-01T10:00:00.000Z",
                    "properties": {"revenue": 1.5, "sku": "x" * 40},
                }
                for i in range(per)
            ]
            await capture.ingest(
                "POST",
                "/v1/batch",
                [("Content-Type", "application/json")],
                orjson.dumps({"batch": batch}),
                call_type=None,
                batch=True,
            )

    asyncio.run(go())
    store.close()
    return path


def test_rechecking_a_session_uses_bounded_memory(tmp_path: Path) -> None:
    """`open --plan SESSION` re-checks request by request: what it holds at a time does not
    grow with the session (only the session rules' small per-message state does). It used
    to buffer 500 requests whatever their size: 50,000 messages of 100-message batches."""
    import tracemalloc

    from inspector.importer import import_file

    def peak(messages: int) -> int:
        src = _batched_session(tmp_path / f"src{messages}.sqlite", messages)
        tracemalloc.start()
        try:
            import_file(src, tmp_path / f"copy{messages}.sqlite").close()
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    peak(1000)  # loads the rules' word lists once
    small, large = peak(4000), peak(24000)
    # 20,000 more messages: the duplicate-messageId rule remembers each id (~170 bytes);
    # buffering whole requests held ~20 MB more here.
    assert large - small < 5_000_000, (small, large)


def test_a_json_export_is_streamed_in_bounded_memory(tmp_path: Path) -> None:
    """`open` of a JSON export (one entry per line, as `export --format json` writes it)
    reads it line by line: memory does not grow with the file (it used to parse the whole
    document: 2 GB for a 445 MB export). The same file laid out otherwise (pretty-printed)
    is still read, whole, into the same session."""
    import json
    import tracemalloc

    from inspector.export import export_view
    from inspector.importer import import_file

    def exported(messages: int) -> Path:
        src = _batched_session(tmp_path / f"src{messages}.sqlite", messages)
        out = tmp_path / f"e{messages}.json"
        with Store(src, readonly=True) as st:
            export_view(st, None, "json", out, include_hidden=True)
        return out

    def peak(path: Path) -> int:
        tracemalloc.start()
        try:
            import_file(path, tmp_path / f"{path.stem}-{path.parent.name}.sqlite").close()
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    peak(exported(500))  # loads the rules' word lists once
    small, big = exported(2000), exported(12000)
    assert big.stat().st_size > 3_000_000
    grown = peak(big) - peak(small)
    # The session rules remember each messageId (~170 bytes); the whole parse grew ~80 MB.
    assert grown < 4_000_000, grown

    pretty = tmp_path / "pretty" / "e2000.json"
    pretty.parent.mkdir()
    pretty.write_text(json.dumps(json.loads(small.read_bytes()), indent=2))

    def rows(path: Path) -> list[tuple[object, ...]]:
        with import_file(path, tmp_path / f"rows-{path.parent.name}.sqlite") as st:
            return [(m.data, m.write_key, m.received_at) for m in st.iter_messages()]

    assert rows(pretty) == rows(small)


async def test_check_reads_a_json_export_line_by_line(
    session: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`inspector check FILE.json` streams a JSON export in its own layout (the file is
    never read whole) and finds the same records as in the whole-document reading of the
    same export laid out otherwise: batch counts and positions per request included."""
    import json

    import inspector.sources as sources
    from inspector.export import export_view

    out = tmp_path / "a.json"
    export_view(session, None, "json", out, include_hidden=True)
    pretty = tmp_path / "pretty.json"
    pretty.write_text(json.dumps(json.loads(out.read_bytes()), indent=1))

    def records(path: Path) -> list[tuple[object, ...]]:
        # (The whole-document reading turns integers past 64 bits into floats; the lines
        # are read exactly, so messages are compared by id.)
        return [
            (r.message["messageId"], r.batch_count, r.batch_index, r.received_at, r.endpoint)
            for r in sources.iter_records(path)
        ]

    whole = records(pretty)
    read = sources._read

    def no_whole_read(name: str) -> bytes:
        assert name != str(out), "the JSON export was read whole"
        return read(name)

    monkeypatch.setattr(sources, "_read", no_whole_read)
    streamed = records(out)
    assert streamed == whole and len(whole) == 5
    assert [c for _, c, _, _, _ in streamed] == [2, 2, 1, 1, 1]
