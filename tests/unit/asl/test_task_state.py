"""Task states: effects, results, failures, retries, catches, time-outs, task tokens."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from sdw.asl import ErrorName, ExecutionStatus, StatesError, TaskRequest

from .helpers import chain, drive, event_types, pass_end, run, start

FN = "arn:aws:lambda:us-east-1:111111111111:function:f"
INVOKE = "arn:aws:states:::lambda:invoke"


def fails_with(name: str, cause: str = "it broke") -> Any:
    def handler(request: TaskRequest) -> Any:
        raise StatesError(name, cause)

    return handler


def flaky(failures: int, name: str = "Flaky") -> Any:
    calls: list[TaskRequest] = []

    def handler(request: TaskRequest) -> Any:
        calls.append(request)
        if len(calls) <= failures:
            raise StatesError(name, f"attempt {len(calls)}")
        return {"attempts": len(calls), "params": request.parameters}

    handler.calls = calls  # type: ignore[attr-defined]
    return handler


def test_a_function_arn_task_records_lambda_events() -> None:
    execution = run(chain(("T", {"Type": "Task", "Resource": FN})), {"a": 1})
    assert execution.output == {"a": 1}
    assert event_types(execution) == [
        "ExecutionStarted",
        "TaskStateEntered",
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
        "LambdaFunctionSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]


def test_an_integration_task_records_task_events_with_its_parameters() -> None:
    definition = chain(
        ("T", {"Type": "Task", "Resource": INVOKE, "Parameters": {"FunctionName": "f", "Payload.$": "$"}})
    )
    execution = run(definition, {"a": 1})
    events = execution.history.events()
    assert [e["type"] for e in events[2:5]] == ["TaskScheduled", "TaskStarted", "TaskSucceeded"]
    scheduled = events[2]["taskScheduledEventDetails"]
    assert scheduled["resourceType"] == "lambda"
    assert scheduled["resource"] == "invoke"
    assert scheduled["parameters"] == '{"FunctionName":"f","Payload":{"a":1}}'


def test_result_selector_result_path_and_output_path_shape_the_result() -> None:
    definition = chain(
        (
            "T",
            {
                "Type": "Task",
                "Resource": FN,
                "ResultSelector": {"got.$": "$.value", "retries.$": "$$.State.RetryCount"},
                "ResultPath": "$.r",
                "OutputPath": "$.r",
            },
        )
    )
    execution = run(definition, {"in": 1}, lambda request: {"value": 7})
    assert execution.output == {"got": 7, "retries": 0}


def test_an_uncaught_task_failure_fails_the_execution_with_its_error() -> None:
    execution = run(chain(("T", {"Type": "Task", "Resource": FN})), {}, fails_with("Custom", "why"))
    assert (execution.status, execution.error, execution.cause) == (ExecutionStatus.FAILED, "Custom", "why")
    assert event_types(execution)[-2:] == ["LambdaFunctionFailed", "ExecutionFailed"]


def test_a_caught_failure_exits_the_state_with_the_error_output() -> None:
    definition = chain(
        (
            "T",
            {
                "Type": "Task",
                "Resource": FN,
                "Catch": [
                    {"ErrorEquals": ["Other"], "Next": "Wrong"},
                    {"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.err", "Next": "Handled"},
                ],
                "Next": "Wrong",
            },
        ),
        ("Wrong", pass_end(Result="wrong")),
        ("Handled", pass_end()),
    )
    execution = run(definition, {"k": 1}, fails_with("Boom", "c"))
    assert execution.output == {"k": 1, "err": {"Error": "Boom", "Cause": "c"}}
    assert event_types(execution)[5:8] == ["TaskStateExited", "PassStateEntered", "PassStateExited"]


def test_retries_back_off_exponentially_capped_by_max_delay() -> None:
    definition = chain(
        (
            "T",
            {
                "Type": "Task",
                "Resource": FN,
                "Parameters": {"try.$": "$$.State.RetryCount"},
                "Retry": [
                    {
                        "ErrorEquals": ["Flaky"],
                        "IntervalSeconds": 2,
                        "BackoffRate": 3,
                        "MaxDelaySeconds": 10,
                        "MaxAttempts": 3,
                    }
                ],
            },
        )
    )
    handler = flaky(3)
    execution = run(definition, {}, handler)
    assert execution.output == {"attempts": 4, "params": {"try": 3}}
    scheduled = [e["timestamp"] for e in execution.history.events() if e["type"] == "LambdaFunctionScheduled"]
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(scheduled)]
    assert gaps == pytest.approx([2, 6, 10], abs=0.01)


def test_retries_stop_at_max_attempts_and_then_catchers_decide() -> None:
    definition = chain(
        (
            "T",
            {
                "Type": "Task",
                "Resource": FN,
                "Retry": [{"ErrorEquals": ["Flaky"], "MaxAttempts": 1}, {"ErrorEquals": ["States.ALL"]}],
                "Catch": [{"ErrorEquals": ["Flaky"], "Next": "Caught"}],
            },
        ),
        ("Caught", pass_end()),
    )
    handler = flaky(5)
    execution = run(definition, {}, handler)
    assert len(handler.calls) == 2  # the first matching retrier decides; the second is never used
    assert execution.output == {"Error": "Flaky", "Cause": "attempt 2"}


def test_max_attempts_zero_never_retries() -> None:
    definition = chain(
        ("T", {"Type": "Task", "Resource": FN, "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 0}]})
    )
    handler = flaky(1)
    assert run(definition, {}, handler).error == "Flaky"
    assert len(handler.calls) == 1


def test_full_jitter_waits_at_most_the_computed_interval() -> None:
    definition = chain(
        (
            "T",
            {
                "Type": "Task",
                "Resource": FN,
                "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 4, "JitterStrategy": "FULL"}],
            },
        )
    )
    execution = run(definition, {}, flaky(1))
    scheduled = [e["timestamp"] for e in execution.history.events() if e["type"] == "LambdaFunctionScheduled"]
    assert 0 <= (scheduled[1] - scheduled[0]).total_seconds() <= 4


def test_states_runtime_is_neither_retried_nor_caught() -> None:
    definition = chain(
        (
            "T",
            {
                "Type": "Task",
                "Resource": FN,
                "ResultSelector": {"x.$": "$.missing"},
                "Retry": [{"ErrorEquals": ["States.ALL"]}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "C"}],
            },
        ),
        ("C", pass_end()),
    )
    execution = run(definition, {}, lambda request: {})
    assert execution.error == ErrorName.RUNTIME


def test_task_failed_does_not_match_a_timeout() -> None:
    definition = chain(
        (
            "T",
            {
                "Type": "Task",
                "Resource": FN,
                "TimeoutSeconds": 5,
                "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "C"}],
            },
        ),
        ("C", pass_end()),
    )
    execution, clock = start(definition, {})
    execution.advance()  # the task never answers
    clock.advance(5)
    execution.advance()
    assert execution.error == ErrorName.TIMEOUT
    assert execution.cause in ("", None)
    assert "LambdaFunctionTimedOut" in event_types(execution)


def test_a_timeout_can_be_caught_and_a_late_result_is_ignored() -> None:
    definition = chain(
        (
            "T",
            {
                "Type": "Task",
                "Resource": INVOKE,
                "TimeoutSecondsPath": "$.t",
                "Parameters": {"FunctionName": "f"},
                "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "C"}],
            },
        ),
        ("C", pass_end()),
    )
    execution, clock = start(definition, {"t": 3})
    (request,) = execution.advance()
    assert request.timeout_seconds == pytest.approx(3)
    clock.advance(3)
    execution.advance()
    assert execution.output == {"Error": "States.Timeout", "Cause": ""}
    assert not execution.task_succeeded(request.task_id, "late")
    assert "TaskTimedOut" in event_types(execution)


@pytest.mark.parametrize("value", [0, -1, "5", 1.5, True])
def test_a_bad_timeout_seconds_path_value_fails_with_states_runtime(value: Any) -> None:
    definition = chain(("T", {"Type": "Task", "Resource": FN, "TimeoutSecondsPath": "$.t"}))
    assert run(definition, {"t": value}).error == ErrorName.RUNTIME


def test_a_timeout_seconds_path_wider_than_a_long_is_refused_with_the_states_cause() -> None:
    definition = chain(("T", {"Type": "Task", "Resource": FN, "TimeoutSecondsPath": "$.t"}))
    execution = run(definition, {"t": 10**400})
    assert execution.error == ErrorName.RUNTIME
    assert (execution.cause or "").endswith(
        f"The TimeoutSecondsPath value must be a positive integer, got {10**400}."
    )


def test_a_task_result_over_256_kib_is_data_limit_exceeded_naming_the_resource() -> None:
    big = "a" * 262_145
    legacy = run(chain(("T", {"Type": "Task", "Resource": FN})), {}, lambda request: big)
    assert legacy.error == ErrorName.DATA_LIMIT_EXCEEDED
    assert (
        legacy.cause
        == f"The state/task '{FN}' returned a result with a size exceeding the maximum number of "
        "bytes service limit."
    )
    caught = run(
        chain(
            (
                "T",
                {
                    "Type": "Task",
                    "Resource": INVOKE,
                    "Parameters": {"FunctionName": "f"},
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "C"}],
                },
            ),
            ("C", pass_end()),
        ),
        {},
        lambda request: big,
    )
    assert caught.output["Error"] == ErrorName.DATA_LIMIT_EXCEEDED
    assert "'lambda'" in caught.output["Cause"]


def wait_for_token_definition(**extra: Any) -> dict[str, Any]:
    return chain(
        (
            "T",
            {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Parameters": {"FunctionName": "f", "Payload": {"token.$": "$$.Task.Token"}},
                **extra,
            },
        )
    )


def test_wait_for_task_token_waits_for_the_token_after_the_call() -> None:
    execution, _ = start(wait_for_token_definition(), {})
    (request,) = execution.advance()
    token = request.parameters["Payload"]["token"]
    assert token == request.task_token
    execution.task_succeeded(request.task_id, {"StatusCode": 200})
    execution.advance()
    assert not execution.done and execution.awaiting_tokens
    assert not execution.send_task_success("other-token", 1)
    assert execution.send_task_success(token, {"done": True})
    execution.advance()
    assert execution.output == {"done": True}


def test_a_token_can_report_a_failure_before_the_call_returns() -> None:
    execution, _ = start(wait_for_token_definition(), {})
    (request,) = execution.advance()
    assert execution.send_task_failure(request.task_token or "", "Rejected", "no")
    execution.advance()
    assert (execution.error, execution.cause) == ("Rejected", "no")
    assert not execution.task_succeeded(request.task_id, {})


def test_heartbeats_keep_a_token_task_alive_until_they_stop() -> None:
    execution, clock = start(wait_for_token_definition(HeartbeatSeconds=10), {})
    (request,) = execution.advance()
    token = request.task_token or ""
    execution.task_succeeded(request.task_id, {})
    for _ in range(3):
        clock.advance(8)
        assert execution.send_task_heartbeat(token)
        execution.advance()
        assert not execution.done
    clock.advance(10)
    execution.advance()
    assert execution.error == ErrorName.HEARTBEAT_TIMEOUT
    assert not execution.send_task_heartbeat(token)


def test_catch_assign_and_jsonata_output_see_the_error_output() -> None:
    definition = chain(
        (
            "T",
            {
                "Type": "Task",
                "Resource": FN,
                "Catch": [
                    {
                        "ErrorEquals": ["States.ALL"],
                        "Assign": {"err": "{% $states.errorOutput.Error %}"},
                        "Output": {"in": "{% $states.input %}", "out": "{% $states.errorOutput %}"},
                        "Next": "C",
                    }
                ],
            },
        ),
        ("C", {"Type": "Pass", "Output": {"var": "{% $err %}", "prev": "{% $states.input %}"}, "End": True}),
        QueryLanguage="JSONata",
    )
    execution = run(definition, {"x": 1}, fails_with("E", "c"))
    assert execution.output == {"var": "E", "prev": {"in": {"x": 1}, "out": {"Error": "E", "Cause": "c"}}}


def test_jsonata_arguments_output_and_assign_of_a_task() -> None:
    definition = chain(
        (
            "T",
            {
                "Type": "Task",
                "Resource": INVOKE,
                "Arguments": {"FunctionName": "f", "Payload": "{% $states.input.n + 1 %}"},
                "Output": "{% $states.result.Payload * 10 %}",
                "Assign": {"raw": "{% $states.result %}"},
            },
        ),
        ("Show", {"Type": "Pass", "Output": {"o": "{% $states.input %}", "raw": "{% $raw %}"}}),
        QueryLanguage="JSONata",
    )
    execution = run(definition, {"n": 1}, lambda request: {"Payload": request.parameters["Payload"]})
    assert execution.output == {"o": 20, "raw": {"Payload": 2}}


def test_drive_answers_concurrent_tasks_in_any_order() -> None:
    definition = chain(("T", {"Type": "Task", "Resource": FN}))
    execution, clock = start(definition, {"v": 1})
    drive(execution, clock, lambda request: request.parameters["v"] + 1)
    assert execution.output == 2
