"""The flow engine on real SQLite and the real warm invoker: start, describe, list, history, stop."""

from __future__ import annotations

import base64
import stat
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from sdw.local.engine._flow_engine import LocalFlowEngine
from sdw.system import (
    ExecutionExistsError,
    ExecutionNotFoundError,
    FlowNotFoundError,
    InvalidParameterError,
    InvalidTokenError,
)
from tests.functional.local.engine.support import (
    OWNER,
    all_events,
    event_types,
    function_arn,
    run_to_end,
    running_engine,
    task,
    write_project,
)

FN = "functions/lib/{}/handler.handler"


def uses(*names: str) -> list[dict[str, str]]:
    return [{"name": name, "handler": FN.format(name)} for name in names]


def invoking_echo(parameters: dict[str, Any]) -> dict[str, Any]:
    """A flow of one ``lambda:invoke`` Task calling ``echo`` with these parameters."""
    invoke = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
              "Parameters": {"FunctionName": function_arn("echo"), **parameters}, "End": True}
    return {"functions": uses("echo"), "definition": {"StartAt": "I", "States": {"I": invoke}}}


FLOWS: dict[str, Any] = {
    "two": {
        "functions": uses("add_one", "double"),
        "definition": {
            "StartAt": "A",
            "States": {"A": task("add_one", Next="B"), "B": task("double", End=True)},
        },
    },
    "napper": {
        "functions": uses("nap"),
        "definition": {"StartAt": "N", "States": {"N": task("nap", End=True)}},
    },
    "waiter": {
        "definition": {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 30, "End": True}}},
    },
    "catcher": {
        "functions": uses("boom"),
        "definition": {
            "StartAt": "B",
            "States": {
                "B": task(
                    "boom",
                    End=True,
                    Catch=[{"ErrorEquals": ["Boom"], "ResultPath": "$.caught", "Next": "Done"}],
                ),
                "Done": {"Type": "Pass", "End": True},
            },
        },
    },
    "failer": {
        "functions": uses("boom"),
        "definition": {"StartAt": "B", "States": {"B": task("boom", End=True)}},
    },
    "invoker": invoking_echo({"Payload": {"hello.$": "$.who"}}),
    "tailer": invoking_echo({"Payload": {"a": 1}, "LogType": "Tail"}),
    "missing": {
        "definition": {"StartAt": "M", "States": {"M": task("no_such_function", End=True)}},
    },
    "timesOut": {
        "definition": {
            "TimeoutSeconds": 5,
            "StartAt": "W",
            "States": {"W": {"Type": "Wait", "Seconds": 30, "End": True}},
        },
    },
    "retrier": {
        "functions": uses("flaky"),
        "definition": {
            "StartAt": "F",
            "States": {
                "F": task(
                    "flaky",
                    End=True,
                    Retry=[{"ErrorEquals": ["Flaky"], "IntervalSeconds": 10, "BackoffRate": 1}],
                )
            },
        },
    },
    "quick": {
        "type": "EXPRESS",
        "definition": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
    },
}
CONFIGS = {"nap": "timeout: 1\n"}
FUNCTIONS = {
    # Fails twice, then succeeds (module state lives as long as the warm instance).
    "flaky": (
        "class Flaky(Exception):\n    pass\n\ncalls = 0\n\n"
        "def handler(event, context):\n    global calls\n    calls += 1\n"
        "    if calls < 3:\n        raise Flaky(f'call {calls}')\n    return {'calls': calls}\n"
    ),
}


@pytest.fixture
def engine(tmp_path: Path) -> Any:
    project = write_project(tmp_path / "project", FLOWS, FUNCTIONS, configs=CONFIGS)
    with running_engine(project, tmp_path / "state") as running:
        yield running


def test_runs_a_flow_of_two_tasks_to_its_output(engine: LocalFlowEngine) -> None:
    described = run_to_end(engine, "two", {"value": 1})
    assert (described.status, described.output, described.input) == ("SUCCEEDED", {"value": 4}, {"value": 1})
    assert described.flow == "two" and described.owner == OWNER
    assert described.execution_arn.endswith(f":execution:two:{described.execution_id}")
    assert described.start_date <= (described.stop_date or "")


def test_records_the_history_as_step_functions_shapes_it(engine: LocalFlowEngine) -> None:
    described = run_to_end(engine, "two", {"value": 1})
    events = all_events(engine, described.execution_arn)
    assert [event["id"] for event in events] == list(range(1, len(events) + 1))
    assert events[0]["type"] == "ExecutionStarted" and events[-1]["type"] == "ExecutionSucceeded"
    assert events[-1]["executionSucceededEventDetails"]["output"] == '{"value":4}'
    assert events[0]["timestamp"].tzinfo is not None
    assert event_types(engine, described.execution_id).count("LambdaFunctionSucceeded") == 2


def test_pages_the_history_forwards_and_backwards(engine: LocalFlowEngine) -> None:
    arn = run_to_end(engine, "two", {"value": 1}).execution_arn
    every = [event["id"] for event in all_events(engine, arn)]
    forward, token = [], None
    while True:
        page = engine.history(arn, limit=3, next_token=token)
        forward += [event["id"] for event in page.items]
        token = page.next_token
        if token is None:
            break
    backward = engine.history(arn, limit=1000, reverse=True)
    assert forward == every and [event["id"] for event in backward.items] == every[::-1]
    reverse_page = engine.history(arn, limit=2, reverse=True)
    assert [event["id"] for event in reverse_page.items] == every[::-1][:2]
    with pytest.raises(InvalidTokenError):  # a reverse token is not a forward one
        engine.history(arn, limit=2, next_token=reverse_page.next_token)


def test_a_lambda_error_document_becomes_the_task_failure_a_catch_matches(engine: LocalFlowEngine) -> None:
    caught = run_to_end(engine, "catcher", {})
    assert caught.status == "SUCCEEDED" and caught.output["caught"]["Error"] == "Boom"
    failed = run_to_end(engine, "failer", {})
    assert (failed.status, failed.error) == ("FAILED", "Boom")
    assert '"errorMessage": "it went wrong"' in (failed.cause or "")


def test_lambda_invoke_returns_the_integration_shape(engine: LocalFlowEngine) -> None:
    described = run_to_end(engine, "invoker", {"who": "Ada"})
    assert described.output["Payload"] == {"hello": "Ada"}
    assert described.output["StatusCode"] == 200 and described.output["ExecutedVersion"] == "$LATEST"


def test_a_function_past_its_timeout_fails_the_task_as_lambda_does(engine: LocalFlowEngine) -> None:
    described = run_to_end(engine, "napper", {"seconds": 2})
    assert (described.status, described.error) == ("FAILED", "Sandbox.Timedout")
    assert "Task timed out after 1.00 seconds" in (described.cause or "")


def test_a_task_gets_the_raw_state_input_and_a_context_with_the_function_timeout(
    engine: LocalFlowEngine,
) -> None:
    described = run_to_end(engine, "napper", {"seconds": 0.01})
    assert described.status == "SUCCEEDED"
    assert 0 < described.output["remaining_ms"] <= 1000


def test_an_unknown_function_is_lambdas_resource_not_found(engine: LocalFlowEngine) -> None:
    described = run_to_end(engine, "missing", {})
    assert described.error == "Lambda.ResourceNotFoundException"
    assert "Function not found" in (described.cause or "")


def test_refuses_an_unknown_flow_and_an_unknown_execution(engine: LocalFlowEngine) -> None:
    with pytest.raises(FlowNotFoundError):
        engine.start("nope", {}, owner=OWNER)
    for reference in ("nope", "arn:aws:states:us-east-1:000000000000:execution:two:nope", ""):
        with pytest.raises(ExecutionNotFoundError):
            engine.describe(reference)
        with pytest.raises(ExecutionNotFoundError):
            engine.history(reference)
        with pytest.raises(ExecutionNotFoundError):
            engine.stop(reference)


def test_refuses_input_that_is_not_json_or_too_big(engine: LocalFlowEngine) -> None:
    with pytest.raises(InvalidParameterError, match="not JSON"):
        engine.start("two", {"x": {1, 2}}, owner=OWNER)
    with pytest.raises(InvalidParameterError, match="at most 262,144"):
        engine.start("two", {"x": "y" * 262_144}, owner=OWNER)


def test_the_same_name_and_input_while_running_is_the_same_execution(engine: LocalFlowEngine) -> None:
    first = engine.start("waiter", {"a": 1, "b": 2}, owner=OWNER, name="once")
    again = engine.start("waiter", {"b": 2, "a": 1}, owner=OWNER, name="once")
    assert again.execution_arn == first.execution_arn and again.start_date == first.start_date
    with pytest.raises(ExecutionExistsError) as caught:
        engine.start("waiter", {"a": 2}, owner=OWNER, name="once")
    assert caught.value.status == 409
    assert len(engine.list(owner=OWNER, flow="waiter").items) == 1


def test_a_closed_execution_keeps_its_name(engine: LocalFlowEngine) -> None:
    run_to_end(engine, "two", {"value": 1}, name="done-once")
    with pytest.raises(ExecutionExistsError, match="has already run") as caught:
        engine.start("two", {"value": 1}, owner=OWNER, name="done-once")
    assert caught.value.closed and caught.value.status == 409


def test_the_same_name_in_another_flow_is_another_execution(engine: LocalFlowEngine) -> None:
    a = run_to_end(engine, "two", {"value": 1}, name="shared")
    b = run_to_end(engine, "invoker", {"who": "x"}, name="shared")
    assert a.execution_arn != b.execution_arn
    assert engine.describe("shared", flow="two").output == {"value": 4}
    assert engine.describe("shared", flow="invoker").flow == "invoker"
    with pytest.raises(ExecutionNotFoundError):
        engine.describe("shared", flow="waiter")


def test_refuses_a_bad_name_with_a_sentence(engine: LocalFlowEngine) -> None:
    with pytest.raises(InvalidParameterError, match="contains ' '"):
        engine.start("two", {}, owner=OWNER, name="has space")


def test_lists_the_owners_executions_newest_first_by_flow_and_status(engine: LocalFlowEngine) -> None:
    done = [run_to_end(engine, "two", {"value": i}).execution_arn for i in range(3)]
    waiting = engine.start("waiter", {}, owner=OWNER).execution_arn
    other = engine.start("waiter", {}, owner="someone-else").execution_arn
    listed = [s.execution_arn for s in engine.list(owner=OWNER).items]
    assert listed == [waiting, *reversed(done)] and other not in listed
    assert [s.execution_arn for s in engine.list(owner=OWNER, flow="two").items] == done[::-1]
    assert [s.execution_arn for s in engine.list(owner=OWNER, status="RUNNING").items] == [waiting]
    assert engine.list(owner=OWNER, flow="waiter", status="SUCCEEDED").items == []
    assert [s.execution_arn for s in engine.list(owner="someone-else").items] == [other]


def test_pages_the_listing_with_opaque_tokens(engine: LocalFlowEngine) -> None:
    arns = [engine.start("waiter", {"i": i}, owner=OWNER).execution_arn for i in range(5)]
    seen, token = [], None
    while True:
        page = engine.list(owner=OWNER, limit=2, next_token=token)
        seen += [s.execution_arn for s in page.items]
        token = page.next_token
        if token is None:
            break
    assert seen == arns[::-1]
    first = engine.list(owner=OWNER, limit=2)
    with pytest.raises(InvalidTokenError):
        engine.list(owner="someone-else", limit=2, next_token=first.next_token)
    with pytest.raises(InvalidTokenError):
        engine.list(owner=OWNER, next_token="not-a-token")
    with pytest.raises(InvalidParameterError):
        engine.list(owner=OWNER, limit=5000)
    with pytest.raises(InvalidParameterError, match="status filter"):
        engine.list(owner=OWNER, status="DONE")


@pytest.mark.parametrize(
    ("flow", "status", "index"),
    [
        (None, None, "executions_by_owner"),
        ("two", None, "executions_by_owner_flow"),
        (None, "RUNNING", "executions_by_owner_status"),
        ("two", "RUNNING", "executions_by_owner_flow_status"),
    ],
)
def test_listing_reads_an_index_never_every_execution(
    engine: LocalFlowEngine, flow: str | None, status: str | None, index: str
) -> None:
    where, params = "owner = ?", [OWNER]
    for column, value in (("flow", flow), ("status", status)):
        if value is not None:
            where += f" AND {column} = ?"
            params.append(value)
    plan = engine.store.query_plan(
        f"SELECT * FROM executions WHERE {where} ORDER BY seq DESC LIMIT 10", params
    )
    assert any(index in step for step in plan), plan
    assert not any("TEMP B-TREE" in step or step.startswith("SCAN executions") for step in plan), plan


def test_stop_aborts_a_running_execution_with_execution_aborted(engine: LocalFlowEngine) -> None:
    arn = engine.start("waiter", {}, owner=OWNER).execution_arn
    stopped = engine.stop(arn, error="Oops", cause="stopped by a test")
    assert (stopped.status, stopped.error, stopped.cause) == ("ABORTED", "Oops", "stopped by a test")
    last = all_events(engine, arn)[-1]
    assert last["type"] == "ExecutionAborted"
    assert last["executionAbortedEventDetails"] == {"error": "Oops", "cause": "stopped by a test"}
    assert engine.stop(arn).status == "ABORTED"  # a closed execution is left as it is


def test_a_task_result_arriving_after_stop_is_ignored(engine: LocalFlowEngine) -> None:
    arn = engine.start("napper", {"seconds": 0.3}, owner=OWNER).execution_arn
    time.sleep(0.1)
    assert engine.stop(arn).status == "ABORTED"
    time.sleep(0.4)
    described = engine.describe(arn)
    assert described.status == "ABORTED" and described.output is None
    assert event_types(engine, arn)[-1] == "ExecutionAborted"


def test_stop_refuses_an_over_long_error_or_cause(engine: LocalFlowEngine) -> None:
    arn = engine.start("waiter", {}, owner=OWNER).execution_arn
    with pytest.raises(InvalidParameterError):
        engine.stop(arn, error="e" * 257)
    with pytest.raises(InvalidParameterError):
        engine.stop(arn, cause="c" * 32_769)


def test_an_express_execution_has_its_own_arn_shape_and_no_history(engine: LocalFlowEngine) -> None:
    first = run_to_end(engine, "quick", {"a": 1}, name="same")
    second = run_to_end(engine, "quick", {"a": 2}, name="same")  # names are not idempotency keys
    assert first.execution_arn != second.execution_arn
    assert ":express:quick:same:" in first.execution_arn and first.execution_id.startswith("same:")
    assert (second.status, second.output) == ("SUCCEEDED", {"a": 2})
    assert engine.describe(first.execution_id).execution_arn == first.execution_arn
    with pytest.raises(InvalidParameterError, match="no history"):
        engine.history(first.execution_arn)


def test_wait_returns_at_its_timeout_while_the_execution_runs(engine: LocalFlowEngine) -> None:
    arn = engine.start("waiter", {}, owner=OWNER).execution_arn
    began = time.monotonic()
    assert engine.wait(arn, timeout=0.2).status == "RUNNING"
    assert 0.15 < time.monotonic() - began < 2


def test_keeps_the_database_and_its_companions_private(engine: LocalFlowEngine, tmp_path: Path) -> None:
    run_to_end(engine, "two", {"value": 1})
    state = tmp_path / "state"
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    files = [path for path in state.iterdir() if path.name.startswith("flows.")]
    assert {path.name for path in files} >= {"flows.db", "flows.lock"}
    assert all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in files), files


def test_answers_reads_from_many_threads_while_executions_run(engine: LocalFlowEngine) -> None:
    arns = [engine.start("two", {"value": i}, owner=OWNER).execution_arn for i in range(20)]
    errors: list[BaseException] = []

    def poll() -> None:
        try:
            for arn in arns:
                engine.describe(arn)
                engine.list(owner=OWNER, limit=5)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=poll) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert [engine.wait(arn, timeout=10).output for arn in arns] == [
        {"value": (i + 1) * 2} for i in range(20)
    ]


class FastClock:
    """Wall time running ``rate`` times faster: a 30 s Wait takes 0.3 s."""

    def __init__(self, rate: float) -> None:
        self._start, self._origin, self._rate = time.time(), time.monotonic(), rate

    def now(self) -> float:
        return self._start + (time.monotonic() - self._origin) * self._rate


def test_timers_follow_the_injected_clock(tmp_path: Path) -> None:
    project = write_project(tmp_path / "project", FLOWS, FUNCTIONS, configs=CONFIGS)
    with running_engine(project, tmp_path / "state", clock=FastClock(100)) as engine:
        began = time.monotonic()
        described = run_to_end(engine, "waiter", {"w": 1}, timeout=5)
        events = all_events(engine, described.execution_arn)
    assert described.status == "SUCCEEDED" and time.monotonic() - began < 2
    entered, exited = (e["timestamp"] for e in events if e["type"] in ("WaitStateEntered", "WaitStateExited"))
    assert 30 <= (exited - entered).total_seconds() < 45  # 30 s of the engine's clock


def test_an_execution_past_its_timeout_seconds_times_out(tmp_path: Path) -> None:
    project = write_project(tmp_path / "project", FLOWS, FUNCTIONS, configs=CONFIGS)
    with running_engine(project, tmp_path / "state", clock=FastClock(100)) as engine:
        described = run_to_end(engine, "timesOut", {}, timeout=5)
        last = all_events(engine, described.execution_arn)[-1]["type"]
    assert (described.status, described.error, last) == ("TIMED_OUT", "States.Timeout", "ExecutionTimedOut")


def test_retries_wait_their_back_off_on_the_engines_clock(tmp_path: Path) -> None:
    project = write_project(tmp_path / "project", FLOWS, FUNCTIONS, configs=CONFIGS)
    with running_engine(project, tmp_path / "state", clock=FastClock(100)) as engine:
        described = run_to_end(engine, "retrier", {}, timeout=5)
        events = all_events(engine, described.execution_arn)
    assert (described.status, described.output) == ("SUCCEEDED", {"calls": 3})
    failed = [e["timestamp"] for e in events if e["type"] == "LambdaFunctionFailed"]
    scheduled = [e["timestamp"] for e in events if e["type"] == "LambdaFunctionScheduled"]
    assert len(failed) == 2 and len(scheduled) == 3
    assert all(10 <= (s - f).total_seconds() < 20 for f, s in zip(failed, scheduled[1:], strict=True))


def two_naps(retry: list[dict[str, Any]]) -> dict[str, Any]:
    """Two branches calling ``nap`` at once, each with ``retry``."""
    def branch(name: str) -> dict[str, Any]:
        return {"StartAt": name, "States": {name: task("nap", Parameters={"seconds": 0.3}, Retry=retry,
                                                       End=True)}}

    both = {"Type": "Parallel", "Branches": [branch("N0"), branch("N1")], "End": True}
    definition = {"StartAt": "Both", "States": {"Both": both}}
    return {"twoNaps": {"functions": uses("nap"), "definition": definition}}


def test_a_task_past_the_functions_concurrency_is_lambdas_throttle_which_a_retry_can_absorb(
    tmp_path: Path,
) -> None:
    # Two branches call `nap` at once; the function may run one call: the other is refused as
    # Lambda refuses it (TooManyRequestsException), which Step Functions reports as
    # Lambda.TooManyRequestsException, the error its guide retries for Lambda tasks.
    bare = write_project(tmp_path / "bare", two_naps([]), FUNCTIONS, configs=CONFIGS)
    with running_engine(bare, tmp_path / "state1", concurrency=1) as engine:
        failed = run_to_end(engine, "twoNaps", {})
    assert (failed.status, failed.error) == ("FAILED", "Lambda.TooManyRequestsException")
    assert (failed.cause or "").startswith("Rate Exceeded. (Service: AWSLambda; Status Code: 429;")
    retried = [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "IntervalSeconds": 1, "MaxAttempts": 5}]
    patient = write_project(tmp_path / "patient", two_naps(retried), FUNCTIONS, configs=CONFIGS)
    with running_engine(patient, tmp_path / "state2", concurrency=1) as engine:
        done = run_to_end(engine, "twoNaps", {})
    assert done.status == "SUCCEEDED" and len(done.output) == 2


def test_lambda_invoke_with_log_type_tail_returns_the_log_result(engine: LocalFlowEngine) -> None:
    output = run_to_end(engine, "tailer", {}).output
    assert output["Payload"] == {"a": 1}
    log = base64.b64decode(output["LogResult"]).decode()
    assert log.startswith("START RequestId: ")
    assert "\nEND RequestId: " in log and "\nREPORT RequestId: " in log
    assert output["SdkHttpMetadata"]["HttpHeaders"]["X-Amz-Log-Result"] == output["LogResult"]
