"""Files read by `open`/`export`/`replay` keep every message byte for byte, whatever their
shape: a JSON array, a batch body, NDJSON with non-object lines. NaN is not JSON."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from inspector.cli import main

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
    # `open --plan SESSION` re-checks the session into a new one: the rejected requests
    # must come along, between the messages where they arrived.
    import asyncio

    from inspector.importer import import_file
    from inspector.ingest.service import Capture
    from inspector.spec import Engine
    from inspector.store import Store

    src = tmp_path / "live.sqlite"
    store = Store(src)
    capture = Capture(store, Engine())
    hdrs = [("Content-Type", "application/json")]

    async def traffic() -> None:
        await capture.ingest(
            "POST", "/v1/track", hdrs, MSG.encode(), call_type="track", batch=False
        )
        await capture.ingest("POST", "/v1/track", hdrs, b"{bad", call_type="track", batch=False)
        await capture.ingest("POST", "/v1/batch", hdrs, b"[1]", call_type=None, batch=True)
        await capture.ingest(
            "POST", "/v1/track", hdrs, MSG.encode(), call_type="track", batch=False
        )
        await capture.ingest("POST", "/v1/nope", hdrs, b"", call_type="track", batch=False)

    asyncio.run(traffic())
    capture.reset()  # rejections before a reset are still in the file
    store.close()

    copy = import_file(src, tmp_path / "copy.sqlite", engine=Engine())
    try:
        kept = [(r.path, r.status, r.reason is None, r.body) for r in copy.iter_requests()]
        assert copy.count() == 2
        assert copy.rejected_count(include_hidden=True) == 3
    finally:
        copy.close()
    assert [(p, s, ok) for p, s, ok, _ in kept] == [
        ("/v1/batch", 200, True),  # messages are re-stored as one-message batches
        ("/v1/track", 400, False),
        ("/v1/batch", 400, False),
        ("/v1/batch", 200, True),
        ("/v1/nope", 400, False),
    ]
    assert kept[1][3] == b"{bad" and kept[2][3] == b"[1]"
