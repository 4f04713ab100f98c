"""Saved sessions at the command line: export, open, list/prune, replay.

    inspector export SESSION [--format ndjson|json|har|csv] [-o FILE] [FILTER...]
    inspector open FILE [--listen [--host H] [--port P]]
    inspector sessions [--json]            inspector sessions prune --older-than 7d | --keep N
    inspector replay SOURCE --to URL [--write-key KEY] [--rate N/s] [--new-message-ids] [FILTER...]

SESSION is a session file, a session's name in the sessions directory (``inspector
sessions`` lists them) or ``last``; ``export`` and ``replay`` also take an NDJSON, JSON
export or HAR file. Errors are one line on stderr with exit code 2.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import click

from inspector.config import DEFAULT_HOST, DEFAULT_PORT, Settings, sessions_dir
from inspector.safety import clean

SESSION_SUFFIX = ".sqlite"


class _Fail(Exception):
    """A one-line error for the user (exit 2)."""


class SourceNotFound(_Fail):
    """``resolve_source`` found no file or session by that name."""


def _die(message: str) -> NoReturn:
    click.echo(f"inspector: {clean(message, 500)}", err=True)
    sys.exit(2)


def _filter_text(words: tuple[str, ...]) -> str:
    """Rebuild the filter from argv as it is written in the UI's bar: a word that held
    spaces stays one term, its value in double quotes (``event:"Order Completed"``), so
    the JSON export's header records the filter the way the user typed it."""
    out = []
    for w in words:
        if any(c.isspace() for c in w) and '"' not in w:
            key, sep, value = w.partition(":")
            if sep and key and not any(c.isspace() for c in key) and "\\" not in value:
                w = f'{key}:"{value}"'
            elif "\\" not in w:
                w = f'"{w}"'
            else:
                w = shlex.quote(w)
        out.append(w)
    return " ".join(out)


# ------------------------------------------------------------------ finding sessions


def _session_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    files = [p for p in directory.glob(f"*{SESSION_SUFFIX}") if p.is_file()]
    return sorted(files, key=_modified, reverse=True)


def _modified(path: Path) -> float:
    """Last write: a running session writes its -wal file, not the main file. (An empty
    -wal is only a reader's, e.g. this listing's: it says nothing about writes.)"""
    times = [path.stat().st_mtime]
    with contextlib.suppress(OSError):
        wal = Path(str(path) + "-wal").stat()
        if wal.st_size > 0:
            times.append(wal.st_mtime)
    return max(times)


def resolve_source(name: str) -> Path:
    """A path as given, else a session name (with or without .sqlite) in the sessions
    directory, else ``last``/``latest`` for the newest session. The one resolver of every
    command that reads a session (export, open, replay, check, diff)."""
    p = Path(name).expanduser()
    if p.exists():
        if p.is_dir():
            raise SourceNotFound(f"{name} is a directory; give a session file")
        return p
    d = sessions_dir()
    if name in ("last", "latest"):
        files = _session_files(d)
        if not files:
            raise SourceNotFound(f"no saved sessions in {d}")
        return files[0]
    for cand in (d / name, d / f"{name}{SESSION_SUFFIX}"):
        if cand.is_file():
            return cand
    raise SourceNotFound(f"no such file or session: {name} (see `inspector sessions`)")


@contextlib.contextmanager
def _as_session(path: Path) -> Iterator[Any]:
    """The file as a read-only Store, importing it into a temporary session if needed."""
    from inspector.importer import ImportFileError, import_file, is_session
    from inspector.store import Store, StoreError

    if is_session(path):
        try:
            store = Store(path, readonly=True)
        except StoreError as exc:
            raise _Fail(str(exc)) from None
        try:
            yield store
        finally:
            store.close()
        return
    with tempfile.TemporaryDirectory(prefix="inspector-") as d:
        progress = _ImportProgress()
        try:
            store = import_file(path, Path(d) / f"{path.stem}{SESSION_SUFFIX}", progress=progress)
        except ImportFileError as exc:
            raise _Fail(str(exc)) from None
        finally:
            progress.done()
        try:
            yield store
        finally:
            store.close()


# ------------------------------------------------------------------ progress


def _stderr_tty() -> bool:
    """Whether stderr is a terminal (progress lines are drawn only there)."""
    try:
        return bool(sys.stderr.isatty())
    except (AttributeError, ValueError):
        return False


class _ImportProgress:
    """``importing: 120,000 messages (35%)`` rewritten in place on stderr while a file is
    imported, at most a few times a second; nothing when stderr is not a terminal."""

    def __init__(self) -> None:
        self.tty = _stderr_tty()
        self.shown = False
        self.last = 0.0

    def __call__(self, count: int, fraction: float | None) -> None:
        if not self.tty:
            return
        now = time.monotonic()
        if self.shown and now - self.last < 0.2:
            return
        self.last = now
        pct = f" ({min(99, int(fraction * 100))}%)" if fraction is not None else ""
        unit = "message" if count == 1 else "messages"
        sys.stderr.write(f"\rimporting: {count:,} {unit}{pct}\x1b[K")
        sys.stderr.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
            self.shown = False


# ------------------------------------------------------------------ export


#: Negated filter terms (``-type:page``) look like options; let them through as arguments.
_FILTER_ARGS = {"ignore_unknown_options": True}


@click.command("export", context_settings=_FILTER_ARGS)
@click.argument("session")
@click.argument("filter_words", metavar="[FILTER]...", nargs=-1)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["ndjson", "json", "har", "csv"]),
    default=None,
    help="Output format. Default: from the -o file's extension, else ndjson.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    default=None,
    help="File to write (replaced only once the export succeeds); - is stdout. Default: stdout.",
)
def export_command(
    session: str, filter_words: tuple[str, ...], fmt: str | None, output: str | None
) -> None:
    """Export a session's messages (NDJSON, JSON, HAR 1.2 or CSV).

    FILTER uses the terms of the UI's filter bar, e.g. `type:track has:error
    event:"Order Completed" -type:page` (put `--` before a free-text word starting with
    -f or -o). Output goes to stdout unless -o is given, so it pipes into jq.
    """
    from inspector.export import FORMATS, ExportError, export_view, format_for, same_file

    if output == "":
        _die("-o needs a file name (or - for stdout)")
    if output == "-":
        output = None
    fmt = fmt or format_for(output)
    flt = _filter_text(filter_words)
    try:
        path = resolve_source(session)
        if output is not None and same_file(output, path):
            _die(f"not writing the export to {output}: that is the file being exported")
        with _as_session(path) as store:
            name = path.name
            if output is None:
                out = sys.stdout.buffer
                try:
                    n = export_view(store, flt, fmt, out, include_hidden=True, session_name=name)
                    out.flush()
                except BrokenPipeError:  # `| head`: the reader left, that is fine
                    with contextlib.suppress(OSError):
                        devnull = os.open(os.devnull, os.O_WRONLY)
                        os.dup2(devnull, sys.stdout.fileno())
                    return
            else:
                n = export_view(store, flt, fmt, output, include_hidden=True, session_name=name)
                unit = FORMATS[fmt].unit
                if n == 1:
                    unit = unit[:-1]  # "1 message", "1 request"
                click.echo(f"inspector: wrote {n} {unit} to {clean(output, None)}", err=True)
    except (_Fail, ExportError) as exc:
        _die(str(exc))
    except OSError as exc:
        _die(f"cannot write {output or 'stdout'}: {exc.strerror or exc}")


# ------------------------------------------------------------------ open


def _port_free_or_die(host: str, port: int) -> None:
    import socket

    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
    except OSError as exc:
        why = os.strerror(exc.errno).lower() if exc.errno else str(exc)
        _die(
            f"cannot listen on {host}:{port}: {why}. "
            "Pick another port with --port N (or --port 0 for any free port)."
        )


@click.command("open")
@click.argument("file")
@click.option("--listen", is_flag=True, help="Also capture: new traffic appends to the session.")
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="With --listen.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="With --listen.",
)
@click.option(
    "--write-key", "write_keys", multiple=True, help="With --listen: accept only this key."
)
@click.option(
    "--plan",
    default=None,
    metavar="PLAN",
    help="Check against a tracking plan: the file is re-checked into a new session.",
)
@click.pass_context
def open_command(
    ctx: click.Context,
    file: str,
    listen: bool,
    host: str,
    port: int,
    write_keys: tuple[str, ...],
    plan: str | None,
) -> None:
    """Open a saved session, an NDJSON, a JSON export or a HAR file in the UI.

    Files other than sessions are first imported into a new session in the sessions
    directory (every message checked again). Read-only unless --listen.
    """
    from inspector.importer import ImportFileError, import_file, imported_session_path, is_session

    if not listen:
        given = [
            f"--{name.replace('_', '-')}"
            for name in ("host", "port", "write_keys")
            if ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE
        ]
        if given:
            opt = "--write-key" if given[0] == "--write-keys" else given[0]
            _die(f"{opt} needs --listen (without it the session opens read-only)")

    engine = None
    if plan:
        from inspector.runtime import build_engine

        # First of all (docs/plans.md): a plan that does not load stops the command before
        # anything else happens, the FILE included. A bad plan exits 2 with the reason.
        engine = build_engine(Settings(plan=plan))
    try:
        path = resolve_source(file)
    except _Fail as exc:
        _die(str(exc))
    if listen and port:
        _port_free_or_die(host, port)  # before importing anything into a new session
    if not is_session(path) or engine is not None:
        target = imported_session_path(path, sessions_dir())
        progress = _ImportProgress()
        try:
            store = import_file(path, target, engine=engine, progress=progress)
        except ImportFileError as exc:
            progress.done()
            _die(str(exc))
        progress.done()
        count = store.count()
        click.echo(
            f"inspector: imported {count} message{'s' if count != 1 else ''} from "
            f"{clean(path, None)} into {clean(target, None)}",
            err=True,
        )
        store.close()
        path = target
    settings = Settings(host=host, port=port, session=path, write_keys=write_keys, plan=plan)
    if listen:
        try:
            from inspector.tui.app import run as run_tui
        except ImportError as exc:
            _die(f"the terminal UI is not available ({exc})")
        sys.exit(run_tui(settings) or 0)
    try:
        from inspector.tui.app import InspectorApp
    except ImportError as exc:
        _die(f"the terminal UI is not available ({exc})")
    from inspector.store import Store, StoreError

    try:
        store = Store(path, readonly=True)
    except StoreError as exc:
        _die(str(exc))
    try:
        app = InspectorApp(store=store, settings=settings, session_label=f"{path} (read-only)")
        app.run()
    finally:
        store.close()
    sys.exit(getattr(app, "return_code", 0) or 0)


# ------------------------------------------------------------------ sessions


def _size(path: Path) -> int:
    total = 0
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            total += Path(str(path) + suffix).stat().st_size
    return total


def _human(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def session_info(path: Path) -> dict[str, Any]:
    """Name, dates, size and counts of one session file (errors reported, not raised)."""
    path.stat()  # raises for a file that vanished
    info: dict[str, Any] = {
        "name": path.stem,
        "path": str(path),
        "size": _size(path),
        # UTC with a Z, like ``started`` (the first request's receivedAt).
        "modified": datetime.fromtimestamp(_modified(path), UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "started": None,
        "messages": None,
        "rejected": None,
        "error": None,
    }
    try:
        con = _peek(path)
    except (sqlite3.Error, OSError) as exc:
        info["error"] = f"{path} is not an inspector session ({exc})"
        return info
    try:
        info["messages"] = int(con.execute("SELECT count(*) FROM messages").fetchone()[0])
        info["rejected"] = int(
            con.execute("SELECT count(*) FROM requests WHERE reason IS NOT NULL").fetchone()[0]
        )
        info["started"] = con.execute("SELECT min(received_at) FROM requests").fetchone()[0]
    except Exception as exc:  # a damaged file must not break the listing
        info["error"] = str(exc)
    finally:
        con.close()
    return info


def _peek(path: Path) -> sqlite3.Connection:
    """A read-only connection that leaves no files behind. A WAL-mode database opened
    with ``mode=ro`` still creates ``-wal`` and ``-shm`` beside it (and a reader does not
    delete them), so a session without a ``-wal`` (no inspector is writing it, and the last
    one checkpointed) is opened ``immutable``; one with a ``-wal`` may be live and is read
    normally, its files being there already."""
    uri = path.resolve().as_uri()
    if Path(str(path) + "-wal").exists():
        uri += "?mode=ro"
    else:
        uri += "?immutable=1"
    con = sqlite3.connect(uri, uri=True)
    con.execute("PRAGMA busy_timeout=5000")
    return con


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")
_UNIT = {"": 86400, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_age(text: str) -> float:
    """``7d``, ``12h``, ``30m``, ``2w`` (a bare number is days) -> seconds."""
    m = _DURATION.match(text.lower())
    if not m:
        raise click.BadParameter(f"{text!r} is not a duration like 7d, 12h, 30m or 2w")
    return float(m.group(1)) * _UNIT[m.group(2)]


@click.group("sessions", invoke_without_command=True)
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Sessions directory. Default: the user data directory (INSPECTOR_DATA_DIR).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines instead of a table.")
@click.pass_context
def sessions_group(ctx: click.Context, directory: Path | None, as_json: bool) -> None:
    """List saved sessions, newest first, with dates, sizes and message counts."""
    ctx.obj = directory or sessions_dir()
    if ctx.invoked_subcommand is not None:
        return
    d: Path = ctx.obj
    files = _session_files(d)
    if as_json:
        import orjson

        for f in files:
            click.echo(orjson.dumps(session_info(f)).decode())
        return
    if not files:
        click.echo(f"no saved sessions in {clean(d, None)}")
        return
    rows = [session_info(f) for f in files]
    click.echo(
        f"{'NAME':<40} {'STARTED':<20} {'MODIFIED':<20} {'SIZE':>9} {'MESSAGES':>9} {'REJECTED':>8}"
    )
    for r in rows:
        started = (r["started"] or "")[:19].replace("T", " ")
        modified = r["modified"][:19].replace("T", " ")
        msgs = "?" if r["messages"] is None else str(r["messages"])
        rej = "?" if r["rejected"] is None else str(r["rejected"])
        click.echo(
            f"{clean(r['name'], 40):<40} {started:<20} {modified:<20} {_human(r['size']):>9} "
            f"{msgs:>9} {rej:>8}"
        )
    total = sum(r["size"] for r in rows)
    click.echo(
        f"{len(rows)} session{'s' if len(rows) != 1 else ''}, {_human(total)} in {clean(d, None)}"
    )


@sessions_group.command("prune")
@click.option("--older-than", "older_than", default=None, metavar="AGE", help="e.g. 7d, 12h, 2w.")
@click.option(
    "--keep", type=click.IntRange(0), default=None, metavar="N", help="Keep the N newest."
)
@click.option("--dry-run", is_flag=True, help="Only list what would be deleted.")
@click.pass_obj
def prune_command(directory: Path, older_than: str | None, keep: int | None, dry_run: bool) -> None:
    """Delete old sessions: last modified before AGE ago, or all but the N newest."""
    if older_than is None and keep is None:
        _die("sessions prune needs --older-than AGE or --keep N (or both)")
    try:
        max_age = parse_age(older_than) if older_than is not None else None
    except click.BadParameter as exc:
        _die(str(exc.message))
    from inspector.store import in_use

    files = _session_files(directory)
    now = time.time()
    doomed = []
    for i, f in enumerate(files):
        too_many = keep is not None and i >= keep
        too_old = max_age is not None and now - _modified(f) > max_age
        # Both given: delete what either rule selects.
        if too_many or too_old:
            if in_use(f):
                click.echo(f"kept {clean(f.name, None)}: a running inspector is writing it")
                continue
            doomed.append(f)
    freed = 0
    for f in doomed:
        size = _size(f)
        if not dry_run:
            for suffix in ("-wal", "-shm", ""):
                with contextlib.suppress(FileNotFoundError):
                    Path(str(f) + suffix).unlink()
        freed += size
        click.echo(
            f"{'would delete' if dry_run else 'deleted'} {clean(f.name, None)} ({_human(size)})"
        )
    verb = "would free" if dry_run else "freed"
    click.echo(f"{len(doomed)} of {len(files)} sessions, {verb} {_human(freed)}")


# ------------------------------------------------------------------ replay


class _Progress:
    """One self-rewriting line on stderr when it is a terminal; nothing otherwise."""

    def __init__(self, total: int | None) -> None:
        self.total = total
        self.tty = _stderr_tty()
        self.last = 0.0

    def __call__(self, s: Any) -> None:
        if not self.tty:
            return
        now = time.monotonic()
        if now - self.last < 0.1 and (self.total is None or s.read < self.total):
            return
        self.last = now
        if self.total:
            width = 30
            done = min(width, int(width * s.read / self.total))
            bar = "#" * done + "-" * (width - done)
            head = f"[{bar}] {s.read}/{self.total}"
        else:
            head = f"{s.read} read"
        sys.stderr.write(f"\rreplay {head}  {s.accepted} accepted, {s.failed} failed\x1b[K")
        sys.stderr.flush()

    def done(self) -> None:
        if self.tty:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


@click.command("replay", context_settings=_FILTER_ARGS)
@click.argument("source")
@click.argument("filter_words", metavar="[FILTER]...", nargs=-1)
@click.option(
    "--to", "to", required=True, metavar="URL", help="Segment, RudderStack or another inspector."
)
@click.option("--write-key", default=None, help="Send with this writeKey. Default: as recorded.")
@click.option("--rate", default=None, metavar="N/s", help="At most N messages per second.")
@click.option("--new-message-ids", is_flag=True, help="Give every message a fresh messageId.")
@click.option("--max-attempts", type=click.IntRange(1, 50), default=8, show_default=True)
def replay_command(
    source: str,
    filter_words: tuple[str, ...],
    to: str,
    write_key: str | None,
    rate: str | None,
    new_message_ids: bool,
    max_attempts: int,
) -> None:
    """Re-send recorded messages as Segment batches (32 KB per message, 500 KB per batch).

    SOURCE is a session or an NDJSON, JSON or HAR file; FILTER selects messages, as in
    the UI and in `export`. Retries 429 and 5xx with backoff, honouring Retry-After. Exit 0 when every
    message was accepted, 1 when some failed or were skipped, 2 for bad usage.
    """
    import asyncio

    from inspector.importer import ImportFileError, is_session
    from inspector.replay import Replayer, ReplayError, parse_rate, source_messages

    flt_text = _filter_text(filter_words)
    try:
        path = resolve_source(source)
        per_second = parse_rate(rate)
        replayer = Replayer(
            to,
            write_key=write_key,
            rate=per_second,
            new_message_ids=new_message_ids,
            max_attempts=max_attempts,
            warn=lambda text: click.echo(f"inspector: warning: {clean(text, None)}", err=True),
        )
    except (_Fail, ReplayError) as exc:
        _die(str(exc))
    total: int | None = None
    with contextlib.ExitStack() as stack:
        if is_session(path):
            messages, total = _session_source(path, flt_text)
        elif flt_text:
            # As `export` does: the file is imported into a temporary session, and the
            # filter selects from it.
            try:
                store = stack.enter_context(_as_session(path))
            except _Fail as exc:
                _die(str(exc))
            messages, total = _store_source(store, flt_text)
        else:
            messages = source_messages(path)
        progress = _Progress(total)
        replayer.progress = progress
        try:
            summary = asyncio.run(replayer.run(messages))
        except (ImportFileError, ReplayError, _Fail) as exc:
            progress.done()
            _die(str(exc))
        except KeyboardInterrupt:
            progress.done()
            click.echo(f"inspector: replay interrupted: {replayer.summary.line()}", err=True)
            sys.exit(1)
    progress.done()
    click.echo(f"replay to {clean(replayer.url, None)}: {summary.line()}", err=True)
    for e in summary.errors:
        click.echo(f"  {clean(e, 300)}", err=True)
    if summary.stopped:
        click.echo(f"  stopped: {clean(summary.stopped, 300)}", err=True)
    sys.exit(0 if summary.ok else 1)


def _session_source(path: Path, flt_text: str) -> tuple[Iterator[tuple[Any, str | None]], int]:
    from inspector.store import Store, StoreError

    try:
        store = Store(path, readonly=True)
    except StoreError as exc:
        _die(str(exc))
    return _store_source(store, flt_text, close=True)


def _store_source(
    store: Any, flt_text: str, *, close: bool = False
) -> tuple[Iterator[tuple[Any, str | None]], int]:
    """(message text, recorded writeKey) of the messages ``flt_text`` selects, and how many."""
    from inspector.export._common import ExportOptions, iter_message_raw
    from inspector.filters import FilterError, parse

    try:
        flt = parse(flt_text)
    except FilterError as exc:
        if close:
            store.close()
        _die(str(exc))
    total = int(
        store.execute(f"SELECT count(*) FROM messages WHERE ({flt.where})", flt.params)[0][0]
    )

    def gen() -> Iterator[tuple[Any, str | None]]:
        try:
            for (wk,), raw in iter_message_raw(store, flt, ExportOptions(), "m.write_key"):
                yield raw, wk
        finally:
            if close:
                store.close()

    return gen(), total


def register(group: click.Group) -> None:
    """Add export, open, sessions and replay to the CLI group."""
    group.add_command(export_command)
    group.add_command(open_command)
    group.add_command(sessions_group)
    group.add_command(replay_command)
