"""`inspector diff`: diff two messages, summarise context drift, or show an identity timeline.

    inspector diff SOURCE SEQ_A SEQ_B [--context-only] [--format text|json]
    inspector diff --drift SOURCE [--format text|json]
    inspector diff --timeline USER SOURCE [--format text|json]

SOURCE is a saved session (SQLite; SEQ is the store's seq, from 1) or any file
``inspector.sources.load_messages`` reads (SEQ is the 1-based position in the file).
Exit 0 whatever the diff says; exit 2 with one line on stderr for bad usage, an unreadable
source, an unknown seq or an unknown user.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from inspector import diff as D
from inspector.jsonutil import deep_recursion
from inspector.safety import clean
from inspector.sources import SourceError, load_messages

#: Longest value text shown in text output.
VALUE_WIDTH = 80
_SQLITE_MAGIC = b"SQLite format 3\x00"


class _Fail(Exception):
    """A one-line error for the user (exit 2)."""


def _die(message: str) -> NoReturn:
    click.echo(f"inspector diff: {clean(message, 300)}", err=True)
    sys.exit(2)


# ------------------------------------------------------------------------- reading


def _is_session(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(len(_SQLITE_MAGIC)) == _SQLITE_MAGIC
    except OSError as exc:
        raise _Fail(f"cannot read {path}: {exc.strerror or exc}") from exc


def _session_messages(path: Path) -> list[tuple[int, Any]]:
    from inspector.store import Store, StoreError

    try:
        store = Store(path, readonly=True)
    except StoreError as exc:
        raise _Fail(str(exc)) from exc
    try:
        return [(m.seq, m.data) for m in store.iter_messages()]
    except Exception as exc:  # a damaged session: say so in one line
        raise _Fail(f"cannot read session {path}: {exc}") from exc
    finally:
        store.close()


def _file_messages(path: Path) -> list[tuple[int, Any]]:
    try:
        return list(enumerate(load_messages(path), 1))
    except SourceError as exc:
        raise _Fail(str(exc)) from exc


def load(source: str) -> list[tuple[int, Any]]:
    """(seq, message) pairs of a session or message file. ``source`` may also be a session
    name or ``last``, resolved as ``export`` and ``open`` do."""
    from inspector.cli_sessions import SourceNotFound, resolve_source

    try:
        path = resolve_source(source)
    except SourceNotFound as exc:
        raise _Fail(str(exc)) from None
    if _is_session(path):
        return _session_messages(path)
    return _file_messages(path)


# ------------------------------------------------------------------------- text output


def _value(value: Any, width: int = VALUE_WIDTH) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, default=repr)
    except (ValueError, TypeError, RecursionError):
        text = repr(value)
    return clean(text, width)


_STYLE = {"added": "green", "removed": "red", "changed": "yellow", "type-changed": "magenta"}


def format_change(change: D.Change) -> str:
    """One line: ``~ path  old -> new``, ``+ path value``, ``- path value``."""
    path = clean(change.path or "(root)", 300)
    if change.kind == "added":
        line = f"+ {path}  {_value(change.new)}"
    elif change.kind == "removed":
        line = f"- {path}  {_value(change.old)}"
    elif change.kind == "type-changed":
        line = (
            f"~ {path}  {_value(change.old)} -> {_value(change.new)}"
            f"  ({D.json_type(change.old)} -> {D.json_type(change.new)})"
        )
    else:
        line = f"~ {path}  {_value(change.old)} -> {_value(change.new)}"
    return click.style(line, fg=_STYLE.get(change.kind))


def _label(seq: int, msg: Any) -> str:
    from inspector.model import display_name

    mtype = msg.get("type") if isinstance(msg, dict) else None
    name = display_name(msg)
    parts = [f"#{seq}", mtype if isinstance(mtype, str) else "?"]
    if name:
        parts.append(_value(name, 60))
    return " ".join(parts)


def _echo(line: str = "") -> None:
    click.echo(line)


def _finite(value: Any) -> Any:
    """``value`` with non-finite numbers (a message's ``1e400`` parses as infinity) as the
    strings ``"Infinity"``, ``"-Infinity"`` and ``"NaN"``: JSON has no such numbers."""
    if isinstance(value, float):
        if value != value:
            return "NaN"
        if value in (float("inf"), float("-inf")):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def _out_json(data: Any) -> None:
    with deep_recursion():
        text = json.dumps(
            _finite(data), ensure_ascii=False, indent=2, default=repr, allow_nan=False
        )
    click.echo(text)


def _print_drift(drift: D.Drift, show_all: bool) -> None:
    moving = drift.drifting
    _echo(
        f"drift: {drift.messages} messages, {drift.identities} identities, "
        f"{len(drift.paths)} context paths, {len(moving)} drifting"
    )
    for p in drift.paths if show_all else moving:
        values = ", ".join(f"{_value(v, 40)} x{c}" for v, c in p.values())
        _echo(
            f"{clean(p.path, 200)}  {p.distinct} value(s), max {p.max_per_identity} per identity"
            f", first seen #{p.first_seq}: {values}"
        )
        # Changed, disappeared and appeared, in the order they first happened.
        events: list[tuple[int, str]] = []
        if p.first_changed:
            e = p.first_changed
            events.append(
                (
                    e.seq,
                    f"    changed {p.changes}x; first at #{e.seq} ({_who(e.identity)}, since "
                    f"#{e.since_seq}): {_value(e.old, 40)} -> {_value(e.new, 40)}",
                )
            )
        if p.first_disappeared:
            e = p.first_disappeared
            events.append(
                (
                    e.seq,
                    f"    disappeared {p.disappearances}x; first at #{e.seq} "
                    f"({_who(e.identity)}, last seen #{e.since_seq}: {_value(e.old, 40)})",
                )
            )
        if p.first_appeared:
            e = p.first_appeared
            events.append(
                (
                    e.seq,
                    f"    appeared {p.appearances}x; first at #{e.seq} ({_who(e.identity)}, "
                    f"absent at #{e.since_seq}): {_value(e.new, 40)}",
                )
            )
        for _seq, line in sorted(events, key=lambda x: x[0]):
            _echo(line)
    stable = len(drift.paths) - len(moving)
    if stable and not show_all:
        _echo(f"({stable} stable path(s) not shown; --all lists them)")


def _who(identity: str | None) -> str:
    return "no id" if identity is None else clean(identity, 60)


def _print_timeline(tl: D.Timeline) -> None:
    ids = ", ".join(clean(i, 60) for i in tl.user_ids) or "-"
    anons = ", ".join(clean(i, 60) for i in tl.anonymous_ids) or "-"
    _echo(
        f"identity {clean(tl.identity or '', 60)}: userIds {ids}; anonymousIds {anons}; "
        f"{tl.messages} message(s) #{tl.first_seq}..#{tl.last_seq}"
    )
    if tl.transition_seq is not None:
        _echo(f"anonymous -> known at #{tl.transition_seq}")
    for e in tl.events:
        d = e.data
        if e.kind == "first-seen":
            text = f"first seen {d['field']} {_value(d['id'], 60)} ({clean(d['type'] or '?', 30)})"
        elif e.kind == "linked":
            text = (
                f"linked anonymousId {_value(d['anonymousId'], 60)} -> userId "
                f"{_value(d['userId'], 60)} (via {clean(d['via'] or '?', 30)})"
            )
        elif e.kind == "identify":
            bits = [f"+{clean(k, 60)}={_value(v, 40)}" for k, v in d["added"].items()]
            bits += [
                f"~{clean(k, 60)}={_value(c['old'], 30)}->{_value(c['new'], 30)}"
                for k, c in d["changed"].items()
            ]
            text = f"identify {_value(d['userId'], 60)}  " + (" ".join(bits) or "(no new traits)")
        elif e.kind == "alias":
            text = f"alias {_value(d['previousId'], 60)} -> {_value(d['userId'], 60)}"
        elif e.kind == "group":
            text = f"group {_value(d['groupId'], 60)}  traits {_value(d['traits'])}"
        else:  # pragma: no cover - every kind is handled above
            text = e.kind
        _echo(f"#{e.seq} {text}")
    _echo(f"traits: {_value(tl.traits, 400)}")
    if tl.groups:
        _echo(f"groups: {_value(tl.groups, 400)}")


# ------------------------------------------------------------------------- command


def _seq(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise _Fail(f"not a message number: {text!r}") from None
    if n < 1:
        raise _Fail(f"message numbers start at 1: {text!r}")
    return n


@click.command("diff")
@click.argument("args", nargs=-1, metavar="SOURCE [SEQ_A SEQ_B]")
@click.option("--drift", is_flag=True, help="Summarise context drift over the whole session.")
@click.option("--timeline", "timeline_user", metavar="USER", help="Identity timeline of a user.")
@click.option("--context-only", is_flag=True, help="Diff only the two messages' context.")
@click.option("--format", "fmt", default="text", metavar="text|json", help="Output format.")
@click.option(
    "--ignore",
    "ignores",
    multiple=True,
    metavar="PATH",
    help="Also ignore a full path (context.page.url) or a key name anywhere. Repeatable.",
)
@click.option(
    "--no-default-ignore",
    is_flag=True,
    help="Do not ignore messageId, timestamps, sentAt, receivedAt, writeKey, _metadata.",
)
@click.option("--all", "show_all", is_flag=True, help="With --drift: list stable paths too.")
def diff_command(
    args: tuple[str, ...],
    drift: bool,
    timeline_user: str | None,
    context_only: bool,
    fmt: str,
    ignores: tuple[str, ...],
    no_default_ignore: bool,
    show_all: bool,
) -> None:
    """Diff two messages (SOURCE SEQ_A SEQ_B), or summarise drift (--drift SOURCE), or show
    a user's identity timeline (--timeline USER SOURCE).

    SOURCE is a saved session (SEQ as shown by the inspector) or a message file such as
    NDJSON (SEQ is the 1-based position). Volatile fields are ignored unless
    --no-default-ignore. Exit status is 0 whether or not the messages differ.
    """
    try:
        _run(args, drift, timeline_user, context_only, fmt, ignores, no_default_ignore, show_all)
    except _Fail as exc:
        _die(str(exc))


def _run(
    args: tuple[str, ...],
    drift: bool,
    timeline_user: str | None,
    context_only: bool,
    fmt: str,
    ignores: tuple[str, ...],
    no_default_ignore: bool,
    show_all: bool,
) -> None:
    if fmt not in ("text", "json"):
        raise _Fail(f"--format must be text or json, not {fmt!r}")
    if drift and timeline_user is not None:
        raise _Fail("--drift and --timeline cannot be used together")
    if show_all and not drift:
        raise _Fail("--all works with --drift only")
    ignore = (() if no_default_ignore else D.VOLATILE) + tuple(ignores)
    if drift or timeline_user is not None:
        mode = "--drift" if drift else "--timeline"
        if len(args) != 1:
            raise _Fail(f"{mode} takes exactly one SOURCE")
        if context_only:
            raise _Fail(f"--context-only does not apply to {mode}")
        messages = load(args[0])
        if drift:
            summary = D.drift_summary(messages, ignore=ignore)
            if fmt == "json":
                _out_json(summary.to_dict())
            else:
                _print_drift(summary, show_all)
            return
        assert timeline_user is not None
        tl = D.identity_timeline(messages, timeline_user)
        if not tl.found:
            raise _Fail(f"no message with userId or anonymousId {timeline_user!r} in {args[0]}")
        if fmt == "json":
            _out_json(tl.to_dict())
        else:
            _print_timeline(tl)
        return
    if len(args) != 3:
        raise _Fail("usage: inspector diff SOURCE SEQ_A SEQ_B (or --drift SOURCE)")
    source, a_text, b_text = args
    seq_a, seq_b = _seq(a_text), _seq(b_text)
    by_seq = dict(load(source))
    for s in (seq_a, seq_b):
        if s not in by_seq:
            last = max(by_seq, default=0)
            raise _Fail(f"no message #{s} in {source} (it has {len(by_seq)}, last #{last})")
    a, b = by_seq[seq_a], by_seq[seq_b]
    changes = D.diff_messages(a, b, context_only=context_only, ignore=ignore)
    if fmt == "json":
        _out_json(
            {
                "a": seq_a,
                "b": seq_b,
                "context_only": context_only,
                "ignore": list(ignore),
                "changes": [c.to_dict() for c in changes],
            }
        )
        return
    scope = " (context only)" if context_only else ""
    _echo(f"--- {_label(seq_a, a)}")
    _echo(f"+++ {_label(seq_b, b)}{scope}")
    # Coloured on a terminal, as click decides, but never when NO_COLOR is set.
    colour = False if os.environ.get("NO_COLOR") else None
    for c in changes:
        click.echo(format_change(c), color=colour)
    if not changes:
        _echo("no differences")


def register(group: click.Group) -> None:
    """Add ``diff`` to the CLI group."""
    group.add_command(diff_command)
