#!/usr/bin/env python3
"""Benchmark the local gateway against serverless-offline, side by side (not a test).

    .venv/bin/python bench/gateway.py [--seconds 10] [--warmup 5] [--functions 200] [--no-peer]

What it does, in one invocation:

1. Makes a project with ``ping`` plus ``--functions`` generated functions, and a state
   folder holding a user pool, the dev user and a valid ID token (RS256, verified by the
   gateway on every request: the authorizer caches nothing it must re-check).
2. Start-up: launches ``sdw dev`` as a user would (a subprocess, its request log going to a
   file) and times launch -> first 200 from ``POST /lib/ping`` with that token; three runs.
3. Load: warm ``POST /lib/ping`` at concurrency 1 and 16, for ``sdw dev --workers 1``
   and ``--workers 2`` (``--workers``), ``--seconds`` each after
   ``--warmup`` unrecorded seconds, with the loader the peer script uses (wrk when
   installed, else ../shared/peer-bench/load.py; ``LOADER=wrk|py`` forces one).
4. Handlers that raise (issue 10): with ``sdw dev --workers 1``, the same c16 load where
   a quarter of the calls go to ``interrupted``, a handler that raises
   ``KeyboardInterrupt`` (wrk only: it picks each call's path). Every such call must be
   answered 500 at once (Lambda's Runtime.ExitError) and every other call 200: the request
   log of the measured seconds is read back to count both, and the throughput is set
   beside the pure ``ping`` run's (``--no-interrupts`` skips it).
5. Runs ../shared/peer-bench/run_peer_bench.sh (serverless-offline, same loader, same
   durations) and prints one JSON object: ours, the peer's and the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PEER = ROOT.parent / "shared" / "peer-bench"
PING = "def handler(event, context):\n    return {'statusCode': 200, 'body': 'I am alive'}\n"
INTERRUPTED = "def handler(event, context):\n    raise KeyboardInterrupt\n"
GENERATED = "def handler(event, context):\n    return {{'statusCode': 200, 'body': {{'n': {n}}}}}\n"
WRK_LUA = """wrk.method = "POST"
wrk.body   = ""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"errors":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""

WRK_MIXED_LUA = """wrk.method = "POST"
wrk.body   = ""
local n = 0
request = function()
  n = n + 1
  if n % 4 == 0 then return wrk.format(nil, "/lib/interrupted") end
  return wrk.format(nil, "/lib/ping")
end
""" + WRK_LUA.split("\n", 2)[2]

sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def make_project(root: Path, count: int) -> None:
    lib = root / "functions" / "lib"
    (lib / "ping").mkdir(parents=True)
    (lib / "ping" / "handler.py").write_text(PING)
    (lib / "interrupted").mkdir()
    (lib / "interrupted" / "handler.py").write_text(INTERRUPTED)
    for n in range(count):
        folder = lib / f"fn_{n:03d}"
        folder.mkdir()
        (folder / "handler.py").write_text(GENERATED.format(n=n))
        (folder / "function.yml").write_text(f"description: generated function {n}\ntimeout: 10\n")


def make_token(state: Path, port: int) -> str:
    from sdw.local import create_local_user_pool, ensure_dev_user, local_base_url

    pool = create_local_user_pool(state, base_url=local_base_url("127.0.0.1", port))
    try:
        return ensure_dev_user(pool).id_token
    finally:
        pool.close()


def post_status(port: int, token: str) -> int | None:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            request = (
                f"POST /lib/ping HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
                "Content-Length: 0\r\nConnection: close\r\n\r\n"
            )
            sock.sendall(request.encode())
            head = sock.recv(64)
        return int(head.split(b" ", 2)[1])
    except (OSError, ValueError, IndexError):
        return None


def start_server(
    project: Path, state: Path, port: int, log: Path, workers: int = 1
) -> subprocess.Popen[bytes]:
    sdw = ROOT / ".venv" / "bin" / "sdw"
    command = [str(sdw) if sdw.exists() else "sdw", "dev", "--port", str(port), "--project-dir", str(project),
               "--state-dir", str(state), "--workers", str(workers)]
    with log.open("ab") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def time_startup(project: Path, state: Path, port: int, token: str, log: Path) -> float:
    started = time.perf_counter()
    proc = start_server(project, state, port, log)
    try:
        while time.perf_counter() - started < 30:
            if post_status(port, token) == 200:
                return time.perf_counter() - started
            if proc.poll() is not None:
                raise SystemExit(f"sdw dev exited early; see {log}")
            time.sleep(0.005)
        raise SystemExit("no 200 within 30 s")
    finally:
        stop_server(proc)


def run_load(
    loader: str, port: int, token: str, concurrency: int, seconds: int, warmup: int
) -> dict[str, Any]:
    url = f"http://127.0.0.1:{port}/lib/ping"
    header = f"Authorization: Bearer {token}"
    if loader == "wrk":
        threads = "1" if concurrency == 1 else "2"
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(WRK_LUA)
        try:
            base = ["wrk", f"-t{threads}", f"-c{concurrency}", "-s", script.name, "-H", header, url]
            subprocess.run([*base[:3], f"-d{warmup}s", *base[3:]], capture_output=True, check=False)
            time.sleep(1)
            out = subprocess.run([*base[:3], f"-d{seconds}s", *base[3:]], capture_output=True, text=True,
                                 check=True).stdout
        finally:
            os.unlink(script.name)
        line = next(x for x in out.splitlines() if x.startswith("WRKJSON "))
        data = json.loads(line.removeprefix("WRKJSON "))
        return {
            "rps": round(data["requests"] / (data["duration_us"] / 1e6), 1),
            "p50_ms": round(data["p50_us"] / 1000, 3),
            "p99_ms": round(data["p99_us"] / 1000, 3),
            "errors": data["errors"],
        }
    out = subprocess.run(
        [sys.executable, str(PEER / "load.py"), "--url", url, "--header", header,
         "--concurrency", str(concurrency), "--seconds", str(seconds), "--warmup", str(warmup)],
        capture_output=True, text=True, check=True,
    ).stdout
    data = json.loads(out)
    return {key: data[key] for key in ("rps", "p50_ms", "p99_ms", "errors")}


def run_wrk(script_text: str, url: str, header: str, concurrency: int, seconds: int) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(script_text)
    try:
        threads = "1" if concurrency == 1 else "2"
        out = subprocess.run(["wrk", f"-t{threads}", f"-c{concurrency}", f"-d{seconds}s", "-s", script.name,
                              "-H", header, url], capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    line = next(x for x in out.splitlines() if x.startswith("WRKJSON "))
    data: dict[str, Any] = json.loads(line.removeprefix("WRKJSON "))
    return data


def run_interrupted_mix(port: int, token: str, concurrency: int, seconds: int, warmup: int,
                        log: Path) -> dict[str, Any]:
    """A quarter of the calls to a handler raising KeyboardInterrupt; the request log says how each went."""
    url = f"http://127.0.0.1:{port}/lib/ping"
    header = f"Authorization: Bearer {token}"
    run_wrk(WRK_MIXED_LUA, url, header, concurrency, warmup)
    time.sleep(1)
    offset = log.stat().st_size
    data = run_wrk(WRK_MIXED_LUA, url, header, concurrency, seconds)
    time.sleep(0.5)  # the last lines of the request log
    with log.open("rb") as lines:
        lines.seek(offset)
        tail = lines.read().decode("utf-8", "replace").splitlines()
    counts: dict[str, int] = {}
    for line in tail:
        parts = line.split()
        if len(parts) >= 3 and parts[0] == "POST" and parts[1] in ("/lib/ping", "/lib/interrupted"):
            key = f"{parts[1].rsplit('/', 1)[1]}_{parts[2]}"
            counts[key] = counts.get(key, 0) + 1
    calls = sum(counts.values())
    rps = data["requests"] / (data["duration_us"] / 1e6)
    ping_share = counts.get("ping_200", 0) / calls if calls else 0.0
    return {
        "rps": round(rps, 1),
        "ping_rps": round(rps * ping_share, 1),
        "p50_ms": round(data["p50_us"] / 1000, 3),
        "p99_ms": round(data["p99_us"] / 1000, 3),
        "by_function_and_status": dict(sorted(counts.items())),
        "timed_out": sum(1 for line in tail if "Sandbox.Timedout" in line or "integration ran past" in line),
    }


def run_peer(loader: str, seconds: int, warmup: int) -> dict[str, Any] | None:
    script = PEER / "run_peer_bench.sh"
    if not script.exists():
        return None
    env = {**os.environ, "LOADER": loader, "SECONDS_PER_RUN": str(seconds), "WARMUP_S": str(warmup)}
    proc = subprocess.run(["bash", str(script), str(free_port())], capture_output=True, text=True, env=env,
                          check=False)
    if proc.returncode != 0:
        print(proc.stderr[-2000:], file=sys.stderr)
        return None
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--functions", type=int, default=200)
    parser.add_argument("--startup-runs", type=int, default=3)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2],
                        help="sdw dev --workers values to load (the first is the headline)")
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--no-interrupts", action="store_true", help="skip the KeyboardInterrupt mix")
    args = parser.parse_args()
    loader = os.environ.get("LOADER") or ("wrk" if shutil.which("wrk") else "py")
    work = Path(tempfile.mkdtemp(prefix="sdw-bench-"))
    try:
        project, state, log = work / "project", work / "state", work / "server.log"
        make_project(project, args.functions)
        port = free_port()
        token = make_token(state, port)
        startups = [time_startup(project, state, port, token, log) for _ in range(args.startup_runs)]
        loads: dict[int, dict[str, Any]] = {}
        for workers in args.workers:
            proc = start_server(project, state, port, log, workers)
            try:
                while post_status(port, token) != 200:
                    time.sleep(0.01)
                time.sleep(1)  # let the other worker processes come up
                c1 = run_load(loader, port, token, 1, args.seconds, args.warmup)
                c16 = run_load(loader, port, token, 16, args.seconds, args.warmup)
                mixed = None
                if workers == args.workers[0] and not args.no_interrupts and loader == "wrk":
                    mixed = run_interrupted_mix(port, token, 16, args.seconds, args.warmup, log)
                    mixed["ping_rps_over_pure_c16"] = round(mixed["ping_rps"] / c16["rps"], 2)
                    mixed["rps_over_pure_c16"] = round(mixed["rps"] / c16["rps"], 2)
            finally:
                stop_server(proc)
            loads[workers] = {
                "command": f"sdw dev --workers {workers}",
                **{f"c1_{k}": v for k, v in c1.items()},
                **{f"c16_{k}": v for k, v in c16.items()},
                **({"c16_quarter_keyboard_interrupt": mixed} if mixed is not None else {}),
            }
        ours = {
            "server": "sdw dev",
            "functions": args.functions + 1,
            "startup_s": round(statistics.median(startups), 3),
            "startup_runs_s": [round(s, 3) for s in startups],
            **loads[args.workers[0]],
            "by_workers": loads,
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    peer = None if args.no_peer else run_peer(loader, args.seconds, args.warmup)
    report: dict[str, Any] = {
        "loader": loader,
        "seconds": args.seconds,
        "warmup_s": args.warmup,
        "cpus": os.cpu_count(),
        "loadavg_at_end": [round(x, 2) for x in os.getloadavg()],
        "ours": ours,
        "peer": peer,
    }
    if peer:
        report["ratios"] = {
            f"workers_{workers}": {
                "c16_rps": round(load["c16_rps"] / peer["c16_rps"], 2),
                "c1_rps": round(load["c1_rps"] / peer["c1_rps"], 2),
                "c1_p50_ms_ours_over_peer": round(load["c1_p50_ms"] / peer["c1_p50_ms"], 2),
            }
            for workers, load in ours["by_workers"].items()
        }
        report["ratios"]["startup_peer_over_ours"] = round(peer["startup_s"] / ours["startup_s"], 2)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
