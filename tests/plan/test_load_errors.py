"""A plan that does not load: every command prints the same one line, the file named once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from inspector.cli import main

DOCS = Path(__file__).resolve().parents[2] / "docs" / "plans.md"


@pytest.fixture
def messages(tmp_path: Path) -> Path:
    path = tmp_path / "m.ndjson"
    path.write_text(
        json.dumps({"type": "track", "event": "Order Completed", "userId": "u", "messageId": "m"})
        + "\n"
    )
    return path


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "data"
    monkeypatch.setenv("INSPECTOR_DATA_DIR", str(d))
    (d / "sessions").mkdir(parents=True)
    return d


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


BAD_PLANS = [
    (
        "syn.yaml",
        "events:\n  Order Completed:\n    propertes: {}\n",
        "Order Completed: unknown key 'propertes' "
        "(expected one of description, properties, required, strict)",
    ),
    (
        "broken.yaml",
        "events: [\n",
        "invalid YAML (line 2, column 1): expected the node content, but found '<stream end>'",
    ),
    (
        "twice.json",
        '{"rules": [{"type": "TRACK", "key": "E"}, {"type": "TRACK", "key": "E"}]}',
        'event "E" is planned more than once',
    ),
]


@pytest.mark.parametrize(("name", "text", "reason"), BAD_PLANS)
def test_check_names_the_plan_once(
    tmp_path: Path, messages: Path, name: str, text: str, reason: str
) -> None:
    plan = tmp_path / name
    plan.write_text(text)
    code, out, err = run("check", "--plan", str(plan), str(messages))
    assert code == 2
    assert out == ""
    assert err == f"inspector check: cannot load plan {plan}: {reason}\n"


@pytest.mark.parametrize(("name", "text", "reason"), BAD_PLANS)
def test_serve_open_and_the_ui_say_the_same_line(
    tmp_path: Path, messages: Path, data_dir: Path, name: str, text: str, reason: str
) -> None:
    plan = tmp_path / name
    plan.write_text(text)
    expected = f"inspector: cannot load plan {plan}: {reason}\n"
    session = tmp_path / "s.sqlite"
    for args in (
        ["serve", "--headless", "--port", "0", "--session", str(session)],
        ["--port", "0", "--session", str(session)],  # bare `inspector`: the UI
        ["open", str(messages)],
    ):
        code, out, err = run(*args, "--plan", str(plan))
        assert (code, err) == (2, expected), args
        assert "Traceback" not in out
    assert not session.exists()  # a bad plan fails before any session file is made


def test_a_missing_plan_and_a_bad_file_in_a_directory(tmp_path: Path, messages: Path) -> None:
    code, _out, err = run("check", "--plan", str(tmp_path / "nope.yaml"), str(messages))
    assert (code, err) == (
        2,
        f"inspector check: cannot load plan {tmp_path / 'nope.yaml'}: no such file or directory\n",
    )
    d = tmp_path / "plans"
    d.mkdir()
    (d / "a.json").write_text("{")
    code, _out, err = run("check", "--plan", str(d), str(messages))
    assert code == 2
    assert err.startswith(f"inspector check: cannot load plan {d / 'a.json'}: invalid JSON (line 1")


def test_load_error_names_the_file_once_whatever_the_reason() -> None:
    from inspector.plan import load_error

    assert load_error("p.yaml", ValueError("p.yaml: bad")) == "cannot load plan p.yaml: bad"
    assert load_error("p.yaml", ValueError("bad")) == "cannot load plan p.yaml: bad"
    assert load_error("d", ValueError("d/x.json: bad")) == "cannot load plan d/x.json: bad"
    assert load_error("p.yaml", KeyError("k")) == "cannot load plan p.yaml: KeyError: 'k'"
    assert load_error("p\x1b.yaml", ValueError("p\x1b.yaml: x")) == r"cannot load plan p\e.yaml: x"


def test_docs_say_what_the_commands_say() -> None:
    docs = DOCS.read_text()
    assert "cannot read the plan" not in docs
    assert (
        "inspector: cannot load plan plan.yaml: Order Completed: unknown key 'propertes' "
        "(expected one of description, properties, required, strict)"
    ) in docs
