"""Benchmark of the terminal UI on a big session, with the real app running headless.

Measures, and prints against the targets of issue 9:

- time to open a 1,000,000-message session (app start until the stream shows its last rows);
- time to apply a filter on it (Enter in the filter bar until the match count shows);
- keypress-to-repaint latency (p50/p95) while 10,000 messages/s arrive over HTTP;
- resident memory of the process (peak).

The session file is written directly with SQLite (the store's own DDL) because posting a
million messages would take minutes; the load during the latency test is real HTTP from a
separate process to the app's bound port on 127.0.0.1.

Run: ``.venv/bin/python benchmarks/bench_tui.py`` (about a minute; ``--messages N`` to scale).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import orjson  # noqa: E402

TARGETS = {"open": 2.0, "filter": 1.0, "latency_p95": 0.100, "rss_mb": 400.0}

EVENTS = [
    "Order Completed",
    "Product Viewed",
    "Product Added",
    "Checkout Started",
    "Page Viewed",
    "Signed Up",
    "click",
    "Video Played",
]
LIBS = ["analytics.js", "analytics-node", "analytics-python", "analytics-swift", "analytics-kotlin"]


def build_session(path: Path, n: int, per_request: int = 100) -> None:
    """A session of ``n`` messages, written with executemany (bodies kept tiny)."""
    from inspector.store import Store

    Store(path).close()  # schema
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    rnd = random.Random(7)
    viol = orjson.dumps(
        [
            {
                "rule": "reserved/revenue-type",
                "severity": "error",
                "path": "properties.revenue",
                "message": "properties.revenue is a string; send a number.",
            }
        ]
    )
    warn = orjson.dumps(
        [
            {
                "rule": "event-name/non-descriptive",
                "severity": "warning",
                "path": "event",
                "message": 'Event name "click" is not descriptive.',
            }
        ]
    )
    seq = 0
    rid = 0
    t0 = 1_741_944_413.0
    con.execute("BEGIN")
    while seq < n:
        rid += 1
        k = min(per_request, n - seq)
        ev = EVENTS[rid % len(EVENTS)]
        body = orjson.dumps(
            {"type": "track", "userId": f"user_{rid % 5000}", "event": ev, "properties": {"n": rid}}
        )
        ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t0 + rid * 0.01)) + ".000Z"
        con.execute(
            "INSERT INTO requests VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                rid,
                ts,
                "POST",
                "/v1/batch",
                "ingest",
                200,
                None,
                "wk",
                b"[]",
                body,
                None,
                len(body),
                k,
            ),
        )
        rows = []
        for j in range(k):
            seq += 1
            name = EVENTS[seq % len(EVENTS)]
            errors = 1 if name == "Order Completed" and seq % 3 == 0 else 0
            warnings = 1 if name == "click" else 0
            rows.append(
                (
                    seq,
                    rid,
                    j,
                    0,
                    len(body),
                    ts,
                    "/v1/batch",
                    "wk",
                    "track",
                    name,
                    f"user_{rnd.randrange(5000)}",
                    None,
                    None,
                    LIBS[seq % len(LIBS)],
                    errors,
                    warnings,
                    0,
                    viol if errors else (warn if warnings else None),
                    None,
                )
            )
        con.executemany("INSERT INTO messages VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        if rid % 500 == 0:
            con.execute("COMMIT")
            con.execute("BEGIN")
    con.execute("COMMIT")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


# ------------------------------------------------------------------ load generator


async def _load(url: str, rate: int, seconds: float, batch: int, clients: int = 4) -> None:
    """Post ``rate`` messages/s in batches of ``batch`` from ``clients`` concurrent senders
    (like a few SDK instances, each with one request in flight, as the SDKs do)."""
    import aiohttp

    bodies = []
    for b in range(20):
        msgs = [
            {
                "type": "track",
                "userId": f"load_{b}_{i}",
                "event": EVENTS[i % len(EVENTS)],
                "messageId": f"load-{b}-{i}",
                "properties": {"i": i},
                "context": {"library": {"name": "bench-load", "version": "1"}},
            }
            for i in range(batch)
        ]
        bodies.append(orjson.dumps({"batch": msgs, "writeKey": "wk"}))
    interval = batch / rate
    sent = 0
    ok = 0
    sem = asyncio.Semaphore(clients)
    loop = asyncio.get_running_loop()
    start = loop.time()
    conn = aiohttp.TCPConnector(limit=clients)

    async with aiohttp.ClientSession(connector=conn) as http:

        async def one(body: bytes) -> None:
            nonlocal ok
            async with sem:
                try:
                    async with http.post(
                        url + "/v1/batch", data=body, headers={"Content-Type": "application/json"}
                    ) as r:
                        await r.read()
                        if r.status == 200:
                            ok += batch
                except aiohttp.ClientError:
                    pass

        tasks = []
        n = 0
        while loop.time() - start < seconds:
            target = start + n * interval
            delay = target - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(bodies[n % len(bodies)])))
            sent += batch
            n += 1
        await asyncio.gather(*tasks)
    elapsed = loop.time() - start
    print(f"{sent} {ok} {elapsed:.3f}", flush=True)


# ------------------------------------------------------------------ the measurements


def send_key(app: Any, key: str) -> None:
    """Deliver a key the way a terminal does (through the driver), without Pilot's idle wait."""
    from textual import events

    event = events.Key(key, None)
    event.set_sender(app)
    app._driver.send_message(event)


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident memory of this process in MB."""
    cur = peak = 0.0
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                cur = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    return cur, peak


async def measure(path: Path, n: int, rate: int, seconds: float) -> dict[str, Any]:
    from inspector.config import Settings
    from inspector.ingest.service import Capture
    from inspector.store import Store
    from inspector.tui.app import InspectorApp

    res: dict[str, Any] = {}
    t_open = time.perf_counter()
    store = Store(path)
    app = InspectorApp(capture=Capture(store), settings=Settings(port=0))
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            stream = app.stream
            deadline = time.perf_counter() + 60
            while not (
                app.builds_done
                and len(stream.index) >= n
                and stream.painted_cursor == len(stream.index) - 1
            ):
                await asyncio.sleep(0.002)
                if time.perf_counter() > deadline:
                    raise RuntimeError("the session did not open within 60 s")
            res["open"] = time.perf_counter() - t_open
            last = stream.render_line(stream.size.height - 1).text
            assert "track" in last, last

            # -------- filters (Enter in the filter bar until the match count shows)
            res["filters"] = []
            for text in ('event:"Order Completed" has:error', "lib:swift", "user_42"):
                await pilot.press("slash", *text)
                before = app.builds_done
                t0 = time.perf_counter()
                send_key(app, "enter")
                while app.builds_done == before or app._building:
                    await asyncio.sleep(0.002)
                elapsed = time.perf_counter() - t0
                match = str(app._main.query_one("#match").render())
                res["filters"].append((text, elapsed, match))
                await pilot.press("slash", "escape", "escape")
                while app._building or app.flt.text:
                    await asyncio.sleep(0.005)
            res["filter"] = max(e for _, e, _ in res["filters"])

            # -------- latency under load
            await pilot.press("G")
            await pilot.pause(0.2)
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                __file__,
                "--load",
                str(app.url),
                "--rate",
                str(rate),
                "--seconds",
                str(seconds),
                stdout=subprocess.PIPE,
            )
            await asyncio.sleep(0.5)  # let the load ramp up
            lat: list[float] = []
            keys = ["up", "up", "down", "up", "down", "down"]
            k = 0
            t_end = time.perf_counter() + seconds - 1.0
            before_msgs = app.totals.messages
            t_load = time.perf_counter()
            while time.perf_counter() < t_end:
                stream.painted_cursor = -2
                moves = stream.moves
                t0 = time.perf_counter()
                send_key(app, keys[k % len(keys)])
                while stream.moves == moves or stream.painted_cursor != stream.cursor:
                    await asyncio.sleep(0.0005)
                    if time.perf_counter() - t0 > 5:
                        break
                lat.append(time.perf_counter() - t0)
                k += 1
                await asyncio.sleep(0.03)  # a fast typist: ~30 keys a second
            seen_rate = (app.totals.messages - before_msgs) / (time.perf_counter() - t_load)
            out, _ = await proc.communicate()
            sent, ok, elapsed = out.decode().split()
            res["load_sent_rate"] = int(sent) / float(elapsed)
            res["load_ok_rate"] = int(ok) / float(elapsed)
            res["ui_seen_rate"] = seen_rate
            lat.sort()
            res["latency_n"] = len(lat)
            res["latency_p50"] = statistics.median(lat)
            res["latency_p95"] = lat[int(0.95 * (len(lat) - 1))]
            res["latency_max"] = lat[-1]
            await pilot.pause(0.3)
            res["messages_after"] = app.totals.messages
            res["rss_mb"], res["rss_peak_mb"] = rss_mb()
    finally:
        store.close()
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--messages", type=int, default=1_000_000)
    ap.add_argument("--rate", type=int, default=10_000)
    ap.add_argument("--seconds", type=float, default=6.0)
    ap.add_argument("--keep", type=Path, default=None, help="reuse/keep the session file here")
    ap.add_argument("--load", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--batch", type=int, default=100, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.load:
        asyncio.run(_load(a.load, a.rate, a.seconds, a.batch))
        return 0

    tmp = tempfile.TemporaryDirectory(prefix="bench-tui-")
    path = a.keep or Path(tmp.name) / "big.sqlite"
    if not path.exists():
        t0 = time.perf_counter()
        build_session(path, a.messages)
        print(
            f"built {a.messages:,}-message session in {time.perf_counter() - t0:.1f} s "
            f"({path.stat().st_size / 1e6:.0f} MB)",
            flush=True,
        )
    res = asyncio.run(measure(path, a.messages, a.rate, a.seconds))
    tmp.cleanup()

    def row(what: str, value: str, target: str, ok: bool | None) -> None:
        verdict = "" if ok is None else ("PASS" if ok else "FAIL")
        print(f"{what:<46} {value:>12} {target:>10}  {verdict}")

    print()
    print(f"{'measure':<46} {'value':>12} {'target':>10}")
    print("-" * 76)
    row(
        f"open a {a.messages:,}-message session",
        f"{res['open']:.2f} s",
        "< 2 s",
        res["open"] < TARGETS["open"],
    )
    for text, secs, match in res["filters"]:
        row(f"filter {text!r}", f"{secs:.2f} s", "< 1 s", secs < TARGETS["filter"])
        print(f"{'':<6}shown: {match}")
    row(
        f"keypress-to-repaint p50 under load ({res['latency_n']} keys)",
        f"{res['latency_p50'] * 1000:.1f} ms",
        "",
        None,
    )
    row(
        "keypress-to-repaint p95 under load",
        f"{res['latency_p95'] * 1000:.1f} ms",
        "< 100 ms",
        res["latency_p95"] < TARGETS["latency_p95"],
    )
    row("keypress-to-repaint max under load", f"{res['latency_max'] * 1000:.1f} ms", "", None)
    row("load offered (messages/s over HTTP)", f"{res['load_sent_rate']:,.0f}", "10,000", None)
    row("load accepted (200 answers, messages/s)", f"{res['load_ok_rate']:,.0f}", "", None)
    row("messages/s seen by the UI during the test", f"{res['ui_seen_rate']:,.0f}", "", None)
    row(
        "resident memory, peak",
        f"{res['rss_peak_mb']:.0f} MB",
        "< 400 MB",
        res["rss_peak_mb"] < TARGETS["rss_mb"],
    )
    ok = (
        res["open"] < TARGETS["open"]
        and res["filter"] < TARGETS["filter"]
        and res["latency_p95"] < TARGETS["latency_p95"]
        and res["rss_peak_mb"] < TARGETS["rss_mb"]
    )
    print("-" * 76)
    print("all targets met" if ok else "some targets missed")
    return 0 if ok else 1


if __name__ == "__main__":
    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
    sys.exit(main())
