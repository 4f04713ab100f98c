"""`inspector check` through the real command: exit codes, JSON shape, text output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from inspector.cli import main
from tests.spec.payloads import TRACK_SPEC_EXAMPLE

GOOD = {**TRACK_SPEC_EXAMPLE}
BAD = {
    "type": "track",
    "event": "Order Completed",
    "userId": "u-1",
    "messageId": "bad-1",
    "properties": {"revenue": "19.99", "products": [{"price": "3"}]},
}
WARN = {"type": "identify", "userId": "null", "messageId": "warn-1"}


def _ndjson(tmp_path: Path, name: str, *msgs: Any) -> str:
    p = tmp_path / name
    p.write_text("".join(json.dumps(m) + "\n" for m in msgs))
    return str(p)


def _run(*args: str, input: str | None = None) -> Any:
    return CliRunner().invoke(main, ["check", *args], input=input)


def test_clean_file_exits_0(tmp_path: Path) -> None:
    r = _run(_ndjson(tmp_path, "ok.ndjson", GOOD))
    assert r.exit_code == 0, r.output
    assert "1 message, 0 errors, 0 warnings, 0 info" in r.stdout


def test_warnings_alone_exit_0(tmp_path: Path) -> None:
    r = _run(_ndjson(tmp_path, "w.ndjson", WARN))
    assert r.exit_code == 0
    assert "common/placeholder-id" in r.stdout


def test_error_exits_1_and_text_groups_by_message(tmp_path: Path) -> None:
    r = _run(_ndjson(tmp_path, "bad.ndjson", GOOD, BAD))
    assert r.exit_code == 1
    lines = r.stdout.splitlines()
    # #N is what `inspector diff` takes: the 1-based position (the JSON index stays 0-based).
    head = lines.index('#2 index=1 track "Order Completed" messageId=bad-1')
    assert lines[head + 1].startswith("  error")
    assert any("reserved/revenue-type  properties.revenue" in ln for ln in lines)
    assert any("properties.products[0].price" in ln for ln in lines)
    assert lines[-1].startswith("2 messages, 2 errors")
    assert "\x1b[" not in r.stdout  # no colour when stdout is not a terminal


def test_json_shape_and_index_across_files(tmp_path: Path) -> None:
    a = _ndjson(tmp_path, "a.ndjson", GOOD, WARN)
    b = tmp_path / "b.json"
    b.write_text(json.dumps({"batch": [BAD, GOOD]}))
    r = _run("--format", "json", a, str(b))
    assert r.exit_code == 1
    doc = json.loads(r.stdout)
    assert set(doc) == {"messages", "summary"}
    assert [m["index"] for m in doc["messages"]] == [0, 1, 2, 3]
    first = doc["messages"][0]
    assert set(first) == {"index", "messageId", "type", "event", "violations"}
    assert first["messageId"] == GOOD["messageId"] and first["event"] == "Course Clicked"
    assert doc["messages"][1]["event"] is None
    for m in doc["messages"]:
        for v in m["violations"]:
            assert set(v) == {"rule", "severity", "path", "message"}
    # the GOOD message appears in both files: each file is its own session, no duplicate
    assert not [
        v for m in doc["messages"] for v in m["violations"] if v["rule"].startswith("session/")
    ]
    s = doc["summary"]
    assert s["messages"] == 4
    assert s["errors"] == sum(
        1 for m in doc["messages"] for v in m["violations"] if v["severity"] == "error"
    )
    assert s["by_rule"]["reserved/revenue-type"] == 1
    assert set(s) == {"messages", "errors", "warnings", "info", "by_rule"}


def test_non_object_lines_are_errors_not_crashes(tmp_path: Path) -> None:
    p = tmp_path / "junk.ndjson"
    p.write_text('1\n"x"\nnull\n[1, 2]\n')
    r = _run("--format", "json", str(p))
    assert r.exit_code == 1
    doc = json.loads(r.stdout)
    assert [[v["rule"] for v in m["violations"]] for m in doc["messages"]] == [
        ["common/not-an-object"]
    ] * 4
    assert doc["messages"][0]["type"] is None


def test_stdin(tmp_path: Path) -> None:
    r = _run("-", input=json.dumps(BAD) + "\n")
    assert r.exit_code == 1 and "reserved/revenue-type" in r.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        ([], "Missing argument"),
        (["--format", "xml", "x"], "--format"),
        (["--nope", "x"], "No such option"),
    ],
)
def test_bad_usage_exits_2_with_one_line(args: list[str], needle: str) -> None:
    r = _run(*args)
    assert r.exit_code == 2
    assert r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1 and needle in r.stderr
    assert r.stderr.startswith("inspector check: ")


def test_unreadable_input_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ndjson"
    bad.write_text(json.dumps(GOOD) + "\nnot json\n")
    for path in (str(tmp_path / "missing.ndjson"), str(bad), str(tmp_path)):
        r = _run(path)
        assert r.exit_code == 2, r.output
        assert len(r.stderr.strip().splitlines()) == 1
        assert "Traceback" not in r.stderr


def test_plan_when_plans_are_unavailable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "inspector.plan", None)
    r = _run("--plan", "plan.yaml", _ndjson(tmp_path, "ok.ndjson", GOOD))
    assert r.exit_code == 2
    assert r.stderr.strip() == "inspector check: plans are not supported yet"


def test_plan_rules_are_applied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import types

    from inspector.model import Violation

    class Plan:
        rules = [
            lambda m, meta: [Violation("plan/unplanned-event", "error", "event", "not in plan")]
        ]

    fake = types.ModuleType("inspector.plan")
    fake.load_plan = lambda path: Plan()  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "inspector.plan", fake)
    r = _run("--format", "json", "--plan", "p.yaml", _ndjson(tmp_path, "ok.ndjson", GOOD))
    assert r.exit_code == 1
    assert json.loads(r.stdout)["summary"]["by_rule"] == {"plan/unplanned-event": 1}


def test_real_process_no_traceback_and_no_textual(tmp_path: Path) -> None:
    path = _ndjson(tmp_path, "bad.ndjson", BAD)
    proc = subprocess.run(
        [sys.executable, "-m", "inspector", "check", "--format", "json", path],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["summary"]["errors"] >= 2
    probe = "import sys, inspector.check, inspector.cli_check; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr


def test_money_advice_reads_decimal_commas(tmp_path: Path) -> None:
    msgs = [
        {**BAD, "messageId": f"m{i}", "properties": {"revenue": v}}
        for i, v in enumerate(["19,99", "1.234,56", "1,234.56", "$5"])
    ]
    r = _run(_ndjson(tmp_path, "money.ndjson", *msgs))
    for advice in (
        'the string "19,99"; send the number 19.99.',
        'the string "1.234,56"; send the number 1234.56.',
        'the string "1,234.56"; send the number 1234.56.',
        'the string "$5"; send the number 5 without a currency symbol.',
    ):
        assert advice in r.stdout


def test_nan_and_infinity_are_not_json(tmp_path: Path) -> None:
    for word in ("NaN", "Infinity", "-Infinity"):
        p = tmp_path / f"{word}.ndjson"
        p.write_text(f'{{"type":"track","event":"A B","userId":"u","properties":{{"x":{word}}}}}\n')
        r = _run(str(p))
        assert r.exit_code == 2, (word, r.output)
        assert "line 1 is not JSON" in r.stderr


def test_deep_but_valid_json_is_checked(tmp_path: Path) -> None:
    p = tmp_path / "deep.ndjson"
    deep = "[" * 1000 + "]" * 1000
    p.write_text(f'{{"type":"track","event":"A B","userId":"u","properties":{{"x":{deep}}}}}\n')
    r = _run(str(p))
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[-1].startswith("1 message, 0 errors")


def test_text_numbers_are_what_diff_takes(tmp_path: Path) -> None:
    """check's #N names the message `inspector diff SOURCE N ...` compares: the seq in a
    session, the 1-based position in a file; with several inputs the file comes first."""
    import asyncio

    from inspector.ingest.service import Capture
    from inspector.spec import Engine
    from inspector.store import Store

    path = tmp_path / "s.sqlite"
    store = Store(path)
    body = json.dumps({"batch": [GOOD, GOOD, BAD]}).encode()
    asyncio.run(
        Capture(store, Engine()).ingest("POST", "/v1/batch", [], body, call_type=None, batch=True)
    )
    store.close()
    r = _run(str(path))
    assert r.exit_code == 1
    assert '#3 index=2 track "Order Completed" messageId=bad-1' in r.stdout.splitlines()
    d = CliRunner().invoke(main, ["diff", str(path), "1", "3", "--no-default-ignore"])
    assert "+++ #3" in d.stdout and "bad-1" in d.stdout, d.output
    j = json.loads(_run(str(path), "--format", "json").stdout)
    assert [m["index"] for m in j["messages"]] == [0, 1, 2]
    nd = _ndjson(tmp_path, "b.ndjson", BAD)
    r = _run(nd, str(path))
    assert f'{nd} #1 index=0 track "Order Completed" messageId=bad-1' in r.stdout
    assert f'{path} #3 index=3 track "Order Completed" messageId=bad-1' in r.stdout


def test_header_escapes_control_characters_once(tmp_path: Path) -> None:
    msg = {**GOOD, "event": 'A \x01 "B"', "messageId": "c1"}
    r = _run(_ndjson(tmp_path, "ctl.ndjson", msg))
    assert '#1 index=0 track "A \\x01 \\"B\\"" messageId=c1' in r.stdout.splitlines()
    assert "\x01" not in r.stdout


async def test_checking_a_session_finds_what_arrival_found(live: Any) -> None:
    """The batch's sentAt and size are facts of the request: `check SESSION` uses them as
    the endpoint did, so re-checking a session gives the findings stored at arrival."""
    item = {"type": "track", "event": "Order Completed", "userId": "u1", "messageId": "s1"}
    body = json.dumps({"batch": [item], "sentAt": "2001-01-01T00:00:00Z"})
    async with live.http.post(live.url + "/v1/batch", data=body) as r:
        assert r.status == 200
    [stored] = live.store.messages()
    assert "session/clock-skew" in {v.rule for v in stored.violations}
    r = _run("--format", "json", str(live.session_path))
    [checked] = json.loads(r.stdout)["messages"]
    assert sorted(v["rule"] for v in checked["violations"]) == sorted(
        v.rule for v in stored.violations
    )


def _raw(tmp_path: Path, name: str, text: str | bytes) -> str:
    p = tmp_path / name
    p.write_bytes(text if isinstance(text, bytes) else text.encode())
    return str(p)


LONE = (
    '{"type":"track","userId":"\\ud800","event":"Order \\udc00Completed",'
    '"messageId":"\\ud83d","properties":{"revenue":"1"}}\n'
)


def test_json_output_with_lone_surrogates_is_valid_json(tmp_path: Path) -> None:
    r = _run("--format", "json", _raw(tmp_path, "s.ndjson", LONE))
    assert r.exit_code == 1, r.output  # revenue as a string is an error: exit by violations
    assert "Traceback" not in r.output
    doc = json.loads(r.stdout_bytes.decode("utf-8"))  # strict UTF-8, valid JSON
    [m] = doc["messages"]
    assert m["messageId"] == "\ud83d" and m["event"] == "Order \udc00Completed"
    assert b'"messageId": "\\ud83d"' in r.stdout_bytes


def test_json_output_of_a_saved_session_with_lone_surrogates(tmp_path: Path) -> None:
    import asyncio

    from inspector.ingest.service import Capture
    from inspector.spec import Engine
    from inspector.store import Store

    path = tmp_path / "s.sqlite"
    store = Store(path)
    asyncio.run(
        Capture(store, Engine()).ingest(
            "POST", "/v1/track", [], LONE.encode(), call_type="track", batch=False
        )
    )
    store.close()
    r = _run("--format", "json", str(path))
    assert r.exit_code == 1, r.output
    [m] = json.loads(r.stdout_bytes.decode("utf-8"))["messages"]
    assert m["messageId"] == "\ud83d"


@pytest.mark.parametrize(
    "extra",
    [{"messages": []}, {"batch": [{"type": "track"}]}, {"log": {"entries": []}}],
)
def test_a_message_with_container_like_keys_is_still_checked(
    tmp_path: Path, extra: dict[str, Any]
) -> None:
    msg = {"type": "track", "event": "Order Completed", "properties": {"revenue": "19.99"}}
    line = {**msg, **extra}
    for path in (_ndjson(tmp_path, "t.ndjson", line), _raw(tmp_path, "t.json", json.dumps(line))):
        r = _run(path)
        assert r.exit_code == 1, r.output
        assert "reserved/revenue-type" in r.stdout
        assert r.stdout.splitlines()[-1].startswith("1 message,")


def test_a_batch_that_is_not_an_array_is_unreadable_input(tmp_path: Path) -> None:
    for path in (
        _raw(tmp_path, "b.json", '{"batch": 5}'),
        _raw(tmp_path, "b.ndjson", '{"batch": 5}\n'),
    ):
        r = _run(path)
        assert r.exit_code == 2, r.output
        assert "batch is not an array" in r.stderr


def test_each_file_is_its_own_session(tmp_path: Path) -> None:
    a = _ndjson(tmp_path, "a.ndjson", GOOD)
    r = _run("--format", "json", a, a)
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert [m["index"] for m in doc["messages"]] == [0, 1]
    assert doc["summary"]["by_rule"] == {}
    # within one file the duplicate is still found
    r = _run("--format", "json", _ndjson(tmp_path, "d.ndjson", GOOD, GOOD))
    assert json.loads(r.stdout)["summary"]["by_rule"] == {"session/duplicate-message-id": 1}


def test_text_header_shows_the_json_index(tmp_path: Path) -> None:
    a = _ndjson(tmp_path, "a.ndjson", GOOD, BAD)
    b = _ndjson(tmp_path, "b.ndjson", BAD)
    r = _run(a, b)
    lines = r.stdout.splitlines()
    assert f'{a} #2 index=1 track "Order Completed" messageId=bad-1' in lines
    assert f'{b} #1 index=2 track "Order Completed" messageId=bad-1' in lines
    j = json.loads(_run("--format", "json", a, b).stdout)
    assert [m["messageId"] for m in j["messages"] if m["index"] in (1, 2)] == ["bad-1"] * 2


def test_empty_path_and_binary_file_are_explained(tmp_path: Path) -> None:
    r = _run("")
    assert r.exit_code == 2
    assert (
        r.stderr.strip()
        == "inspector check: the file path is empty; give a file, a session name or -"
    )
    r = _run(_raw(tmp_path, "bin.dat", b"\x7fELF\x02\x01\x01\x00\xd0\xff\xfe\n"))
    assert r.exit_code == 2
    assert "is not UTF-8 text" in r.stderr and "surrogates" not in r.stderr


def test_integers_beyond_a_double_are_read(tmp_path: Path) -> None:
    huge = "1" + "0" * 5000
    line = f'{{"type":"track","event":"Order Completed","userId":"u","properties":{{"n":{huge}}}}}'
    for path in (_raw(tmp_path, "h.ndjson", line + "\n"), _raw(tmp_path, "h.json", f"[{line}]")):
        r = _run(path)
        assert r.exit_code == 0, r.output
        assert r.stdout.splitlines()[-1].startswith("1 message, 0 errors")


def _run_on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    from tests.terminal import run_on_a_terminal

    code, out, err = run_on_a_terminal(["check", *args], env)
    assert code == 1, err
    return out.decode()


def test_no_color_turns_colour_off_on_a_terminal(tmp_path: Path) -> None:
    path = _ndjson(tmp_path, "bad.ndjson", BAD)
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("NO_COLOR", raising=False)
        assert "\x1b[" in _run_on_a_terminal([path], {})
        assert "\x1b[" not in _run_on_a_terminal([path], {"NO_COLOR": "1"})


def test_order_cancel_is_told_its_tense_not_turned_round() -> None:
    line = '{"type":"track","event":"Order Cancel","userId":"u","messageId":"a","properties":{}}'
    r = _run("-", input=line + "\n")
    assert r.exit_code == 0, r.output
    assert "the action is not in the past tense" in r.stdout
    assert 'e.g. "Order Cancelled"' in r.stdout
    assert "Cancel Ordered" not in r.stdout and "comes before the object" not in r.stdout


def test_a_typo_in_the_action_is_corrected_not_swapped() -> None:
    line = '{"type":"track","event":"Order Completd","userId":"u","messageId":"a","properties":{}}'
    r = _run("-", input=line + "\n")
    assert 'e.g. "Order Completed"' in r.stdout
    assert "Completd Ordered" not in r.stdout


def _message_of_size(size: int, mid: str) -> bytes:
    """A compact track message of exactly ``size`` bytes."""
    base = {"type": "track", "event": "Report Exported", "userId": "u1", "messageId": mid}
    empty = json.dumps({**base, "properties": {"blob": ""}}, separators=(",", ":"))
    msg = {**base, "properties": {"blob": "x" * (size - len(empty))}}
    out = json.dumps(msg, separators=(",", ":")).encode()
    assert len(out) == size
    return out


def _too_large(doc: dict[str, Any]) -> list[str]:
    return [
        v["message"]
        for m in doc["messages"]
        for v in m["violations"]
        if v["rule"] == "session/message-too-large"
    ]


def test_exported_ndjson_is_measured_without_the_exporters_received_at(tmp_path: Path) -> None:
    from inspector.export._raw import with_received_at

    when = "2024-05-01T12:00:00.123Z"
    fits = _message_of_size(32_747, "fits")  # accepted live: under 32,768 bytes
    over = _message_of_size(32_769, "over")
    live = tmp_path / "live.ndjson"
    live.write_bytes(fits + b"\n" + over + b"\n")
    exported = tmp_path / "export.ndjson"
    # what `inspector export` writes: the line as sent, the server's receivedAt spliced in last
    lines = [with_received_at(fits, when), with_received_at(over, when)]
    assert len(lines[0]) > 32_768
    exported.write_bytes(b"\n".join(lines) + b"\n")
    for path in (live, exported):
        r = _run("--format", "json", str(path))
        assert r.exit_code == 1, r.output
        doc = json.loads(r.stdout)
        assert [bool(_too_large({"messages": [m]})) for m in doc["messages"]] == [False, True]
        assert "32,769 bytes" in _too_large(doc)[0]


def test_exported_json_array_is_measured_without_received_at(tmp_path: Path) -> None:
    fits = json.loads(_message_of_size(32_747, "fits"))
    p = tmp_path / "a.json"
    p.write_text(json.dumps([{**fits, "receivedAt": "2024-05-01T12:00:00.123Z"}]))
    r = _run("--format", "json", str(p))
    assert _too_large(json.loads(r.stdout)) == []
    # a receivedAt that is no arrival time is the sender's own member: it counts
    p.write_text(json.dumps([{**fits, "receivedAt": "garbage" * 4}]))
    r = _run("--format", "json", str(p))
    assert len(_too_large(json.loads(r.stdout))) == 1


def test_batch_context_merged_into_items_does_not_count_toward_their_size(
    tmp_path: Path,
) -> None:
    fits = json.loads(_message_of_size(32_747, "fits"))
    body = {"batch": [fits], "context": {"library": {"name": "x" * 100, "version": "1"}}}
    p = tmp_path / "batch.json"
    p.write_text(json.dumps(body))
    r = _run("--format", "json", str(p))
    assert _too_large(json.loads(r.stdout)) == []


@pytest.mark.parametrize(
    ("message", "event"),
    [
        ({"type": "track", "event": 42}, "42"),
        ({"type": "track", "event": 1.5}, "1.5"),
        ({"type": "track", "event": True}, "true"),
        ({"type": "page", "name": 7}, "7"),
        ({"type": "screen", "name": "Home"}, "Home"),
        ({"type": "track", "event": {"a": 1}}, None),
        ({"type": "track", "event": [1]}, None),
        ({"type": "track"}, None),
    ],
)
def test_json_event_is_the_name_the_session_summary_counts(
    tmp_path: Path, message: dict[str, Any], event: str | None
) -> None:
    from inspector.ingest.decode import summarize

    msg = {**message, "userId": "u1", "messageId": "m1"}
    r = _run("--format", "json", _ndjson(tmp_path, "e.ndjson", msg))
    (got,) = json.loads(r.stdout)["messages"]
    assert got["event"] == event
    # the same text /inspector/summary's by_event counts and the test API's event= matches
    assert got["event"] == summarize(msg)["name"]
