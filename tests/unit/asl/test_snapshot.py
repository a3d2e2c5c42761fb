"""Snapshots: an execution persisted between two transitions continues elsewhere as if never stopped."""

from __future__ import annotations

import json
from typing import Any

from sdw.asl import ExecutionStatus, TaskRequest

from .helpers import ManualClock, answer, chain, drive, event_types, round_trip, run, start

LAMBDA = "arn:aws:lambda:us-east-1:111111111111:function:double"


def double(request: TaskRequest) -> Any:
    return {"n": request.parameters["n"] * 2}


def snapshot_every_step(definition: dict[str, Any], data: Any) -> tuple[Any, list[str]]:
    """Run one transition at a time, restoring from a JSON snapshot before each; answer tasks lazily."""
    execution, clock = start(definition, data)
    pending: list[TaskRequest] = []
    for _ in range(10_000):
        execution = round_trip(execution, clock)
        pending = [*execution.advance(max_transitions=1)]
        for request in pending:
            answer(execution, request, double)
        if execution.done:
            return execution.output, [execution.status]
        if not execution.runnable and not pending:
            deadline = execution.next_deadline
            assert deadline is not None
            clock.time = max(clock.time, deadline)
    raise AssertionError("did not end")


def test_a_snapshot_is_plain_json() -> None:
    execution, _ = start(chain(("A", {"Type": "Pass"}), ("W", {"Type": "Wait", "Seconds": 5})), {"a": [1]})
    execution.advance()
    snapshot = execution.snapshot()
    assert json.loads(json.dumps(snapshot)) == snapshot


def test_a_restored_wait_keeps_its_original_deadline() -> None:
    execution, clock = start(chain(("W", {"Type": "Wait", "Seconds": 30}), ("A", {"Type": "Pass"})), {"k": 1})
    execution.advance()
    deadline = execution.next_deadline
    clock.advance(10)
    restored = round_trip(execution, clock)
    assert restored.next_deadline == deadline
    clock.advance(19)
    restored.advance()
    assert not restored.done
    clock.advance(1)
    restored.advance()
    assert restored.status == ExecutionStatus.SUCCEEDED
    assert restored.output == {"k": 1}


def test_a_task_in_flight_at_the_snapshot_is_issued_again_on_resume() -> None:
    definition = chain(("T", {"Type": "Task", "Resource": LAMBDA, "Parameters": {"n.$": "$.n"}}))
    execution, clock = start(definition, {"n": 4})
    (first,) = execution.advance()
    restored = round_trip(execution, clock)
    (again,) = restored.advance()
    assert again.parameters == first.parameters == {"n": 4}
    assert again.state_name == "T"
    restored.task_succeeded(again.task_id, {"n": 8})
    restored.advance()
    assert restored.output == {"n": 8}
    # The re-issued call recorded no second LambdaFunctionScheduled: the host persisted the first.
    assert event_types(restored) == ["LambdaFunctionSucceeded", "TaskStateExited", "ExecutionSucceeded"]


def test_history_ids_continue_after_a_restore() -> None:
    execution, clock = start(chain(("A", {"Type": "Pass"}), ("B", {"Type": "Pass"})), {})
    execution.advance(max_transitions=1)
    count = execution.history.count
    restored = round_trip(execution, clock)
    restored.advance()
    ids = [event["id"] for event in restored.history.events()]
    assert ids == list(range(count + 1, count + 1 + len(ids)))
    assert restored.history.events(since=count + 1)[0]["id"] == count + 2


def test_round_trips_at_every_step_inside_parallel_branches_give_the_same_result() -> None:
    definition = chain(
        (
            "P",
            {
                "Type": "Parallel",
                "Branches": [
                    chain(
                        ("T1", {"Type": "Task", "Resource": LAMBDA}), ("W", {"Type": "Wait", "Seconds": 3})
                    ),
                    chain(
                        ("A", {"Type": "Pass", "Result": {"n": 10}}),
                        ("T2", {"Type": "Task", "Resource": LAMBDA}),
                    ),
                ],
            },
        ),
    )
    direct = run(definition, {"n": 1}, double)
    output, status = snapshot_every_step(definition, {"n": 1})
    assert status == ["SUCCEEDED"]
    assert output == direct.output == [{"n": 2}, {"n": 20}]


def test_round_trips_at_every_step_inside_map_iterations_give_the_same_result() -> None:
    definition = chain(
        (
            "M",
            {
                "Type": "Map",
                "MaxConcurrency": 2,
                "ItemSelector": {"n.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index"},
                "ItemProcessor": chain(
                    ("T", {"Type": "Task", "Resource": LAMBDA, "Parameters": {"n.$": "$.n"}}),
                    ("Keep", {"Type": "Pass", "Assign": {"seen.$": "$.n"}}),
                ),
            },
        ),
    )
    items = [1, 2, 3, 4, 5]
    direct = run(definition, items, double)
    output, status = snapshot_every_step(definition, items)
    assert status == ["SUCCEEDED"]
    assert output == direct.output == [{"n": 2}, {"n": 4}, {"n": 6}, {"n": 8}, {"n": 10}]


def test_round_trips_inside_a_distributed_map_and_a_retry_back_off() -> None:
    definition = chain(
        (
            "M",
            {
                "Type": "Map",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    **chain(("T", {"Type": "Task", "Resource": LAMBDA, "Parameters": {"n.$": "$"}})),
                },
            },
        ),
    )
    output, status = snapshot_every_step(definition, [1, 2])
    assert (output, status) == ([{"n": 2}, {"n": 4}], ["SUCCEEDED"])

    retry = chain(
        (
            "T",
            {
                "Type": "Task",
                "Resource": LAMBDA,
                "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 5}],
            },
        )
    )
    execution, clock = start(retry, {"n": 1})
    (request,) = execution.advance()
    execution.task_failed(request.task_id, "Flaky", "once")
    execution.advance()
    deadline = execution.next_deadline
    restored = round_trip(execution, clock)
    assert restored.next_deadline == deadline
    clock.time = deadline or clock.time
    (again,) = restored.advance()
    restored.task_succeeded(again.task_id, {"n": 2})
    restored.advance()
    assert restored.output == {"n": 2}


def test_variables_survive_a_round_trip() -> None:
    definition = chain(
        ("Set", {"Type": "Pass", "Assign": {"total": 5}}),
        ("W", {"Type": "Wait", "Seconds": 1}),
        ("Use", {"Type": "Pass", "Parameters": {"t.$": "$total"}}),
    )
    execution, clock = start(definition, {})
    execution.advance()
    restored = round_trip(execution, clock)
    drive(restored, clock)
    assert restored.output == {"t": 5}


def test_a_finished_execution_restores_as_finished() -> None:
    execution = run(chain(("A", {"Type": "Pass"})), {"z": 1})
    restored = round_trip(execution, ManualClock())
    assert restored.done
    assert restored.output == {"z": 1}
    assert restored.advance() == []
