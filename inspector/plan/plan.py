"""A loaded tracking plan: the rule the engine runs, hot reloading, and coverage."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from inspector.model import MessageMeta, Violation
from inspector.plan.formats import CompiledPlan, plan_files, read_plan
from inspector.plan.schema import Target, present
from inspector.safety import clean

Fingerprint = tuple[tuple[str, int, int], ...]

#: How often (seconds) the rule looks at the plan file for changes.
RELOAD_INTERVAL = 1.0


def fingerprint(path: Path) -> Fingerprint:
    """(name, mtime_ns, size) of every file the plan is read from; cheap (a few stats)."""
    out = []
    try:
        files = plan_files(path)
    except OSError:
        return ()
    for f in files:
        try:
            st = f.stat()
        except OSError:
            out.append((str(f), -1, -1))
            continue
        out.append((str(f), st.st_mtime_ns, st.st_size))
    return tuple(out)


class Coverage:
    """What the session showed of the plan: events seen, required paths seen present."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        #: (kind, name) -> messages checked against it.
        self.seen: Counter[tuple[str, str]] = Counter()
        #: (kind, name) -> required paths seen present at least once.
        self.present: dict[tuple[str, str], set[str]] = {}
        #: (kind, name) -> rule id -> messages with that finding.
        self.violations: dict[tuple[str, str], Counter[str]] = {}
        #: Unplanned event name -> count.
        self.unplanned: Counter[str] = Counter()

    def record(self, target: Target, message: dict[str, Any], found: list[Violation]) -> None:
        key = (target.kind, target.name)
        found_paths = [p for p, segs in target.required if present(message, segs)]
        with self._lock:
            self.seen[key] += 1
            if found_paths:
                self.present.setdefault(key, set()).update(found_paths)
            if found:
                counts = self.violations.setdefault(key, Counter())
                counts.update({v.rule for v in found})

    def record_unplanned(self, name: str) -> None:
        with self._lock:
            self.unplanned[name] += 1

    def reset(self) -> None:
        with self._lock:
            self.seen.clear()
            self.present.clear()
            self.violations.clear()
            self.unplanned.clear()

    def snapshot(
        self,
    ) -> tuple[
        dict[tuple[str, str], int],
        dict[tuple[str, str], set[str]],
        dict[tuple[str, str], dict[str, int]],
        dict[str, int],
    ]:
        with self._lock:
            return (
                dict(self.seen),
                {k: set(v) for k, v in self.present.items()},
                {k: dict(v) for k, v in self.violations.items()},
                dict(self.unplanned),
            )


class Plan:
    """A tracking plan loaded from ``path``.

    ``rules`` is what the engine runs (``Engine(extra=plan.rules)``); the rule reads the plan's
    current compiled state, so a reload takes effect without rebuilding the engine.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        clock: Callable[[], float] = time.monotonic,
        interval: float = RELOAD_INTERVAL,
    ) -> None:
        self.path = Path(path)
        self._fingerprint = fingerprint(self.path)
        self._compiled: CompiledPlan = read_plan(self.path)
        self._clock = clock
        self._interval = interval
        self._last_poll = clock()
        #: The error of the last reload that failed (the previous plan stays in force);
        #: None once a reload succeeds.
        self.last_error: str | None = None
        #: Successful reloads since loading.
        self.reloads = 0
        self.coverage = Coverage()
        self.rules: list[Callable[[Any, MessageMeta], Iterable[Violation]]] = [self.check]
        #: Called after each reload attempt of a changed plan (``last_error`` says how it went).
        self.listeners: list[Callable[[Plan], None]] = []

    # -- state ------------------------------------------------------------------------

    @property
    def compiled(self) -> CompiledPlan:
        return self._compiled

    @property
    def format(self) -> str:
        return self._compiled.format

    @property
    def event_names(self) -> list[str]:
        return list(self._compiled.events)

    def reload_if_changed(self) -> bool:
        """Re-read the plan if its file(s) changed; True when a new plan took effect.

        A plan that no longer loads keeps the previous one in force and sets ``last_error``.
        """
        try:
            fp = fingerprint(self.path)
            if fp == self._fingerprint:
                return False
            self._fingerprint = fp
            compiled = read_plan(self.path)
        except (ValueError, OSError, RecursionError) as exc:
            self.last_error = str(exc) or type(exc).__name__
            self._tell()
            return False
        except Exception as exc:  # never let a plan edit take the inspector down
            self.last_error = f"{type(exc).__name__}: {exc}"
            self._tell()
            return False
        self._compiled = compiled
        self.last_error = None
        self.reloads += 1
        self._tell()
        return True

    def _tell(self) -> None:
        for cb in list(self.listeners):
            try:
                cb(self)
            except Exception:  # a broken listener must not break checking
                pass

    async def watch(self, interval: float = RELOAD_INTERVAL) -> None:
        """Reload on change every ``interval`` seconds until cancelled (for a UI or server
        task, so a plan edit shows even while no traffic arrives)."""
        import asyncio

        while True:
            await asyncio.sleep(interval)
            self.reload_if_changed()

    def _poll(self) -> None:
        now = self._clock()
        if now - self._last_poll >= self._interval:
            self._last_poll = now
            self.reload_if_changed()

    # -- the rule -----------------------------------------------------------------------

    def check(self, message: Any, meta: MessageMeta | None = None) -> list[Violation]:
        """The plan's message rule: never raises, records coverage."""
        try:
            self._poll()
            if type(message) is not dict:
                return []
            return self._check(message, self._compiled)
        except Exception as exc:
            return [
                Violation(
                    "inspector/rule-crashed",
                    "info",
                    "",
                    f"Tracking plan check failed: {type(exc).__name__}: {exc}",
                )
            ]

    def _check(self, message: dict[str, Any], plan: CompiledPlan) -> list[Violation]:
        out: list[Violation] = []
        t = message.get("type")
        if plan.common is not None:
            out.extend(plan.common.check(message))
        target: Target | None = None
        if t == "track":
            name = message.get("event")
            if not isinstance(name, str):
                return out  # the Spec rules report a missing or non-string event
            version = _event_version(message)
            target = plan.event(name, version)
            if target is None:
                self.coverage.record_unplanned(name)
                out.append(_unplanned(name, plan))
                return out
        elif t == "identify":
            target = plan.identify
        elif t == "group":
            target = plan.group
        if target is None:
            return out
        found = target.check(message)
        self.coverage.record(target, message, found)
        out.extend(found)
        return out

    # -- coverage -----------------------------------------------------------------------

    def coverage_summary(self) -> dict[str, Any]:
        """Plain data for the UI and reports: see ``inspector.plan.coverage_report``."""
        from inspector.plan.report import coverage_report

        return coverage_report(self)

    def scan(self, messages: Iterable[Any]) -> None:
        """Check stored messages only to fill coverage (e.g. when a saved session is opened)."""
        for m in messages:
            self.check(m)


def _event_version(message: dict[str, Any]) -> object:
    ctx = message.get("context")
    if isinstance(ctx, dict):
        protocols = ctx.get("protocols")
        if isinstance(protocols, dict):
            return protocols.get("event_version")
    return None


def _unplanned(name: str, plan: CompiledPlan) -> Violation:
    hint = ""
    suggestion = plan.suggest(name)
    if suggestion is not None:
        closest, same = suggestion
        if same:
            hint = (
                f'; the plan has "{closest}" (names must match exactly, case and separators too).'
            )
        else:
            hint = f'; did you mean "{closest}"?'
    elif not plan.events:
        hint = "; the plan has no events."
    return Violation(
        "plan/unplanned-event",
        "warning",
        "event",
        f'Event "{name}" is not in the tracking plan{hint or "."}',
    )


def load_plan(path: str | Path) -> Plan:
    """Load a tracking plan (any accepted format); ValueError with a one-line reason that
    starts with the plan's path (or, for a directory, the file in it that is wrong)."""
    try:
        return Plan(path)
    except RecursionError:
        raise ValueError(f"{path}: the plan is nested too deeply") from None
    except OSError as exc:
        raise ValueError(f"{path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise ValueError(_from_path(path, str(exc))) from None


def _from_path(path: str | Path, reason: str) -> str:
    """``reason`` starting with ``path`` (once)."""
    p = str(path)
    if reason == p or reason.startswith((f"{p}:", f"{p}/", f"{p}{os.sep}")):
        return reason
    return f"{p}: {reason}"


def load_error(path: str | Path, exc: BaseException) -> str:
    """The one line every command prints when ``--plan PATH`` does not load, naming the file
    once: ``cannot load plan plan.yaml: Order Completed: unknown key 'typ' (...)``."""
    reason = str(exc) or type(exc).__name__
    if not isinstance(exc, ValueError | OSError):  # a loader bug: say what broke
        reason = f"{type(exc).__name__}: {reason}"
    elif isinstance(exc, OSError):
        reason = exc.strerror or reason
    return clean(f"cannot load plan {_from_path(path, reason)}", 500)
