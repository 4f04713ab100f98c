"""Export streams in constant memory: export 100k and 1M messages, compare peak RSS.

Builds a session of N messages quickly (direct inserts into the real schema: 10-message
batch requests with small bodies), then exports it in a fresh child process per run, to a
null sink, and reports time, throughput and the child's peak RSS (``VmHWM``) over its
RSS before the export. Flat RSS between 100k and 1M messages is the claim.

    .venv/bin/python benchmarks/bench_export.py [--messages 1000000] [--formats ndjson,csv,json,har]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PER_REQUEST = 10


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _rss_kb() -> int:
    return _status_kb("VmRSS")


def _peak_kb() -> int:
    # VmHWM is this process's own high-water mark. (ru_maxrss is not: Linux carries the
    # parent's peak over fork + exec, so a child would report the builder's memory.)
    return _status_kb("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def build(path: Path, n: int) -> float:
    from inspector.store import Store

    Store(path).close()  # creates the schema
    t0 = time.perf_counter()
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("BEGIN")
    headers = json.dumps([["Content-Type", "application/json"], ["Host", "127.0.0.1:8787"]])
    seq = 0
    reqs: list[tuple[object, ...]] = []
    msgs: list[tuple[object, ...]] = []
    for rid in range(1, n // PER_REQUEST + 1):
        ts = f"2024-05-01T10:{(rid // 60000) % 60:02d}:{(rid // 1000) % 60:02d}.{rid % 1000:03d}Z"
        parts = []
        spans = []
        pos = len(b'{"batch":[')
        for _ in range(PER_REQUEST):
            seq += 1
            m = (
                f'{{"type":"track","event":"Order Completed","userId":"user-{seq % 5000}",'
                f'"messageId":"m-{seq}","timestamp":"{ts}","properties":{{"revenue":{seq % 97}.5,'
                f'"currency":"USD"}},"context":{{"library":{{"name":"analytics-python",'
                f'"version":"2.3.4"}}}}}}'
            ).encode()
            spans.append((pos, pos + len(m)))
            pos += len(m) + 1
            parts.append(m)
        body = b'{"batch":[' + b",".join(parts) + b'],"writeKey":"wk"}'
        reqs.append(
            (
                rid,
                ts,
                "POST",
                "/v1/batch",
                "ingest",
                200,
                None,
                "wk",
                headers,
                body,
                None,
                len(body),
                PER_REQUEST,
            )
        )
        viol = (
            b'[{"rule":"event-name/example","severity":"warning","path":"event","message":"x"}]'
            if seq % 10 == 0
            else None
        )
        for i, (a, b) in enumerate(spans):
            s = seq - PER_REQUEST + 1 + i
            msgs.append(
                (
                    s,
                    rid,
                    i,
                    a,
                    b,
                    ts,
                    "/v1/batch",
                    "wk",
                    "track",
                    "Order Completed",
                    f"user-{s % 5000}",
                    None,
                    f"m-{s}",
                    "analytics-python",
                    0,
                    1 if viol and i == PER_REQUEST - 1 else 0,
                    0,
                    viol if i == PER_REQUEST - 1 else None,
                    None,
                )
            )
        if len(msgs) >= 50_000:
            con.executemany("INSERT INTO requests VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", reqs)
            con.executemany(
                "INSERT INTO messages VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", msgs
            )
            reqs.clear()
            msgs.clear()
    if msgs:
        con.executemany("INSERT INTO requests VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", reqs)
        con.executemany("INSERT INTO messages VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", msgs)
    con.execute("COMMIT")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return time.perf_counter() - t0


def child(path: str, fmt: str, flt: str) -> None:
    from inspector.export import export_view
    from inspector.store import Store

    store = Store(path, readonly=True)
    rss0 = _rss_kb()
    t0 = time.perf_counter()
    with open(os.devnull, "wb") as out:
        n = export_view(store, flt, fmt, out, include_hidden=True)
    dt = time.perf_counter() - t0
    peak = _peak_kb()
    store.close()
    print(json.dumps({"n": n, "seconds": dt, "rss_before_kb": rss0, "peak_kb": peak}))


def run(path: Path, fmt: str, flt: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(path), fmt, flt],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--messages", type=int, default=1_000_000)
    ap.add_argument("--formats", default="ndjson,csv,json,har")
    ap.add_argument("--child", nargs=3, metavar=("SESSION", "FORMAT", "FILTER"))
    ap.add_argument("--keep", action="store_true", help="keep the generated session file")
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    n = args.messages
    small = max(n // 10, PER_REQUEST)
    with tempfile.TemporaryDirectory(prefix="bench-export-") as d:
        path = Path(d) / "bench.sqlite"
        secs = build(path, n)
        size = path.stat().st_size
        print(
            f"built a session of {n:,} messages in {secs:.1f} s ({size / 1e6:.0f} MB)",
            flush=True,
        )
        print()
        print(
            f"{'format':<7} {'messages':>10} {'seconds':>8} {'msg/s':>10} {'RSS before':>11} "
            f"{'peak RSS':>9} {'growth':>8}"
        )
        results = []
        for fmt in args.formats.split(","):
            for limit in (small, n):
                flt = f"seq:1..{limit}" if limit != n else ""
                r = run(path, fmt, flt)
                results.append((fmt, limit, r))
                rate = limit / r["seconds"] if r["seconds"] else 0
                print(
                    f"{fmt:<7} {limit:>10,} {r['seconds']:>8.2f} {rate:>10,.0f} "
                    f"{r['rss_before_kb'] / 1024:>9.1f}MB {r['peak_kb'] / 1024:>7.1f}MB "
                    f"{(r['peak_kb'] - r['rss_before_kb']) / 1024:>6.1f}MB",
                    flush=True,
                )
        print()
        for fmt in args.formats.split(","):
            rs = [r for f, _, r in results if f == fmt]
            a, b = rs[0]["peak_kb"], rs[1]["peak_kb"]
            print(
                f"{fmt}: peak RSS {a / 1024:.1f} MB for {small:,} vs {b / 1024:.1f} MB for "
                f"{n:,} messages ({(b - a) / 1024:+.1f} MB for {n / small:.0f}x the messages)"
            )
        if args.keep:
            kept = ROOT / "benchmarks" / "bench.sqlite"
            os.replace(path, kept)
            print(f"session kept at {kept}")


if __name__ == "__main__":
    main()
