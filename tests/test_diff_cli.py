"""`inspector diff` through click's CliRunner on temporary message files."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from inspector.cli_diff import register


@pytest.fixture()
def cli() -> click.Group:
    @click.group()
    def group() -> None:
        pass

    register(group)
    return group


def _msgs() -> list[dict]:
    def ctx(version: str, locale: str | None = "en-US") -> dict:
        c: dict = {"library": {"name": "analytics.js", "version": version}, "page": {"url": "u"}}
        if locale:
            c["locale"] = locale
        return c

    return [
        {"type": "page", "anonymousId": "a1", "messageId": "m1", "context": ctx("2.3.0")},
        {
            "type": "identify",
            "anonymousId": "a1",
            "userId": "u1",
            "messageId": "m2",
            "traits": {"email": "e@x"},
            "context": ctx("2.4.0"),
        },
        {"type": "alias", "previousId": "u1", "userId": "u2", "context": ctx("2.4.0")},
        {
            "type": "track",
            "userId": "u2",
            "event": "Clicked",
            "messageId": "m4",
            "context": ctx("2.4.0", None),
        },
    ]


@pytest.fixture()
def ndjson(tmp_path: Path) -> Path:
    p = tmp_path / "s.ndjson"
    p.write_text("\n".join(json.dumps(m) for m in _msgs()) + "\n", encoding="utf-8")
    return p


@pytest.fixture()
def json_array(tmp_path: Path) -> Path:
    p = tmp_path / "s.json"
    p.write_text(json.dumps(_msgs()), encoding="utf-8")
    return p


def run(cli: click.Group, *args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(cli, ["diff", *args])
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    return res.exit_code, res.stdout, res.stderr


def test_text_diff_context_only(cli: click.Group, ndjson: Path) -> None:
    code, out, _ = run(cli, str(ndjson), "1", "4", "--context-only")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "--- #1 page"
    assert lines[1] == '+++ #4 track "Clicked" (context only)'
    assert '~ context.library.version  "2.3.0" -> "2.4.0"' in lines
    assert '- context.locale  "en-US"' in lines
    assert len(lines) == 4
    assert "\x1b[" not in out  # no colour when not a TTY


def test_whole_message_diff_ignores_volatile_by_default(cli: click.Group, ndjson: Path) -> None:
    code, out, _ = run(cli, str(ndjson), "1", "2")
    assert code == 0
    assert "messageId" not in out
    assert '~ type  "page" -> "identify"' in out
    assert '+ userId  "u1"' in out
    assert '+ traits.email  "e@x"' in out
    code, out, _ = run(cli, str(ndjson), "1", "2", "--no-default-ignore")
    assert '~ messageId  "m1" -> "m2"' in out


def test_custom_ignore_and_no_differences(cli: click.Group, ndjson: Path) -> None:
    code, out, _ = run(cli, str(ndjson), "2", "3", "--context-only", "--ignore", "context.page.url")
    assert code == 0 and out.splitlines()[-1] == "no differences"
    code, out, _ = run(
        cli, str(ndjson), "1", "2", "--context-only", "--ignore", "version", "--ignore", "locale"
    )
    assert out.splitlines()[-1] == "no differences"


def test_json_format(cli: click.Group, json_array: Path) -> None:
    code, out, _ = run(cli, str(json_array), "1", "4", "--context-only", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["a"] == 1 and data["b"] == 4 and data["context_only"] is True
    assert data["changes"] == [
        {"kind": "changed", "path": "context.library.version", "old": "2.3.0", "new": "2.4.0"},
        {"kind": "removed", "path": "context.locale", "old": "en-US"},
    ]


def test_type_change_is_shown_as_such(cli: click.Group, tmp_path: Path) -> None:
    p = tmp_path / "t.ndjson"
    p.write_text(
        json.dumps({"context": {"page": {"url": "u"}}})
        + "\n"
        + json.dumps({"context": {"page": "u"}})
        + "\n"
    )
    _, out, _ = run(cli, str(p), "1", "2")
    assert '~ context.page  {"url": "u"} -> "u"  (object -> string)' in out


def test_control_characters_are_escaped(cli: click.Group, tmp_path: Path) -> None:
    p = tmp_path / "c.ndjson"
    p.write_text(
        json.dumps({"event": "a"}) + "\n" + json.dumps({"event": "\u202eb\x1b[31m"}) + "\n"
    )
    _, out, _ = run(cli, str(p), "1", "2")
    assert "\x1b" not in out and "\u202e" not in out
    assert "\\u202e" in out


def test_drift_text_and_json(cli: click.Group, ndjson: Path) -> None:
    code, out, _ = run(cli, "--drift", str(ndjson))
    assert code == 0
    assert out.startswith("drift: 4 messages, 1 identities")
    assert "context.library.version  2 value(s)" in out
    assert "changed 1x; first at #2" in out
    assert "disappeared 1x; first at #4" in out
    assert "context.page.url" not in out  # stable: folded
    _, out_all, _ = run(cli, "--drift", "--all", str(ndjson))
    assert "context.page.url" in out_all
    code, out, _ = run(cli, "--drift", str(ndjson), "--format", "json")
    data = json.loads(out)
    assert data["messages"] == 4 and data["identities"] == 1
    first_two = {p["path"] for p in data["paths"][:2]}
    assert first_two == {"context.library.version", "context.locale"}


def test_timeline(cli: click.Group, ndjson: Path) -> None:
    code, out, _ = run(cli, "--timeline", "a1", str(ndjson))
    assert code == 0
    assert "anonymous -> known at #2" in out
    assert '#2 identify "u1"  +email="e@x"' in out
    assert '#3 alias "u1" -> "u2"' in out
    code, out, _ = run(cli, "--timeline", "u2", str(ndjson), "--format", "json")
    data = json.loads(out)
    assert data["identity"] == "u2" and data["traits"] == {"email": "e@x"}
    assert data["transition_seq"] == 2


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["{src}", "1", "9"], "no message #9"),
        (["{src}", "0", "1"], "start at 1"),
        (["{src}", "x", "1"], "not a message number"),
        (["{src}", "1"], "usage"),
        (["{src}", "1", "2", "--format", "xml"], "--format"),
        (["--drift", "{src}", "1"], "exactly one SOURCE"),
        (["--drift", "--timeline", "u", "{src}"], "cannot be used together"),
        (["--timeline", "nobody", "{src}"], "nobody"),
        (["/nonexistent/file.ndjson", "1", "2"], "no such file"),
    ],
)
def test_bad_usage_is_one_line_exit_2(
    cli: click.Group, ndjson: Path, args: list[str], needle: str
) -> None:
    code, out, err = run(cli, *[a.format(src=ndjson) for a in args])
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and needle in err
    assert "Traceback" not in err


def test_unreadable_file_is_exit_2(cli: click.Group, tmp_path: Path) -> None:
    p = tmp_path / "bad.ndjson"
    p.write_text('{"a": 1}\n{not json\n')
    code, out, err = run(cli, str(p), "1", "2")
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_registered_on_main_group() -> None:
    from inspector.cli import main

    assert "diff" in main.commands


def test_saved_session_uses_store_seqs(cli: click.Group, tmp_path: Path) -> None:
    from inspector.store import Store
    from inspector.store.session import MessageRecord, RequestRecord

    path = tmp_path / "session.sqlite"
    msgs = _msgs()
    with Store(path) as store:
        for m in msgs:
            body = json.dumps(m).encode()
            req = RequestRecord(
                "2024-01-01T00:00:00.000Z", "POST", "/v1/t", "ingest", 200, None, "k", [], body
            )
            rec = MessageRecord(
                0, 0, len(body), "2024-01-01T00:00:00.000Z", "/v1/t", "k",
                m.get("type"), None, m.get("userId"), m.get("anonymousId"), None, None,
            )  # fmt: skip
            store.append_sync(req, [rec])
    code, out, err = run(cli, str(path), "1", "4", "--context-only", "--format", "json")
    assert code == 0, err
    assert [c["path"] for c in json.loads(out)["changes"]] == [
        "context.library.version",
        "context.locale",
    ]
    code, out, _ = run(cli, "--drift", str(path))
    assert code == 0 and "disappeared 1x; first at #4" in out
    code, _, err = run(cli, str(path), "1", "5")
    assert code == 2 and "no message #5" in err


def test_foreign_sqlite_file_is_exit_2(cli: click.Group, tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t(x)")
    con.commit()
    con.close()
    code, out, err = run(cli, "--drift", str(path))
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1


def test_empty_file_drift_is_empty_not_an_error(cli: click.Group, tmp_path: Path) -> None:
    p = tmp_path / "empty.ndjson"
    p.write_text("")
    code, out, _ = run(cli, "--drift", str(p), "--format", "json")
    assert code == 0 and json.loads(out)["paths"] == []


def test_json_output_is_valid_json_with_non_finite_numbers(
    cli: click.Group, tmp_path: Path
) -> None:
    p = tmp_path / "inf.ndjson"
    p.write_bytes(
        b'{"type":"track","event":"a","userId":"u","properties":{"i":1}}\n'
        b'{"type":"track","event":"a","userId":"u","properties":{"i":1e400,"j":-1e400}}\n'
    )
    code, out, _ = run(cli, str(p), "1", "2", "--format", "json")
    assert code == 0 and "Infinity" in out
    doc = json.loads(out, parse_constant=lambda c: pytest.fail(f"not JSON: {c}"))
    new = {c["path"]: c["new"] for c in doc["changes"]}
    assert new == {"properties.i": "Infinity", "properties.j": "-Infinity"}
    code, out, _ = run(cli, "--drift", str(p), "--format", "json")
    assert code == 0
    json.loads(out, parse_constant=lambda c: pytest.fail(f"not JSON: {c}"))


def test_all_without_drift_is_a_usage_error(cli: click.Group, ndjson: Path) -> None:
    code, out, err = run(cli, str(ndjson), "1", "2", "--all")
    assert code == 2 and err.count("\n") == 1 and "--all works with --drift only" in err


def test_drift_text_lists_a_path_s_events_in_seq_order(cli: click.Group, tmp_path: Path) -> None:
    # locale appears at #2 and disappears at #3: "appeared" comes first.
    def msg(i: int, locale: str | None) -> dict:
        c: dict = {"library": {"name": "analytics.js", "version": "1"}}
        if locale:
            c["locale"] = locale
        return {"type": "track", "event": "E", "userId": "u", "messageId": f"m{i}", "context": c}

    p = tmp_path / "s.ndjson"
    msgs = [msg(1, None), msg(2, "en"), msg(3, None), msg(4, "de")]
    p.write_text("\n".join(json.dumps(m) for m in msgs) + "\n", encoding="utf-8")
    code, out, _ = run(cli, "--drift", str(p))
    assert code == 0, out
    lines = out.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("context.locale"))
    events = [ln.split(";")[0].strip() for ln in lines[start + 1 : start + 4]]
    assert events == ["appeared 2x", "disappeared 1x", "changed 1x"], lines


def _diff_on_a_terminal(ndjson: Path, env: dict[str, str]) -> bytes:
    from tests.terminal import run_on_a_terminal

    code, out, err = run_on_a_terminal(
        ["diff", str(ndjson), "1", "4", "--context-only"],
        {k: v for k, v in env.items() if v is not None},
    )
    assert code == 0, err
    return out


def test_no_color_turns_diff_colour_off_on_a_terminal(ndjson: Path) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("NO_COLOR", raising=False)
        assert b"\x1b[" in _diff_on_a_terminal(ndjson, {})
        assert b"\x1b[" not in _diff_on_a_terminal(ndjson, {"NO_COLOR": "1"})
