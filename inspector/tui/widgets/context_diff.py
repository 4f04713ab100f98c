"""Context diff of one message: what changed in ``context`` since an earlier message.

Three baselines (``Mode``): the previous message of the same identity (userId/anonymousId,
resolved through identify/alias links asserted up to the message, as
:class:`inspector.diff.ContextTracker` does), the previous message in the stream, or a
pinned baseline message. Changed paths are listed (``+`` added, ``-`` removed, ``~``
changed or type-changed with old -> new); unchanged paths are folded into one line that a
key (``u``) or a click unfolds, dimmed.

Finding the identity's previous message must not scan the session on the UI thread: the
view computes in a worker thread with private SQLite connections (``Store.iter_query``).
Identity links come from :class:`IdentityLinks`, an incremental cache of the few rows that
link ids (a message carrying both userId and anonymousId, an alias).
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson
from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from inspector.diff import (
    MISSING,
    Change,
    compare_values,
    context_of,
    id_text,
    ids_of,
    json_type,
)
from inspector.safety import clean

Mode = Literal["identity", "stream", "baseline"]

#: Longest value text shown in a diff row.
VALUE_WIDTH = 60
#: Longest path shown.
PATH_WIDTH = 120
#: Ids of one person used in a query (SQLite has a bound-parameter limit).
MAX_MEMBERS = 2000
#: Rows shown at most (a context with thousands of leaves stays responsive).
MAX_ROWS = 2000

LABEL = Style(color="#8a8a8a")
KIND_STYLE: dict[str, Style] = {
    "added": Style(color="#5faf5f", bold=True),
    "removed": Style(color="#ff5f87", bold=True),
    "changed": Style(color="#e6db74", bold=True),
    "type-changed": Style(color="#d787ff", bold=True),
    "unchanged": Style(dim=True),
}
KIND_SYMBOL = {"added": "+", "removed": "-", "changed": "~", "type-changed": "~", "unchanged": " "}
PATH_STYLE = Style(color="#66d9ef")
OLD_STYLE = Style(color="#ff8787")
NEW_STYLE = Style(color="#87d787")


# ------------------------------------------------------------------------- values


def compact_json(value: Any) -> str:
    """Compact JSON of a leaf value (``(absent)`` for a missing side), never raises."""
    if value is MISSING:
        return "(absent)"
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except (TypeError, orjson.JSONEncodeError):
        try:
            return json.dumps(value, ensure_ascii=False, default=repr)
        except (ValueError, RecursionError):
            return repr(value)


def value_text(value: Any, style: Style | str = "", width: int = VALUE_WIDTH) -> Text:
    """A value as safe display text: compact JSON, sanitized, cut to ``width``."""
    return Text(clean(compact_json(value), width), style=style, no_wrap=True, end="")


def path_text(path: str, style: Style | str = PATH_STYLE) -> Text:
    return Text(clean(path or "(root)", PATH_WIDTH), style=style, no_wrap=True, end="")


def change_line(change: Change, path_width: int = 0) -> Text:
    """One diff row: symbol, path (padded to ``path_width``), then the value(s)."""
    kind = change.kind
    style = KIND_STYLE.get(kind, Style())
    dim = kind == "unchanged"
    out = Text(no_wrap=True, end="")
    out.append(f"{KIND_SYMBOL.get(kind, '~')} ", style)
    p = path_text(change.path, Style(dim=True) if dim else PATH_STYLE)
    if path_width > p.cell_len:
        p.pad_right(path_width - p.cell_len)
    out.append_text(p)
    out.append("  ")
    if kind == "added":
        out.append_text(value_text(change.new, NEW_STYLE))
    elif kind == "removed":
        out.append_text(value_text(change.old, OLD_STYLE))
    elif kind == "unchanged":
        out.append_text(value_text(change.new, Style(dim=True)))
    else:
        if kind == "type-changed":
            out.append(f"({json_type(change.old)} → {json_type(change.new)}) ", style)
        out.append_text(value_text(change.old, OLD_STYLE))
        out.append(" → ", LABEL)
        out.append_text(value_text(change.new, NEW_STYLE))
    return out


def changes_text(changes: list[Change]) -> Text:
    """Rows for ``changes`` with the paths aligned (at most :data:`MAX_ROWS`)."""
    shown = changes[:MAX_ROWS]
    width = min(max((len(clean(c.path, PATH_WIDTH)) for c in shown), default=0), 48)
    out = Text(no_wrap=True, end="")
    for n, c in enumerate(shown):
        if n:
            out.append("\n")
        out.append_text(change_line(c, width))
    if len(changes) > len(shown):
        out.append(f"\n… {len(changes) - len(shown):,} more rows not shown", LABEL)
    return out


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {many or word + 's'}"


# ------------------------------------------------------------------------- identity


def who_label(data: Any) -> str | None:
    user, anon = ids_of(data)
    if user:
        return f"user {clean(user, 60)}"
    if anon:
        return f"anonymous {clean(anon, 60)}"
    return None


class IdentityLinks:
    """Links between ids asserted in a session, read incrementally from the store.

    A link is (id, id, first seq): a message carrying both userId and anonymousId, or an
    alias (previousId -> userId). Such rows are few next to the session, and each update
    only reads rows after the last one seen (a range on the seq key). Thread-safe.
    """

    def __init__(self) -> None:
        self.hi_seq = 0
        self._lock = threading.Lock()
        #: id -> {linked id: first seq the link was asserted}
        self._edges: dict[str, dict[str, int]] = {}

    def _add(self, a: str, b: str, seq: int) -> None:
        for x, y in ((a, b), (b, a)):
            nbrs = self._edges.setdefault(x, {})
            old = nbrs.get(y)
            if old is None or seq < old:
                nbrs[y] = seq

    def add_message(self, seq: int, data: Any) -> None:
        """Record the links one message asserts (for callers that already hold it)."""
        user, anon = ids_of(data)
        with self._lock:
            if user and anon and user != anon:
                self._add(anon, user, seq)
            if isinstance(data, dict) and data.get("type") == "alias":
                prev = id_text(data.get("previousId"))
                if prev and user and prev != user:
                    self._add(prev, user, seq)

    def update(self, store: Any) -> None:
        """Read the links committed since the last update (call from a worker thread)."""
        with self._lock:
            lo, hi = self.hi_seq, int(store.last_seq)
            if hi <= lo:
                return
            rows = store.iter_query(
                "SELECT user_id, anonymous_id, min(seq) FROM messages "
                "WHERE seq > ? AND seq <= ? AND user_id IS NOT NULL AND user_id != '' "
                "AND anonymous_id IS NOT NULL AND anonymous_id != '' "
                "AND user_id != anonymous_id GROUP BY user_id, anonymous_id",
                (lo, hi),
            )
            for user, anon, seq in rows:
                self._add(str(anon), str(user), int(seq))
            aliases = [
                int(r[0])
                for r in store.iter_query(
                    "SELECT seq FROM messages WHERE seq > ? AND seq <= ? AND type = 'alias'",
                    (lo, hi),
                )
            ]
            self.hi_seq = hi
        for seq in aliases:
            m = store.get(seq)
            if m is not None:
                self.add_message(seq, m.data)

    def members(self, ident: str, upto: int | None = None) -> list[str]:
        """Every id linked to ``ident`` by links asserted at or before seq ``upto``."""
        with self._lock:
            seen = {ident}
            todo = deque([ident])
            while todo and len(seen) < MAX_MEMBERS:
                for other, seq in self._edges.get(todo.popleft(), {}).items():
                    if other not in seen and (upto is None or seq <= upto):
                        seen.add(other)
                        todo.append(other)
        return sorted(seen)


def previous_seq(store: Any, seq: int, members: Iterable[str] | None = None) -> int | None:
    """The latest seq before ``seq`` (of a message carrying one of ``members``' ids).

    Walks the seq key backwards and stops at the first match, on a private connection
    (so a long walk never holds the UI's reader connection).
    """
    params: list[Any] = [seq]
    if members is None:
        sql = "SELECT max(seq) FROM messages WHERE seq < ?"
    else:
        ids = list(members)[:MAX_MEMBERS]
        if not ids:
            return None
        marks = ",".join("?" * len(ids))
        sql = (
            "SELECT seq FROM messages WHERE seq < ? "
            f"AND (user_id IN ({marks}) OR anonymous_id IN ({marks})) "
            "ORDER BY seq DESC LIMIT 1"
        )
        params.extend(ids)
        params.extend(ids)
    rows = list(store.iter_query(sql, params))
    return int(rows[0][0]) if rows and rows[0][0] is not None else None


# ------------------------------------------------------------------------- computing


@dataclass(frozen=True)
class ContextDiffResult:
    """A context diff ready to show (``changes`` includes the unchanged leaves)."""

    seq: int
    mode: Mode
    base_seq: int | None = None
    who: str | None = None
    changes: list[Change] = field(default_factory=list)
    #: Why there is nothing to compare (first message of an identity, no id...).
    note: str | None = None

    @property
    def changed(self) -> list[Change]:
        return [c for c in self.changes if c.kind != "unchanged"]

    @property
    def unchanged(self) -> list[Change]:
        return [c for c in self.changes if c.kind == "unchanged"]

    @property
    def against(self) -> str:
        """What the message is compared against, for the header."""
        if self.note:
            return self.note
        if self.mode == "baseline":
            return f"vs baseline #{self.base_seq}"
        if self.mode == "stream":
            return f"vs previous in stream (#{self.base_seq})"
        return f"vs previous message of {self.who} (#{self.base_seq})"


def compute_context_diff(
    store: Any,
    seq: int,
    mode: Mode = "identity",
    *,
    links: IdentityLinks | None = None,
    baseline: int | None = None,
    ignore: Iterable[str] | None = None,
) -> ContextDiffResult:
    """The context diff of message ``seq`` (blocking: run it in a worker thread)."""
    msg = store.get(seq)
    if msg is None:
        return ContextDiffResult(seq, mode, note=f"message #{seq} not found")
    data = msg.data
    who = who_label(data)
    base_seq: int | None
    if mode == "baseline":
        base_seq = baseline
        if base_seq is None:
            return ContextDiffResult(seq, mode, note="no baseline pinned (b pins one)")
        if base_seq == seq:
            return ContextDiffResult(seq, mode, base_seq, who, note=f"this is the baseline #{seq}")
    elif mode == "stream":
        base_seq = previous_seq(store, seq)
        if base_seq is None:
            return ContextDiffResult(
                seq, mode, note="first message of the session: nothing to compare"
            )
    else:
        user, anon = ids_of(data)
        ident = user or anon
        if ident is None:
            return ContextDiffResult(
                seq, mode, note="no userId or anonymousId: nothing to compare by identity"
            )
        if links is None:
            links = IdentityLinks()
        links.update(store)
        links.add_message(seq, data)
        members = set(links.members(ident, upto=seq))
        if user:
            members.add(user)
        if anon:
            members.add(anon)
        base_seq = previous_seq(store, seq, sorted(members))
        if base_seq is None:
            return ContextDiffResult(
                seq, mode, who=who, note="first message of this identity: nothing to compare"
            )
    base = store.get(base_seq)
    if base is None:
        return ContextDiffResult(seq, mode, base_seq, who, note=f"message #{base_seq} not found")
    changes = compare_values(
        context_of(base.data), context_of(data), ignore=ignore, prefix="context"
    )
    return ContextDiffResult(seq, mode, base_seq, who, changes)


def header_text(result: ContextDiffResult) -> Text:
    out = Text(no_wrap=True, end="")
    out.append(f"Context of #{result.seq}", Style(bold=True))
    # "vs ..." reads on; a note ("this is the baseline #1") is a sentence of its own.
    out.append(" · " if result.note else " ", LABEL)
    out.append(clean(result.against, 200), Style(bold=True, color="#66d9ef"))
    if result.note is None:
        changed, same = len(result.changed), len(result.unchanged)
        out.append("  ·  ", LABEL)
        if changed:
            out.append(plural(changed, "changed path"), KIND_STYLE["changed"])
        else:
            out.append("no changes", Style(color="#5faf5f"))
        out.append(f", {same:,} unchanged", LABEL)
    return out


# ------------------------------------------------------------------------- widget


class FoldLine(Static):
    """The "N unchanged paths" line: a click unfolds them."""

    DEFAULT_CSS = "FoldLine { height: 1; width: 1fr; color: $text-muted; }"

    class Toggled(Message):
        """The user asked to fold or unfold the unchanged paths."""

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.post_message(self.Toggled())


class ContextDiffView(VerticalScroll, can_focus=True):
    """The context diff of one message; ``show`` computes it in a worker."""

    DEFAULT_CSS = """
    ContextDiffView { height: 1fr; padding: 0 1; }
    ContextDiffView #cd-title { height: auto; margin-bottom: 1; }
    ContextDiffView #cd-changes, ContextDiffView #cd-unchanged { width: auto; height: auto; }
    ContextDiffView #cd-unchanged { display: none; }
    ContextDiffView.-unfolded #cd-unchanged { display: block; }
    """

    BINDINGS = [Binding("u", "toggle_unchanged", "Unchanged paths")]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.result: ContextDiffResult | None = None
        self.pending: tuple[Any, ...] | None = None
        self.unfolded = False
        self.links = IdentityLinks()
        self._busy = False
        self._queued: tuple[Any, ...] | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("Select a message and press d", LABEL), id="cd-title")
        yield Static(id="cd-changes")
        yield FoldLine(id="cd-fold")
        yield Static(id="cd-unchanged")

    def on_mount(self) -> None:
        self.query_one("#cd-fold").display = False

    # ---------------------------------------------------------------- computing

    def show(
        self, store: Any, seq: int, mode: Mode = "identity", baseline: int | None = None
    ) -> None:
        """Compute (in a worker) and show the context diff of ``seq``; no-op if shown.

        One computation runs at a time; requests made meanwhile (the cursor moving while
        messages stream in) are coalesced into the latest one.
        """
        key = (seq, mode, baseline if mode == "baseline" else None)
        if key == self.pending:
            return
        self.pending = key
        self.query_one("#cd-title", Static).update(Text(f"Context of #{seq}: comparing…", LABEL))
        self._queued = (store, seq, mode, baseline, key)
        if not self._busy:
            self._start_next()

    def _start_next(self) -> None:
        queued, self._queued = self._queued, None
        if queued is None:
            return
        self._busy = True
        self._compute(*queued)

    @work(thread=True, group="context-diff", exit_on_error=False)
    def _compute(
        self, store: Any, seq: int, mode: Mode, baseline: int | None, key: tuple[Any, ...]
    ) -> None:
        try:
            result = compute_context_diff(store, seq, mode, links=self.links, baseline=baseline)
        except Exception as exc:  # a damaged row: say so rather than crash the UI
            result = ContextDiffResult(seq, mode, note=f"cannot compare: {exc}")
        self.app.call_from_thread(self._install, key, result)

    def _install(self, key: tuple[Any, ...], result: ContextDiffResult) -> None:
        self._busy = False
        if key == self.pending:
            self.set_result(result)
        self._start_next()

    def set_result(self, result: ContextDiffResult) -> None:
        self.result = result
        self.query_one("#cd-title", Static).update(header_text(result))
        changed, same = result.changed, result.unchanged
        body = self.query_one("#cd-changes", Static)
        if result.note is not None:
            body.update("")
        elif changed:
            body.update(changes_text(changed))
        else:
            body.update(Text("No context path changed.", Style(color="#5faf5f")))
        fold = self.query_one("#cd-fold", FoldLine)
        fold.display = bool(same)
        self.query_one("#cd-unchanged", Static).update(changes_text(same) if same else "")
        self._show_fold()

    def clear(self, note: str = "Nothing selected") -> None:
        self.result = None
        self.pending = None
        self._queued = None
        self.query_one("#cd-title", Static).update(Text(note, LABEL))
        self.query_one("#cd-changes", Static).update("")
        self.query_one("#cd-unchanged", Static).update("")
        self.query_one("#cd-fold").display = False

    # ---------------------------------------------------------------- folding

    def _show_fold(self) -> None:
        n = len(self.result.unchanged) if self.result else 0
        arrow = "▾" if self.unfolded else "▸"
        verb = "hide" if self.unfolded else "show"
        line = Text(no_wrap=True, end="")
        line.append(f"{arrow} {plural(n, 'unchanged path')}", Style(bold=True))
        line.append(f"  (u or click to {verb})", LABEL)
        self.query_one("#cd-fold", FoldLine).update(line)
        self.set_class(self.unfolded, "-unfolded")

    def action_toggle_unchanged(self) -> None:
        self.unfolded = not self.unfolded
        self._show_fold()

    def on_fold_line_toggled(self, event: FoldLine.Toggled) -> None:
        self.action_toggle_unchanged()

    # ---------------------------------------------------------------- text

    def plain_text(self) -> str:
        """What the view shows, as plain text (unchanged rows only when unfolded)."""
        parts = [str(self.query_one("#cd-title", Static).render())]
        parts.append(str(self.query_one("#cd-changes", Static).render()))
        fold = self.query_one("#cd-fold", FoldLine)
        if fold.display:
            parts.append(str(fold.render()))
            if self.unfolded:
                parts.append(str(self.query_one("#cd-unchanged", Static).render()))
        return "\n".join(p for p in parts if p)
