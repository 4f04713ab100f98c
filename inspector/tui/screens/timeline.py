"""Identity timeline of one person: ids first seen, the anonymous -> known transition,
identify calls with their trait changes, aliases and groups (:func:`inspector.diff.identity_timeline`).

Only the person's messages are read: the ids linked to the user come from
:class:`~inspector.tui.widgets.context_diff.IdentityLinks`, then one query fetches the
messages carrying any of them, in a worker thread on a private connection.
"""

from __future__ import annotations

from typing import Any

from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, LoadingIndicator, Static

from inspector.diff import Timeline, identity_timeline
from inspector.safety import clean, safe_text
from inspector.tui.widgets.context_diff import (
    KIND_STYLE,
    LABEL,
    MAX_MEMBERS,
    NEW_STYLE,
    OLD_STYLE,
    IdentityLinks,
    plural,
    value_text,
)

#: Messages of one person read at most.
MAX_MESSAGES = 100_000

EVENT_STYLE = {
    "first-seen": Style(color="#66d9ef", bold=True),
    "linked": Style(color="#d787ff", bold=True),
    "identify": Style(color="#a6e22e", bold=True),
    "alias": Style(color="#e6db74", bold=True),
    "group": Style(color="#fd971f", bold=True),
}


def _ids(out: Text, ids: list[str]) -> None:
    for n, i in enumerate(ids):
        if n:
            out.append(", ", LABEL)
        out.append_text(safe_text(i, "bold", 60))
    if not ids:
        out.append("none", LABEL)


def timeline_text(tl: Timeline) -> Text:
    """The timeline as display text (every id, trait and value sanitized)."""
    out = Text(end="")
    if not tl.found:
        out.append("No message of ", LABEL)
        out.append_text(safe_text(tl.query, "bold", 80))
        out.append(" in this session.", LABEL)
        return out
    out.append("user ids       ", LABEL)
    _ids(out, tl.user_ids)
    out.append("\nanonymous ids  ", LABEL)
    _ids(out, tl.anonymous_ids)
    out.append("\nmessages       ", LABEL)
    out.append(f"{tl.messages:,}")
    if tl.first_seq is not None:
        out.append(f"  (#{tl.first_seq} – #{tl.last_seq})", LABEL)
    out.append("\nanonymous→known ", LABEL)
    if tl.transition_seq is not None:
        out.append(f"at #{tl.transition_seq}", Style(bold=True))
    else:
        out.append("never in this session", LABEL)
    out.append("\n\n")
    for e in tl.events:
        d = e.data
        out.append(f"#{e.seq:<7}", Style(bold=True))
        out.append(f"{e.kind:<11}", EVENT_STYLE.get(e.kind, Style(bold=True)))
        if e.kind == "first-seen":
            out.append(f"{d.get('field')} ", LABEL)
            out.append_text(safe_text(d.get("id"), "bold", 60))
            out.append(" on ", LABEL)
            out.append_text(safe_text(d.get("type") or "?", "", 20))
        elif e.kind == "linked":
            out.append("anonymousId ", LABEL)
            out.append_text(safe_text(d.get("anonymousId"), "", 60))
            out.append(" → userId ", LABEL)
            out.append_text(safe_text(d.get("userId"), "bold", 60))
            out.append(" via ", LABEL)
            out.append_text(safe_text(d.get("via") or "?", "", 20))
        elif e.kind == "identify":
            added: dict[str, Any] = d.get("added") or {}
            changed: dict[str, Any] = d.get("changed") or {}
            parts = 0
            for k, v in added.items():
                out.append("  +" if parts else "+", KIND_STYLE["added"])
                out.append_text(safe_text(k, "", 40))
                out.append(" ")
                out.append_text(value_text(v, NEW_STYLE, 30))
                parts += 1
            for k, ov in changed.items():
                out.append("  ~" if parts else "~", KIND_STYLE["changed"])
                out.append_text(safe_text(k, "", 40))
                out.append(" ")
                out.append_text(value_text(ov.get("old"), OLD_STYLE, 30))
                out.append(" → ", LABEL)
                out.append_text(value_text(ov.get("new"), NEW_STYLE, 30))
                parts += 1
            same = int(d.get("unchanged") or 0)
            if same or not parts:
                out.append(f"{'  ' if parts else ''}({same} traits unchanged)", LABEL)
        elif e.kind == "alias":
            out.append("previousId ", LABEL)
            out.append_text(safe_text(d.get("previousId") or "?", "", 60))
            out.append(" → userId ", LABEL)
            out.append_text(safe_text(d.get("userId") or "?", "bold", 60))
        elif e.kind == "group":
            out.append_text(safe_text(d.get("groupId") or "?", "bold", 60))
            traits = d.get("traits") or {}
            if traits:
                out.append(" ")
                out.append_text(value_text(traits, "", 80))
        out.append("\n")
    if tl.traits:
        out.append("\ntraits now\n", Style(bold=True))
        for k, v in tl.traits.items():
            out.append("  ")
            out.append_text(safe_text(k, "#66d9ef", 40))
            out.append("  ")
            out.append_text(value_text(v, "", 80))
            out.append("\n")
    if tl.groups:
        out.append("\ngroups\n", Style(bold=True))
        for gid, traits in tl.groups.items():
            out.append("  ")
            out.append_text(safe_text(gid, "bold", 60))
            out.append("  ")
            out.append_text(value_text(traits, "", 80))
            out.append("\n")
    return out


def load_timeline(store: Any, user: str, links: IdentityLinks | None = None) -> Timeline:
    """The timeline of ``user`` reading only the person's messages (blocking)."""
    links = links or IdentityLinks()
    links.update(store)
    ids = links.members(user)[:MAX_MEMBERS]
    marks = ",".join("?" * len(ids))
    where = f"user_id IN ({marks}) OR anonymous_id IN ({marks})"
    pairs = []
    for m in store.iter_messages(where, (*ids, *ids)):
        pairs.append((m.seq, m.data))
        if len(pairs) >= MAX_MESSAGES:
            break
    return identity_timeline(pairs, user)


class TimelineScreen(ModalScreen[None]):
    """Identity timeline of one user (computed in a worker)."""

    DEFAULT_CSS = """
    TimelineScreen { layout: vertical; background: $surface; }
    TimelineScreen #tl-title { height: 1; padding: 0 1; background: $panel; }
    TimelineScreen #tl-scroll { height: 1fr; padding: 0 1; }
    TimelineScreen #tl-body { width: auto; }
    TimelineScreen LoadingIndicator { height: 3; display: none; }
    TimelineScreen.-loading LoadingIndicator { display: block; }
    """

    BINDINGS = [Binding("escape,q", "dismiss", "Close")]

    def __init__(self, store: Any, user: str, links: IdentityLinks | None = None) -> None:
        super().__init__()
        self.store = store
        self.user = user
        self.links = links or IdentityLinks()
        self.timeline: Timeline | None = None

    def compose(self) -> ComposeResult:
        title = Text(no_wrap=True, end="")
        title.append("Identity timeline  ", Style(bold=True))
        title.append_text(safe_text(self.user, "bold #a6e22e", 80))
        yield Static(title, id="tl-title")
        yield LoadingIndicator()
        with VerticalScroll(id="tl-scroll"):
            yield Static(id="tl-body")
        yield Footer()

    def on_mount(self) -> None:
        self.add_class("-loading")
        self._compute()

    @work(thread=True, exclusive=True, group="timeline", exit_on_error=False)
    def _compute(self) -> None:
        try:
            tl = load_timeline(self.store, self.user, self.links)
        except Exception as exc:  # a damaged session: say so
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._install, tl)

    def _failed(self, reason: str) -> None:
        self.remove_class("-loading")
        self.query_one("#tl-body", Static).update(
            Text(f"Cannot build the timeline: {clean(reason, 300)}", KIND_STYLE["removed"])
        )

    def _install(self, tl: Timeline) -> None:
        self.timeline = tl
        self.remove_class("-loading")
        self.query_one("#tl-body", Static).update(timeline_text(tl))
        title = self.query_one("#tl-title", Static)
        head = Text(no_wrap=True, end="")
        head.append("Identity timeline  ", Style(bold=True))
        head.append_text(safe_text(self.user, "bold #a6e22e", 80))
        if tl.found:
            head.append(f"  ·  {plural(len(tl.events), 'event')}", LABEL)
        title.update(head)
        self.query_one("#tl-scroll").focus()

    def body_text(self) -> str:
        return str(self.query_one("#tl-body", Static).render())
