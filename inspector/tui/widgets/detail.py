"""Detail of the selected row: violations and highlighted JSON, and the request metadata.

A ``TabbedContent`` so more views of the same message (the context diff) can be added as
tabs: ``Message`` (violations table + JSON with the violated lines marked) and ``Request``
(endpoint, writeKey, headers, sizes, gzip).
"""

from __future__ import annotations

import re
from typing import Any

import orjson
from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static, TabbedContent, TabPane

from inspector.ingest.service import basic_auth_user
from inspector.model import SEVERITY_RANK, Message, Violation
from inspector.safety import clean, safe_text
from inspector.store.session import RequestRecord
from inspector.tui.jsontext import SEVERITY_COLOR, json_text

LABEL = Style(color="#8a8a8a")
#: The header the importer puts on the synthetic request of each imported message.
IMPORT_HEADER = "x-inspector-import"
#: Longest quoted text ("...") shown inside a violation message, and longest message.
QUOTE_MAX = 48
VIOLATION_MAX = 320

#: Every quoted run, short ones too: matching them all, left to right, keeps the quotes
#: paired, so plain text between two quoted values is never taken for a quoted one.
_QUOTED = re.compile(r'"((?:[^"\\\n]|\\.)*)"')


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def is_json(body: bytes) -> bool:
    try:
        orjson.loads(body)
    except orjson.JSONDecodeError:
        return False
    return True


def header_value(value: str) -> str:
    """A header value as the client sent it.

    aiohttp decodes raw header bytes as latin-1, so UTF-8 text (a User-Agent with an
    accent) arrives as mojibake; re-decode it as UTF-8 when that is what it was.
    """
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def cap_quotes(text: str, limit: int = QUOTE_MAX) -> str:
    """Shorten every quoted run longer than ``limit`` the same way (user text in messages)."""

    def cut(m: re.Match[str]) -> str:
        if len(m.group(1)) <= limit:
            return m.group(0)
        inner = m.group(1).rstrip("…")
        return '"' + inner[: limit - 1] + '…"'

    return _QUOTED.sub(cut, text)


def imported_from(req: RequestRecord) -> str | None:
    for name, value in req.headers:
        if name.lower() == IMPORT_HEADER:
            return value
    return None


def _kv(out: Text, key: str, value: Text | str) -> None:
    out.append(f"{key:<12}", LABEL)
    out.append_text(value if isinstance(value, Text) else Text(value))
    out.append("\n")


def request_text(req: RequestRecord | None, message: Message | None = None) -> Text:
    """Request metadata as display text (every network string sanitized)."""
    out = Text(no_wrap=True, end="")
    if req is None:
        out.append("(request not found)")
        return out
    source = imported_from(req)
    if source is not None:
        # The importer stores each message as a synthetic request: no HTTP request happened.
        out.append("Imported from ", Style(bold=True))
        out.append_text(safe_text(header_value(source), "bold #a6e22e", max_len=400))
        out.append("\n")
        out.append("This message was read from a file, not received over HTTP: it has no\n", LABEL)
        out.append("endpoint, status or headers of its own.\n\n", LABEL)
        _kv(out, "imported", safe_text(req.received_at))
        if req.write_key:
            _kv(out, "writeKey", safe_text(req.write_key))
        if message is not None:
            _kv(out, "message", f"#{message.seq}")
            _kv(out, "json size", f"{len(message.raw):,} bytes")
        return out
    _kv(out, "endpoint", safe_text(f"{req.method} {req.path}", max_len=400))
    status = Text(str(req.status))
    if req.reason:
        status.append("  ")
        status.append_text(safe_text(req.reason, "bold #ff5f87", max_len=600))
    _kv(out, "status", status)
    _kv(out, "received", safe_text(req.received_at))
    write_key = req.write_key or basic_auth_user(req.headers)
    _kv(out, "writeKey", safe_text(write_key) if write_key else Text("(none)", LABEL))
    gz = req.body_encoding or "none"
    _kv(out, "wire size", f"{req.wire_size:,} bytes (Content-Encoding: {clean(gz, 40)})")
    _kv(
        out,
        "body size",
        f"{len(req.body):,} bytes" + (" after inflating" if req.body_encoding else ""),
    )
    if message is not None:
        _kv(out, "message", f"#{message.seq}, item {message.batch_index + 1} of the request")
        _kv(out, "json size", f"{len(message.raw):,} bytes")
    _kv(out, "request id", str(req.id))
    out.append("\nheaders\n", Style(bold=True))
    for name, value in req.headers:
        out.append("  ")
        out.append_text(safe_text(name, "#66d9ef", 200))
        out.append(": ")
        out.append_text(safe_text(header_value(value), max_len=1000))
        out.append("\n")
    return out


def violations_text(vs: list[Violation]) -> Text:
    """One entry a violation: severity, rule, path, then the message (wrapped)."""
    out = Text(end="")
    ordered = sorted(vs, key=lambda v: (SEVERITY_RANK.get(v.severity, 9), v.path))
    for n, v in enumerate(ordered):
        color = SEVERITY_COLOR.get(v.severity, "")
        out.append(f"{v.severity:<8}", Style(bold=True, color=color))
        out.append(" ")
        out.append_text(safe_text(v.rule, "bold", 80))
        out.append("  ")
        out.append_text(safe_text(v.path or "(message)", "#66d9ef", 120))
        out.append("  ")
        out.append_text(safe_text(cap_quotes(v.message), max_len=VIOLATION_MAX))
        if n < len(ordered) - 1:
            out.append("\n")
    return out


def _body_data(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return None


class TitleBar(Static):
    """One line: a prefix, a name cut with an ellipsis to fit, and a suffix kept whole."""

    def set_parts(self, prefix: Text, name: Text | None = None, *suffixes: Text) -> None:
        """``suffixes`` from the most to the least detailed: the first that leaves the name
        some room is shown."""
        self._parts = (prefix, name, suffixes)
        self._fit()

    def on_resize(self, event: events.Resize) -> None:
        if getattr(self, "_parts", None) is not None:
            self._fit()

    def _fit(self) -> None:
        prefix, name, suffixes = self._parts
        out = prefix.copy()
        width = self.content_region.width
        suffix = suffixes[0] if suffixes else None
        for suffix in suffixes:
            room = width - prefix.cell_len - suffix.cell_len
            if not width or room >= min(24, name.cell_len if name is not None else 0):
                break
        if name is not None:
            room = width - prefix.cell_len - (suffix.cell_len if suffix else 0)
            shown = name.copy()
            if width > 0 and shown.cell_len > max(room, 12):
                shown.truncate(max(room, 12) - 1)
                shown.append("…")
            out.append_text(shown)
        if suffix is not None:
            out.append_text(suffix)
        out.no_wrap = True
        out.overflow = "ellipsis"
        self.update(out, layout=False)
        if not width:
            # Not laid out yet (the pane was hidden): fit again once it has a width, since a
            # first layout does not always send a Resize.
            self.call_after_refresh(self._refit)

    def _refit(self) -> None:
        if self.content_region.width:
            self._fit()


class DetailPane(Vertical):
    """What the selected stream row contains."""

    DEFAULT_CSS = """
    DetailPane #detail-title {
        height: 1; padding: 0 1; background: $panel; text-wrap: nowrap; text-overflow: ellipsis;
    }
    DetailPane #violations-scroll { height: auto; max-height: 8; border-bottom: solid $panel; }
    DetailPane #violations { width: 1fr; }
    DetailPane #json-scroll, DetailPane #request-scroll { height: 1fr; }
    DetailPane #json, DetailPane #request { width: auto; }
    """

    def compose(self) -> ComposeResult:
        yield TitleBar(id="detail-title")
        with TabbedContent(initial="tab-message", id="detail-tabs"):
            with TabPane("Message", id="tab-message"):
                with VerticalScroll(id="violations-scroll"):
                    yield Static(id="violations")
                with VerticalScroll(id="json-scroll"):
                    yield Static(id="json")
            with TabPane("Request", id="tab-request"), VerticalScroll(id="request-scroll"):
                yield Static(id="request")

    def on_mount(self) -> None:
        self.clear()

    # ------------------------------------------------------------------ content

    def clear(self) -> None:
        self.key: tuple[str, int] | None = None
        self.message: Message | None = None
        self._title(Text("Nothing selected", LABEL))
        self._set_violations([])
        self.query_one("#json", Static).update("")
        self.query_one("#request", Static).update("")

    def _title(self, prefix: Text, name: Text | None = None, *suffixes: Text) -> None:
        self.query_one("#detail-title", TitleBar).set_parts(prefix, name, *suffixes)

    def _set_violations(self, vs: list[Violation]) -> None:
        self.query_one("#violations-scroll").display = bool(vs)
        self.query_one("#violations", Static).update(violations_text(vs))

    def show(self, store: Any, key: tuple[str, int] | None) -> None:
        if key == self.key:
            return
        if key is None:
            self.clear()
            return
        self.key = key
        kind, ident = key
        if kind == "m":
            self._show_message(store, ident)
        else:
            self._show_rejected(store, ident)

    def _show_message(self, store: Any, seq: int) -> None:
        m: Message | None = store.get(seq)
        self.message = m
        if m is None:
            self._title(Text(f"#{seq} not found", LABEL))
            return
        prefix = Text(no_wrap=True, end="")
        prefix.append(f"#{m.seq} ", Style(bold=True))
        prefix.append_text(safe_text(m.type or "?", "bold", 20))
        name = m.data.get("event") or m.data.get("name") if isinstance(m.data, dict) else None
        name_text: Text | None = None
        if isinstance(name, str) and name:
            prefix.append(" ")
            name_text = safe_text(name, "bold #a6e22e", 200)
        req: RequestRecord | None = store.request(m.request_id)
        where = "imported" if req is not None and imported_from(req) is not None else m.endpoint
        counts = Text(no_wrap=True, end="")
        errs = sum(1 for v in m.violations if v.severity == "error")
        warns = sum(1 for v in m.violations if v.severity == "warning")
        infos = len(m.violations) - errs - warns
        title = counts
        if m.violations:
            title.append(
                plural(errs, "error"), Style(color=SEVERITY_COLOR["error"], bold=bool(errs))
            )
            title.append(", ", LABEL)
            title.append(plural(warns, "warning"), Style(color=SEVERITY_COLOR["warning"]))
            title.append(f", {infos} info", LABEL)
        else:
            title.append("no violations", Style(color="#5faf5f"))
        when = clean(m.received_at, 40)
        full = Text(f"  ·  {when}  ·  {clean(where, 80)}  ·  ", LABEL, end="") + counts
        shorter = Text(f"  ·  {when[11:23]}  ·  {clean(where, 80)}  ·  ", LABEL, end="") + counts
        shortest = Text("  ·  ", LABEL, end="") + counts
        self._title(prefix, name_text, full, shorter, shortest)
        self._set_violations(m.violations)
        text, marks = json_text(m.data, m.violations)
        self.query_one("#json", Static).update(text)
        # Bring the first marked line into view (with a little context above it).
        first = min(marks) if marks else 0
        scroll = self.query_one("#json-scroll")
        self.call_after_refresh(scroll.scroll_to, 0, max(0, first - 3), animate=False)
        self.query_one("#request", Static).update(request_text(req, m))

    def _show_rejected(self, store: Any, rid: int) -> None:
        self.message = None
        req: RequestRecord | None = store.request(rid)
        title = Text(no_wrap=True, end="")
        title.append("REJECTED ", Style(bold=True, color=SEVERITY_COLOR["error"]))
        if req is not None:
            title.append_text(safe_text(f"{req.status} {req.method} {req.path}", max_len=200))
            title.append(f"  ·  {clean(req.received_at, 40)}", LABEL)
        self._title(title)
        reason = req.reason if req is not None else "request not found"
        self._set_violations([Violation("request/rejected", "error", "", reason or "rejected")])
        body = req.body if req is not None else b""
        data = _body_data(body) if body else None
        if data is not None:
            text, _ = json_text(data)
        else:
            shown = body[:20000].decode("utf-8", "replace")
            text = Text(no_wrap=True, end="")
            text.append("body (not JSON):\n", LABEL)
            for line in shown.split("\n"):
                text.append_text(safe_text(line, max_len=2000))
                text.append("\n")
        self.query_one("#json", Static).update(text)
        self.query_one("#request", Static).update(request_text(req))

    # ------------------------------------------------------------------ tabs

    def toggle_request(self) -> None:
        tabs = self.query_one("#detail-tabs", TabbedContent)
        tabs.active = "tab-request" if tabs.active == "tab-message" else "tab-message"

    def json_plain(self) -> str:
        """The selected message JSON as the SDK sent it, pretty-printed (for copying)."""
        if self.message is None:
            return ""
        try:
            return orjson.dumps(self.message.data, option=orjson.OPT_INDENT_2).decode()
        except TypeError:
            import json

            return json.dumps(self.message.data, indent=2, ensure_ascii=False)
