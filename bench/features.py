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
* ``usage``: ``track_usage_middleware`` through a real ``sdw dev`` (a subprocess on a free
  port): 50 users (real RS256 ID tokens, checked by the gateway) send 2,000 calls at once
  (50 threads, one keep-alive connection each, 40 calls per user) to a decorated function
  and, alternately, to the same function undecorated; ``--repeat`` rounds of each. Then
  the server stops and ``usage.db`` is read: ``counted`` must equal ``sent`` for every
  user (the issue's exactness target). Throughput is calls/s seen by the client;
  ``cost_ratio`` is decorated / undecorated (best rounds), i.e. what one SQLite upsert per
  call costs at the gateway. The client is Python threads on the same 2 cores, so the
  absolute rates are the loader's as much as the server's; the ratio is the figure.

Times are wall-clock medians of ``--repeat`` runs (the machine is shared).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
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
        for _ in range(repeat):  # each load imports the module afresh (a namespace of its own)
            fresh = FunctionEnvironment(LocalSecretStore(state), ConnectionAccessLog(state))
            load = fresh.wrap_loader(lambda fn: import_handler(fn, root))
            first.append(_time(lambda load=load: load(with_secrets)))
            warm.append(statistics.median(_time(lambda load=load: load(with_secrets)) for _ in range(20)))
            plain = [_time(lambda: import_handler(without, root)) for _ in range(20)]
            baseline.append(statistics.median(plain))
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


COUNTED = """\
from functions.base.api_usage.handler import track_usage_middleware


@track_usage_middleware
def handler(event, context):
    return {"statusCode": 200, "body": "ok"}
"""
PLAIN = "def handler(event, context):\n    return {'statusCode': 200, 'body': 'ok'}\n"
USERS, CALLS_EACH = 50, 40


def _send_all(port: int, path: str, tokens: list[str]) -> tuple[float, int]:
    """Every user's CALLS_EACH calls at once; (seconds, calls that were not 200)."""
    import http.client

    def one_user(token: str) -> int:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        failed = 0
        try:
            for _ in range(CALLS_EACH):
                connection.request("POST", path, headers={"Authorization": f"Bearer {token}"})
                response = connection.getresponse()
                response.read()
                failed += response.status != 200
        finally:
            connection.close()
        return failed

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
        failed = sum(pool.map(one_user, tokens))
    return time.perf_counter() - started, failed


def bench_usage(repeat: int) -> dict[str, Any]:
    from gateway import free_port, post_status, start_server, stop_server  # bench/gateway.py

    from sdw.local import PasswordHasher, ScryptParams, create_local_usage_store, create_local_user_pool

    with tempfile.TemporaryDirectory() as tmp:
        root, state = Path(tmp) / "project", Path(tmp) / "state"
        (root / "functions" / "base" / "api_usage").mkdir(parents=True)
        shutil.copy(ROOT / "functions" / "base" / "api_usage" / "handler.py",
                    root / "functions" / "base" / "api_usage" / "handler.py")
        for name, source in {"counted": COUNTED, "plain": PLAIN, "ping": PLAIN}.items():
            (root / "functions" / "lib" / name).mkdir(parents=True)
            (root / "functions" / "lib" / name / "handler.py").write_text(source)
        port = free_port()
        cheap = PasswordHasher(ScryptParams(log2_n=4, r=1, p=1))  # 50 sign-ins; not what is measured
        subs, tokens = [], []
        with create_local_user_pool(state, base_url=f"http://127.0.0.1:{port}", hasher=cheap) as pool:
            for n in range(USERS):
                user = pool.create_user(f"user{n}@example.com", "Bench-pass-1")
                subs.append(user.sub)
                tokens.append(pool.authenticate(user.email, "Bench-pass-1").id_token)
        server = start_server(root, state, port, Path(tmp) / "server.log")
        try:
            deadline = time.monotonic() + 30
            while post_status(port, tokens[0]) != 200:
                if time.monotonic() > deadline:
                    raise RuntimeError("sdw dev did not answer within 30 s")
                time.sleep(0.05)
            _send_all(port, "/lib/plain", tokens)  # warm-up, not recorded
            rounds: dict[str, list[float]] = {"plain": [], "counted": []}
            errors = 0
            for _ in range(repeat):
                for name in ("plain", "counted"):
                    seconds, failed = _send_all(port, f"/lib/{name}", tokens)
                    rounds[name].append(USERS * CALLS_EACH / seconds)
                    errors += failed
        finally:
            stop_server(server)
        with create_local_usage_store(state) as store:
            counted = {sub: sum(month.api_calls for month in store.usage(sub)) for sub in subs}
    sent_each = CALLS_EACH * repeat
    return {
        "users": USERS,
        "calls_per_round": USERS * CALLS_EACH,
        "rounds": repeat,
        "plain_calls_per_s": [round(rate) for rate in rounds["plain"]],
        "counted_calls_per_s": [round(rate) for rate in rounds["counted"]],
        "cost_ratio": round(max(rounds["counted"]) / max(rounds["plain"]), 3),
        "sent": sent_each * USERS,
        "counted": sum(counted.values()),
        "exact_for_every_user": all(count == sent_each for count in counted.values()),
        "errors": errors,
    }


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
        out["usage"] = bench_usage(args.repeat)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
