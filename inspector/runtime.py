"""Assemble a running inspector (store + engine + capture) from Settings.

Shared by headless mode and the UI so both start the same way. Never imports Textual.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import click

from inspector.config import Settings
from inspector.ingest.service import Capture
from inspector.spec import Engine
from inspector.store import Store, StoreError


def _fail(message: str) -> None:
    click.echo(f"inspector: {message}", err=True)
    sys.exit(2)


def build_engine(settings: Settings) -> Engine:
    if not settings.plan:
        return Engine()
    try:
        from inspector.plan import load_error, load_plan
    except ImportError:
        _fail("tracking plans are not supported by this version")
        raise
    try:
        plan = load_plan(settings.plan)
    except Exception as exc:  # a plan loader bug must still be one line, exit 2
        _fail(load_error(settings.plan, exc))
        raise
    engine = Engine(extra=plan.rules)
    # The UI and `open` reach the plan (coverage, reload state) through the engine.
    engine.plan = plan  # type: ignore[attr-defined]
    return engine


def build_capture(settings: Settings) -> Capture:
    assert settings.session is not None
    engine = build_engine(settings)  # a bad plan fails before any session file exists
    try:
        store = Store(settings.session)
    except (StoreError, OSError) as exc:
        _fail(f"cannot open the session file {settings.session}: {exc}")
        raise
    capture = Capture(store, engine, write_keys=settings.write_keys)
    if settings.forward:
        try:
            from inspector.forward import Forwarder
        except ImportError:
            _fail("--forward is not supported by this version")
            raise
        Forwarder.attach(capture, settings.forward)
    return capture


def discard_if_unused(path: Path | None, existed: bool) -> None:
    """Remove a session file this run created but never received anything into (the port
    was taken): it would only become an empty `last` session."""
    if path is None or existed:
        return
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            os.remove(f"{path}{suffix}")
