"""Many executions side by side; Parallel branches and Map iterations run at once, up to MaxConcurrency."""

from __future__ import annotations

import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from sdw.local._workers import WorkerPool
from sdw.local.engine._flow_engine import LocalFlowEngine
from tests.functional.local.engine.support import OWNER, run_to_end, running_engine, task, write_project

FUNCTIONS = {
    # Each call waits until three calls are in the handler at once: only concurrent calls pass.
    "meet": textwrap.dedent(
        """\
        import threading

        MEETING = threading.Barrier(3)

        def handler(event, context):
            MEETING.wait(timeout=5)
            return event
        """
    ),
    # Reports how many calls were in the handler at the same time, at most, so far.
    "crowd": textwrap.dedent(
        """\
        import threading
        import time

        lock = threading.Lock()
        inside = 0
        most = 0

        def handler(event, context):
            global inside, most
            with lock:
                inside += 1
                most = max(most, inside)
            time.sleep(0.05)
            with lock:
                inside -= 1
                return most
        """
    ),
}
FN = "functions/lib/{}/handler.handler"


def uses(*names: str) -> list[dict[str, str]]:
    return [{"name": name, "handler": FN.format(name)} for name in names]


def map_of(function: str, limit: int) -> dict[str, Any]:
    return {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "MaxConcurrency": limit,
                "ItemProcessor": {"StartAt": "T", "States": {"T": task(function, End=True)}},
                "End": True,
            }
        },
    }


FLOWS: dict[str, Any] = {
    "two": {
        "functions": uses("add_one", "double"),
        "definition": {
            "StartAt": "A",
            "States": {"A": task("add_one", Next="B"), "B": task("double", End=True)},
        },
    },
    "meetingMap": {"functions": uses("meet"), "definition": map_of("meet", 3)},
    "crowdMap": {"functions": uses("crowd"), "definition": map_of("crowd", 2)},
    "meetingParallel": {
        "functions": uses("meet"),
        "definition": {
            "StartAt": "P",
            "States": {
                "P": {
                    "Type": "Parallel",
                    "Branches": [
                        {"StartAt": f"T{i}", "States": {f"T{i}": task("meet", End=True)}} for i in range(3)
                    ],
                    "End": True,
                }
            },
        },
    },
    "loop": {
        "definition": {
            "StartAt": "Loop",
            "States": {
                "Loop": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)"}, "Next": "Check"},
                "Check": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.i", "NumericLessThan": 5000, "Next": "Loop"}],
                    "Default": "Done",
                },
                "Done": {"Type": "Succeed"},
            },
        }
    },
    "one": {"definition": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}},
    "napper": {
        "functions": uses("nap"),
        "definition": {"StartAt": "N", "States": {"N": task("nap", End=True)}},
    },
}


@pytest.fixture
def engine(tmp_path: Path) -> Any:
    project = write_project(tmp_path / "project", FLOWS, FUNCTIONS)
    with running_engine(project, tmp_path / "state", pool=WorkerPool(32)) as running:
        yield running


def test_runs_a_hundred_executions_at_once_each_to_its_own_output(engine: LocalFlowEngine) -> None:
    with ThreadPoolExecutor(8) as starters:
        arns = list(
            starters.map(lambda i: engine.start("two", {"value": i}, owner=OWNER).execution_arn, range(100))
        )
    outputs = [engine.wait(arn, timeout=20).output for arn in arns]
    assert outputs == [{"value": (i + 1) * 2} for i in range(100)]
    assert len(engine.list(owner=OWNER, status="SUCCEEDED", limit=1000).items) == 100


def test_executions_wait_for_their_tasks_side_by_side(engine: LocalFlowEngine) -> None:
    began = time.monotonic()
    arns = [engine.start("napper", {"seconds": 0.4}, owner=OWNER).execution_arn for _ in range(10)]
    assert all(engine.wait(arn, timeout=10).status == "SUCCEEDED" for arn in arns)
    assert time.monotonic() - began < 2.0  # one after another would take 4 s


def test_map_iterations_run_at_once_up_to_max_concurrency(engine: LocalFlowEngine) -> None:
    described = run_to_end(engine, "meetingMap", {"items": list(range(6))})
    assert (described.status, described.output) == ("SUCCEEDED", list(range(6)))


def test_map_never_runs_more_iterations_at_once_than_max_concurrency(engine: LocalFlowEngine) -> None:
    described = run_to_end(engine, "crowdMap", {"items": list(range(6))})
    assert described.status == "SUCCEEDED"
    assert max(described.output) == 2


def test_parallel_branches_run_at_once(engine: LocalFlowEngine) -> None:
    described = run_to_end(engine, "meetingParallel", {"x": 1})
    assert (described.status, described.output) == ("SUCCEEDED", [{"x": 1}] * 3)


def test_a_long_execution_does_not_hold_up_a_short_one_started_after_it(engine: LocalFlowEngine) -> None:
    long = engine.start("loop", {"i": 0}, owner=OWNER).execution_arn
    short = engine.start("one", {}, owner=OWNER).execution_arn
    ended_short = engine.wait(short, timeout=10)
    assert ended_short.status == "SUCCEEDED"
    ended_long = engine.wait(long, timeout=20)  # 10,000 transitions, checkpointed each
    assert ended_long.output == {"i": 5000}
    # the stop dates, not a describe after wait(short): wait may return up to a poll late,
    # by which time a fast machine has run the long one to its end too
    assert ended_short.stop_date is not None and ended_long.stop_date is not None
    assert ended_short.stop_date < ended_long.stop_date
