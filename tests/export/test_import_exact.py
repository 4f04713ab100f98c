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
