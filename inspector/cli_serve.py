"""`inspector serve` (headless or with the UI) and the options bare `inspector` shares with it."""

from __future__ import annotations

import asyncio
import contextlib
import shlex
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

import click
import orjson

from inspector.config import DEFAULT_HOST, DEFAULT_PORT, Settings, env_default, new_session_path
from inspector.ingest.service import Outcome
from inspector.jsonutil import dumps_exact
from inspector.safety import clean


def _upstream_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--forward takes an http(s) URL with a host; checked before any file is created."""
    if value is None:
        return None
    from inspector.replay import url_problem

    problem = url_problem(value)
    if problem is not None:
        raise click.BadParameter(
            f"{value!r} is not an http(s) URL with a host, e.g. https://api.segment.io ({problem})",
            ctx=ctx,
            param=param,
        )
    return value


def server_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by bare `inspector` and `inspector serve`."""
    opts = [
        click.option(
            "--host",
            default=lambda: env_default("HOST", DEFAULT_HOST),
            show_default=DEFAULT_HOST,
            help="Interface to listen on. Keep the loopback default unless you know why.",
        ),
        click.option(
            "--port",
            type=click.IntRange(0, 65535),
            default=lambda: int(env_default("PORT", str(DEFAULT_PORT)) or DEFAULT_PORT),
            show_default=str(DEFAULT_PORT),
            help="Port to listen on; 0 picks any free port.",
        ),
        click.option(
            "--session",
            "session",
            type=click.Path(dir_okay=False, path_type=Path),
            default=None,
            help="Session file to write (SQLite). Default: a new file in the user data directory.",
        ),
        click.option(
            "--write-key",
            "write_keys",
            multiple=True,
            help="Accept only this writeKey (repeatable); others get 401 and are kept as rejected.",
        ),
        click.option(
            "--forward",
            default=None,
            metavar="URL",
            callback=_upstream_url,
            help="Also relay every accepted request to this upstream ingestion API.",
        ),
        click.option(
            "--plan",
            default=None,
            metavar="PLAN",
            help="Validate against a tracking plan (file or directory).",
        ),
    ]
    for opt in reversed(opts):
        fn = opt(fn)
    return fn


def settings_from(params: dict[str, Any]) -> Settings:
    session = params.get("session")
    return Settings(
        host=params.get("host") or DEFAULT_HOST,
        port=DEFAULT_PORT if params.get("port") is None else int(params["port"]),
        session=Path(session) if session else new_session_path(),
        write_keys=tuple(params.get("write_keys") or ()),
        json_lines=bool(params.get("json_lines")),
        forward=params.get("forward"),
        plan=params.get("plan"),
    )


def fail(message: str) -> None:
    """One line on stderr and exit code 2: bad usage or an environment problem."""
    click.echo(f"inspector: {message}", err=True)
    sys.exit(2)


# ------------------------------------------------------------------ headless output


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _verdict(violations: list[Any]) -> str:
    """ "ok", or "3 violations (1 error, 2 info)": only the severities that occur."""
    if not violations:
        return "ok"
    counts = {"error": 0, "warning": 0, "info": 0}
    for v in violations:
        counts[v.severity] = counts.get(v.severity, 0) + 1
    parts = [_plural(n, sev) if sev != "info" else f"{n} info" for sev, n in counts.items() if n]
    return f"{_plural(len(violations), 'violation')} ({', '.join(parts)})"


#: Calls whose name column holds an id, not a name: said as what it is.
_ID_NAMES = {"group": "groupId", "alias": "previousId"}


def _text_line(outcome: Outcome) -> list[str]:
    req = outcome.request
    if req.reason is not None:
        # "?": HTTP so broken it had no request line (TLS on the plain port, binary).
        what = (
            "(no request line)"
            if req.method == "?"
            else f"{clean(req.method)} {clean(req.path, 200)}"
        )
        return [f"REJECTED {outcome.status} {what}: {clean(req.reason, 300)}"]
    lines = []
    for m in outcome.messages:
        name = clean(m.name, 120) if m.name is not None else ""
        if name and m.type in _ID_NAMES:  # the name column holds an id for these
            name = f"{_ID_NAMES[m.type]}={name}"
        ident = (
            f"user={clean(m.user_id, 60)}"
            if m.user_id
            else f"anon={clean(m.anonymous_id, 60)}"
            if m.anonymous_id
            else "no-identity"
        )
        parts = [f"#{m.seq}", clean(m.type or "?", 20), name, ident, _verdict(m.violations)]
        lines.append(" ".join(p for p in parts if p))
    return lines


def _json_lines(outcome: Outcome) -> list[str]:
    req = outcome.request
    if req.reason is not None:
        return [
            dumps_exact(
                {
                    "rejected": True,
                    "id": req.id,
                    "status": outcome.status,
                    "method": req.method,
                    "path": req.path,
                    "reason": req.reason,
                }
            ).decode()
        ]
    out = []
    for m in outcome.messages:
        counts = {"error": 0, "warning": 0, "info": 0}
        for v in m.violations:
            counts[v.severity] = counts.get(v.severity, 0) + 1
        line: dict[str, object] = {"seq": m.seq, "type": m.type}
        id_name = _ID_NAMES.get(m.type or "")
        if id_name is None:
            line["event"] = m.name  # a track event, or a page or screen name
        else:
            line["event"] = None
            line[id_name] = m.name
        out.append(
            dumps_exact(
                {
                    **line,
                    "userId": m.user_id,
                    "anonymousId": m.anonymous_id,
                    "messageId": m.message_id,
                    "violations": len(m.violations),
                    "errors": counts["error"],
                    "warnings": counts["warning"],
                }
            ).decode()
        )
    return out


#: Lines reach the terminal or pipe within this many seconds; flushing on every request
#: would cost a system call per request at thousands of requests a second.
FLUSH_DELAY = 0.05


def make_printer(stream: TextIO, json_lines: bool) -> Callable[[Outcome], None]:
    render = _json_lines if json_lines else _text_line
    pending = False

    def flush() -> None:
        nonlocal pending
        pending = False
        with contextlib.suppress(OSError, ValueError):  # a closed pipe must not stop capture
            stream.flush()

    def printer(outcome: Outcome) -> None:
        nonlocal pending
        lines = render(outcome)
        if not lines:
            return
        stream.write("\n".join(lines) + "\n")
        if not pending:
            try:
                asyncio.get_running_loop().call_later(FLUSH_DELAY, flush)
                pending = True
            except RuntimeError:  # no loop (called from a test): flush now
                flush()

    return printer


async def run_headless(settings: Settings, stream: TextIO = sys.stdout) -> None:
    from inspector.ingest import Capture, PortInUse, create_app, start_server
    from inspector.runtime import build_capture, discard_if_unused

    existed = settings.session is not None and settings.session.exists()
    capture: Capture = build_capture(settings)
    app = create_app(capture)
    try:
        runner, url = await start_server(app, settings.host, settings.port)
    except PortInUse as exc:
        capture.store.close()
        discard_if_unused(settings.session, existed)
        fail(f"{exc}. Pick another port with --port N (or --port 0 for any free port).")
        return
    forwarder = getattr(capture, "forwarder", None)
    if settings.json_lines:
        stream.write(
            orjson.dumps({"listening": url, "url": url, "session": str(settings.session)}).decode()
            + "\n"
        )
    else:
        stream.write(f"inspector listening on {url}  session: {settings.session}\n")
    stream.flush()
    if not settings.loopback:
        click.echo(
            f"inspector: warning: listening on {settings.host}, reachable from other machines; "
            "use --host 127.0.0.1 unless you need that",
            err=True,
        )
    capture.listeners.append(make_printer(stream, settings.json_lines))
    if forwarder is not None:
        from inspector.forward import describe

        def forward_line(event: Any) -> None:
            line = describe(event)
            if line:
                click.echo(f"inspector: {clean(line, 500)}", err=True)

        forwarder.listeners.append(forward_line)
    plan = getattr(capture.engine, "plan", None)
    watcher: asyncio.Task[None] | None = None
    if plan is not None:
        # Edits to the plan file take effect while headless too, and say so on stderr.
        def plan_line(p: Any) -> None:
            if p.last_error is not None:
                line = f"plan reload failed, previous plan still in force: {p.last_error}"
            else:
                n = len(p.event_names)
                line = f"plan reloaded from {p.path} ({n} event{'' if n == 1 else 's'})"
            click.echo(f"inspector: {clean(line, 500)}", err=True)

        plan.listeners.append(plan_line)
        watcher = asyncio.create_task(plan.watch())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):
            pass
    try:
        await stop.wait()
    finally:
        if watcher is not None:
            watcher.cancel()
        await runner.cleanup()
        if forwarder is not None:
            await forwarder.close()
        count = capture.store.last_seq
        capture.store.close()
        click.echo(
            f"inspector: session saved to {settings.session} ({count:,} "
            f"message{'s' if count != 1 else ''}); reopen it with `inspector open "
            f"{shlex.quote(str(settings.session))}`",
            err=True,
        )


def run_tui_from_group(ctx: click.Context) -> None:
    settings = settings_from(ctx.params)
    _run_tui(settings)


def _run_tui(settings: Settings) -> None:
    try:
        from inspector.tui.app import run as run_tui
    except ImportError as exc:  # pragma: no cover
        fail(f"the terminal UI is not available ({exc}); use `inspector serve --headless`")
        return
    code = run_tui(settings)
    sys.exit(code or 0)


def register(group: click.Group) -> None:
    @group.command("serve")
    @server_options
    @click.option(
        "--headless", is_flag=True, help="Run without the terminal UI; print one line per message."
    )
    @click.option(
        "--json",
        "json_lines",
        is_flag=True,
        help="Print one JSON line per message instead of text (implies --headless).",
    )
    def serve(**params: Any) -> None:
        """Start the Segment-compatible endpoint (with the UI, or --headless)."""
        settings = settings_from(params)
        if not params.get("headless") and not params.get("json_lines"):
            _run_tui(settings)
            return
        try:
            asyncio.run(run_headless(settings))
        except KeyboardInterrupt:
            pass
