"""`inspector check` without the command line: run the Spec engine over message files.

``check_paths`` yields one ``Checked`` per message, in input order across all files. Each
file is its own session: session rules (duplicate messageIds, naming drift, ...) compare a
message with the earlier messages of its file only, never with another file's. ``index``
still counts messages across all inputs from 0. ``summarize`` and ``to_json`` build the
``--format json`` document; ``format_text`` the human one.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from inspector.jsonutil import dumps_exact, dumps_pretty
from inspector.model import MessageMeta, Violation
from inspector.safety import clean
from inspector.sources import iter_records
from inspector.spec.engine import Engine


@dataclass(slots=True)
class Checked:
    #: Position across all inputs, from 0 (the JSON output's ``index``, as issue 3 fixes it).
    index: int
    message: Any
    violations: list[Violation]
    #: The number ``inspector diff`` takes for this message: its seq in a session, else its
    #: 1-based position in its file. The text output shows it as ``#N``, beside ``index``.
    seq: int = 0
    #: The input it came from.
    source: str = ""

    @property
    def message_id(self) -> str | None:
        m = self.message
        mid = m.get("messageId") if type(m) is dict else None
        return mid if type(mid) is str else None

    @property
    def type(self) -> str | None:
        m = self.message
        t = m.get("type") if type(m) is dict else None
        return t if type(t) is str else None

    @property
    def event(self) -> str | None:
        """The event name of a track call, the name of a page or screen call, as the
        session's summary column holds it (``inspector.ingest.decode.summary_row``, which
        ``/inspector/summary`` counts and the test API's ``event=`` filter matches): a
        string as sent, a number or boolean as its JSON text (42 -> "42"), else None."""
        m = self.message
        if type(m) is not dict:
            return None
        key = "event" if m.get("type") == "track" else "name"
        if m.get("type") not in ("track", "page", "screen"):
            return None
        v = m.get(key)
        if type(v) is str:
            return v
        if isinstance(v, (bool, int, float)):
            return json.dumps(v)  # as decode._s writes it
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "messageId": self.message_id,
            "type": self.type,
            "event": self.event,
            "violations": [v.to_dict() for v in self.violations],
        }


def message_size(message: Any) -> int:
    """Bytes of the message's JSON when its original text is not known."""
    return len(dumps_exact(message))


def check_paths(paths: Iterable[str], engine: Engine | None = None) -> Iterator[Checked]:
    """Check every message of every file, in order, each file as its own session.
    Raises ``SourceError`` for a bad file."""
    engine = engine or Engine()
    check = engine.check
    index = 0
    for n, path in enumerate(paths):
        if n:
            engine.reset()  # a new file is a new session
        for pos, rec in enumerate(iter_records(path), 1):
            size = rec.size
            if size is None:
                size = len(rec.raw) if rec.raw is not None else message_size(rec.message)
            meta = MessageMeta(
                size, rec.batch_count, rec.batch_index, rec.received_at, rec.endpoint, rec.sent_at
            )
            seq = rec.seq if rec.seq is not None else pos
            yield Checked(index, rec.message, check(rec.message, meta), seq, str(path))
            index += 1


def summarize(results: Iterable[Checked]) -> dict[str, Any]:
    counts: Counter[str] = Counter()
    by_rule: Counter[str] = Counter()
    n = 0
    for r in results:
        n += 1
        for v in r.violations:
            counts[v.severity] += 1
            by_rule[v.rule] += 1
    return {
        "messages": n,
        "errors": counts["error"],
        "warnings": counts["warning"],
        "info": counts["info"],
        "by_rule": dict(sorted(by_rule.items())),
    }


def to_json(results: list[Checked], extra: dict[str, Any] | None = None) -> bytes:
    """The ``--format json`` document (``extra`` adds top-level keys, e.g. plan coverage).
    Always valid UTF-8 JSON: text orjson refuses (lone surrogates) is written escaped."""
    doc: dict[str, Any] = {
        "messages": [r.to_dict() for r in results],
        "summary": summarize(results),
    }
    if extra:
        doc.update(extra)
    return dumps_pretty(doc)


_SEVERITY_COLOUR = {"error": "red", "warning": "yellow", "info": "cyan"}


def format_text(
    results: Iterable[Checked],
    style: Callable[..., str] | None = None,
    show_clean: bool = False,
    with_source: bool = False,
) -> Iterator[str]:
    """Lines of the text report: a header per message with findings, one line per finding,
    and a summary line. ``style`` is ``click.style`` when colour is wanted.

    A header names its message twice: ``#N`` as ``inspector diff`` takes it (the seq in a
    session, the 1-based position in a file) and ``index=I`` as the JSON output has it (from
    0, across all inputs); ``with_source`` (several inputs) puts the file name first."""

    def paint(text: str, **kw: Any) -> str:
        return style(text, **kw) if style is not None else text

    counts: Counter[str] = Counter()
    n = 0
    for r in results:
        n += 1
        if not r.violations and not show_clean:
            continue
        head = [f"#{r.seq}", f"index={r.index}", r.type or "?"]
        if with_source:
            head.insert(0, clean(r.source, 200))
        if r.event is not None:
            # clean() already escapes what is not printable; quote without escaping again.
            head.append('"' + clean(r.event, 80).replace('"', '\\"') + '"')
        if r.message_id is not None:
            head.append(f"messageId={clean(r.message_id, 60)}")
        yield paint(" ".join(head), bold=True)
        for v in r.violations:
            counts[v.severity] += 1
            sev = paint(
                v.severity.ljust(7), fg=_SEVERITY_COLOUR.get(v.severity), bold=v.severity == "error"
            )
            path = clean(v.path, 120) or "(message)"
            yield f"  {sev} {v.rule}  {path}  {clean(v.message, 400)}"
    e, w, i = counts["error"], counts["warning"], counts["info"]
    summary = (
        f"{n} message{'s' if n != 1 else ''}, {e} error{'s' if e != 1 else ''}, "
        f"{w} warning{'s' if w != 1 else ''}, {i} info"
    )
    yield paint(summary, fg="red" if e else ("yellow" if w else "green"), bold=True)
