"""Helpers (no tests) for the flow engine's functional tests: a project on disk, an engine on it.

A project is written to ``tmp_path`` (``functions/lib/<name>/handler.py``, ``flows/<name>.yml``),
loaded with sdw.asl's validator, and run by a real ``LocalFlowEngine`` on a real SQLite
state folder with the real warm invoker, as ``sdw dev`` wires them.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sdw.asl import Clock, validate_definition
from sdw.local._invoker import LocalInvoker
from sdw.local._workers import WorkerPool
from sdw.local.engine._checkpoint import CheckpointPolicy
from sdw.local.engine._flow_engine import LocalFlowEngine, create_flow_engine
from sdw.local.engine._runner import Hook
from sdw.project import Project, load_project

OWNER = "11111111-2222-3333-4444-555555555555"
ACCOUNT = "000000000000"
REGION = "us-east-1"

FUNCTIONS = {
    "add_one": "def handler(event, context):\n    return {'value': event.get('value', 0) + 1}\n",
    "double": "def handler(event, context):\n    return {'value': event['value'] * 2}\n",
    "echo": "def handler(event, context):\n    return event\n",
    "boom": textwrap.dedent(
        """\
        class Boom(Exception):
            pass

        def handler(event, context):
            raise Boom("it went wrong")
        """
    ),
    "nap": textwrap.dedent(
        """\
        import time

        def handler(event, context):
            time.sleep(event.get("seconds", 0.2))
            return {"remaining_ms": context.get_remaining_time_in_millis()}
        """
    ),
}


def function_arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name.replace('_', '-')}"


def machine_arn(flow: str) -> str:
    return f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{flow}"


def task(function: str, **extra: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": function_arn(function), **extra}


def write_project(
    root: Path,
    flows: Mapping[str, Mapping[str, Any]],
    functions: Mapping[str, str] | None = None,
    configs: Mapping[str, str] | None = None,
) -> Project:
    """Write the functions and flows (``name -> {definition, type?, ...}``) and load the project.

    A flow's definition refers to functions by ARN (``function_arn``) and to other flows by
    state machine ARN (``machine_arn``); the flow file declares every function it names.
    """
    for name, source in {**FUNCTIONS, **(functions or {})}.items():
        folder = root / "functions" / "lib" / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "handler.py").write_text(source)
        if configs and name in configs:
            (folder / "function.yml").write_text(configs[name])
    (root / "flows").mkdir(parents=True, exist_ok=True)
    for name, spec in flows.items():
        document = {"name": name, **spec}
        (root / "flows" / f"{name}.yml").write_text(json.dumps(document, indent=2))
    load = load_project(root, validate_definition=validate_definition, region=REGION, account_id=ACCOUNT)
    assert not load.errors, [str(problem) for problem in load.errors]
    return load.project


def open_engine(
    project: Project,
    state: Path,
    *,
    policy: CheckpointPolicy | None = None,
    pool: WorkerPool | None = None,
    clock: Clock | None = None,
    concurrency: int = 1000,
    hook: Hook | None = None,
) -> LocalFlowEngine:
    invoker = LocalInvoker(project, pool=pool or WorkerPool(16), region=REGION, account_id=ACCOUNT,
                           concurrency=concurrency)
    return create_flow_engine(
        project, state, invoker, region=REGION, account_id=ACCOUNT, policy=policy, tick=0.05, clock=clock,
        hook=hook,
    )


@contextmanager
def running_engine(project: Project, state: Path, **options: Any) -> Iterator[LocalFlowEngine]:
    engine = open_engine(project, state, **options)
    try:
        yield engine
    finally:
        engine.close()


def run_to_end(engine: LocalFlowEngine, flow: str, input: Any, *, timeout: float = 10.0, **start: Any) -> Any:
    """Start ``flow`` and wait for its end; its description."""
    summary = engine.start(flow, input, owner=start.pop("owner", OWNER), **start)
    described = engine.wait(summary.execution_arn, timeout=timeout)
    assert described.status != "RUNNING", f"{flow} still running after {timeout} s"
    return described


def event_types(engine: LocalFlowEngine, execution: str) -> list[str]:
    return [event["type"] for event in all_events(engine, execution)]


def all_events(engine: LocalFlowEngine, execution: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    token = None
    while True:
        page = engine.history(execution, limit=1000, next_token=token)
        events += page.items
        token = page.next_token
        if token is None:
            return events
