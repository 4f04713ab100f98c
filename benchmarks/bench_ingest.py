"""Ingest benchmark: the real inspector against a bare aiohttp handler, same machine, same run.

    .venv/bin/python benchmarks/bench_ingest.py [--seconds 8] [--connections 32]

Load comes from wrk (Debian package `wrk`; C, one thread) so the client is not the
bottleneck; each request carries unique messageIds so the session rules see realistic
traffic. The inspector runs exactly as users run it (`inspector serve --headless`, its
per-message output sent to /dev/null), writes a real session file with a commit before
every 200, and validates every message. Prints a table with the targets.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MESSAGE = (
    '{"messageId":"bench-%s","type":"track","event":"Product Viewed","userId":"user-42",'
    '"anonymousId":"6f1c2a0e-8d9b-4c1e-9f3a-2b7d5e4a1c90",'
    '"properties":{"product_id":"507f1f77bcf86cd799439011","sku":"G-32","category":"Games",'
    '"name":"Monopoly: 3rd Edition","brand":"Hasbro","variant":"200 pieces","price":18.99,'
    '"quantity":1,"currency":"USD","position":3,"url":"https://www.example.com/product/path",'
    '"image_url":"https://www.example.com/product/path.jpg"},'
    '"context":{"library":{"name":"analytics-python","version":"2.3.4"},"ip":"203.0.113.7",'
    '"locale":"en-US","timezone":"Europe/Amsterdam",'
    '"userAgent":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"},'
    '"integrations":{},"timestamp":"%s"}'
)

BARE_SERVER = textwrap.dedent(
    """
    import sys
    from aiohttp import web

    async def handle(request):
        await request.read()
        return web.json_response({"success": True})

    app = web.Application()
    app.router.add_post("/v1/{tail:.*}", handle)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
    """
)


def lua_script(batch: int) -> str:
    msg = MESSAGE.replace('"', '\\"').replace("%s", "%s")
    if batch == 1:
        body = f'string.format("{msg}", counter, ts)'
        path = "/v1/track"
    else:
        body = (
            "(function() local parts = {} "
            f'for i = 1, {batch} do parts[i] = string.format("{msg}", counter .. "-" .. i, ts) end '
            'return "{\\"batch\\":[" .. table.concat(parts, ",") .. "],\\"writeKey\\":\\"bench\\"}" end)()'
        )
        path = "/v1/batch"
    return textwrap.dedent(
        f"""
        counter = 0
        request = function()
          counter = counter + 1
          local ts = os.date("!%Y-%m-%dT%H:%M:%S.000Z")
          local body = {body}
          return wrk.format("POST", "{path}", {{["Content-Type"] = "application/json", ["Authorization"] = "Basic YmVuY2g6"}}, body)
        end
        """
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server on port {port} did not start")


def run_wrk(port: int, script: Path, seconds: int, connections: int) -> dict[str, float]:
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    lat = {}
    for pct in ("50", "99"):
        m = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)", out)
        if m:
            v = float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]
            lat[pct] = v
    return {
        "rps": rps,
        "requests": total,
        "non2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": 1 if errors else 0,
        "p50": lat.get("50", float("nan")),
        "p99": lat.get("99", float("nan")),
    }


def start(cmd: list[str], port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    try:
        wait_port(port)
    except RuntimeError:
        proc.kill()
        raise RuntimeError(
            proc.stderr.read().decode() if proc.stderr else "server failed"
        ) from None
    return proc


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--connections", type=int, default=32)
    args = ap.parse_args()
    if not shutil.which("wrk"):
        print("bench_ingest: wrk is not installed; run `apt-get install -y wrk`", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="inspector-bench-"))
    scripts = {n: tmp / f"batch{n}.lua" for n in (1, 100)}
    for n, p in scripts.items():
        p.write_text(lua_script(n))
    bare_py = tmp / "bare.py"
    bare_py.write_text(BARE_SERVER)

    results: dict[str, dict[str, float]] = {}
    sessions: dict[str, Path] = {}
    for name, batch in (("single", 1), ("batch100", 100)):
        port = free_port()
        proc = start([sys.executable, str(bare_py), str(port)], port)
        try:
            results[f"bare/{name}"] = run_wrk(port, scripts[batch], args.seconds, args.connections)
        finally:
            stop(proc)
        port = free_port()
        session = tmp / f"{name}.sqlite"
        sessions[name] = session
        cmd = [
            sys.executable,
            "-m",
            "inspector",
            "serve",
            "--headless",
            "--port",
            str(port),
            "--session",
            str(session),
        ]
        proc = start(cmd, port)
        try:
            results[f"inspector/{name}"] = run_wrk(
                port, scripts[batch], args.seconds, args.connections
            )
        finally:
            stop(proc)

    # Every acknowledged request's messages must be in the session file.
    stored = {}
    for name, session in sessions.items():
        con = sqlite3.connect(session)
        stored[name] = con.execute("SELECT count(*) FROM messages").fetchone()[0]
        violations = con.execute(
            "SELECT count(*) FROM messages WHERE violations IS NOT NULL"
        ).fetchone()[0]
        con.close()
        stored[name + "/violations"] = violations

    single_ratio = results["inspector/single"]["rps"] / results["bare/single"]["rps"]
    batch_eps = results["inspector/batch100"]["rps"] * 100
    rows = [
        ("bare aiohttp, single event", results["bare/single"], 1),
        ("inspector, single event", results["inspector/single"], 1),
        ("bare aiohttp, 100-event batch", results["bare/batch100"], 100),
        ("inspector, 100-event batch", results["inspector/batch100"], 100),
    ]
    print(
        f"\nIngest benchmark: {os.cpu_count()} cores, wrk -t1 -c{args.connections} -d{args.seconds}s\n"
    )
    print(
        f"{'server / payload':34} {'req/s':>10} {'events/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}"
    )
    print("-" * 84)
    for label, r, n in rows:
        print(
            f"{label:34} {r['rps']:10.0f} {r['rps'] * n:10.0f} {r['p50']:8.2f} {r['p99']:8.2f} {int(r['non2xx']):8d}"
        )
    print()
    ok1 = single_ratio >= 0.7
    ok2 = batch_eps >= 50_000
    print(f"{'target':52} {'measured':>12} {'result':>8}")
    print("-" * 74)
    print(
        f"{'single-event req/s >= 0.7x bare handler':52} {single_ratio:11.2f}x {'PASS' if ok1 else 'FAIL':>8}"
    )
    print(
        f"{'100-event batches >= 50,000 events/s (durable, validated)':52} {batch_eps:12.0f} {'PASS' if ok2 else 'FAIL':>8}"
    )
    for name, batch in (("single", 1), ("batch100", 100)):
        acked = (
            int(results[f"inspector/{name}"]["requests"] - results[f"inspector/{name}"]["non2xx"])
            * batch
        )
        print(
            f"session {name}: {stored[name]} messages stored (wrk completed {acked}), "
            f"{stored[name + '/violations']} with violations"
        )
    shutil.rmtree(tmp, ignore_errors=True)
    return 0 if ok1 and ok2 else 1


if __name__ == "__main__":
    sys.exit(main())
