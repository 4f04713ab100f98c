"""The inspector's terminal UI: the endpoint and a live view of what arrives, in one loop.

``InspectorApp(capture=...)`` starts the aiohttp endpoint in ``on_mount`` and stops it in
``on_unmount``; ``InspectorApp(store=Store(path, readonly=True))`` browses a saved session
without a server. The store tells the app after each commit (``Store.subscribe``); the app
only sets a flag, and a timer (20 Hz at most) reads what is new, so ingesting thousands of
messages a second never floods the UI. Scanning the session (opening it, filtering it) runs
in a worker thread on its own SQLite connection.
"""

from __future__ import annotations

import shlex
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import orjson
from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Input
from textual.worker import get_current_worker

from inspector import filters
from inspector.config import Settings
from inspector.ingest.service import Capture
from inspector.store import Store
from inspector.tui.diff_actions import DIFF_BINDINGS, DiffActions
from inspector.tui.screens.coverage import PLAN_BINDINGS, PlanActions
from inspector.tui.screens.help import HelpScreen
from inspector.tui.viewmodel import Totals, ViewIndex, build_index, next_error_seq
from inspector.tui.widgets.bars import FilterBar, HeaderBar, StatusBar
from inspector.tui.widgets.detail import DetailPane, is_json, plural
from inspector.tui.widgets.empty import EmptyState
from inspector.tui.widgets.stream import StreamHeader, StreamView

W = TypeVar("W", bound=Widget)

#: Seconds between UI refreshes driven by new data (20 Hz at most).
REFRESH_INTERVAL = 0.05
#: The detail follows the cursor once it has been still this long (seconds).
DETAIL_SETTLE = 0.1
#: While following the tail, the detail is refreshed at most this often (seconds).
DETAIL_FOLLOW_INTERVAL = 0.25
#: Seconds of typing pause before the filter is applied (Enter applies at once).
FILTER_DEBOUNCE = 0.25


class InspectorApp(DiffActions, PlanActions, App[None]):
    """Live (with a Capture) or read-only (with a Store) view of a session."""

    CSS_PATH = "app.tcss"
    TITLE = "inspector"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        # Help and Quit first: on an 80-column terminal the footer is cut from the right.
        Binding("question_mark,f1", "help", "Help"),
        Binding("q", "quit", "Quit"),
        Binding("slash", "focus_filter", "Filter"),
        Binding("p,space", "pause", "Pause"),
        Binding("p,space", "resume", "Resume"),
        Binding("c", "clear", "Clear"),
        Binding("n", "next_error", "Next error"),
        Binding("N", "previous_error", "Prev error", show=False),
        Binding("m", "toggle_request", "Request"),
        Binding("y", "copy_json", "Copy JSON"),
        Binding("e", "export", "Export"),
        Binding("escape", "focus_stream", "Stream", show=False),
        *DIFF_BINDINGS,
        *PLAN_BINDINGS,
    ]

    def __init__(
        self,
        *,
        capture: Capture | None = None,
        store: Store | None = None,
        settings: Settings | None = None,
        session_label: str | None = None,
        url_label: str | None = None,
        refresh_interval: float = REFRESH_INTERVAL,
    ) -> None:
        super().__init__()
        if capture is None and store is None:
            raise ValueError("InspectorApp needs a capture (live) or a store (read-only)")
        self.capture = capture
        self.store: Store = capture.store if capture is not None else store  # type: ignore[assignment]
        self.settings = settings or Settings()
        self.live = capture is not None
        self.session_label = session_label or str(self.store.path)
        self.url_label = url_label
        self.refresh_interval = refresh_interval
        #: The URL the endpoint is bound to (None until started, or read-only).
        self.url: str | None = None
        #: Set when the endpoint could not start; `run()` prints it and exits 2.
        self.startup_error: str | None = None
        self.flt = filters.Filter()
        self.totals = Totals()
        self.rejected_since = self._initial_rejected_since()
        self.pending_new = 0
        #: Seconds the last view build (open or filter) took, and when it finished.
        self.last_build_seconds: float | None = None
        self.builds_done = 0
        self._runner: Any = None
        self._unsubscribe: Callable[[], None] | None = None
        self._dirty = True
        self._building = False
        self._generation = 0
        self._build_started = 0.0
        self._rate: deque[tuple[float, int]] = deque()
        self._filter_timer: Timer | None = None
        self._widgets: dict[type[Widget], Widget] = {}
        self._detail_at = 0.0

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield HeaderBar(id="header")
        yield FilterBar(id="filterbar")
        with Vertical(id="main"):
            yield StreamHeader(id="stream-head")
            yield StreamView(self.store, id="stream")
            yield DetailPane(id="detail")
        yield EmptyState(self.display_url, self._write_key, self.live, id="empty")
        yield StatusBar(id="status")
        yield Footer()

    @property
    def display_url(self) -> str:
        if self.url_label:
            return self.url_label
        if self.url:
            return self.url
        host = self.settings.host
        return f"http://{host}:{self.settings.port or 8787}"

    @property
    def _write_key(self) -> str | None:
        return self.settings.write_keys[0] if self.settings.write_keys else None

    @property
    def stream(self) -> StreamView:
        return self._one(StreamView)

    @property
    def detail(self) -> DetailPane:
        return self._one(DetailPane)

    @property
    def _main(self) -> Screen[Any]:
        """The main screen (queries must not hit the help screen when it is on top)."""
        return self.screen_stack[0] if self.screen_stack else self.screen

    def _one(self, cls: type[W]) -> W:
        """The main screen's widget of that class (looked up once, then kept)."""
        w = self._widgets.get(cls)
        if w is None:
            w = self._widgets[cls] = self._main.query_one(cls)
        return w  # type: ignore[return-value]

    def _initial_rejected_since(self) -> int:
        """Rejected requests older than the view (after a clear) stay hidden."""
        vs = self.store.view_start
        if vs <= 1:
            return 0
        rows = self.store.execute("SELECT request_id FROM messages WHERE seq = ?", (vs - 1,))
        return int(rows[0][0]) if rows else 0

    # ------------------------------------------------------------------ lifecycle

    async def on_mount(self) -> None:
        for cls in (StreamView, DetailPane, FilterBar, StatusBar, EmptyState, HeaderBar):
            self._one(cls)
        self._show_header()
        # When a modal (help, command palette) closes on a screen with nothing focused,
        # Textual focuses the first focusable widget: the filter input, which would then
        # swallow q, j, k, g. The stream is where keys belong (also while it is empty).
        setattr(self._main, "AUTO_FOCUS", "#stream")  # noqa: B010 (a ClassVar, per screen)
        self.stream.focus()
        self.start_plan()  # before the endpoint: what is stored is scanned, not checked
        if self.capture is not None:
            from inspector.ingest import PortInUse, create_app, start_server

            try:
                self._runner, self.url = await start_server(
                    create_app(self.capture), self.settings.host, self.settings.port
                )
            except PortInUse as exc:
                self.startup_error = (
                    f"{exc}. Pick another port with --port N (or --port 0 for any free port)."
                )
                self.exit(return_code=2)
                return
            self._show_header()
            self._one(EmptyState).url = self.display_url
            self._refresh_empty_text()
            self._unsubscribe = self.store.subscribe(self._on_commit)
            if not self.settings.loopback:
                self.notify(
                    f"Listening on {self.settings.host}: reachable from other machines.",
                    severity="warning",
                    markup=False,
                )
        self.set_interval(self.refresh_interval, self._tick)
        self._start_build(with_totals=True)

    async def on_unmount(self) -> None:
        self.stop_plan()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()
        forwarder = getattr(self.capture, "forwarder", None)
        if forwarder is not None:
            await forwarder.close()

    def _show_header(self) -> None:
        label = self.session_label
        if not self.live:
            # The header already says "read-only session".
            label = label.removesuffix(" (read-only)")
        self._one(HeaderBar).show(self.url_label or self.url, label, not self.live)

    def _refresh_empty_text(self) -> None:
        self._one(EmptyState).refresh_text()

    def _on_commit(self) -> None:
        self._dirty = True

    # ------------------------------------------------------------------ data flow

    def _start_build(self, *, with_totals: bool = False) -> None:
        self._generation += 1
        self._building = True
        self._build_started = time.perf_counter()
        if self.flt.empty:
            self._one(FilterBar).set_match("loading…")
        else:
            self._one(FilterBar).set_match("filtering…")
        self._build(
            self._generation,
            self.flt,
            self.store.view_start,
            self.rejected_since,
            with_totals,
        )

    @work(thread=True, exclusive=True, group="view", exit_on_error=False)
    def _build(
        self, generation: int, flt: filters.Filter, view_start: int, since: int, totals: bool
    ) -> None:
        worker = get_current_worker()
        idx, tot = build_index(
            self.store.path, flt, view_start, since, lambda: worker.is_cancelled, totals
        )
        if not worker.is_cancelled:
            self.call_from_thread(self._install, generation, idx, tot)

    def _install(self, generation: int, index: ViewIndex, totals: Totals | None) -> None:
        if generation != self._generation:
            return
        self._building = False
        self.last_build_seconds = time.perf_counter() - self._build_started
        self.builds_done += 1
        if totals is not None:
            self.totals = totals
        self.stream.set_index(index)
        self._catch_up()
        self._update_match()
        self._update_empty()

    def _catch_up(self) -> None:
        """Read what was committed since the last look (small queries on the seq key)."""
        store = self.store
        vs = store.view_start
        t = self.totals
        n, errs, warns, hi = store.execute(
            "SELECT count(*), coalesce(sum(errors), 0), coalesce(sum(warnings), 0), max(seq) "
            "FROM messages WHERE seq > ? AND seq >= ?",
            (t.hi_seq, vs),
        )[0]
        if n:
            t.messages += n
            t.errors += errs
            t.warnings += warns
            t.hi_seq = hi
        rej = store.execute(
            "SELECT id FROM requests WHERE reason IS NOT NULL AND id > ? ORDER BY id",
            (max(t.hi_request, self.rejected_since),),
        )
        if rej:
            t.rejected += len(rej)
            t.hi_request = rej[-1][0]
        stream = self.stream
        added = stream.index.append(store, self.flt, vs, self.rejected_since)
        if added:
            if not stream.following:
                self.pending_new += added
            stream.grew(added)
        if added or n:
            # The "N of M match" total moves with every new message, matching or not.
            self._update_match()
            self._update_empty()

    def _tick(self) -> None:
        now = time.monotonic()
        if self._dirty and not self._building:
            self._dirty = False
            self._catch_up()
        self.stream.update_size_if_due()
        rate = 0.0
        if self.live:
            # Messages received, not loaded: reopening a big session live is not traffic.
            received = self.store.last_seq
            self._rate.append((now, received))
            while len(self._rate) > 2 and now - self._rate[0][0] > 2.0:
                self._rate.popleft()
            t0, n0 = self._rate[0]
            if now - t0 > 0.2:
                rate = max(0.0, (received - n0) / (now - t0))
        stream = self.stream
        self._one(StatusBar).show(
            messages=self.totals.messages,
            rejected=self.totals.rejected,
            errors=self.totals.errors,
            warnings=self.totals.warnings,
            rate=rate,
            following=stream.following,
            new=self.pending_new,
            note="" if self.live else "read-only",
            plan=self.plan_note,
        )
        self._sync_detail(now)

    def _sync_detail(self, now: float) -> None:
        """Show the selected row in the detail, once the cursor settles.

        Filling the detail means a layout of the screen; doing it for every row passed while
        a key is held (or for every tick while following 10,000 messages/s) would starve
        the keyboard, so it waits until the cursor has been still for DETAIL_SETTLE seconds
        and refreshes at most every DETAIL_FOLLOW_INTERVAL while following the tail.
        """
        stream = self.stream
        detail = self.detail
        key = stream.cursor_key
        if key == detail.key:
            return
        if now - stream.last_move < DETAIL_SETTLE:
            return
        if stream.following and now - self._detail_at < DETAIL_FOLLOW_INTERVAL and detail.key:
            return
        self._detail_at = now
        detail.show(self.store, key)

    def _update_match(self) -> None:
        bar = self._one(FilterBar)
        if self._building:
            return
        idx = self.stream.index
        if self.flt.empty:
            bar.set_match(plural(self.totals.messages, "message"))
        else:
            bar.set_match(f"{idx.messages:,} of {self.totals.messages:,} match")

    def _update_empty(self) -> None:
        empty = (
            len(self.stream.index) == 0
            and self.flt.empty
            and not self._building
            and self.totals.messages == 0
        )
        main = self._main
        if main.has_class("-empty") != empty:
            main.set_class(empty, "-empty")
            if not empty and (main.focused is None or main.focused is self._one(EmptyState)):
                self.call_after_refresh(self.stream.focus)

    # ------------------------------------------------------------------ filter

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(FILTER_DEBOUNCE, lambda: self.apply_filter(event.value))

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self.apply_filter(event.value)
        self.stream.focus()

    def apply_filter(self, text: str) -> None:
        """Parse ``text`` and rebuild the view (in a worker) if it changed."""
        try:
            flt = filters.parse(text)
        except filters.FilterError as exc:
            self._one(FilterBar).set_match(str(exc), error=True)
            return
        if flt.where == self.flt.where and flt.params == self.flt.params:
            self._update_match()
            return
        self.flt = flt
        self._start_build()

    # ------------------------------------------------------------------ actions

    def on_stream_view_follow_changed(self, event: StreamView.FollowChanged) -> None:
        if event.following:
            self.pending_new = 0
        self.refresh_bindings()

    def action_focus_filter(self) -> None:
        self._main.query_one("#filter", Input).focus()

    def action_focus_stream(self) -> None:
        """Escape: back to the stream; pressed on the stream, it clears an applied filter
        (as the help says), so one key undoes a filter wherever the focus is."""
        if self.stream.has_focus:
            for inp in self._main.query("#filter").results(Input):
                if inp.value:
                    inp.value = ""
        self.stream.focus()

    def action_focus_detail(self) -> None:
        self.detail.show(self.store, self.stream.cursor_key)
        self._main.query_one("#json-scroll").focus()

    def action_toggle_pause(self) -> None:
        stream = self.stream
        if stream.following:
            stream.set_following(False)
        else:
            stream.action_bottom()

    def action_pause(self) -> None:
        self.action_toggle_pause()

    def action_resume(self) -> None:
        self.action_toggle_pause()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The footer shows "p Pause" while following and "p Resume" while paused."""
        if action in ("pause", "resume"):
            try:
                following = self.stream.following
            except Exception:  # before mount
                following = True
            return following == (action == "pause")
        return super().check_action(action, parameters)

    def action_clear(self) -> None:
        if self.capture is not None:
            self.capture.reset()
        else:
            self.store.reset_view()
        self.rejected_since = self.store.last_request_id
        vs = self.store.view_start
        self._generation += 1
        self._building = False
        self.totals = Totals(hi_seq=vs - 1, hi_request=self.rejected_since)
        self.pending_new = 0
        self.stream.following = True
        self.stream.set_index(
            ViewIndex(hi_seq=vs - 1, hi_request=self.rejected_since, with_rejected=self.flt.empty)
        )
        self.detail.clear()
        self.diff_forget()
        self._dirty = True
        self._update_match()
        self._update_empty()
        self.notify("View cleared; earlier messages stay in the session file.")

    def _error_from(self, backwards: bool) -> None:
        stream = self.stream
        idx = stream.index
        key = stream.cursor_key
        if key is not None and key[0] == "m":
            after = key[1]
        else:
            k = idx.message_index(max(stream.cursor, 0))
            if backwards:
                after = idx.seqs[k] if k < len(idx.seqs) else idx.hi_seq + 1
            else:
                after = idx.seqs[k - 1] if k > 0 else 0
        seq = next_error_seq(self.store, self.flt, after, self.store.view_start, backwards)
        pos = idx.index_of_seq(seq) if seq is not None else None
        if pos is None:
            where = "above" if backwards else "below"
            self.notify(f"No message with an error {where}.", timeout=2)
            return
        stream.move_to(pos)

    def action_next_error(self) -> None:
        self._error_from(backwards=False)

    def action_previous_error(self) -> None:
        self._error_from(backwards=True)

    def action_toggle_request(self) -> None:
        self.detail.toggle_request()

    def action_copy_json(self) -> None:
        detail = self.detail
        detail.show(self.store, self.stream.cursor_key)
        text = detail.json_plain()
        what = "the JSON"
        if not text:
            key = self.stream.cursor_key
            if key is not None and key[0] == "r":
                req = self.store.request(key[1])
                text = req.body.decode("utf-8", "replace") if req else ""
                if text and not is_json(req.body if req else b""):
                    what = "the body"
        if not text:
            self.notify("Nothing selected to copy.", severity="warning", timeout=2)
            return
        self.copy_to_clipboard(text)
        self.notify(
            f"Copied {what} ({plural(len(text), 'character')}) to the clipboard.", timeout=2
        )

    def action_export(self) -> None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        base = self.store.path
        path = base.with_name(f"{base.stem}-export-{stamp}.ndjson")
        self.notify(f"Exporting the view to {path}…", markup=False, timeout=2)
        self._export(self.flt, path)

    @work(thread=True, group="export", exit_on_error=False)
    def _export(self, flt: filters.Filter, path: Path) -> None:
        try:
            n = export_view(self.store, flt, path)
        except Exception as exc:  # a full disk, a read-only directory
            self.call_from_thread(
                self.notify, f"Export failed: {exc}", severity="error", markup=False
            )
            return
        self.call_from_thread(
            self.notify, f"Exported {plural(n, 'message')} to {path}", markup=False, timeout=8
        )

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.display_url, self._write_key))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand(
            "Pause / resume", "Stop or resume following new messages", self.action_toggle_pause
        )
        yield SystemCommand(
            "Clear view", "Start an empty view (the session keeps everything)", self.action_clear
        )
        yield SystemCommand(
            "Next error", "Select the next message with an error", self.action_next_error
        )
        yield SystemCommand(
            "Previous error",
            "Select the previous message with an error",
            self.action_previous_error,
        )
        yield SystemCommand(
            "Copy message JSON", "Copy the selected message to the clipboard", self.action_copy_json
        )
        yield SystemCommand(
            "Export view", "Write the current (filtered) view to a file", self.action_export
        )
        yield SystemCommand(
            "Request metadata",
            "Toggle endpoint, writeKey, headers, size",
            self.action_toggle_request,
        )
        yield SystemCommand("Filter", "Focus the filter bar", self.action_focus_filter)
        yield SystemCommand("Help", "Keys, filter terms and SDK snippets", self.action_help)
        yield from self.diff_system_commands()
        yield from self.plan_system_commands()


def export_view(store: Store, flt: filters.Filter, path: Path) -> int:
    """Write the view's messages; uses inspector.export when it offers ``export_view``."""
    try:
        from inspector import export as exporters

        fn = getattr(exporters, "export_view", None)
    except ImportError:
        fn = None
    if fn is not None:
        result = fn(store, flt, "ndjson", path)
        return int(result) if isinstance(result, int) else store.count(flt.where, flt.params)
    n = 0
    with open(path, "wb") as fh:
        for m in store.iter_messages(flt.where, flt.params, include_hidden=False):
            fh.write(orjson.dumps(m.data) + b"\n")
            n += 1
    return n


def run(settings: Settings) -> int:
    """Bare `inspector`: endpoint + UI. Returns the process exit code."""
    from inspector.runtime import build_capture, discard_if_unused

    existed = settings.session is not None and settings.session.exists()
    capture = build_capture(settings)
    app = InspectorApp(capture=capture, settings=settings)
    saved = 0
    try:
        app.run()
        if not app.startup_error:
            saved = int(capture.store.execute("SELECT count(*) FROM messages")[0][0])
    finally:
        capture.store.close()
    if app.startup_error:
        discard_if_unused(settings.session, existed)
        print(f"inspector: {app.startup_error}", file=sys.stderr)
        return 2
    print(goodbye_line(capture.store.path, saved), file=sys.stderr)
    return app.return_code or 0


def goodbye_line(path: Path, messages: int) -> str:
    """What `inspector` prints when the UI closes: where the session is, how to reopen it."""
    quoted = shlex.quote(str(path))
    return (
        f"inspector: session saved to {path} ({plural(messages, 'message')}); "
        f"reopen it with `inspector open {quoted}`"
    )
