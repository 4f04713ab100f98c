"""Command line entry point. Bare ``inspector`` starts the endpoint and the terminal UI.

Each sub-command lives in its own ``cli_*.py`` module exposing ``register(group)``, so the
command modules stay small and the headless ones never import Textual.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from inspector import __version__
from inspector.cli_serve import server_options

#: Modules that add sub-commands (each has ``register(main)``). Missing ones are skipped
#: only while the project is being built up; every listed module exists on main.
COMMAND_MODULES = (
    "inspector.cli_serve",
    "inspector.cli_check",
    "inspector.cli_diff",
    "inspector.cli_sessions",
)


class InspectorGroup(click.Group):
    """Bad usage is one line on stderr and exit code 2, for every command (click's default
    is a usage block and an error line)."""

    def main(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs["standalone_mode"] = False
        try:
            rv = super().main(*args, **kwargs)
        except click.UsageError as exc:
            cmd = exc.ctx.command_path if exc.ctx is not None else "inspector"
            click.echo(f"inspector: {exc.format_message()} (see `{cmd} --help`)", err=True)
            sys.exit(2)
        except click.ClickException as exc:
            click.echo(f"inspector: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("inspector: aborted", err=True)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)


@click.group(
    cls=InspectorGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="inspector")
@server_options
@click.pass_context
def main(ctx: click.Context, **_options: Any) -> None:
    """A local debugger for Segment analytics events.

    Run bare `inspector` to start the endpoint with the terminal UI, or
    `inspector serve --headless` to run it without a UI.
    """
    if ctx.invoked_subcommand is None:
        from inspector.cli_serve import run_tui_from_group

        run_tui_from_group(ctx)


for _name in COMMAND_MODULES:
    try:
        _mod = importlib.import_module(_name)
    except ModuleNotFoundError as exc:  # pragma: no cover - only while a module is being written
        if exc.name != _name:
            raise
        continue
    _mod.register(main)
