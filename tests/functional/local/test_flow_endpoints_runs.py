"""GET /runs, history and stop end to end, on the test project of test_flow_endpoints.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

import pytest

from tests.functional.local.test_flow_endpoints import FlowServer, assert_error, serve_flows


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlowServer]:
    with serve_flows(tmp_path_factory) as served:
        yield served


@pytest.fixture(scope="module")
def carols(server: FlowServer) -> list[str]:
    """Carol's executions, oldest first: four of echoFlow (ended), one of shoutFlow (ended), one waiting."""
    ids = [server.carol.started("echoFlow", {"n": n}, name=f"carol-{n}")["executionId"] for n in range(4)]
    for execution in ids:
        server.carol.wait("echoFlow", execution)
    shout = server.carol.started("shoutFlow", {"text": "x"}, name="carol-shout")["executionId"]
    server.carol.wait("shoutFlow", shout)
    waiting = server.carol.started("waitFlow", {}, name="carol-waits")["executionId"]
    return [given_name(execution) for execution in (*ids, shout, waiting)]


def listed(server: FlowServer, **query: str) -> tuple[list[str], str | None]:
    response = server.carol.runs(**query)
    assert response.status_code == 200, response.text
    body = response.json()
    return [given_name(row["executionId"]) for row in body["executions"]], body["nextToken"]


def given_name(execution_id: str) -> str:
    """The name a caller gave, from the execution id it became (``<name>-<16 hex digits>``)."""
    return re.sub(r"-[0-9a-f]{16}$", "", execution_id)


# --------------------------------------------------------------------------- GET /runs


def test_lists_the_callers_executions_newest_first(server: FlowServer, carols: list[str]) -> None:
    ids, token = listed(server)
    assert ids == carols[::-1] and token is None
    row = server.carol.runs(limit="1").json()["executions"][0]
    assert row["flow"] == "waitFlow" and row["status"] == "RUNNING" and row["stopDate"] is None
    assert re.search(r":execution:waitFlow:carol-waits-[0-9a-f]{16}$", row["executionArn"])
    assert set(row) == {"executionArn", "executionId", "name", "flow", "stateMachineArn", "status",
                        "startDate", "stopDate"}
    assert row["name"] == row["executionId"]
    assert server.carol.runs().json()["count"] == len(carols)


def test_pages_through_with_limit_and_next_token(server: FlowServer, carols: list[str]) -> None:
    seen: list[str] = []
    token: str | None = None
    pages = 0
    while True:
        ids, token = listed(server, limit="4", **({"next_token": token} if token else {}))
        seen += ids
        pages += 1
        if token is None:
            break
    assert pages == 2 and seen == carols[::-1]


def test_filters_by_flow_and_by_status(server: FlowServer, carols: list[str]) -> None:
    assert listed(server, flow="echoFlow")[0] == ["carol-3", "carol-2", "carol-1", "carol-0"]
    assert listed(server, status="RUNNING")[0] == ["carol-waits"]
    assert listed(server, status="succeeded", flow="shoutFlow")[0] == ["carol-shout"]
    assert listed(server, status="FAILED")[0] == []


@pytest.mark.parametrize(
    ("query", "status", "code", "message"),
    [
        ({"status": "DONE"}, 400, "InvalidParameterException",
         "Invalid ?status='DONE': it must be one of RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED."),
        ({"limit": "0"}, 400, "InvalidParameterException", "Invalid ?limit=0: it must be from 1 to 1000."),
        ({"limit": "1001"}, 400, "InvalidParameterException",
         "Invalid ?limit=1001: it must be from 1 to 1000."),
        ({"limit": "many"}, 400, "InvalidParameterException",
         "Invalid ?limit='many': it must be a whole number from 1 to 1000."),
        ({"next_token": "not-a-token"}, 400, "InvalidToken", None),
        ({"flow": "noSuchFlow"}, 404, "StateMachineDoesNotExist", "Flow 'noSuchFlow' does not exist."),
        ({"sort": "asc"}, 400, "InvalidParameterException",
         "Unknown query parameter 'sort'; this endpoint accepts: flow, status, limit, next_token, owner."),
    ],
)
def test_a_bad_listing_parameter_is_refused_with_a_message(
    server: FlowServer, query: dict[str, str], status: int, code: str, message: str | None
) -> None:
    assert_error(server.carol.runs(**query), status, code, message)


def test_a_token_is_refused_by_another_user_or_another_listing(server: FlowServer, carols: list[str]) -> None:
    token = listed(server, limit="1")[1]
    assert token is not None
    assert_error(server.bob.runs(next_token=token), 400, "InvalidToken", "Invalid pagination token.")
    assert_error(server.carol.runs(next_token=token, flow="echoFlow"), 400, "InvalidToken")
    assert listed(server, limit="1", next_token=token)[0] == [carols[-2]]


# --------------------------------------------------------------------------- history


def test_history_gives_the_events_oldest_first_with_iso_timestamps(server: FlowServer) -> None:
    done = server.ada.run("shoutFlow", {"text": "a"})
    response = server.ada.history("shoutFlow", done["executionId"])
    assert response.status_code == 200, response.text
    events = response.json()["events"]
    assert response.json()["nextToken"] is None
    types = [event["type"] for event in events]
    assert types[0] == "ExecutionStarted" and types[-1] == "ExecutionSucceeded"
    assert "TaskStateEntered" in types
    assert [event["id"] for event in events] == list(range(1, len(events) + 1))
    stamps = [datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00")) for event in events]
    assert stamps == sorted(stamps)


def test_history_pages_and_reverses(server: FlowServer) -> None:
    execution = server.ada.run("shoutFlow", {"text": "b"})["executionId"]
    every = [event["id"] for event in server.ada.history("shoutFlow", execution).json()["events"]]
    first = server.ada.history("shoutFlow", execution, limit="2").json()
    assert [event["id"] for event in first["events"]] == every[:2] and first["nextToken"]
    rest = server.ada.history("shoutFlow", execution, limit="1000", next_token=first["nextToken"]).json()
    assert [event["id"] for event in rest["events"]] == every[2:]
    backwards = server.ada.history("shoutFlow", execution, reverse="true").json()
    assert [event["id"] for event in backwards["events"]] == every[::-1]


@pytest.mark.parametrize(
    ("query", "code"),
    [({"reverse": "sideways"}, "InvalidParameterException"), ({"limit": "0"}, "InvalidParameterException"),
     ({"next_token": "forged"}, "InvalidToken"), ({"page": "2"}, "InvalidParameterException")],
)
def test_a_bad_history_parameter_is_a_400(server: FlowServer, query: dict[str, str], code: str) -> None:
    execution = server.ada.run("echoFlow")["executionId"]
    assert_error(server.ada.history("echoFlow", execution, **query), 400, code)


def test_the_history_of_a_missing_execution_is_a_404(server: FlowServer) -> None:
    assert_error(server.ada.history("echoFlow", "never-ran"), 404, "ExecutionDoesNotExist",
                 "Execution 'never-ran' does not exist.")


# --------------------------------------------------------------------------- stop


def test_stopping_a_long_wait_aborts_it_with_the_error_and_cause_given(server: FlowServer) -> None:
    started = server.ada.started("waitFlow", {})
    execution = started["executionId"]
    assert server.ada.get("waitFlow", execution).json()["status"] == "RUNNING"
    response = server.ada.stop("waitFlow", execution, {"error": "Cancelled", "cause": "the test is over"})
    assert response.status_code == 200, response.text
    stopped = response.json()
    assert (stopped["status"], stopped["error"]) == ("ABORTED", "Cancelled")
    assert stopped["cause"] == "the test is over"
    assert stopped["stopDate"] >= started["startDate"]
    assert server.ada.wait("waitFlow", execution) == stopped
    events = server.ada.history("waitFlow", execution).json()["events"]
    assert events[-1]["type"] == "ExecutionAborted"
    again = server.ada.stop("waitFlow", execution)
    assert again.status_code == 200 and again.json() == stopped


def test_stopping_without_a_body_aborts_too(server: FlowServer) -> None:
    execution = server.ada.started("waitFlow", {})["executionId"]
    stopped = server.ada.stop("waitFlow", execution).json()
    assert stopped["status"] == "ABORTED"


def test_stopping_an_ended_execution_leaves_it_as_it_ended(server: FlowServer) -> None:
    done = server.ada.run("echoFlow", {"k": 1})
    response = server.ada.stop("echoFlow", done["executionId"], {"error": "Late"})
    assert response.status_code == 200 and response.json() == done


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"error": 3}, "'error' in the request body must be a string, not a number."),
        ({"why": "x"}, "Unknown key 'why' in the request body; only 'error' and 'cause' are accepted."),
        ({"error": "e" * 257},
         "'error' in the request body is 257 characters; StopExecution accepts at most 256."),
    ],
)
def test_a_bad_stop_body_is_a_400_and_stops_nothing(server: FlowServer, body: object, message: str) -> None:
    execution = server.ada.started("waitFlow", {})["executionId"]
    try:
        assert_error(server.ada.stop("waitFlow", execution, body), 400, "InvalidParameterException", message)
        assert server.ada.get("waitFlow", execution).json()["status"] == "RUNNING"
    finally:
        server.ada.stop("waitFlow", execution)
