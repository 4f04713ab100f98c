"""docs/rules.md is generated from the registry and kept in sync."""

from __future__ import annotations

from inspector.spec import docs
from inspector.spec.registry import RULES


def test_rules_md_is_up_to_date() -> None:
    expected = docs.render()
    try:
        current = docs.DEFAULT_PATH.read_text(encoding="utf-8")
    except FileNotFoundError:
        current = ""
    assert current == expected, (
        "docs/rules.md is out of date with the rule registry: run `python -m inspector.spec.docs`"
    )


def test_every_rule_is_documented_with_an_example() -> None:
    text = docs.render()
    for rid, rule in RULES.items():
        assert f"## `{rid}`" in text
        if rule.examples:
            section = text.split(f"## `{rid}`", 1)[1].split("\n## ", 1)[0]
            assert "Failing example" in section and "```json" in section


def test_check_flag_reports_staleness(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "rules.md"
    assert docs.main(["--output", str(out), "--check"]) == 1
    assert "python -m inspector.spec.docs" in capsys.readouterr().err
    assert docs.main(["--output", str(out)]) == 0
    assert docs.main(["--output", str(out), "--check"]) == 0


def test_the_readme_states_the_rule_count() -> None:
    import re
    from pathlib import Path

    from inspector.spec.registry import RULES

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
    (count,) = re.findall(r"\*\*Checks the Spec\.\*\* (\d+) rules", readme)
    assert int(count) == len(RULES)
