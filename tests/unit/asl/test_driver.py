"""execute() and Interpreter: the in-process host with worker threads and a virtual clock."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from sdw.asl import DefinitionError, Interpreter, StatesError, TaskRequest, VirtualClock, execute

FN = "arn:aws:lambda:us-east-1:111111111111:function:"


def task(name: str, **fields: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": FN + name, **fields}


def test_execute_runs_python_callables_as_lambda_functions() -> None:
    definition = {"StartAt": "T", "States": {"T": task("add", End=True)}}
    result = execute(
        definition, {"a": 1, "b": 2}, tasks={"add": lambda event, context: event["a"] + event["b"]}
    )
    assert (result.status, result.output) == ("SUCCEEDED", 3)
    assert result.error is None and result.cause is None
    assert result.history[-1]["type"] == "ExecutionSucceeded"
    assert result.stop_date >= result.start_date


def test_a_raising_callable_fails_with_its_exception_class_name() -> None:
    def boom(event: Any, context: Any) -> Any:
        raise KeyError("k")

    result = execute({"StartAt": "T", "States": {"T": task("boom", End=True)}}, {}, tasks={"boom": boom})
    assert result.status == "FAILED"
    assert result.error == "KeyError"
    assert '"errorType": "KeyError"' in (result.cause or "")


def test_waits_and_retries_take_no_real_time_with_the_virtual_clock() -> None:
    calls: list[float] = []

    def flaky(event: Any, context: Any) -> Any:
        calls.append(time.monotonic())
        if len(calls) < 3:
            raise RuntimeError("again")
        return "ok"

    definition = {
        "StartAt": "W",
        "States": {
            "W": {"Type": "Wait", "Seconds": 3600, "Next": "T"},
            "T": task("flaky", Retry=[{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 600}], End=True),
        },
    }
    started = time.monotonic()
    result = execute(definition, {}, tasks={"flaky": flaky})
    assert result.output == "ok"
    assert time.monotonic() - started < 2
    history = result.history
    assert (history[-1]["timestamp"] - history[0]["timestamp"]).total_seconds() >= 3600 + 600 + 1200


def test_a_slow_task_times_out_in_real_time_and_is_abandoned() -> None:
    release = threading.Event()

    def slow(event: Any, context: Any) -> Any:
        release.wait(30)
        return event

    definition = {"StartAt": "T", "States": {"T": task("slow", TimeoutSeconds=1, End=True)}}
    started = time.monotonic()
    result = execute(definition, {}, tasks={"slow": slow})
    elapsed = time.monotonic() - started
    release.set()
    assert (result.status, result.error) == ("FAILED", "States.Timeout")
    assert 0.9 <= elapsed < 5


def test_parallel_branches_run_their_tasks_concurrently() -> None:
    barrier = threading.Barrier(3, timeout=5)

    def meet(event: Any, context: Any) -> Any:
        barrier.wait()  # only returns when all three branches are in their task at once
        return event

    branches = [{"StartAt": f"T{i}", "States": {f"T{i}": task("meet", End=True)}} for i in range(3)]
    definition = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": branches, "End": True}}}
    assert execute(definition, 1, tasks={"meet": meet}).output == [1, 1, 1]


def test_a_task_token_sent_from_another_thread_completes_the_task() -> None:
    interpreter = Interpreter()

    class TokenInvoker:
        def invoke(self, request: TaskRequest) -> Any:
            token = request.parameters["Payload"]["token"]
            threading.Timer(0.05, interpreter.send_task_success, (token, {"approved": True})).start()
            return {"StatusCode": 200}

    interpreter.invoker = TokenInvoker()
    definition = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Parameters": {"FunctionName": "f", "Payload": {"token.$": "$$.Task.Token"}},
                "End": True,
            }
        },
    }
    assert interpreter.run(definition, {}).output == {"approved": True}


def test_stop_aborts_a_running_execution() -> None:
    interpreter = Interpreter(virtual_time=False)

    def stop_soon(event: Any, context: Any) -> Any:
        interpreter.stop("Stopped", "by test")
        return event

    interpreter.invoker = Interpreter(tasks={"s": stop_soon}).invoker
    definition = {
        "StartAt": "T",
        "States": {"T": task("s", Next="W"), "W": {"Type": "Wait", "Seconds": 60, "End": True}},
    }
    result = interpreter.run(definition, {})
    assert (result.status, result.error, result.cause) == ("ABORTED", "Stopped", "by test")


def test_an_invoker_bug_becomes_a_task_failure_not_a_crash() -> None:
    class Broken:
        def invoke(self, request: TaskRequest) -> Any:
            raise ZeroDivisionError("oops")

    result = execute({"StartAt": "T", "States": {"T": task("x", End=True)}}, {}, invoker=Broken())
    assert (result.status, result.error) == ("FAILED", "States.TaskFailed")
    assert "ZeroDivisionError" in (result.cause or "")


def test_states_errors_from_an_invoker_keep_their_name() -> None:
    class Refusing:
        def invoke(self, request: TaskRequest) -> Any:
            raise StatesError("Custom.Error", "nope")

    result = execute({"StartAt": "T", "States": {"T": task("x", End=True)}}, {}, invoker=Refusing())
    assert (result.error, result.cause) == ("Custom.Error", "nope")


def test_an_invalid_definition_raises_definition_error_with_every_problem() -> None:
    with pytest.raises(DefinitionError) as info:
        execute({"StartAt": "Nope", "States": {"A": {"Type": "Pass", "Next": "Gone"}}}, {})
    assert len(info.value.diagnostics) >= 2


def test_the_virtual_clock_only_moves_forward() -> None:
    clock = VirtualClock(start=100.0)
    first = clock.now()
    clock.skip_to(50.0)
    assert clock.now() >= first
    clock.skip_to(1000.0)
    assert clock.now() >= 1000.0


CHILD_ARN = "arn:aws:states:us-east-1:111111111111:stateMachine:child"
CHILD = {
    "StartAt": "Double",
    "States": {"Double": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, $.n)"}, "End": True}},
}
FAILING_CHILD = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "ChildBroke", "Cause": "c"}}}


def start_child(suffix: str, arn: str = CHILD_ARN) -> dict[str, Any]:
    return {
        "StartAt": "Start",
        "States": {
            "Start": {
                "Type": "Task",
                "Resource": "arn:aws:states:::states:startExecution" + suffix,
                "Parameters": {"StateMachineArn": arn, "Input": {"n.$": "$.n"}, "Name": "kid"},
                "End": True,
            }
        },
    }


def test_start_execution_sync_2_returns_the_child_output_as_json() -> None:
    result = execute(start_child(".sync:2"), {"n": 4}, state_machines={CHILD_ARN: CHILD})
    assert result.status == "SUCCEEDED", result.cause
    assert result.output["Output"] == {"n": 8}
    assert result.output["Status"] == "SUCCEEDED"
    assert result.output["ExecutionArn"] == "arn:aws:states:us-east-1:111111111111:execution:child:kid"


def test_start_execution_sync_returns_the_output_as_a_string_and_plain_start_returns_at_once() -> None:
    synced = execute(start_child(".sync"), {"n": 1}, state_machines={CHILD_ARN: CHILD})
    assert synced.output["Output"] == '{"n":2}'
    started = execute(start_child(""), {"n": 1}, state_machines={CHILD_ARN: CHILD})
    assert set(started.output) == {"ExecutionArn", "StartDate"}


def test_a_failed_child_fails_the_sync_task_and_an_unknown_machine_is_reported() -> None:
    failed = execute(start_child(".sync"), {"n": 1}, state_machines={CHILD_ARN: FAILING_CHILD})
    assert failed.error == "States.TaskFailed"
    assert '"Error":"ChildBroke"' in (failed.cause or "")
    missing = execute(start_child(".sync", CHILD_ARN + "x"), {"n": 1}, state_machines={CHILD_ARN: CHILD})
    assert missing.error == "StepFunctions.StateMachineDoesNotExistException"


def test_an_invalid_child_definition_fails_the_task_that_starts_it() -> None:
    result = execute(
        start_child(".sync"), {"n": 1}, state_machines={CHILD_ARN: {"StartAt": "Nope", "States": {}}}
    )
    assert result.error == "StepFunctions.InvalidDefinitionException"
