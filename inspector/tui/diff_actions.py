"""Diff keys of the main screen, as a mixin of :class:`~inspector.tui.app.InspectorApp`.

- ``d`` context diff of the selected message in a "Context diff" tab of the detail pane
  (added on first use); pressed again on the same message it cycles the baseline: previous
  message of the same identity, previous message in the stream (and the pinned baseline
  first while one is pinned). The tab follows the cursor.
- ``b`` pins the selected message as the baseline (``d`` then diffs against it); ``b``
  again unpins.
- ``x`` marks / unmarks the selected message (two at most: a third drops the oldest);
  ``D`` or ``s`` opens the side-by-side diff of the two marked messages (with one mark:
  the marked one and the selected one).
- ``t`` identity timeline of the selected message's user (userId, else anonymousId).
- ``R`` drift summary of the whole session.

Textual merges ``BINDINGS`` only from DOM classes, so the app lists :data:`DIFF_BINDINGS`
in its own ``BINDINGS``; the actions and the cursor handler come from this mixin.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from textual.app import SystemCommand
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.widgets import TabbedContent, TabPane

from inspector.tui.screens.drift import DriftScreen
from inspector.tui.screens.side_by_side import SideBySideScreen
from inspector.tui.screens.timeline import TimelineScreen
from inspector.tui.widgets.context_diff import (
    ContextDiffView,
    IdentityLinks,
    Mode,
    ids_of,
)

if TYPE_CHECKING:
    from inspector.tui.app import InspectorApp
    from inspector.tui.widgets.stream import StreamView

DIFF_BINDINGS = [
    Binding("d", "context_diff", "Context diff", show=False),
    Binding("b", "pin_baseline", "Pin baseline", show=False),
    Binding("x", "mark", "Mark", show=False),
    Binding("D,s", "side_by_side", "Side by side", show=False),
    Binding("t", "timeline", "Identity timeline", show=False),
    Binding("R", "drift", "Drift summary", show=False),
    Binding("u", "toggle_unchanged", "Unchanged paths", show=False),
]

#: (key, what) lines for a help screen.
DIFF_KEYS: list[tuple[str, str]] = [
    ("d", "context diff of the selected message (again: vs identity / stream / baseline)"),
    ("b", "pin the selected message as the diff baseline, shown ◆ (again: unpin)"),
    ("x", "mark / unmark for the side-by-side diff, shown ● (◈: marked baseline)"),
    ("u", "show / hide the unchanged paths of the context diff"),
    ("D  s", "side-by-side diff of the two marked messages (c: whole / context only)"),
    ("t", "identity timeline of the selected message's user"),
    ("R", "context drift summary of the session"),
]

TAB_ID = "tab-context"
#: Mark-column glyphs in the stream: the pinned baseline, and messages marked with x.
BASELINE_GLYPH = "◆"
MARK_GLYPH = "●"
#: A message that is both the pinned baseline and marked.
BOTH_GLYPH = "◈"


@dataclass
class DiffState:
    mode: Mode = "identity"
    baseline: int | None = None
    marks: list[int] = field(default_factory=list)
    #: The message the last ``d`` was pressed on (``d`` again there cycles the mode).
    last_d: int | None = None
    links: IdentityLinks = field(default_factory=IdentityLinks)


class DiffActions:
    """Context diff, baseline, marks, side by side, timeline and drift actions."""

    # ---------------------------------------------------------------- plumbing

    @property
    def diff_state(self) -> DiffState:
        state = self.__dict__.get("_diff_state")
        if state is None:
            state = self.__dict__["_diff_state"] = DiffState()
        return cast(DiffState, state)

    def _diff_ui(self) -> InspectorApp:
        return cast("InspectorApp", self)

    def _diff_selected_seq(self, what: str) -> int | None:
        key = self._diff_ui().stream.cursor_key
        if key is None or key[0] != "m":
            self._diff_ui().notify(f"Select a message to {what}.", severity="warning", timeout=2)
            return None
        return key[1]

    def _diff_tabs(self) -> TabbedContent:
        return self._diff_ui().detail.query_one("#detail-tabs", TabbedContent)

    def context_view(self) -> ContextDiffView | None:
        """The context diff view, if its tab was added."""
        try:
            return self._diff_ui().detail.query_one(ContextDiffView)
        except NoMatches:
            return None

    async def _diff_ensure_view(self) -> ContextDiffView:
        view = self.context_view()
        if view is None:
            view = ContextDiffView(id="context-diff")
            view.links = self.diff_state.links
            await self._diff_tabs().add_pane(TabPane("Context diff", view, id=TAB_ID))
        return view

    def _diff_modes(self) -> list[Mode]:
        return (
            ["baseline", "identity", "stream"]
            if self.diff_state.baseline
            else ["identity", "stream"]
        )

    def _diff_refresh_view(self, seq: int | None) -> None:
        view = self.context_view()
        if view is None or self._diff_tabs().active != TAB_ID:
            return
        if seq is None:
            key = self._diff_ui().stream.cursor_key
            rejected = key is not None and key[0] == "r"
            view.clear(
                "A rejected request: it carried no message, so there is no context to diff"
                if rejected
                else "Nothing selected"
            )
            return
        st = self.diff_state
        view.show(self._diff_ui().store, seq, st.mode, st.baseline)

    # ---------------------------------------------------------------- events

    def on_stream_view_cursor_moved(self, event: StreamView.CursorMoved) -> None:
        key = event.key
        self._diff_refresh_view(key[1] if key is not None and key[0] == "m" else None)

    # ---------------------------------------------------------------- actions

    async def action_context_diff(self) -> None:
        seq = self._diff_selected_seq("diff its context")
        if seq is None:
            return
        st = self.diff_state
        view = await self._diff_ensure_view()
        tabs = self._diff_tabs()
        modes = self._diff_modes()
        # d again on the same message cycles the comparison; the first d on a message (the
        # tab may already be following the cursor) shows the current one.
        if tabs.active == TAB_ID and st.last_d == seq:
            i = modes.index(st.mode) if st.mode in modes else -1
            st.mode = modes[(i + 1) % len(modes)]
        elif st.mode not in modes or tabs.active != TAB_ID:
            st.mode = modes[0]
        st.last_d = seq
        tabs.active = TAB_ID
        view.show(self._diff_ui().store, seq, st.mode, st.baseline)

    def action_pin_baseline(self) -> None:
        st = self.diff_state
        ui = self._diff_ui()
        if st.baseline is not None:
            old, st.baseline = st.baseline, None
            if st.mode == "baseline":
                st.mode = "identity"
            ui.notify(f"Baseline #{old} unpinned.", timeout=2)
        else:
            seq = self._diff_selected_seq("pin it as the baseline")
            if seq is None:
                return
            st.baseline = seq
            st.mode = "baseline"
            ui.notify(f"Baseline #{seq} pinned: d diffs against it; b unpins.", timeout=3)
        self._diff_show_tags()
        key = ui.stream.cursor_key
        self._diff_refresh_view(key[1] if key is not None and key[0] == "m" else None)

    def _diff_show_tags(self) -> None:
        """Mark the baseline (◆) and the marked messages (●) in the stream."""
        st = self.diff_state
        tags = dict.fromkeys(st.marks, MARK_GLYPH)
        if st.baseline is not None:
            tags[st.baseline] = BOTH_GLYPH if st.baseline in tags else BASELINE_GLYPH
        self._diff_ui().stream.set_tags(tags)

    def diff_forget(self) -> None:
        """A cleared view: no baseline, no marks, an empty context-diff tab."""
        st = self.diff_state
        st.baseline = None
        st.marks.clear()
        if st.mode == "baseline":
            st.mode = "identity"
        self._diff_show_tags()
        view = self.context_view()
        if view is not None:
            view.clear()

    def action_toggle_unchanged(self) -> None:
        """``u`` from anywhere on the main screen while the context-diff tab is showing."""
        view = self.context_view()
        if view is None or self._diff_tabs().active != TAB_ID:
            self._diff_ui().notify(
                "u shows unchanged paths in the context diff: press d first.", timeout=2
            )
            return
        view.action_toggle_unchanged()

    def action_mark(self) -> None:
        seq = self._diff_selected_seq("mark it")
        if seq is None:
            return
        marks = self.diff_state.marks
        if seq in marks:
            marks.remove(seq)
            verb = "Unmarked"
        else:
            marks.append(seq)
            del marks[:-2]
            verb = "Marked"
        self._diff_show_tags()
        listed = " and ".join(f"#{m}" for m in sorted(marks)) or "none"
        hint = ": D or s for side by side" if len(marks) == 2 else ""
        self._diff_ui().notify(f"{verb} #{seq}. Marked: {listed}{hint}.", timeout=3)

    def action_side_by_side(self) -> None:
        ui = self._diff_ui()
        marks = list(self.diff_state.marks)
        if len(marks) == 1:
            key = ui.stream.cursor_key
            if key is not None and key[0] == "m" and key[1] != marks[0]:
                marks.append(key[1])
        if len(marks) < 2:
            ui.notify(
                "Mark two messages with x (or one, and select another).",
                severity="warning",
                timeout=3,
            )
            return
        a, b = ui.store.get(marks[0]), ui.store.get(marks[1])
        if a is None or b is None:
            ui.notify("A marked message is no longer in the session.", severity="warning")
            return
        ui.push_screen(SideBySideScreen(a, b))

    def action_timeline(self) -> None:
        ui = self._diff_ui()
        seq = self._diff_selected_seq("see its user's timeline")
        if seq is None:
            return
        m = ui.store.get(seq)
        user, anon = ids_of(m.data if m is not None else None)
        ident = user or anon
        if ident is None:
            ui.notify("This message has no userId or anonymousId.", severity="warning")
            return
        ui.push_screen(TimelineScreen(ui.store, ident, self.diff_state.links))

    def action_drift(self) -> None:
        ui = self._diff_ui()
        if not isinstance(ui.screen, DriftScreen):
            ui.push_screen(DriftScreen(ui.store))

    def diff_system_commands(self) -> Iterator[SystemCommand]:
        yield SystemCommand(
            "Context diff",
            "Diff the selected message's context (vs identity, stream or baseline)",
            self.action_context_diff,
        )
        yield SystemCommand(
            "Pin / unpin diff baseline",
            "Diff every message against the selected one",
            self.action_pin_baseline,
        )
        yield SystemCommand(
            "Mark for side by side", "Mark or unmark the selected message", self.action_mark
        )
        yield SystemCommand(
            "Side-by-side diff", "Compare the two marked messages", self.action_side_by_side
        )
        yield SystemCommand(
            "Identity timeline", "History of the selected message's user", self.action_timeline
        )
        yield SystemCommand(
            "Drift summary", "Context paths that change within an identity", self.action_drift
        )
