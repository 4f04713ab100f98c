"""A key written twice in a plan file is a load error, in every format; never "the last one wins"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from inspector.cli import main
from inspector.plan import load_plan

MESSAGE = {
    "type": "track",
    "event": "Order Completed",
    "userId": "u",
    "messageId": "m1",
    "properties": {"x": "s"},
}


def check(tmp_path: Path, plan: Path) -> tuple[int, str, str]:
    msgs = tmp_path / "m.ndjson"
    msgs.write_text(json.dumps(MESSAGE) + "\n")
    result = CliRunner().invoke(main, ["check", "--plan", str(plan), str(msgs)])
    return result.exit_code, result.stdout, result.stderr


def test_a_property_twice_in_yaml_is_a_load_error_with_its_line(tmp_path: Path) -> None:
    plan = tmp_path / "p.yaml"
    plan.write_text(
        "events:\n  Order Completed:\n    properties:\n      x: string\n      x: integer\n"
    )
    code, out, err = check(tmp_path, plan)
    assert code == 2
    assert out == ""
    assert err == (
        f'inspector check: cannot load plan {plan}: duplicate key "x" (line 5, column 7); '
        "a key may appear only once in a mapping\n"
    )


def test_an_event_twice_in_json_is_a_load_error_with_its_line(tmp_path: Path) -> None:
    plan = tmp_path / "p.json"
    plan.write_text(
        '{"events": {\n'
        '  "Order Completed": {"properties": {"x": "string"}},\n'
        '  "Order Completed": {}\n'
        "}}\n"
    )
    code, out, err = check(tmp_path, plan)
    assert code == 2
    assert err == (
        f'inspector check: cannot load plan {plan}: duplicate key "Order Completed" '
        "(line 3, column 3); a key may appear only once in a JSON object\n"
    )


def test_the_line_is_the_second_key_of_the_object_that_repeats_it(tmp_path: Path) -> None:
    """The same key in sibling or nested objects is fine; only the object that repeats it
    counts, and the line is where it repeats."""
    plan = tmp_path / "p.json"
    plan.write_text(
        "{\n"
        '  "events": {\n'
        '    "A": {"properties": {"x": "string", "y": {"properties": {"x": "integer"}}}},\n'
        '    "B": {"properties": {"x": "string"}},\n'
        '    "C": {"properties": {"z": "string",\n'
        '                         "z": "integer"}}\n'
        "  }\n"
        "}\n"
    )
    with pytest.raises(ValueError) as err:
        load_plan(plan)
    assert str(err.value) == (
        f'{plan}: duplicate key "z" (line 6, column 26); '
        "a key may appear only once in a JSON object"
    )


@pytest.mark.parametrize(
    ("name", "text", "key"),
    [
        # one JSON Schema file
        ("e.json", '{"title": "E", "properties": {"a": {}, "a": {"type": "string"}}}', "a"),
        # a keyword of a schema
        ("e.json", '{"title": "E", "type": "object", "type": "string"}', "type"),
        # a Segment Protocols export (Config API shape)
        (
            "export.json",
            '{"tracking_plan": {"rules": {"events": [{"name": "E", "rules": '
            '{"properties": {"properties": {"properties": {"n": {}, "n": {}}}}}}]}}}',
            "n",
        ),
        # Protocols Public API shape, a duplicate at the top
        ("export.json", '{"rules": [], "rules": [{"type": "TRACK", "key": "E"}]}', "rules"),
        # the simple format in YAML: traits, settings
        ("p.yaml", "identify:\n  traits:\n    email: string\n    email: integer\n", "email"),
        ("p.yml", "events:\n  E:\n    strict: true\n    strict: false\n", "strict"),
        # "1" and 1 are the same name once read as written
        ("p.yaml", 'events:\n  E:\n    properties:\n      1: string\n      "1": integer\n', "1"),
    ],
)
def test_every_format_refuses_a_duplicate_key(
    tmp_path: Path, name: str, text: str, key: str
) -> None:
    plan = tmp_path / name
    plan.write_text(text)
    code, _out, err = check(tmp_path, plan)
    assert code == 2
    assert err.startswith(f'inspector check: cannot load plan {plan}: duplicate key "{key}" (line ')
    assert err.count("\n") == 1


def test_a_duplicate_in_one_file_of_a_schema_directory_names_that_file(tmp_path: Path) -> None:
    d = tmp_path / "plans"
    d.mkdir()
    (d / "a.json").write_text('{"title": "A", "properties": {}}')
    (d / "b.json").write_text('{"title": "B",\n "title": "C"}')
    code, _out, err = check(tmp_path, d)
    assert code == 2
    assert err == (
        f'inspector check: cannot load plan {d / "b.json"}: duplicate key "title" '
        "(line 2, column 2); a key may appear only once in a JSON object\n"
    )


def test_a_yaml_merge_may_still_override_merged_keys(tmp_path: Path) -> None:
    plan = tmp_path / "p.yaml"
    plan.write_text(
        "events:\n"
        "  Order Started:\n"
        "    properties: &base\n"
        "      x: integer\n"
        "  Order Completed:\n"
        "    properties:\n"
        "      <<: *base\n"
        "      x: string\n"
    )
    code, out, _err = check(tmp_path, plan)
    assert code == 0, out
    assert "plan/" not in out


def test_a_duplicate_typed_while_running_keeps_the_previous_plan(tmp_path: Path) -> None:
    plan_path = tmp_path / "p.yaml"
    plan_path.write_text("events:\n  Order Completed:\n    properties:\n      x: string\n")
    plan = load_plan(plan_path)
    plan_path.write_text(
        "events:\n  Order Completed:\n    properties:\n      x: string\n      x: integer\n\n"
    )
    assert plan.reload_if_changed() is False
    assert plan.last_error == (
        f'{plan_path}: duplicate key "x" (line 5, column 7); '
        "a key may appear only once in a mapping"
    )
    assert plan.check(MESSAGE) == []  # the previous plan (x: string) is still in force
