"""inspector export / open / sessions / replay at the command line."""

from __future__ import annotations

import asyncio
import json
import os
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiohttp import web
from click.testing import CliRunner

from inspector.cli import main
from inspector.importer import import_file
from inspector.ingest.service import Capture, iso
from inspector.spec import Engine
from inspector.store import Store, StoreError

TS = "2024-05-01T10:00:00.000Z"


def _make_session(path: Path, n: int = 6) -> Path:
    """A session captured through the real pipeline (no server needed)."""
    store = Store(path)
    capture = Capture(store, Engine())

    async def go() -> None:
        msgs = []
        for i in range(n):
            m: dict[str, Any] = {
                "type": "track" if i % 2 == 0 else "page",
                "messageId": f"m-{i}",
                "userId": f"u{i % 3}",
                "timestamp": TS,
            }
            if i % 2 == 0:
                m["event"] = "Order Completed" if i % 4 == 0 else "Signed Up"
            else:
                m["name"] = "Home"
            msgs.append(m)
        await capture.ingest(
            "POST",
            "/v1/batch",
            [("Content-Type", "application/json"), ("Host", "127.0.0.1:8787")],
            orjson.dumps({"batch": msgs, "writeKey": "wk"}),
            call_type=None,
            batch=True,
        )
        await capture.ingest(
            "POST", "/v1/batch", [("Host", "127.0.0.1:8787")], b"{bad", call_type=None, batch=True
        )

    asyncio.run(go())
    store.close()
    return path


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "data"
    monkeypatch.setenv("INSPECTOR_DATA_DIR", str(d))
    (d / "sessions").mkdir(parents=True)
    return d / "sessions"


def _run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


# ----------------------------------------------------------------------- export


def test_export_ndjson_to_stdout_with_a_filter(tmp_path: Path) -> None:
    s = _make_session(tmp_path / "s.sqlite")
    r = _run("export", str(s))
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert len(lines) == 6 and all(json.loads(x)["receivedAt"] for x in lines)
    r = _run("export", str(s), "type:track", "-event:Signed Up")
    assert r.exit_code == 0
    assert [json.loads(x)["messageId"] for x in r.stdout.splitlines()] == ["m-0", "m-4"]
    r = _run("export", str(s), 'event:"Order Completed"')
    assert len(r.stdout.splitlines()) == 2


def test_export_formats_and_output_file(tmp_path: Path) -> None:
    s = _make_session(tmp_path / "s.sqlite")
    har = tmp_path / "out.har"
    r = _run("export", str(s), "-o", str(har))
    assert r.exit_code == 0 and "wrote 2 requests" in r.stderr
    assert json.loads(har.read_text())["log"]["version"] == "1.2"
    r = _run("export", str(s), "--format", "csv")
    assert r.stdout.splitlines()[0].startswith("seq,receivedAt,type,event")
    r = _run("export", str(s), "-f", "json", "-o", str(tmp_path / "x.data"))
    assert json.loads((tmp_path / "x.data").read_text())["counts"] == {"messages": 6, "rejected": 1}


def test_export_round_trip_through_the_cli(tmp_path: Path) -> None:
    s = _make_session(tmp_path / "s.sqlite")
    first, second = tmp_path / "a.ndjson", tmp_path / "b.ndjson"
    assert _run("export", str(s), "-o", str(first)).exit_code == 0
    # export accepts an NDJSON file as its source (imported on the fly).
    assert _run("export", str(first), "-o", str(second)).exit_code == 0
    assert first.read_bytes() == second.read_bytes()


def test_export_by_session_name_and_last(tmp_path: Path, data_dir: Path) -> None:
    _make_session(data_dir / "session-a.sqlite", 2)
    time.sleep(0.01)
    newest = _make_session(data_dir / "session-b.sqlite", 4)
    os.utime(newest, (time.time() + 5, time.time() + 5))
    assert len(_run("export", "session-a").stdout.splitlines()) == 2
    assert len(_run("export", "session-a.sqlite").stdout.splitlines()) == 2
    assert len(_run("export", "last").stdout.splitlines()) == 4


@pytest.mark.parametrize(
    "args, needle",
    [
        (["export", "nope.sqlite"], "no such file or session"),
        (["export", "{s}", 'event:"unclosed'], "quote"),
        (["export", "{s}", "bogus:term"], "unknown filter term"),
        (["export", "{bad}"], "neither a session"),
        (["export", "{s}", "-o", "{bad}/x.ndjson"], "cannot write"),
    ],
)
def test_export_errors_are_one_line_exit_2(tmp_path: Path, args: list[str], needle: str) -> None:
    s = _make_session(tmp_path / "s.sqlite")
    bad = tmp_path / "bad.txt"
    bad.write_text("this is not json\nat all\n")
    (tmp_path / "d").mkdir()
    args = [a.format(s=s, bad=bad, dir=tmp_path / "d") for a in args]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 2, r.output
    assert r.stderr.startswith("inspector: ") and needle in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.output


# ----------------------------------------------------------------------- open


class FakeApp:
    instances: list[FakeApp] = []

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs
        self.return_code = 0
        FakeApp.instances.append(self)

    def run(self) -> None:
        store = self.kwargs["store"]
        self.seen = (store.readonly, store.count(), store.path)


def test_open_session_read_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import inspector.tui.app as tui

    FakeApp.instances = []
    monkeypatch.setattr(tui, "InspectorApp", FakeApp)
    s = _make_session(tmp_path / "s.sqlite")
    r = _run("open", str(s))
    assert r.exit_code == 0
    app = FakeApp.instances[0]
    assert app.seen == (True, 6, s)
    assert app.kwargs["settings"].session == s


def test_open_ndjson_imports_into_the_sessions_dir(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import inspector.tui.app as tui

    FakeApp.instances = []
    monkeypatch.setattr(tui, "InspectorApp", FakeApp)
    s = _make_session(tmp_path / "s.sqlite")
    nd = tmp_path / "bug report.ndjson"
    _run("export", str(s), "-o", str(nd))
    r = _run("open", str(nd))
    assert r.exit_code == 0, r.output
    assert "imported 6 messages" in r.stderr
    readonly, count, path = FakeApp.instances[0].seen
    assert readonly and count == 6 and path.parent == data_dir
    assert path.name == "bug_report-imported.sqlite"
    # Opening it again makes a second session rather than touching the first.
    _run("open", str(nd))
    assert FakeApp.instances[1].seen[2].name == "bug_report-imported-2.sqlite"
    # The imported session lists like any other.
    listing = _run("sessions").stdout
    assert "bug_report-imported" in listing


def test_open_listen_runs_the_live_ui_on_that_session(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import inspector.tui.app as tui

    seen: list[Any] = []
    monkeypatch.setattr(tui, "run", lambda settings: seen.append(settings) or 0)
    s = _make_session(tmp_path / "s.sqlite")
    r = _run("open", str(s), "--listen", "--port", "0")
    assert r.exit_code == 0
    assert seen[0].session == s and seen[0].port == 0


# ----------------------------------------------------------------------- sessions


def test_sessions_list_and_prune(data_dir: Path) -> None:
    paths = []
    for i in range(4):
        p = _make_session(data_dir / f"session-{i}.sqlite", i + 1)
        age = (4 - i) * 86400  # session-0 is 4 days old, session-3 one day
        os.utime(p, (time.time() - age, time.time() - age))
        paths.append(p)
    r = _run("sessions")
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert lines[0].split()[:2] == ["NAME", "STARTED"]
    assert [ln.split()[0] for ln in lines[1:5]] == [f"session-{i}" for i in (3, 2, 1, 0)]
    assert "4 sessions" in lines[-1]
    rows = [json.loads(x) for x in _run("sessions", "--json").stdout.splitlines()]
    assert [(x["name"], x["messages"], x["rejected"]) for x in rows][0] == ("session-3", 4, 1)
    assert rows[0]["started"].endswith("Z") and rows[0]["size"] > 0

    r = _run("sessions", "prune", "--older-than", "2.5d", "--dry-run")
    assert "would delete session-0" in r.stdout and "would delete session-1" in r.stdout
    assert all(p.exists() for p in paths)
    r = _run("sessions", "prune", "--older-than", "2.5d")
    assert r.exit_code == 0 and not paths[0].exists() and not paths[1].exists()
    r = _run("sessions", "prune", "--keep", "1")
    assert "deleted session-2" in r.stdout and paths[3].exists() and not paths[2].exists()
    assert not any(p.name.startswith("session-2") for p in data_dir.iterdir())


def test_sessions_errors(data_dir: Path) -> None:
    r = CliRunner().invoke(main, ["sessions", "prune"])
    assert r.exit_code == 2 and "needs --older-than" in r.stderr
    r = CliRunner().invoke(main, ["sessions", "prune", "--older-than", "soon"])
    assert r.exit_code == 2 and "duration" in r.stderr
    assert "no saved sessions" in _run("sessions").stdout


# ----------------------------------------------------------------------- replay


@pytest.fixture
def upstream() -> Iterator[Any]:
    """An HTTP server in a thread of its own (the CLI runs its own event loop)."""
    state: dict[str, Any] = {"status": [200], "bodies": []}
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: dict[str, Any] = {}

    async def handle(request: web.Request) -> web.Response:
        state["bodies"].append(await request.read())
        statuses = state["status"]
        status = statuses.pop(0) if len(statuses) > 1 else statuses[0]
        return web.json_response({"success": status == 200}, status=status)

    async def start() -> None:
        app = web.Application()
        app.router.add_post("/v1/batch", handle)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        holder["runner"] = runner
        state["url"] = f"http://127.0.0.1:{runner.addresses[0][1]}"
        ready.set()

    t = threading.Thread(target=loop.run_forever, daemon=True)
    t.start()
    asyncio.run_coroutine_threadsafe(start(), loop)
    ready.wait(5)
    yield state
    asyncio.run_coroutine_threadsafe(holder["runner"].cleanup(), loop).result(5)
    loop.call_soon_threadsafe(loop.stop)
    t.join(5)
    loop.close()


def test_replay_cli_success_and_summary(tmp_path: Path, upstream: Any) -> None:
    s = _make_session(tmp_path / "s.sqlite")
    r = _run("replay", str(s), "--to", upstream["url"], "--write-key", "stage", "type:track")
    assert r.exit_code == 0, r.output
    assert "3 sent, 3 accepted, 0 failed, 0 skipped" in r.stderr
    body = json.loads(upstream["bodies"][0])
    assert body["writeKey"] == "stage" and len(body["batch"]) == 3
    assert all("receivedAt" not in m for m in body["batch"])


def test_replay_cli_failure_exit_1(tmp_path: Path, upstream: Any) -> None:
    upstream["status"] = [400]
    s = _make_session(tmp_path / "s.sqlite")
    r = _run("replay", str(s), "--to", upstream["url"])
    assert r.exit_code == 1
    assert "0 accepted, 6 failed" in r.stderr and "HTTP 400" in r.stderr


def test_replay_cli_retries_then_succeeds(tmp_path: Path, upstream: Any) -> None:
    upstream["status"] = [503, 200]
    s = _make_session(tmp_path / "s.sqlite")
    nd = tmp_path / "s.ndjson"
    _run("export", str(s), "-o", str(nd))
    r = _run("replay", str(nd), "--to", upstream["url"] + "/v1")
    assert r.exit_code == 0, r.output
    assert "6 accepted" in r.stderr and "1 retry" in r.stderr


def test_replay_cli_warns_once_when_no_write_key_is_known(tmp_path: Path, upstream: Any) -> None:
    # NDJSON carries no writeKey: say so once, and point at --write-key.
    s = _make_session(tmp_path / "s.sqlite")
    nd = tmp_path / "s.ndjson"
    _run("export", str(s), "-o", str(nd))
    r = _run("replay", str(nd), "--to", upstream["url"], "--rate", "3")
    assert r.exit_code == 0, r.output
    assert r.stderr.count("warning: no writeKey") == 1 and "--write-key" in r.stderr
    r2 = _run("replay", str(nd), "--to", upstream["url"], "--write-key", "k")
    assert "warning" not in r2.stderr


@pytest.mark.parametrize(
    "args, needle",
    [
        (["--to", "ftp://x"], "http(s) URL"),
        (["--to", "http://127.0.0.1:99999"], "port is not 1-65535"),
        (["--to", "http://[::1"], "http(s) URL"),
        (["--to", "http://[zz"], "http(s) URL"),
        (["--to", "http://127.0.0.1:1", "--rate", "fast"], "--rate"),
        (["--to", "http://127.0.0.1:1", "bogus:x"], "unknown filter term"),
    ],
)
def test_replay_cli_usage_errors(tmp_path: Path, args: list[str], needle: str) -> None:
    s = _make_session(tmp_path / "s.sqlite")
    started = time.monotonic()
    r = CliRunner().invoke(main, ["replay", str(s), *args])
    assert r.exit_code == 2 and needle in r.stderr and "Traceback" not in r.output
    assert len(r.stderr.splitlines()) == 1 and r.stdout == ""
    assert time.monotonic() - started < 10  # refused up front, not after retries


def test_iso_is_segment_shape() -> None:
    from datetime import UTC, datetime

    assert iso(datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)) == "2024-01-02T03:04:05.678Z"


def test_open_with_a_plan_rechecks_into_a_new_session(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import inspector.tui.app as tui
    from inspector.store import Store

    FakeApp.instances = []
    monkeypatch.setattr(tui, "InspectorApp", FakeApp)
    root = Path(__file__).resolve().parents[1]
    r = _run(
        "open",
        str(root / "examples" / "session.ndjson"),
        "--plan",
        str(root / "examples" / "plan.yaml"),
    )
    assert r.exit_code == 0, r.output
    _, count, path = FakeApp.instances[0].seen
    assert count == 13 and path.parent == data_dir
    with Store(path, readonly=True) as st:
        rules = {v.rule for m in st.messages() for v in m.violations}
    assert {"plan/unplanned-event", "plan/missing-required", "plan/wrong-type"} <= rules
    assert FakeApp.instances[0].kwargs["settings"].plan.endswith("plan.yaml")


def test_open_with_a_broken_plan_is_a_one_line_error(tmp_path: Path, data_dir: Path) -> None:
    bad = tmp_path / "plan.yaml"
    bad.write_text("events: [[[")
    s = _make_session(tmp_path / "s.sqlite")
    r = _run("open", str(s), "--plan", str(bad))
    assert r.exit_code == 2
    assert r.stderr.startswith("inspector: ") and "Traceback" not in r.output


def test_a_session_being_written_is_neither_opened_for_writing_nor_pruned(
    data_dir: Path,
) -> None:
    p = _make_session(data_dir / "session-live.sqlite", 2)
    writer = Store(p)  # as a running `inspector serve` holds it
    try:
        with pytest.raises(StoreError, match="another running inspector"):
            Store(p)
        r = _run("open", str(p), "--listen", "--port", "0")
        assert r.exit_code == 2
        assert "being written by another running inspector" in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1
        r = _run("sessions", "prune", "--keep", "0")
        assert "kept session-live.sqlite: a running inspector is writing it" in r.stdout
        assert p.exists()
        assert Store(p, readonly=True).messages()  # reading it is fine
    finally:
        writer.close()
    r = _run("sessions", "prune", "--keep", "0")  # the writer stopped: now it may go
    assert "deleted session-live" in r.stdout and not p.exists()


# ----------------------------------------------------------------------- review findings


def test_empty_ndjson_is_zero_messages_everywhere(
    tmp_path: Path, data_dir: Path, upstream: Any
) -> None:
    # An empty session exports to an empty file; every command reads it back as nothing.
    s = Store(tmp_path / "empty.sqlite")
    s.close()
    e = tmp_path / "e.ndjson"
    r = _run("export", str(tmp_path / "empty.sqlite"), "-o", str(e))
    assert r.exit_code == 0 and e.read_bytes() == b""
    assert "wrote 0 messages" in r.stderr
    r = _run("export", str(e))
    assert r.exit_code == 0 and r.stdout_bytes == b"", r.output
    r = _run("replay", str(e), "--to", upstream["url"])
    assert r.exit_code == 0 and "0 messages read" in r.stderr, r.output
    assert _run("check", str(e)).exit_code == 0
    imported = import_file(e, tmp_path / "e.sqlite")
    assert imported.count() == 0
    imported.close()


def test_bom_before_ndjson_is_accepted(tmp_path: Path) -> None:
    s = _make_session(tmp_path / "s.sqlite")
    plain = _run("export", str(s)).stdout_bytes
    bom = tmp_path / "bom.ndjson"
    bom.write_bytes(b"\xef\xbb\xbf" + plain)
    r = _run("export", str(bom))
    assert r.exit_code == 0, r.output
    assert r.stdout_bytes == plain


def test_export_keeps_an_existing_mode_and_honours_the_umask(tmp_path: Path) -> None:
    s = _make_session(tmp_path / "s.sqlite")
    p = tmp_path / "p.csv"
    p.write_text("old")
    p.chmod(0o664)
    assert _run("export", str(s), "-o", str(p)).exit_code == 0
    assert p.stat().st_mode & 0o777 == 0o664 and p.read_text() != "old"
    old = os.umask(0o027)
    try:
        q = tmp_path / "q.ndjson"
        assert _run("export", str(s), "-o", str(q)).exit_code == 0
    finally:
        os.umask(old)
    assert q.stat().st_mode & 0o777 == 0o640


def test_export_into_a_missing_directory_is_a_usage_error(tmp_path: Path) -> None:
    s = _make_session(tmp_path / "s.sqlite")
    target = tmp_path / "nonexistent" / "dir" / "x.ndjson"
    r = _run("export", str(s), "-o", str(target))
    assert r.exit_code == 2
    assert r.stderr.count("\n") == 1 and "does not exist" in r.stderr
    assert not (tmp_path / "nonexistent").exists()


def test_export_messages_grammar_and_filter_recorded_as_typed(tmp_path: Path) -> None:
    s = _make_session(tmp_path / "s.sqlite", n=1)
    out = tmp_path / "one.json"
    r = _run("export", str(s), "-o", str(out), "event:Order Completed")
    assert r.exit_code == 0
    assert "wrote 1 message to" in r.stderr
    doc = json.loads(out.read_bytes())
    assert doc["inspector"]["filter"] == 'event:"Order Completed"'
    assert doc["counts"]["messages"] == 1


def test_open_options_that_need_listen_are_usage_errors(tmp_path: Path) -> None:
    s = _make_session(tmp_path / "s.sqlite")
    for opt in (["--port", "9999"], ["--host", "0.0.0.0"], ["--write-key", "k"]):
        r = _run("open", str(s), *opt)
        assert r.exit_code == 2, opt
        assert r.stderr.count("\n") == 1 and "needs --listen" in r.stderr and opt[0] in r.stderr


def test_sessions_listing_leaves_no_wal_or_shm_files(data_dir: Path) -> None:
    _make_session(data_dir / "a.sqlite")
    before = sorted(p.name for p in data_dir.iterdir())
    assert before == ["a.sqlite"]
    r = _run("sessions")
    assert r.exit_code == 0 and "1 session," in r.output
    assert "6" in r.output
    assert sorted(p.name for p in data_dir.iterdir()) == before
    r = _run("sessions", "--json")
    assert json.loads(r.output)["messages"] == 6
    assert sorted(p.name for p in data_dir.iterdir()) == before


def test_check_and_diff_take_session_names_and_last(data_dir: Path) -> None:
    _make_session(data_dir / "named.sqlite")
    for name in ("last", "named", "named.sqlite"):
        r = _run("check", name)
        assert r.exit_code in (0, 1), r.output
        assert "6 messages" in r.output
        r = _run("diff", name, "1", "2")
        assert r.exit_code == 0, r.output
        assert "--- #1" in r.output
    r = _run("check", "nope")
    assert r.exit_code == 2 and "no such file or session: nope" in r.stderr


def test_a_reset_hides_messages_from_the_running_inspector_only(tmp_path: Path) -> None:
    p = _make_session(tmp_path / "s.sqlite", 3)
    with Store(p) as live:
        live.reset_view()  # the UI's clear, or POST /inspector/reset
        assert live.messages() == []
    reopened = Store(p, readonly=True)  # what `inspector open` shows
    try:
        assert [m.seq for m in reopened.messages()] == [1, 2, 3]
        assert reopened.rejected_count() == reopened.rejected_count(include_hidden=True)
    finally:
        reopened.close()
    with Store(p) as appending:  # `inspector open --listen`
        assert [m.seq for m in appending.messages()] == [1, 2, 3]


@pytest.mark.parametrize("where", ["file-in-the-way", "unwritable"])
def test_a_session_path_that_cannot_be_written_is_explained(tmp_path: Path, where: str) -> None:
    if where == "file-in-the-way":
        (tmp_path / "f").write_text("x")
        path, needle = tmp_path / "f" / "s.sqlite", "a file of that name is in the way"
    else:
        path, needle = Path("/proc/inspector-test/s.sqlite"), "choose another path with --session"
    r = _run("serve", "--headless", "--port", "0", "--session", str(path))
    assert r.exit_code == 2
    assert needle in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_open_listen_on_a_busy_port_fails_before_importing(data_dir: Path, tmp_path: Path) -> None:
    import socket

    src = tmp_path / "in.ndjson"
    src.write_text('{"type":"track","event":"Order Completed","userId":"u1"}\n')
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = _run("open", str(src), "--listen", "--port", str(port))
    assert r.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}: address already in use." in r.stderr
    assert list(data_dir.iterdir()) == []  # nothing imported into a session nobody will see


def test_sessions_json_dates_are_both_utc_with_a_z(data_dir: Path) -> None:
    from datetime import UTC, datetime

    s = _make_session(data_dir / "one.sqlite")
    os.utime(s, (1714557600, 1714557600))  # 2024-05-01T10:00:00Z
    [row] = [json.loads(x) for x in _run("sessions", "--json").stdout.splitlines()]
    assert row["modified"] == "2024-05-01T10:00:00Z"
    assert row["started"].endswith("Z")
    assert datetime.fromisoformat(row["modified"]).tzinfo == UTC
    listing = _run("sessions").stdout
    assert "2024-05-01 10:00:00" in listing


@pytest.mark.parametrize("kind", ["ndjson", "json", "har"])
def test_replay_takes_a_filter_on_any_file_as_export_does(
    tmp_path: Path, upstream: Any, kind: str
) -> None:
    s = _make_session(tmp_path / "s.sqlite")
    f = tmp_path / f"s.{kind}"
    assert _run("export", str(s), "-o", str(f)).exit_code == 0
    exported = _run("export", str(f), "type:track", "-f", "ndjson").stdout.splitlines()
    r = _run("replay", str(f), "--to", upstream["url"], "--write-key", "k", "type:track")
    assert r.exit_code == 0, r.output
    sent = [m for b in upstream["bodies"] for m in json.loads(b)["batch"]]
    assert [m["messageId"] for m in sent] == [json.loads(x)["messageId"] for x in exported]
    assert [m["messageId"] for m in sent] == ["m-0", "m-2", "m-4"]
    assert "3 accepted" in r.stderr
    r = CliRunner().invoke(main, ["replay", str(f), "--to", upstream["url"], "bogus:x"])
    assert r.exit_code == 2 and "unknown filter term" in r.stderr
    assert len(r.stderr.splitlines()) == 1


def test_open_with_a_broken_plan_and_a_missing_file_names_the_plan(
    tmp_path: Path, data_dir: Path
) -> None:
    # docs/plans.md: a plan that does not load stops the command before anything else.
    r = _run("open", "--plan", str(tmp_path / "plan.yaml"), str(tmp_path / "session.sqlite"))
    assert r.exit_code == 2
    assert "plan.yaml" in r.stderr and "session.sqlite" not in r.stderr, r.stderr
    assert "no such file or session" not in r.stderr


def test_paths_printed_by_the_cli_are_cleaned(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file name with terminal escapes is shown escaped, never written raw to the
    terminal: export's "wrote", open's "imported", the sessions listing."""
    import inspector.tui.app as tui

    FakeApp.instances = []
    monkeypatch.setattr(tui, "InspectorApp", FakeApp)
    s = _make_session(tmp_path / "s.sqlite")
    out = tmp_path / "out\x1b[2J.ndjson"
    r = _run("export", str(s), "-o", str(out))
    assert r.exit_code == 0, r.output
    assert "\x1b" not in r.stderr
    assert "wrote 6 messages to " + str(tmp_path) + "/out\\e[2J.ndjson" in r.stderr
    r = _run("open", str(out))
    assert r.exit_code == 0, r.output
    assert "\x1b" not in r.stderr and "out\\e[2J.ndjson into" in r.stderr
    weird = tmp_path / "dir\x1b]0;x\x07"
    weird.mkdir()
    r = _run("sessions", "--dir", str(weird))
    assert "\x1b" not in r.output and "\x07" not in r.output
    assert "dir\\e]0;x\\x07" in r.output
    _make_session(weird / "s\x1b[31m.sqlite")
    r = _run("sessions", "--dir", str(weird), "prune", "--keep", "0", "--dry-run")
    assert "\x1b" not in r.output and "would delete s\\e[31m.sqlite" in r.output


@pytest.mark.parametrize("tty", [True, False])
def test_imports_show_progress_on_a_terminal_only(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch, tty: bool
) -> None:
    """`open` (and `export` of a file other than a session) draw `importing: N messages
    (P%)` on stderr, rewritten in place, when stderr is a terminal; then the line is
    cleared and the final "imported" line is printed. Nothing extra otherwise."""
    import inspector.cli_sessions as cli_sessions
    import inspector.importer as importer
    import inspector.tui.app as tui

    FakeApp.instances = []
    monkeypatch.setattr(tui, "InspectorApp", FakeApp)
    monkeypatch.setattr(cli_sessions, "_stderr_tty", lambda: tty)
    monkeypatch.setattr(importer, "PROGRESS_INTERVAL", 0.0)
    s = _make_session(tmp_path / "s.sqlite", n=3000)
    nd = tmp_path / "big.ndjson"
    assert _run("export", str(s), "-o", str(nd)).exit_code == 0
    for args in (["open", str(nd)], ["open", str(s), "--plan", _plan(tmp_path)]):
        r = _run(*args)
        assert r.exit_code == 0, r.output
        err = r.stderr
        assert err.rstrip().split("\n")[-1].endswith(".sqlite")
        assert "inspector: imported 3000 messages" in err.rstrip().split("\n")[-1]
        if tty:
            assert re.match(r"\rimporting: [\d,]+ messages? \(\d+%\)\x1b\[K", err), err
            if args[1] == str(nd):
                assert err.startswith("\rimporting: 1 message (0%)\x1b[K")
            assert "\r\x1b[Kinspector: imported 3000 messages" in err
        else:
            assert "importing" not in err and "\r" not in err
    r = _run("export", str(nd), "-o", str(tmp_path / "again.ndjson"))
    assert ("\rimporting: " in r.stderr) is tty and "wrote 3000 messages" in r.stderr


def _plan(tmp_path: Path) -> str:
    plan = tmp_path / "plan.yaml"
    plan.write_text("events:\n  Order Completed:\n    properties: {}\n")
    return str(plan)
