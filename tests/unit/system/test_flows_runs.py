"""GET /runs, GET /run/{flow}/{execution}/history and POST .../stop against the in-memory engine."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from sdw.system import SCHEDULE_OWNER, FlowEndpoints, SystemResponse, owned_execution_name
from tests.unit.system.test_flows import (
    ACCOUNT,
    ADA,
    BOB,
    PROJECT,
    FakeEngine,
    assert_error,
    start,
    started_id,
)


@pytest.fixture
def engine() -> FakeEngine:
    return FakeEngine(PROJECT)


@pytest.fixture
def endpoints(engine: FakeEngine) -> FlowEndpoints:
    return FlowEndpoints(engine, PROJECT)


def ids(response: SystemResponse) -> list[str]:
    """The listed executions' ids, each given name shown as given (without the caller's digest)."""
    assert response.status == 200, response.body
    return [re.sub(r"-[0-9a-f]{16}(?=:|$)", "", row["executionId"]) for row in response.body["executions"]]


# --------------------------------------------------------------------------- GET /runs


def test_lists_only_the_callers_executions_newest_first(endpoints: FlowEndpoints) -> None:
    for name in ("a1", "a2"):
        start(endpoints, name=name)
    start(endpoints, principal=BOB, name="b1")
    start(endpoints, name="a3", flow="scheduleFlow")
    assert ids(endpoints.list_runs(ADA, {})) == ["a3:run3", "a2", "a1"]
    assert ids(endpoints.list_runs(BOB, {})) == ["b1"]


def test_a_listed_execution_has_its_summary(endpoints: FlowEndpoints) -> None:
    start(endpoints, name="a1")
    a1 = owned_execution_name("sub-ada", "a1")
    assert endpoints.list_runs(ADA, {}).body == {
        "executions": [{
            "executionArn": f"{ACCOUNT}:execution:helloWorldFlow:{a1}",
            "executionId": a1,
            "name": a1,
            "flow": "helloWorldFlow",
            "stateMachineArn": f"{ACCOUNT}:stateMachine:helloWorldFlow",
            "status": "RUNNING",
            "startDate": "2027-01-15T08:00:00.000Z",
            "stopDate": None,
        }],
        "nextToken": None,
        "count": 1,
    }


def test_an_express_executions_name_is_its_id_without_the_run_id(endpoints: FlowEndpoints) -> None:
    start(endpoints, name="nightly-1", flow="scheduleFlow")
    (row,) = endpoints.list_runs(ADA, {}).body["executions"]
    name = owned_execution_name(ADA.user_id, "nightly-1")
    assert row["executionId"] == f"{name}:run0" and row["name"] == name


def test_lists_by_flow_and_by_status(endpoints: FlowEndpoints, engine: FakeEngine) -> None:
    start(endpoints, name="h1")
    arn = start(endpoints, name="h2").body["executionArn"]
    start(endpoints, name="s1", flow="scheduleFlow")
    engine.finish(arn, "SUCCEEDED", output={})
    assert ids(endpoints.list_runs(ADA, {"flow": "helloWorldFlow"})) == ["h2", "h1"]
    assert ids(endpoints.list_runs(ADA, {"status": "succeeded"})) == ["h2"]
    assert ids(endpoints.list_runs(ADA, {"flow": "scheduleFlow", "status": "RUNNING"})) == ["s1:run2"]
    assert engine.calls[-1] == ("list", {"owner": "sub-ada", "flow": "scheduleFlow", "status": "RUNNING",
                                         "limit": 100, "next_token": None})


def test_a_plugin_flow_filter_takes_the_state_machine_name(
    endpoints: FlowEndpoints, engine: FakeEngine
) -> None:
    start(endpoints, flow="billing-nightly", name="n1")
    assert ids(endpoints.list_runs(ADA, {"flow": "billing-nightly"})) == ["n1"]
    assert engine.calls[-1][1]["flow"] == "billing/nightly"


def test_pages_follow_the_next_token_to_the_end(endpoints: FlowEndpoints) -> None:
    for n in range(5):
        start(endpoints, name=f"r{n}")
    first = endpoints.list_runs(ADA, {"limit": "2"})
    assert ids(first) == ["r4", "r3"] and first.body["nextToken"]
    second = endpoints.list_runs(ADA, {"limit": "2", "next_token": first.body["nextToken"]})
    assert ids(second) == ["r2", "r1"]
    last = endpoints.list_runs(ADA, {"limit": "2", "next_token": second.body["nextToken"]})
    assert ids(last) == ["r0"] and last.body["nextToken"] is None


@pytest.mark.parametrize(
    ("query", "status", "code", "message"),
    [
        ({"status": "DONE"}, 400, "InvalidParameterException",
         "Invalid ?status='DONE': it must be one of RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED."),
        ({"limit": "0"}, 400, "InvalidParameterException", "Invalid ?limit=0: it must be from 1 to 1000."),
        ({"limit": "1001"}, 400, "InvalidParameterException",
         "Invalid ?limit=1001: it must be from 1 to 1000."),
        ({"limit": "x"}, 400, "InvalidParameterException",
         "Invalid ?limit='x': it must be a whole number from 1 to 1000."),
        ({"next_token": "forged"}, 400, "InvalidToken", "Invalid pagination token."),
        ({"flow": "nope"}, 404, "StateMachineDoesNotExist", "Flow 'nope' does not exist."),
        ({"nextToken": "x"}, 400, "InvalidParameterException",
         "Unknown query parameter 'nextToken'; this endpoint accepts: flow, status, limit, next_token, "
         "owner."),
        ({"owner": "someone-else"}, 400, "InvalidParameterException",
         "The owner filter may only be 'schedule' (scheduled runs) or left out (your own runs)."),
    ],
)
def test_a_bad_listing_parameter_is_refused_with_a_message(
    endpoints: FlowEndpoints, query: dict[str, str], status: int, code: str, message: str
) -> None:
    assert_error(endpoints.list_runs(ADA, query), status, code, message)


def test_scheduled_runs_are_listed_with_owner_schedule_and_readable_by_any_user(
    endpoints: FlowEndpoints, engine: FakeEngine
) -> None:
    engine.start("scheduleFlow", {"name": "scheduler"}, owner=SCHEDULE_OWNER, name="schedule-20300101T0000Z")
    start(endpoints, name="mine")
    assert ids(endpoints.list_runs(ADA, {})) == ["mine"]
    assert ids(endpoints.list_runs(BOB, {"owner": "schedule", "flow": "scheduleFlow"})) == [
        "schedule-20300101T0000Z:run0"]
    assert ids(endpoints.list_runs(ADA, {"owner": ADA.user_id})) == ["mine"]
    described = endpoints.describe_run(BOB, "scheduleFlow", "schedule-20300101T0000Z:run0", {})
    assert described.status == 200 and described.body["input"] == {"name": "scheduler"}
    assert endpoints.run_history(BOB, "scheduleFlow", "schedule-20300101T0000Z:run0", {}).status == 200
    assert_error(endpoints.stop_run(BOB, "scheduleFlow", "schedule-20300101T0000Z:run0", {}, None), 404,
                 "ExecutionDoesNotExist", "Execution 'schedule-20300101T0000Z:run0' does not exist.")


# --------------------------------------------------------------------------- history


def test_history_passes_its_page_parameters_to_the_engine(
    endpoints: FlowEndpoints, engine: FakeEngine
) -> None:
    arn = start(endpoints, name="h").body["executionArn"]
    engine.events[arn] += [{"id": 2, "type": "PassStateEntered"}, {"id": 3, "type": "ExecutionSucceeded"}]
    response = endpoints.run_history(ADA, "helloWorldFlow", "h", {"limit": "2", "reverse": "true"})
    assert response.status == 200
    assert [e["id"] for e in response.body["events"]] == [3, 2] and response.body["nextToken"]
    expected = {"execution": arn, "limit": 2, "next_token": None, "reverse": True}
    assert engine.calls[-1] == ("history", expected)
    rest = endpoints.run_history(ADA, "helloWorldFlow", arn,
                                 {"limit": "2", "reverse": "true", "next_token": response.body["nextToken"]})
    assert [e["id"] for e in rest.body["events"]] == [1] and rest.body["nextToken"] is None


def test_history_is_oldest_first_by_default(endpoints: FlowEndpoints, engine: FakeEngine) -> None:
    start(endpoints, name="h")
    assert endpoints.run_history(ADA, "helloWorldFlow", "h", {}).body == {
        "events": [{"id": 1, "type": "ExecutionStarted", "timestamp": "2027-01-15T08:00:00.000Z"}],
        "nextToken": None,
    }


def test_history_gives_datetime_timestamps_as_iso_text(endpoints: FlowEndpoints, engine: FakeEngine) -> None:
    arn = start(endpoints, name="h").body["executionArn"]
    stamp = datetime(2027, 1, 15, 9, 0, 0, 123456, tzinfo=timezone(timedelta(hours=1)))
    engine.events[arn] = [{"id": 1, "type": "ExecutionStarted", "timestamp": stamp}]
    events = endpoints.run_history(ADA, "helloWorldFlow", "h", {}).body["events"]
    assert events == [{"id": 1, "type": "ExecutionStarted", "timestamp": "2027-01-15T08:00:00.123Z"}]


def test_another_users_history_is_a_404(endpoints: FlowEndpoints, engine: FakeEngine) -> None:
    start(endpoints, name="h")
    assert_error(endpoints.run_history(BOB, "helloWorldFlow", "h", {}), 404, "ExecutionDoesNotExist",
                 "Execution 'h' does not exist.")
    assert all(call[0] != "history" for call in engine.calls)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"reverse": "maybe"}, "Invalid ?reverse='maybe': it must be true or false."),
        ({"limit": "5000"}, "Invalid ?limit=5000: it must be from 1 to 1000."),
        ({"order": "desc"},
         "Unknown query parameter 'order'; this endpoint accepts: limit, next_token, reverse."),
    ],
)
def test_a_bad_history_parameter_is_a_400(
    endpoints: FlowEndpoints, query: dict[str, str], message: str
) -> None:
    start(endpoints, name="h")
    assert_error(endpoints.run_history(ADA, "helloWorldFlow", "h", query), 400, "InvalidParameterException",
                 message)


def test_a_forged_history_token_is_a_400(endpoints: FlowEndpoints) -> None:
    start(endpoints, name="h")
    assert_error(endpoints.run_history(ADA, "helloWorldFlow", "h", {"next_token": "x"}), 400, "InvalidToken",
                 "Invalid pagination token.")


# --------------------------------------------------------------------------- stop


def test_stopping_aborts_and_answers_the_description(endpoints: FlowEndpoints, engine: FakeEngine) -> None:
    arn = start(endpoints, name="s").body["executionArn"]
    body_sent = b'{"error": "Cancelled", "cause": "by Ada"}'
    response = endpoints.stop_run(ADA, "helloWorldFlow", "s", {}, body_sent)
    assert response.status == 200
    body = response.body
    assert (body["executionArn"], body["status"], body["error"], body["cause"]) == (
        arn, "ABORTED", "Cancelled", "by Ada")
    assert body["stopDate"] == "2027-01-15T08:01:00.000Z"
    assert engine.calls[-1] == ("stop", {"execution": arn, "error": "Cancelled", "cause": "by Ada"})


def test_stopping_takes_no_body(endpoints: FlowEndpoints, engine: FakeEngine) -> None:
    start(endpoints, name="s")
    assert endpoints.stop_run(ADA, "helloWorldFlow", "s", {}, None).body["status"] == "ABORTED"
    assert engine.calls[-1][1]["error"] is None and engine.calls[-1][1]["cause"] is None


def test_stopping_an_ended_execution_leaves_it_as_it_is(endpoints: FlowEndpoints, engine: FakeEngine) -> None:
    arn = start(endpoints, name="s").body["executionArn"]
    engine.finish(arn, "SUCCEEDED", output={"ok": True})
    body = endpoints.stop_run(ADA, "helloWorldFlow", "s", {}, b"").body
    assert (body["status"], body["output"]) == ("SUCCEEDED", {"ok": True})


def test_another_user_cannot_stop_an_execution(endpoints: FlowEndpoints, engine: FakeEngine) -> None:
    started_id(start(endpoints, name="s"))
    assert_error(endpoints.stop_run(BOB, "helloWorldFlow", "s", {}, None), 404, "ExecutionDoesNotExist",
                 "Execution 's' does not exist.")
    assert all(call[0] != "stop" for call in engine.calls)
    assert endpoints.describe_run(ADA, "helloWorldFlow", "s", {}).body["status"] == "RUNNING"


def test_a_bad_stop_body_is_a_400_and_stops_nothing(endpoints: FlowEndpoints, engine: FakeEngine) -> None:
    start(endpoints, name="s")
    assert_error(endpoints.stop_run(ADA, "helloWorldFlow", "s", {}, b'{"error": 1}'), 400,
                 "InvalidParameterException", "'error' in the request body must be a string, not a number.")
    assert all(call[0] != "stop" for call in engine.calls)


def test_stopping_a_missing_execution_is_a_404(endpoints: FlowEndpoints) -> None:
    assert_error(endpoints.stop_run(ADA, "helloWorldFlow", "ghost", {}, None), 404, "ExecutionDoesNotExist",
                 "Execution 'ghost' does not exist.")
