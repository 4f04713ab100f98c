"""Generate docs/rules.md from the rule registry: ``python -m inspector.spec.docs``.

Each rule: id, severity, what it checks, why it matters, and a failing example (the first of
the rule's own examples, which the test suite proves trigger it). ``--check`` exits 1 when
the file on disk differs from what would be generated.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import orjson

from inspector.spec.engine import Engine  # noqa: F401  (imports every rule module)
from inspector.spec.registry import RULES, Example, RuleInfo

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "docs" / "rules.md"

_INTRO = """\
# Rules

Generated from the rule registry by `python -m inspector.spec.docs`; do not edit by hand.

Every message that reaches the inspector (or `inspector check`) is run through these rules.
A finding has a rule id, a severity, a path into the message (`properties.products[0].price`;
empty for the whole message) and a message saying what is wrong and what to do.

- **error**: breaks the Segment Spec. Segment drops the message or a destination misreads it.
  `inspector check` exits 1 when any message has one.
- **warning**: legal but harmful: data is lost, merged or mislabelled downstream.
- **info**: advice.

Rules are switched off by id (`Engine(disabled=[...])`).
"""


def _example_block(ex: Any) -> list[str]:
    meta_note = ""
    message = ex
    if isinstance(ex, Example):
        message = ex.message
        meta_note = ex.note
    try:
        body = orjson.dumps(message, option=orjson.OPT_INDENT_2).decode()
    except TypeError:
        body = repr(message)
    lines = [
        "Failing example" + (f" ({meta_note}):" if meta_note else ":"),
        "",
        "```json",
        body,
        "```",
    ]
    return lines


def _section(rule: RuleInfo) -> list[str]:
    lines = [f"## `{rule.id}`", "", f"**Severity:** {rule.severity}"]
    if rule.types:
        lines[-1] += f" · **Calls:** {', '.join(sorted(rule.types))}"
    if rule.scope == "session":
        lines[-1] += " · **Scope:** session (looks at earlier messages)"
    lines += ["", f"**Checks:** {rule.summary}", "", f"**Why:** {rule.why}", ""]
    if rule.examples:
        if rule.scope == "session" and len(rule.examples) > 1:
            lines += ["Failing example (a session, in order):", "", "```json"]
            lines += [
                orjson.dumps(e.message if isinstance(e, Example) else e).decode()
                for e in rule.examples
            ]
            lines += ["```"]
        else:
            lines += _example_block(rule.examples[0])
        lines.append("")
    return lines


def render() -> str:
    rules = sorted(RULES.values(), key=lambda r: r.id)
    lines = _INTRO.splitlines()
    lines += ["", "| Rule | Severity | Checks |", "|---|---|---|"]
    for r in rules:
        anchor = r.id.replace("/", "").replace(".", "")
        summary = r.summary.replace("|", "\\|")
        lines.append(f"| [`{r.id}`](#{anchor}) | {r.severity} | {summary} |")
    lines.append("")
    for r in rules:
        lines += _section(r)
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Generate docs/rules.md from the rule registry.")
    ap.add_argument("--output", "-o", type=Path, default=DEFAULT_PATH)
    ap.add_argument("--check", action="store_true", help="exit 1 if the file is out of date")
    args = ap.parse_args(argv)
    text = render()
    if args.check:
        try:
            current = args.output.read_text(encoding="utf-8")
        except OSError:
            current = ""
        if current != text:
            print(
                f"{args.output} is out of date: run python -m inspector.spec.docs", file=sys.stderr
            )
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} ({len(RULES)} rules)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
