#!/usr/bin/env python3
"""Benchmark of issue 9's features, printed as one JSON object.

    .venv/bin/python bench/features.py                    # every part (about 30 s)
    .venv/bin/python bench/features.py --part scheduler   # one part: scheduler, secrets or usage

Parts:

* ``scheduler``: 1,000 scheduled flows (a mix of crons, with L, W, # and years, and
  rates) on one ``LocalScheduler`` over a real ``schedules.db``; the engine's start is a
  stub that records the call, so the figures are the scheduler's own cost. Measured:
  ``advance`` (the ``sdw dev`` loop's tick) when nothing is due (the steady state, run
  once per due time or every 30 s), and when every schedule is due at once (1,000 fires
  recorded); ``tick(at)`` (``sdw schedules tick``) over 1,000 schedules; the first look
  (each schedule registered in schedules.db).
* ``secrets``: the cold-start overhead of a function declaring 10 secrets.
  ``local``: ``sdw dev``'s loader wrapper (read 10 secrets from the Fernet-encrypted
  SQLite store, import the module inside the overlay) minus the same import without
  secrets; first = a fresh store (opens the database, reads the key), warm = the store
  already open, as every reload after the first is. ``ssm_moto``: ``sdw.runtime``'s
  Lambda wrapper reading 10 SecureStrings through Powertools from moto's SSM
  (in-process, ``mock_aws``; one GetParameters per 10 names, no cache), a fresh reader
  per cold start. moto answers in-process: real SSM adds a network round trip or two
  (tens of ms), so this is sdw's own cost, not Lambda's.
* ``usage``: left for the usage-counting engineer (issue 9 item 4): ``null`` here.

Times are wall-clock medians of ``--repeat`` runs (the machine is shared).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sdw.local import (  # noqa: E402
    ConnectionAccessLog,
    FunctionEnvironment,
    LocalScheduler,
    LocalSecretStore,
    ScheduleStore,
    StateDir,
    import_handler,
)
from sdw.project import Flow, Function, parse_schedule  # noqa: E402
from sdw.system import ExecutionSummary  # noqa: E402

CRONS = ["cron(0 * * * ? *)", "cron(15 10 ? * MON-FRI *)", "cron(0 9 L * ? *)", "cron(0 9 15W * ? *)",
         "cron(0 0 ? * 6#3 *)", "cron(0/15 8-17 ? * MON-FRI *)", "cron(0 0 1 1 ? 2030-2040)",
         "cron(0 12 * * ? *)"]
RATES = ["rate(5 minutes)", "rate(1 hour)", "rate(7 days)"]
SCHEDULES = 1000
SECRETS = 10


def _flows(expressions: list[str]) -> list[Flow]:
    flows = []
    for index in range(SCHEDULES):
        expression = expressions[index % len(expressions)]
        arn = f"arn:aws:states:us-east-1:000000000000:stateMachine:flow{index}"
        flows.append(Flow(name=f"flow{index}", arn=arn, file=Path("x.yml"), source="x.yml", definition={},
                          raw_definition={}, schedule=parse_schedule(expression), input={"i": index}))
    return flows


def _starter(calls: list[str]) -> Any:
    def start(flow: str, input: Any, *, owner: str, name: str) -> ExecutionSummary:
        calls.append(flow)
        arn = f"arn:aws:states:us-east-1:000000000000:execution:{flow}:{name}"
        return ExecutionSummary(arn, name, flow, "sm", owner, "RUNNING", "2030-01-01T00:00:00.000Z")

    return start


def _time(action: Any) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def bench_scheduler(repeat: int) -> dict[str, Any]:
    results: dict[str, list[float]] = {"first_look": [], "idle": [], "all_due": [], "tick_none_due": []}
    start = datetime(2030, 3, 4, 10, 1, 10, tzinfo=UTC)
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as folder:
            calls: list[str] = []
            scheduler = LocalScheduler(_flows(CRONS + RATES), ScheduleStore(StateDir(Path(folder))),
                                       _starter(calls))
            results["first_look"].append(_time(lambda s=scheduler: s.advance(start)))
            idle = [_time(lambda s=scheduler, i=i: s.advance(start + timedelta(seconds=1 + i)))
                    for i in range(40)]
            results["idle"].append(statistics.median(idle))
            nothing = datetime(2030, 3, 4, 10, 7, tzinfo=UTC)
            results["tick_none_due"].append(_time(lambda s=scheduler, at=nothing: s.tick(at)))
            scheduler.store.close()
            assert calls == [], calls
        with tempfile.TemporaryDirectory() as folder:
            every = LocalScheduler(_flows(["cron(* * * * ? *)"]), ScheduleStore(StateDir(Path(folder))),
                                   _starter(calls))
            every.advance(start)
            results["all_due"].append(_time(lambda s=every: s.advance(start + timedelta(minutes=1))))
            every.store.close()
            assert len(calls) == SCHEDULES == len(set(calls)), "each schedule fires once"
    return {
        "schedules": SCHEDULES,
        "advance_idle_ms": round(statistics.median(results["idle"]) * 1000, 3),
        "advance_all_due_ms": round(statistics.median(results["all_due"]) * 1000, 1),
        "advance_all_due_per_fire_us": round(statistics.median(results["all_due"]) / SCHEDULES * 1e6, 1),
        "tick_none_due_ms": round(statistics.median(results["tick_none_due"]) * 1000, 1),
        "first_look_ms": round(statistics.median(results["first_look"]) * 1000, 1),
    }


def _function(folder: Path, secrets: tuple[str, ...]) -> Function:
    function_dir = folder / "functions" / "lib" / "f"
    function_dir.mkdir(parents=True, exist_ok=True)
    (function_dir / "handler.py").write_text("import os\nKEY = os.environ.get('S0')\n\n"
                                             "def handler(event, context):\n    return KEY\n")
    return Function(name="f", directory=function_dir, secrets=secrets)


def bench_secrets(repeat: int) -> dict[str, Any]:
    names = tuple(f"S{i}" for i in range(SECRETS))
    first, warm, baseline = [], [], []
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        state = StateDir(root / "state")
        with LocalSecretStore(state) as store:
            for name in names:
                store.put_secret(name, f"value-of-{name}-" + "x" * 40)
        with_secrets, without = _function(root, names), _function(root, ())
        counter = iter(range(10**6))
        for _ in range(repeat):
            fresh = FunctionEnvironment(LocalSecretStore(state), ConnectionAccessLog(state))
            load = fresh.wrap_loader(import_handler)
            first.append(_time(lambda load=load: load(with_secrets, f"_b{next(counter)}")))
            warm.append(statistics.median(_time(lambda load=load: load(with_secrets, f"_b{next(counter)}"))
                                          for _ in range(20)))
            baseline.append(statistics.median(_time(lambda: import_handler(without, f"_b{next(counter)}"))
                                              for _ in range(20)))
            fresh.store.close()
    ssm = _bench_ssm(repeat, names)
    base = statistics.median(baseline)
    return {
        "secrets": SECRETS,
        "local_first_cold_start_overhead_ms": round((statistics.median(first) - base) * 1000, 2),
        "local_warm_store_cold_start_overhead_ms": round((statistics.median(warm) - base) * 1000, 2),
        "import_without_secrets_ms": round(base * 1000, 2),
        "ssm_moto_load_ms": ssm,
    }


def _bench_ssm(repeat: int, names: tuple[str, ...]) -> float:
    import boto3
    from moto import mock_aws

    from sdw.aws import SsmParameters
    from sdw.runtime import LambdaEntry

    with mock_aws():
        client = boto3.client("ssm", region_name="us-east-1", aws_access_key_id="testing",
                              aws_secret_access_key="testing")
        for name in names:
            client.put_parameter(Name=f"/sdw/bench/{name}", Value=f"value-of-{name}", Type="SecureString")
        times = []
        for _ in range(repeat * 5):
            env = {"SDW_STAGE": "bench", "SDW_SERVICE": "sdw"}
            entry = LambdaEntry(env, lambda: SsmParameters(boto3_client=client))
            times.append(_time(lambda e=entry: e.load_secrets(list(names))))
    return round(statistics.median(times) * 1000, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=["scheduler", "secrets", "usage"])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    out: dict[str, Any] = {"when": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
    if args.part in (None, "scheduler"):
        out["scheduler"] = bench_scheduler(args.repeat)
    if args.part in (None, "secrets"):
        out["secrets"] = bench_secrets(args.repeat)
    if args.part in (None, "usage"):
        out["usage"] = None  # usage counting (issue 9 item 4): its engineer adds the figures here
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
