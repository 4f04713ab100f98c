"""`inspector check`: validate messages in files against the Segment Spec.

    inspector check [--format text|json] [--plan PLAN] FILE...

FILE is NDJSON, a JSON array, a batch body, a JSON export, a HAR capture or a saved session
(``-`` reads standard input). Exit 0 when no message has an error-severity violation, 1 when
one has, 2 on bad usage or unreadable input (one line on stderr).
"""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import click

from inspector.safety import clean


class _OneLineUsage(click.Command):
    """Usage errors as one line on stderr (exit 2), not click's three-line block."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:
            _fail(exc.format_message())


def _fail(message: str) -> NoReturn:
    click.echo(f"inspector check: {clean(message, 300)}", err=True)
    raise click.exceptions.Exit(2)


def _plan_rules(path: str) -> list[Any]:
    try:
        from inspector.plan import load_plan  # type: ignore[attr-defined]
    except ImportError:
        _fail("plans are not supported yet")
    try:
        plan = load_plan(path)
    except (OSError, ValueError) as exc:
        _fail(f"cannot load plan {path}: {exc}")
    except Exception as exc:  # a plan loader bug must still be one line
        _fail(f"cannot load plan {path}: {type(exc).__name__}: {exc}")
    return list(getattr(plan, "rules", ()))


@click.command("check", cls=_OneLineUsage)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option("--plan", "plan_path", metavar="PLAN", help="Also check against a tracking plan.")
@click.option("--all", "show_all", is_flag=True, help="Text output: list clean messages too.")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
def check_command(fmt: str, plan_path: str | None, show_all: bool, files: tuple[str, ...]) -> None:
    """Check messages against the Segment Spec.

    FILE may be NDJSON (one message per line), a JSON array, a batch object
    {"batch": [...]}, an inspector JSON export, a HAR capture or a saved session;
    "-" reads standard input. Exit status: 0 no errors, 1 errors found, 2 bad usage
    or unreadable input.
    """
    from inspector.check import check_paths, format_text, to_json
    from inspector.sources import SourceError
    from inspector.spec.engine import Engine

    extra = _plan_rules(plan_path) if plan_path else []
    try:
        results = list(check_paths(files, Engine(extra=extra)))
    except SourceError as exc:
        _fail(str(exc))
    except (OSError, ValueError, RecursionError) as exc:
        _fail(f"{type(exc).__name__}: {exc}")
    if fmt == "json":
        out = sys.stdout.buffer
        out.write(to_json(results))
        out.write(b"\n")
        out.flush()
    else:
        colour = sys.stdout.isatty()
        for line in format_text(results, click.style if colour else None, show_all):
            click.echo(line, color=colour)
    failed = any(v.severity == "error" for r in results for v in r.violations)
    raise click.exceptions.Exit(1 if failed else 0)


def register(group: click.Group) -> None:
    """Add ``check`` to the CLI group."""
    group.add_command(check_command)
