#!/usr/bin/env python3
"""Benchmark of sdw.asl: state transitions per second and peak memory, printed as JSON.

    .venv/bin/python bench/asl.py              # every scenario
    .venv/bin/python bench/asl.py --quick      # smaller sizes, for a smoke run
    .venv/bin/python bench/asl.py --moto       # also run moto's interpreter side by side

Scenarios (the issue's):

* ``pass_chain``: 1,000 Pass states, each with a ResultPath (STANDARD, 2,002 events);
* ``map_pass``: a Map over 10,000 items with a Pass iterator. DISTRIBUTED, because an
  inline Map of 10,000 items would record 40,000 events and AWS fails a standard
  execution at 25,000;
* ``map_task``: an inline Map of 1,000 items calling an identity Python task;
* ``choice_loop``: a Choice loop of 10,000 iterations with a counter. EXPRESS, for the
  same 25,000-event reason (express executions keep no history);
* ``map_100k``: a distributed Map over 100,000 small items, run in a child process so
  its peak RSS is its own.

A transition is a state entered. Times are wall-clock, best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sdw.asl import Interpreter, compile_definition


def pass_chain(n: int) -> tuple[dict[str, Any], Any, int, str]:
    states: dict[str, Any] = {}
    for i in range(n):
        state: dict[str, Any] = {"Type": "Pass", "Result": i, "ResultPath": f"$.r{i % 10}"}
        if i == n - 1:
            state["End"] = True
        else:
            state["Next"] = f"S{i + 1}"
        states[f"S{i}"] = state
    return {"StartAt": "S0", "States": states}, {"seed": 1}, n, "STANDARD"


def _one_map(processor_state: dict[str, Any], mode: str, **fields: Any) -> dict[str, Any]:
    """A definition with one Map state whose iterations run ``processor_state`` alone."""
    config: dict[str, Any] = {"Mode": mode}
    if mode == "DISTRIBUTED":
        config["ExecutionType"] = "STANDARD"
    processor = {
        "ProcessorConfig": config,
        "StartAt": "Item",
        "States": {"Item": {**processor_state, "End": True}},
    }
    return {
        "StartAt": "M",
        "States": {"M": {"Type": "Map", "ItemProcessor": processor, "End": True, **fields}},
    }


def map_pass(n: int, mode: str = "DISTRIBUTED") -> tuple[dict[str, Any], Any, int, str]:
    definition = _one_map({"Type": "Pass"}, mode, ItemsPath="$.items")
    return definition, {"items": [{"i": i} for i in range(n)]}, n + 1, "STANDARD"


def map_task(n: int) -> tuple[dict[str, Any], Any, int, str]:
    task = {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:111111111111:function:identity"}
    return _one_map(task, "INLINE", ItemsPath="$.items"), {"items": list(range(n))}, n + 1, "STANDARD"


def choice_loop(n: int) -> tuple[dict[str, Any], Any, int, str]:
    definition = {
        "StartAt": "Check",
        "States": {
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.count", "NumericGreaterThanEquals": n, "Next": "Done"}],
                "Default": "Increment",
            },
            "Increment": {
                "Type": "Pass",
                "Parameters": {"count.$": "States.MathAdd($.count, 1)"},
                "Next": "Check",
            },
            "Done": {"Type": "Succeed"},
        },
    }
    return definition, {"count": 0}, 2 * n + 2, "EXPRESS"


def _identity(event: Any, context: Any) -> Any:
    return event


SCENARIOS = {
    "pass_chain": (pass_chain, 1000, 200),
    "map_pass": (map_pass, 10_000, 1000),
    "map_task": (map_task, 1000, 100),
    "choice_loop": (choice_loop, 10_000, 1000),
}


def run_sdw(name: str, size: int, repeat: int) -> dict[str, Any]:
    build = SCENARIOS[name][0]
    definition, data, transitions, kind = build(size)  # type: ignore[operator]
    machine = compile_definition(definition)
    interpreter = Interpreter(tasks={"identity": _identity})
    best = float("inf")
    status = ""
    for _ in range(repeat):
        started = time.perf_counter()
        result = interpreter.run(machine, data, state_machine_type=kind)
        best = min(best, time.perf_counter() - started)
        status = result.status
    return {
        "size": size,
        "transitions": transitions,
        "status": status,
        "seconds": round(best, 4),
        "transitions_per_second": round(transitions / best),
    }


def run_moto(name: str, size: int) -> dict[str, Any]:
    """The same definition on moto's interpreter (needs moto's stepfunctions extra: antlr4, jsonpath-ng).

    The Lambda-task scenario is skipped: moto runs Lambda functions in Docker.
    """
    import boto3
    from moto import mock_aws

    build = SCENARIOS[name][0]
    definition, data, transitions, kind = build(size)  # type: ignore[operator]
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        client = boto3.client("stepfunctions", region_name="us-east-1")
        arn = client.create_state_machine(
            name="bench",
            definition=json.dumps(definition),
            roleArn="arn:aws:iam::123456789012:role/r",
            type=kind,
        )["stateMachineArn"]
        started = time.perf_counter()
        execution = client.start_execution(stateMachineArn=arn, input=json.dumps(data))["executionArn"]
        status = "RUNNING"
        while status == "RUNNING":
            status = client.describe_execution(executionArn=execution)["status"]
            time.sleep(0.001)
        seconds = time.perf_counter() - started
    return {
        "size": size,
        "transitions": transitions,
        "status": status,
        "seconds": round(seconds, 4),
        "transitions_per_second": round(transitions / seconds),
    }


def map_reader(size: int, folder: str) -> tuple[dict[str, Any], Any, int, str]:
    """A distributed Map reading ``size`` items from a local JSON file, writing results to a folder.

    That is how AWS runs a Map this large: 100,000 items are over the 256 KiB quota of an
    execution's input and of a state's output, so they come from S3 (ItemReader) and the
    results go to S3 (ResultWriter).
    """
    bucket = Path(folder, "bench-bucket")
    bucket.mkdir(parents=True, exist_ok=True)
    (bucket / "items.json").write_text(json.dumps([{"i": i} for i in range(size)]))
    definition = _one_map(
        {"Type": "Pass"},
        "DISTRIBUTED",
        ItemReader={
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "JSON"},
            "Parameters": {"Bucket": "bench-bucket", "Key": "items.json"},
        },
        ResultWriter={
            "Resource": "arn:aws:states:::s3:putObject",
            "Parameters": {"Bucket": "bench-bucket", "Prefix": "results"},
        },
    )
    return definition, {}, size + 1, "STANDARD"


_CHILD = """
import json, shutil, sys, tempfile, time
sys.path.insert(0, {root!r})
from bench.asl import map_reader
from sdw.asl import Interpreter, LocalObjectStore, compile_definition
folder = tempfile.mkdtemp()
try:
    definition, data, transitions, kind = map_reader({size}, folder)
    machine = compile_definition(definition)
    started = time.perf_counter()
    result = Interpreter(object_store=LocalObjectStore(folder)).run(machine, data, state_machine_type=kind)
    seconds = time.perf_counter() - started
finally:
    shutil.rmtree(folder)
# VmHWM is this process's own peak; ru_maxrss would include the parent's at fork time.
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM")) / 1024
print(json.dumps({{"status": result.status, "error": result.error, "seconds": round(seconds, 3),
                  "transitions": transitions, "peak_rss_mb": round(peak, 1)}}))
"""


def map_100k(size: int) -> dict[str, Any]:
    """Run the big Map in a fresh process and report its peak RSS."""
    code = _CHILD.format(root=str(Path(__file__).resolve().parent.parent), size=size)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    report: dict[str, Any] = json.loads(out.stdout)
    report["size"] = size
    report["transitions_per_second"] = round(report["transitions"] / report["seconds"])
    return report


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smaller sizes")
    ap.add_argument("--moto", action="store_true", help="also time moto on the same definitions")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", action="append", help="run only this scenario (repeatable)")
    args = ap.parse_args()
    report: dict[str, Any] = {"sdw": {}, "moto": {}, "speedup": {}}
    for name, (_, full, quick) in SCENARIOS.items():
        if args.only and name not in args.only:
            continue
        size = quick if args.quick else full
        report["sdw"][name] = run_sdw(name, size, args.repeat)
        if args.moto and name != "map_task":
            report["moto"][name] = run_moto(name, min(size, 1000))
            report["speedup"][name] = round(
                report["sdw"][name]["transitions_per_second"] / report["moto"][name]["transitions_per_second"]
            )
    if not args.only or "map_100k" in args.only:
        report["sdw"]["map_100k"] = map_100k(10_000 if args.quick else 100_000)
    report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
