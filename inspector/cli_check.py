"""`inspector check`: validate messages in files against the Segment Spec.

    inspector check [--format text|json] [--plan PLAN [--coverage] [--junit FILE]] FILE...

FILE is NDJSON, a JSON array, a batch body, a JSON export, a HAR capture or a saved session
(``-`` reads standard input). Exit 0 when no message has an error-severity violation, 1 when
one has, 2 on bad usage or unreadable input (one line on stderr).
"""

from __future__ import annotations

import os
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


def _resolve(files: tuple[str, ...]) -> tuple[str, ...]:
    """Session names and ``last`` resolved as ``export`` and ``open`` do; ``-`` is stdin."""
    from inspector.cli_sessions import SourceNotFound, resolve_source

    out = []
    for f in files:
        if f == "-":
            out.append(f)
            continue
        if not f.strip():
            _fail("the file path is empty; give a file, a session name or -")
        try:
            out.append(str(resolve_source(f)))
        except SourceNotFound as exc:
            _fail(str(exc))
    return tuple(out)


def _load_plan(path: str) -> Any:
    try:
        from inspector.plan import load_plan
    except ImportError:
        _fail("plans are not supported yet")
    try:
        plan = load_plan(path)
    except Exception as exc:  # a plan loader bug must still be one line
        from inspector.plan import load_error

        _fail(load_error(path, exc))
    return plan


# -- tracking plan coverage: the content is inspector.plan's (coverage_report, junit_xml) --------


def _plan_coverage(plan: Any, coverage: bool, junit: str | None, text: bool) -> Any:
    """Write --junit FILE; with --coverage, print the summary (text) or return the report
    for the JSON document."""
    from inspector.plan import coverage_report, coverage_text, junit_xml

    report = coverage_report(plan)
    if junit:
        try:
            with open(junit, "w", encoding="utf-8") as fh:
                fh.write(junit_xml(plan, report))
        except OSError as exc:
            _fail(f"cannot write {junit}: {exc.strerror or exc}")
    if not coverage:
        return None
    if text:
        click.echo("\n" + coverage_text(report))
        return None
    return report


def use_colour(stream: Any) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set to a non-empty value
    (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


# ------------------------------------------------------------------------------------------------


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
@click.option(
    "--coverage",
    is_flag=True,
    help="With --plan: report planned events and required properties never seen.",
)
@click.option(
    "--junit",
    metavar="FILE",
    default=None,
    help="With --plan: write the plan coverage as JUnit XML to FILE.",
)
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
def check_command(
    fmt: str,
    plan_path: str | None,
    show_all: bool,
    coverage: bool,
    junit: str | None,
    files: tuple[str, ...],
) -> None:
    """Check messages against the Segment Spec.

    FILE may be NDJSON (one message per line), a JSON array, a batch object
    {"batch": [...]}, an inspector JSON export, a HAR capture or a saved session;
    "-" reads standard input. Each FILE is its own session (duplicate messageIds are
    looked for within a file). Text output names a message "#N index=I": N is its
    position in its file (its seq in a session), as `inspector diff` takes it; I is the
    JSON output's index, counting from 0 across all FILEs. Colour only on a terminal
    and never with NO_COLOR set. Exit status: 0 no errors, 1 errors found, 2 bad usage
    or unreadable input.
    """
    from inspector.check import check_paths, format_text, to_json
    from inspector.sources import SourceError
    from inspector.spec.engine import Engine

    if (coverage or junit) and not plan_path:
        _fail("--coverage and --junit need --plan")
    plan = _load_plan(plan_path) if plan_path else None
    files = _resolve(files)
    extra = list(getattr(plan, "rules", ())) if plan is not None else []
    try:
        results = list(check_paths(files, Engine(extra=extra)))
    except SourceError as exc:
        _fail(str(exc))
    except (OSError, ValueError, RecursionError) as exc:
        _fail(f"{type(exc).__name__}: {exc}")
    if fmt == "json":
        top = None
        if plan is not None and (coverage or junit):
            report = _plan_coverage(plan, coverage, junit, text=False)
            top = {"plan_coverage": report} if report is not None else None
        payload = to_json(results, top)
        out = sys.stdout.buffer
        out.write(payload)
        out.write(b"\n")
        out.flush()
    else:
        colour = use_colour(sys.stdout)
        several = len(set(files)) > 1
        for line in format_text(results, click.style if colour else None, show_all, several):
            click.echo(line, color=colour)
        if plan is not None and (coverage or junit):
            _plan_coverage(plan, coverage, junit, text=True)
    failed = any(v.severity == "error" for r in results for v in r.violations)
    raise click.exceptions.Exit(1 if failed else 0)


def register(group: click.Group) -> None:
    """Add ``check`` to the CLI group."""
    group.add_command(check_command)
