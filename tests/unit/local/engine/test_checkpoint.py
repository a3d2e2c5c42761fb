"""The checkpoint policy and what a checkpoint holds, on sdw.asl executions in memory (no I/O)."""

from __future__ import annotations

import json

import pytest

from sdw.asl import Execution, VirtualClock, compile_definition
from sdw.local.engine._checkpoint import CheckpointPolicy, event_rows, take_checkpoint

CHAIN = {
    "StartAt": "A",
    "States": {
        "A": {"Type": "Pass", "Result": 1, "ResultPath": "$.a", "Next": "B"},
        "B": {"Type": "Pass", "Result": 2, "ResultPath": "$.b", "End": True},
    },
}


def started(definition: dict[str, object], data: object) -> Execution:
    execution = Execution(compile_definition(definition), data, clock=VirtualClock(1_795_600_800.0))
    execution.start()
    return execution


def test_checkpoints_every_transition_while_snapshots_are_small() -> None:
    assert CheckpointPolicy().budget(0) == 1
    assert CheckpointPolicy().budget(64 * 1024) == 1


def test_lets_more_transitions_run_between_checkpoints_of_a_large_snapshot() -> None:
    policy = CheckpointPolicy(every=1, bytes_per_transition=1000)
    assert policy.budget(1001) == 2
    assert policy.budget(10_000) == 10


def test_a_batch_policy_keeps_its_batch_whatever_the_size() -> None:
    assert CheckpointPolicy(every=50).budget(10) == 50


@pytest.mark.parametrize(("every", "size"), [(0, 1), (1, 0), (-3, 10)])
def test_refuses_a_policy_without_a_transition_or_a_byte(every: int, size: int) -> None:
    with pytest.raises(ValueError, match="at least one"):
        CheckpointPolicy(every=every, bytes_per_transition=size)


def test_the_first_checkpoint_holds_execution_started_and_a_snapshot() -> None:
    execution = started(CHAIN, {"x": 1})
    checkpoint = take_checkpoint(7, execution, 0)
    assert checkpoint.seq == 7 and checkpoint.status == "RUNNING" and not checkpoint.done
    assert [json.loads(body)["type"] for _, body in checkpoint.events] == ["ExecutionStarted"]
    assert checkpoint.snapshot is not None
    assert json.loads(checkpoint.snapshot)["history_count"] == checkpoint.history_count == 1
    assert checkpoint.output is None and checkpoint.stop_date is None


def test_a_checkpoint_holds_only_the_events_since_the_last_one() -> None:
    execution = started(CHAIN, {})
    first = take_checkpoint(1, execution, 0)
    execution.advance(max_transitions=1)
    second = take_checkpoint(1, execution, first.history_count)
    assert [event_id for event_id, _ in second.events] == [2, 3]
    assert [json.loads(body)["type"] for _, body in second.events] == ["PassStateEntered", "PassStateExited"]


def test_the_last_checkpoint_carries_the_end_and_the_output_as_json() -> None:
    execution = started(CHAIN, {"x": "é"})
    execution.advance()
    checkpoint = take_checkpoint(1, execution, 0)
    assert checkpoint.done and checkpoint.status == "SUCCEEDED"
    assert json.loads(checkpoint.output or "null") == {"x": "é", "a": 1, "b": 2}
    assert checkpoint.stop_date == execution.stop_time
    assert json.loads(checkpoint.events[-1][1])["type"] == "ExecutionSucceeded"


def test_a_failed_end_carries_error_and_cause_and_no_output() -> None:
    execution = started({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "Cause": "C"}}}, {})
    execution.advance()
    checkpoint = take_checkpoint(1, execution, 0)
    assert (checkpoint.status, checkpoint.error, checkpoint.cause, checkpoint.output) == (
        "FAILED",
        "E",
        "C",
        None,
    )


def test_event_timestamps_are_stored_as_epoch_seconds() -> None:
    execution = started(CHAIN, {})
    ((event_id, body),) = event_rows(execution, 0)
    assert event_id == 1 and json.loads(body)["timestamp"] == pytest.approx(1_795_600_800.0, abs=1)


def test_an_express_execution_has_no_events_to_checkpoint() -> None:
    execution = Execution(compile_definition(CHAIN), {}, clock=VirtualClock(), state_machine_type="EXPRESS")
    execution.start()
    execution.advance()
    checkpoint = take_checkpoint(1, execution, 0, snapshot=False)
    assert checkpoint.events == [] and checkpoint.snapshot is None and checkpoint.status == "SUCCEEDED"


def test_a_task_issued_again_after_a_restore_keeps_its_id() -> None:
    # the engine derives a child execution's name from the task id: a re-issue must find it again
    definition = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::states:startExecution.sync:2",
                "Parameters": {"StateMachineArn": "a"},
                "End": True,
            }
        },
    }
    execution = started(definition, {})
    (request,) = execution.advance()
    snapshot = take_checkpoint(1, execution, 0).snapshot
    assert snapshot is not None
    restored = Execution.restore(compile_definition(definition), json.loads(snapshot), clock=VirtualClock())
    (again,) = restored.advance()
    assert again.task_id == request.task_id
    assert restored.task_succeeded(again.task_id, {"Output": {}})
