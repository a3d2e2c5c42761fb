#!/usr/bin/env python3
"""Benchmark of the durable flow engine (sdw.local's LocalFlowEngine), printed as one JSON object.

    .venv/bin/python bench/flows.py                  # every part
    .venv/bin/python bench/flows.py --part durable   # one part: http, durable or memory

Parts (issue 4's "Measure"):

* ``http``: the start-and-poll round trip of dummy2StepFlow (the repo's example: two
  Tasks) through the real server, with a valid JWT: ``POST /run/dummy2StepFlow``, then
  ``GET /run/dummy2StepFlow/<id>`` until SUCCEEDED. The figure is the time from sending
  the start to reading SUCCEEDED, at concurrency 1; the client polls as fast as it gets
  answers. ``sdw dev`` is started as a user would, as a subprocess on a free port.
* ``durable``: 200 executions of a 20-state flow started at once (16 start threads)
  on one engine, every transition checkpointed (``CheckpointPolicy(every=1)``), WAL
  with ``synchronous = FULL``. Persisted transitions per second = states entered by all
  executions / time from the first start to the last end. Two flows: ``mixed20`` (Pass,
  Choice and two Tasks calling a warm function) and ``pass20`` (20 Pass states: the
  engine's own cost, no function calls). Also with a batch policy (a checkpoint only
  when an execution waits: ``every=1000``) to show what per-transition snapshots cost.
* ``memory``: sdw.asl's in-process driver (``Interpreter``, virtual time, tasks as
  Python callables) running the same definitions the same number of times, one after
  another; the ratio durable / memory is the cost of durability.

A transition is a state entered (what Step Functions bills). Times are wall-clock,
best of ``--repeat`` runs (the machine is shared).
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
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sdw.asl import Interpreter, validate_definition  # noqa: E402
from sdw.local import CheckpointPolicy, LocalInvoker, WorkerPool, create_flow_engine  # noqa: E402
from sdw.project import load_project  # noqa: E402

ACCOUNT = "000000000000"
REGION = "us-east-1"
ECHO_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:echo"
ECHO = "def handler(event, context):\n    return event\n"


def twenty_states(with_tasks: bool) -> dict[str, Any]:
    """A chain of 20 states: Pass with ResultPath, a Choice at 10, and Tasks at 5 and 15."""
    states: dict[str, Any] = {}
    for i in range(20):
        following = f"S{i + 1}"
        state: dict[str, Any]
        if with_tasks and i in (5, 15):
            state = {"Type": "Task", "Resource": "${echoArn}", "Next": following}
        elif with_tasks and i == 10:
            state = {
                "Type": "Choice",
                "Default": following,
                "Choices": [{"Variable": "$.n", "NumericGreaterThanEquals": 0, "Next": following}],
            }
        else:
            state = {"Type": "Pass", "Result": i, "ResultPath": f"$.r{i % 4}", "Next": following}
        if i == 19:
            state.pop("Next")
            state["End"] = True
        states[f"S{i}"] = state
    return {"StartAt": "S0", "States": states}


def write_project(root: Path) -> None:
    (root / "functions" / "lib" / "echo").mkdir(parents=True)
    (root / "functions" / "lib" / "echo" / "handler.py").write_text(ECHO)
    (root / "flows").mkdir()
    for name, tasks in (("mixed20", True), ("pass20", False)):
        document: dict[str, Any] = {"name": name, "definition": twenty_states(tasks)}
        if tasks:
            document["functions"] = [{"name": "echo", "handler": "functions/lib/echo/handler.handler"}]
        (root / "flows" / f"{name}.yml").write_text(json.dumps(document))


# --------------------------------------------------------------------------- durable
def run_durable(root: Path, flow: str, count: int, policy: CheckpointPolicy) -> dict[str, Any]:
    state = Path(tempfile.mkdtemp(prefix="state-", dir=root))
    project = load_project(
        root, validate_definition=validate_definition, region=REGION, account_id=ACCOUNT
    ).project
    invoker = LocalInvoker(project, pool=WorkerPool(64), region=REGION, account_id=ACCOUNT)
    engine = create_flow_engine(project, state, invoker, region=REGION, account_id=ACCOUNT, policy=policy)
    try:
        invoker.invoke("echo", {})  # import the handler once: warm, as in sdw dev after the first call
        began = time.perf_counter()
        with ThreadPoolExecutor(16) as starters:
            arns = list(
                starters.map(
                    lambda i: engine.start(flow, {"n": i}, owner="bench").execution_arn, range(count)
                )
            )
        started = time.perf_counter()
        ends = [engine.wait(arn, timeout=120) for arn in arns]
        elapsed = time.perf_counter() - began
        assert all(end.status == "SUCCEEDED" for end in ends), {end.status for end in ends}
        entered = sum(
            1 for e in engine.history(arns[0], limit=1000).items if e["type"].endswith("StateEntered")
        )
        transitions = entered * count
        return {
            "executions": count,
            "transitions": transitions,
            "seconds": round(elapsed, 3),
            "start_seconds": round(started - began, 3),
            "transitions_per_s": round(transitions / elapsed),
            "commits": engine.journal.commits,
            "writes": engine.journal.writes,
            "db_bytes": sum(p.stat().st_size for p in state.iterdir() if p.name.startswith("flows.db")),
        }
    finally:
        engine.close()
        shutil.rmtree(state, ignore_errors=True)


# --------------------------------------------------------------------------- memory
def run_memory(root: Path, flow: str, count: int) -> dict[str, Any]:
    project = load_project(
        root, validate_definition=validate_definition, region=REGION, account_id=ACCOUNT
    ).project
    found = project.flow(flow)
    assert found is not None
    interpreter = Interpreter(tasks={ECHO_ARN: lambda event, context: event}, virtual_time=True)
    began = time.perf_counter()
    for i in range(count):
        result = interpreter.run(found.definition, {"n": i})
        assert result.status == "SUCCEEDED"
    elapsed = time.perf_counter() - began
    transitions = 20 * count
    return {
        "executions": count,
        "transitions": transitions,
        "seconds": round(elapsed, 3),
        "transitions_per_s": round(transitions / elapsed),
    }


# --------------------------------------------------------------------------- http
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def request(method: str, url: str, token: str, body: bytes | None = None) -> Any:
    req = urllib.request.Request(url, data=body, method=method, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=10) as response:
        return json.loads(response.read())


def run_http(rounds: int) -> dict[str, Any]:
    state = Path(tempfile.mkdtemp(prefix="sdw-bench-flows-"))
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [
        sys.executable,
        "-c",
        "from sdw.cli import main; main()",
        "dev",
        "--project-dir",
        str(ROOT),
        "--state-dir",
        str(state),
        "--port",
        str(port),
        "--quiet",
    ]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    try:
        token = ""
        assert server.stdout is not None
        for raw in server.stdout:
            line = raw.decode()
            if "Authorization: Bearer " in line:
                token = line.split("Authorization: Bearer ", 1)[1].split("'", 1)[0]
            if line.startswith("Listening on"):
                break
        base = f"http://127.0.0.1:{port}"
        times = []
        polls = []
        for i in range(rounds):
            began = time.perf_counter()
            started = request("POST", f"{base}/run/dummy2StepFlow", token, json.dumps({"value": i}).encode())
            url = f"{base}/run/dummy2StepFlow/{started['executionId']}"
            count = 0
            while True:
                count += 1
                described = request("GET", url, token)
                if described["status"] != "RUNNING":
                    break
            times.append(time.perf_counter() - began)
            polls.append(count)
            assert described["status"] == "SUCCEEDED" and described["output"] == {"value": (i + 1) * 2}, (
                described
            )
        times.sort()
        return {
            "rounds": rounds,
            "p50_ms": round(statistics.median(times) * 1000, 2),
            "p90_ms": round(times[int(len(times) * 0.9)] * 1000, 2),
            "p99_ms": round(times[int(len(times) * 0.99)] * 1000, 2),
            "polls_p50": statistics.median(polls),
        }
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(state, ignore_errors=True)


def best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return max(runs, key=lambda run: run["transitions_per_s"])


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--part", choices=["http", "durable", "memory"], action="append")
    parser.add_argument("--executions", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=200, help="start-and-poll round trips (http)")
    args = parser.parse_args()
    parts = args.part or ["http", "durable", "memory"]
    report: dict[str, Any] = {"cpus": os.cpu_count(), "load_before": os.getloadavg()[0]}
    root = Path(tempfile.mkdtemp(prefix="sdw-bench-flows-"))
    try:
        write_project(root)
        if "durable" in parts:
            report["durable"] = {
                flow: {
                    "every_transition": best(
                        [
                            run_durable(root, flow, args.executions, CheckpointPolicy(every=1))
                            for _ in range(args.repeat)
                        ]
                    ),
                    "batch": best(
                        [
                            run_durable(root, flow, args.executions, CheckpointPolicy(every=1000))
                            for _ in range(args.repeat)
                        ]
                    ),
                }
                for flow in ("mixed20", "pass20")
            }
        if "memory" in parts:
            report["memory"] = {
                flow: best([run_memory(root, flow, args.executions) for _ in range(args.repeat)])
                for flow in ("mixed20", "pass20")
            }
        if "durable" in parts and "memory" in parts:
            report["durability_cost"] = {
                flow: round(
                    report["durable"][flow]["every_transition"]["transitions_per_s"]
                    / report["memory"][flow]["transitions_per_s"],
                    3,
                )
                for flow in ("mixed20", "pass20")
            }
        if "http" in parts:
            report["http"] = run_http(args.rounds)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    report["load_after"] = os.getloadavg()[0]
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
