from __future__ import annotations

from typing import Any

import pytest

from sdw.asl import (
    ErrorName,
    Execution,
    ExecutionStatus,
    SnapshotVersionError,
    StatesError,
    TaskRequest,
    compile_definition,
)

from .helpers import ManualClock, chain, drive, event_types, pass_end, run, start

LAMBDA = "arn:aws:lambda:us-east-1:111111111111:function:f"


def test_a_pass_chain_succeeds_with_the_last_output_and_aws_event_sequence() -> None:
    execution = run(
        chain(("A", {"Type": "Pass", "Result": 1, "ResultPath": "$.a"}), ("B", {"Type": "Pass"})), {"x": 0}
    )
    assert execution.status == ExecutionStatus.SUCCEEDED
    assert execution.output == {"x": 0, "a": 1}
    assert event_types(execution) == [
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]


def test_events_chain_their_previous_ids_and_carry_json_payloads() -> None:
    execution = run(chain(("A", pass_end())), {"k": "v"})
    events = execution.history.events()
    assert [(e["id"], e["previousEventId"]) for e in events] == [(1, 0), (2, 1), (3, 2), (4, 3)]
    entered = events[1]["stateEnteredEventDetails"]
    assert entered == {"name": "A", "input": '{"k":"v"}', "inputDetails": {"truncated": False}}
    assert events[-1]["executionSucceededEventDetails"]["output"] == '{"k":"v"}'


def test_advance_hands_out_a_task_request_and_waits_for_its_outcome() -> None:
    definition = chain(("T", {"Type": "Task", "Resource": LAMBDA, "Parameters": {"n.$": "$.n"}}))
    execution, _ = start(definition, {"n": 3})
    (request,) = execution.advance()
    assert isinstance(request, TaskRequest)
    assert request.parameters == {"n": 3}
    assert request.integration.legacy_lambda
    assert execution.advance() == []
    assert not execution.done
    assert execution.task_succeeded(request.task_id, {"r": 9})
    execution.advance()
    assert execution.status == ExecutionStatus.SUCCEEDED
    assert execution.output == {"r": 9}


def test_an_unknown_or_repeated_task_outcome_is_ignored() -> None:
    execution, _ = start(chain(("T", {"Type": "Task", "Resource": LAMBDA})), {})
    (request,) = execution.advance()
    assert not execution.task_succeeded("no-such-task", 1)
    assert execution.task_succeeded(request.task_id, 1)
    assert not execution.task_succeeded(request.task_id, 2)
    assert not execution.task_failed(request.task_id, "E", "c")


def test_max_transitions_limits_how_far_one_advance_goes() -> None:
    execution, _ = start(chain(*[(f"S{i}", {"Type": "Pass"}) for i in range(5)]), {})
    execution.advance(max_transitions=2)
    assert event_types(execution).count("PassStateEntered") == 2
    execution.advance()
    assert execution.status == ExecutionStatus.SUCCEEDED


def test_a_wait_state_sets_a_deadline_and_ends_when_the_clock_reaches_it() -> None:
    execution, clock = start(chain(("W", {"Type": "Wait", "Seconds": 10})), {})
    execution.advance()
    deadline = execution.next_deadline
    assert deadline == pytest.approx(clock.time + 10)
    clock.advance(5)
    execution.advance()
    assert not execution.done
    clock.advance(5)
    execution.advance()
    assert execution.status == ExecutionStatus.SUCCEEDED


def test_abort_stops_the_execution_and_ignores_later_outcomes() -> None:
    execution, _ = start(chain(("T", {"Type": "Task", "Resource": LAMBDA})), {})
    (request,) = execution.advance()
    execution.abort("Stop", "by test")
    assert execution.status == ExecutionStatus.ABORTED
    assert (execution.error, execution.cause) == ("Stop", "by test")
    assert event_types(execution)[-1] == "ExecutionAborted"
    assert not execution.task_succeeded(request.task_id, 1)
    execution.abort()  # a second abort does nothing
    assert event_types(execution).count("ExecutionAborted") == 1


def test_the_machine_timeout_times_the_execution_out() -> None:
    definition = chain(("W", {"Type": "Wait", "Seconds": 100}), TimeoutSeconds=10)
    execution = run(definition, {})
    assert execution.status == ExecutionStatus.TIMED_OUT
    assert execution.error == ErrorName.TIMEOUT
    assert event_types(execution)[-1] == "ExecutionTimedOut"


def test_an_express_execution_keeps_no_history_but_counts_event_ids() -> None:
    definition = chain(("A", {"Type": "Pass"}), ("F", {"Type": "Fail", "Error": "E"}))
    execution = run(definition, {}, state_machine_type="EXPRESS")
    assert execution.history.events() == []
    assert execution.history.count == 5
    assert execution.error == "E"


def test_an_express_execution_times_out_after_five_minutes() -> None:
    execution = run(chain(("W", {"Type": "Wait", "Seconds": 600})), {}, state_machine_type="EXPRESS")
    assert execution.status == ExecutionStatus.TIMED_OUT


def test_an_input_over_256_kib_fails_the_execution_at_once() -> None:
    execution = run(chain(("A", pass_end())), {"big": "x" * 262_200})
    assert execution.status == ExecutionStatus.FAILED
    assert execution.error == ErrorName.DATA_LIMIT_EXCEEDED


def test_an_input_json_cannot_hold_fails_the_execution_instead_of_raising() -> None:
    execution = run(chain(("A", pass_end())), {"tags": {"a", "b"}})
    assert execution.status == ExecutionStatus.FAILED
    assert execution.error == ErrorName.RUNTIME
    assert execution.cause == "The execution input is not JSON: Object of type set is not JSON serializable"
    assert event_types(execution) == ["ExecutionStarted", "ExecutionFailed"]


def test_the_history_quota_fails_a_standard_execution_at_25000_events() -> None:
    definition = {
        "StartAt": "Loop",
        "States": {
            "Loop": {"Type": "Pass", "Next": "Check"},
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.stop", "IsPresent": True, "Next": "Done"}],
                "Default": "Loop",
            },
            "Done": {"Type": "Succeed"},
        },
    }
    execution = run(definition, {})
    assert execution.status == ExecutionStatus.FAILED
    assert execution.error == ErrorName.RUNTIME
    assert "25000" in (execution.cause or "")
    assert execution.history.count == 25_001


def test_context_values_given_by_the_host_appear_in_the_context_object() -> None:
    context = {"Execution": {"Name": "exec-1"}, "StateMachine": {"Name": "sm"}}
    definition = chain(
        ("A", {"Type": "Pass", "Parameters": {"e.$": "$$.Execution.Name", "m.$": "$$.StateMachine.Id"}})
    )
    execution = run(definition, {}, context=context)
    assert execution.output == {"e": "exec-1", "m": "arn:aws:states:us-east-1:111111111111:stateMachine:sm"}
    assert execution.arn == "arn:aws:states:us-east-1:111111111111:execution:sm:exec-1"


def test_the_context_object_has_execution_state_and_machine_parts() -> None:
    execution = run(chain(("A", {"Type": "Pass", "InputPath": "$$"})), {"in": 1})
    context: dict[str, Any] = execution.output
    assert context["Execution"]["Input"] == {"in": 1}
    assert context["Execution"]["RedriveCount"] == 0
    assert context["State"]["Name"] == "A"
    assert context["State"]["EnteredTime"].endswith("Z")
    assert "RetryCount" not in context["State"]
    assert set(context["StateMachine"]) == {"Id", "Name"}


def test_a_step_that_raises_inside_a_catcher_fails_the_branch_with_the_located_cause() -> None:
    definition = chain(
        (
            "T",
            {
                "Type": "Task",
                "Resource": LAMBDA,
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.x.y", "Next": "N"}],
            },
        ),
        ("N", pass_end()),
    )

    def fail(request: TaskRequest) -> Any:
        raise StatesError("Boom", "bad")

    execution = run(definition, "not an object", fail)
    assert execution.status == ExecutionStatus.FAILED
    assert execution.error == ErrorName.RESULT_PATH_MATCH_FAILURE


def test_restore_rejects_an_unknown_snapshot_version() -> None:
    machine = compile_definition(chain(("A", pass_end())))
    with pytest.raises(SnapshotVersionError, match="snapshot version 99"):
        Execution.restore(machine, {"version": 99}, clock=ManualClock())


def test_a_token_nobody_reports_waits_until_the_execution_times_out() -> None:
    definition = chain(
        (
            "T",
            {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Parameters": {"FunctionName": "f", "Payload": {"t.$": "$$.Task.Token"}},
            },
        )
    )
    execution, clock = start(definition, {})
    drive_once = execution.advance()
    execution.task_succeeded(drive_once[0].task_id, {})
    assert execution.awaiting_tokens
    assert execution.next_deadline is not None  # the one-year execution limit
    drive(execution, clock)
    assert execution.status == ExecutionStatus.TIMED_OUT


def test_a_defect_inside_a_step_fails_the_execution_instead_of_raising(
    caplog: pytest.LogCaptureFixture,
) -> None:
    execution, _ = start(chain(("A", {"Type": "Pass"})), {})
    node = execution.machine.states["A"]

    class Broken:
        def effective_input(self, raw: Any, env: Any) -> Any:
            raise ZeroDivisionError("bug")

    node.io = Broken()  # type: ignore[assignment]
    with caplog.at_level("ERROR"):
        execution.advance()
    assert execution.status == ExecutionStatus.FAILED
    assert execution.error == ErrorName.RUNTIME
    assert execution.cause == (
        "An internal error occurred while executing the state 'A': ZeroDivisionError: bug"
    )
    assert "internal error" in caplog.text
