"""The flow endpoints against an in-memory FlowEngine: answers, bad input, ownership. No I/O.

``FakeEngine`` keeps executions in a dict and runs nothing: a test moves an execution to
an end with ``finish``. It keeps Step Functions' rules that the endpoints rely on (same
name and input: the same execution; other input: ExecutionAlreadyExists; newest first;
a token that is not one it gave: InvalidToken), so the endpoints are tested against the
port's contract rather than against the local engine.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from sdw.project import Flow, FlowType, Project, parse_schedule
from sdw.system import (
    ExecutionDescription,
    ExecutionExistsError,
    ExecutionNotFoundError,
    ExecutionStatus,
    ExecutionSummary,
    FlowEndpoints,
    FlowNotFoundError,
    InvalidTokenError,
    Page,
    Principal,
    SystemResponse,
    owned_execution_name,
)

ACCOUNT = "arn:aws:states:us-east-1:000000000000"
ADA = Principal(claims={"sub": "sub-ada", "email": "ada@example.com"})
CREATED = {"helloWorldFlow": "2026-12-01T09:30:00.000Z"}  # when each state machine was made
BOB = Principal(claims={"sub": "sub-bob", "email": "bob@example.com"})


def make_flow(name: str, plugin: str | None = None, **fields: Any) -> Flow:
    machine = name if plugin is None else f"{plugin}-{name}"
    definition = {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}
    return Flow(name=name, arn=f"{ACCOUNT}:stateMachine:{machine}", file=Path(f"flows/{name}.yml"),
                source=f"flows/{name}.yml", definition=definition, raw_definition=definition, plugin=plugin,
                **fields)


PROJECT = Project(
    root=Path("/project"),
    flows=(
        make_flow("helloWorldFlow", description="Says hello", timeout=60),
        make_flow("scheduleFlow", schedule=parse_schedule("rate(5 minutes)"), input={"name": "scheduler"},
                  type=FlowType.EXPRESS),
        make_flow("nightly", plugin="billing"),
    ),
)


class FakeEngine:
    """A FlowEngine in memory: start records, ``finish`` ends, nothing runs by itself."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.executions: dict[str, ExecutionDescription] = {}  # by ARN, in start order
        self.events: dict[str, list[dict[str, Any]]] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.broken: Exception | None = None

    def _call(self, operation: str, /, **arguments: Any) -> None:
        self.calls.append((operation, arguments))
        if self.broken is not None:
            raise self.broken

    def start(self, flow: str, input: Any, *, owner: str, name: str | None = None) -> ExecutionSummary:
        self._call("start", flow=flow, input=input, owner=owner, name=name)
        found = self.project.flow(flow)
        if found is None:
            raise FlowNotFoundError(flow)
        name = name or f"generated-{len(self.executions)}"
        prefix, machine = found.arn.split(":stateMachine:")
        execution_id = name
        arn = f"{prefix}:execution:{machine}:{name}"
        if found.type is FlowType.EXPRESS:  # express executions: ...:express:<machine>:<name>:<run id>
            execution_id = f"{name}:run{len(self.executions)}"
            arn = f"{prefix}:express:{machine}:{execution_id}"
        existing = self.executions.get(arn)
        if existing is not None:
            if existing.input != input:
                raise ExecutionExistsError(name)
            return existing
        started = ExecutionDescription(
            execution_arn=arn, execution_id=execution_id, flow=found.key, state_machine_arn=found.arn,
            owner=owner, status=ExecutionStatus.RUNNING, input=input,
            start_date=f"2027-01-15T08:00:{len(self.executions):02d}.000Z",
        )
        self.executions[arn] = started
        self.events[arn] = [{"id": 1, "type": "ExecutionStarted", "timestamp": started.start_date}]
        return started

    def finish(self, arn: str, status: str, output: Any = None, error: str | None = None,
               cause: str | None = None) -> None:
        self.executions[arn] = dataclasses.replace(
            self.executions[arn], status=status, output=output, error=error, cause=cause,
            stop_date="2027-01-15T08:01:00.000Z",
        )

    def describe(self, execution: str) -> ExecutionDescription:
        self._call("describe", execution=execution)
        if execution not in self.executions:
            raise ExecutionNotFoundError(execution)
        return self.executions[execution]

    def list(self, *, owner: str, flow: str | None = None, status: str | None = None, limit: int = 100,
             next_token: str | None = None) -> Page:
        self._call("list", owner=owner, flow=flow, status=status, limit=limit, next_token=next_token)
        rows = [e for e in reversed(self.executions.values())
                if e.owner == owner and flow in (None, e.flow) and status in (None, e.status)]
        return self._page(rows, limit, next_token)

    def history(self, execution: str, *, limit: int = 100, next_token: str | None = None,
                reverse: bool = False) -> Page:
        self._call("history", execution=execution, limit=limit, next_token=next_token, reverse=reverse)
        events = self.events[execution]
        return self._page(events[::-1] if reverse else events, limit, next_token)

    def stop(
        self, execution: str, *, error: str | None = None, cause: str | None = None
    ) -> ExecutionDescription:
        self._call("stop", execution=execution, error=error, cause=cause)
        if self.executions[execution].status == ExecutionStatus.RUNNING:
            self.finish(execution, ExecutionStatus.ABORTED, error=error, cause=cause)
        return self.executions[execution]

    @staticmethod
    def _page(rows: list[Any], limit: int, next_token: str | None) -> Page:
        start = 0
        if next_token is not None:
            if not next_token.startswith("offset-"):
                raise InvalidTokenError()
            start = int(next_token.removeprefix("offset-"))
        end = start + limit
        return Page(list(rows[start:end]), f"offset-{end}" if end < len(rows) else None)


@pytest.fixture
def engine() -> FakeEngine:
    return FakeEngine(PROJECT)


@pytest.fixture
def endpoints(engine: FakeEngine) -> FlowEndpoints:
    return FlowEndpoints(engine, PROJECT, created=lambda: CREATED)


def start(endpoints: FlowEndpoints, body: bytes = b"{}", flow: str = "helloWorldFlow",
          principal: Principal = ADA, **query: str) -> SystemResponse:
    return endpoints.start_run(principal, flow, query, body)


def started_id(response: SystemResponse) -> str:
    assert response.status == 200, response.body
    return str(response.body["executionId"])


def assert_error(response: SystemResponse, status: int, code: str, message: str) -> None:
    body = {"message": message, "code": code, "error": message, "status": "ERROR"}  # the seed's fields too
    assert response == SystemResponse(status, body)


# --------------------------------------------------------------------------- GET /flows


def test_lists_every_flow_of_the_project_with_what_a_client_needs(endpoints: FlowEndpoints) -> None:
    response = endpoints.list_flows(ADA, {})
    assert response.status == 200
    flows = {flow["name"]: flow for flow in response.body["flows"]}
    assert list(flows) == ["helloWorldFlow", "scheduleFlow", "billing/nightly"]
    assert response.body["count"] == 3
    assert flows["helloWorldFlow"] == {
        "name": "helloWorldFlow",
        "created": "2026-12-01T09:30:00.000Z",
        "plugin": None,
        "stateMachineName": "helloWorldFlow",
        "stateMachineArn": f"{ACCOUNT}:stateMachine:helloWorldFlow",
        "description": "Says hello",
        "type": "STANDARD",
        "timeout": 60,
        "schedule": None,
        "input": None,
        "definition": {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}},
    }
    assert flows["scheduleFlow"]["schedule"] == "rate(5 minutes)"
    assert flows["scheduleFlow"]["input"] == {"name": "scheduler"}
    assert flows["scheduleFlow"]["type"] == "EXPRESS"


def test_a_flow_the_created_dates_do_not_know_shows_null(
    endpoints: FlowEndpoints, engine: FakeEngine
) -> None:
    flows = endpoints.list_flows(ADA, {}).body["flows"]
    assert [flow["created"] for flow in flows] == ["2026-12-01T09:30:00.000Z", None, None]
    assert FlowEndpoints(engine, PROJECT).list_flows(ADA, {}).body["flows"][0]["created"] is None


def test_lists_a_plugins_flow_under_its_namespaced_key(endpoints: FlowEndpoints) -> None:
    nightly = endpoints.list_flows(ADA, {}).body["flows"][2]
    assert (nightly["name"], nightly["plugin"], nightly["stateMachineName"]) == (
        "billing/nightly", "billing", "billing-nightly")


def test_the_flow_list_refuses_query_parameters(endpoints: FlowEndpoints) -> None:
    assert_error(endpoints.list_flows(ADA, {"limit": "5"}), 400, "InvalidParameterException",
                 "Unknown query parameter 'limit'; this endpoint accepts: none.")


def test_every_endpoint_answers_401_without_a_caller(endpoints: FlowEndpoints, engine: FakeEngine) -> None:
    unauthorized = SystemResponse(401, {"message": "Unauthorized"})
    assert endpoints.list_flows(None, {}) == unauthorized
    assert endpoints.start_run(None, "helloWorldFlow", {}, b"{}") == unauthorized
    assert endpoints.describe_run(None, "helloWorldFlow", "x", {}) == unauthorized
    assert endpoints.list_runs(None, {}) == unauthorized
    assert endpoints.run_history(None, "helloWorldFlow", "x", {}) == unauthorized
    assert endpoints.stop_run(None, "helloWorldFlow", "x", {}, None) == unauthorized
    assert engine.calls == []


# --------------------------------------------------------------------------- POST /run/{flow}


def test_starting_answers_the_arn_the_id_and_the_start_date(endpoints: FlowEndpoints) -> None:
    response = start(endpoints, b'{"name": "Ada"}')
    assert response == SystemResponse(200, {
        "executionArn": f"{ACCOUNT}:execution:helloWorldFlow:generated-0",
        "executionId": "generated-0",
        "startDate": "2027-01-15T08:00:00.000Z",
        "message": "Started helloWorldFlow",
        "status": "SUCCESS",
    })


def test_each_authorized_start_is_counted_for_its_caller_whatever_it_answers(engine: FakeEngine) -> None:
    counted: list[str] = []
    endpoints = FlowEndpoints(engine, PROJECT, count_call=counted.append)
    assert start(endpoints).status == 200
    assert start(endpoints, flow="noSuchFlow").status == 404
    assert start(endpoints, b"[1]", principal=BOB).status == 400
    assert endpoints.start_run(None, "helloWorldFlow", {}, b"{}").status == 401  # no caller: nobody to count
    assert endpoints.list_runs(ADA, {}).status == 200  # reading is not counted
    assert counted == ["sub-ada", "sub-ada", "sub-bob"]


def test_the_caller_is_the_owner_and_their_sub_overrides_the_clients_user_id(
    endpoints: FlowEndpoints, engine: FakeEngine
) -> None:
    start(endpoints, b'{"name": "Ada", "__user_id": "sub-bob"}')
    expected = {"name": "Ada", "__user_id": "sub-ada"}
    assert engine.calls == [("start", {"flow": "helloWorldFlow", "input": expected, "owner": "sub-ada",
                                       "name": None})]


def test_an_empty_body_starts_with_an_empty_object(endpoints: FlowEndpoints, engine: FakeEngine) -> None:
    start(endpoints, b"")
    assert engine.calls[0][1]["input"] == {"__user_id": "sub-ada"}


def test_a_plugins_flow_is_started_by_its_state_machine_name(
    endpoints: FlowEndpoints, engine: FakeEngine
) -> None:
    response = start(endpoints, flow="billing-nightly")
    assert response.body["executionArn"] == f"{ACCOUNT}:execution:billing-nightly:generated-0"
    assert engine.calls[0][1]["flow"] == "billing/nightly"


def test_starting_an_unknown_flow_is_a_404(endpoints: FlowEndpoints, engine: FakeEngine) -> None:
    assert_error(start(endpoints, flow="nope"), 404, "StateMachineDoesNotExist",
                 "Flow 'nope' does not exist.")
    assert engine.calls == []


def test_invalid_json_is_a_400_with_the_line_and_column(endpoints: FlowEndpoints, engine: FakeEngine) -> None:
    assert_error(start(endpoints, b'{"a": 1,}'), 400, "InvalidExecutionInput",
                 "The execution input is not valid JSON: Expecting property name enclosed in double quotes "
                 "at line 1, column 9.")
    assert engine.calls == []


def test_an_input_that_is_not_an_object_is_a_400(endpoints: FlowEndpoints) -> None:
    response = start(endpoints, b"[1]")
    assert response.status == 400 and response.body["code"] == "InvalidExecutionInput"
    assert "must be a JSON object, not an array" in response.body["message"]


def test_an_input_over_256_kib_is_a_400_naming_the_limit(
    endpoints: FlowEndpoints, engine: FakeEngine
) -> None:
    response = start(endpoints, json.dumps({"x": "y" * 262_144}).encode())
    assert response.status == 400 and "at most 262144 bytes (256 KiB)" in response.body["message"]
    assert engine.calls == []


def test_a_given_name_becomes_the_callers_own_execution_name(
    endpoints: FlowEndpoints, engine: FakeEngine
) -> None:
    own = owned_execution_name("sub-ada", "nightly-1")
    assert own.startswith("nightly-1-") and len(own) == len("nightly-1-") + 16
    assert started_id(start(endpoints, name="nightly-1")) == own
    assert engine.calls[0][1]["name"] == own
    by_given_name = endpoints.describe_run(ADA, "helloWorldFlow", "nightly-1", {})
    assert by_given_name.status == 200 and by_given_name.body["executionId"] == own
    assert endpoints.describe_run(BOB, "helloWorldFlow", "nightly-1", {}).status == 404


def test_a_given_name_is_cut_to_fit_step_functions_80_characters() -> None:
    long = "n" * 80
    own = owned_execution_name("sub-ada", long)
    assert len(own) == 80 and own.startswith("n" * 63 + "-")
    assert owned_execution_name("sub-ada", long[:-1] + "m") != own  # the digest covers the whole name


def test_the_same_name_and_input_is_the_same_execution(endpoints: FlowEndpoints) -> None:
    first = start(endpoints, b'{"a": 1}', name="once")
    again = start(endpoints, b'{ "a" : 1 }', name="once")
    assert again == first


def test_the_same_name_with_other_input_is_a_409(endpoints: FlowEndpoints) -> None:
    start(endpoints, b'{"a": 1}', name="once")
    assert_error(start(endpoints, b'{"a": 2}', name="once"), 409, "ExecutionAlreadyExists",
                 "Execution already exists: 'once' was started with other input.")


def test_another_user_reusing_a_name_gets_an_execution_of_their_own_and_learns_nothing(
    endpoints: FlowEndpoints,
) -> None:
    # Names are per state machine on Step Functions; /run is multi-tenant: B reusing A's name
    # must neither be told it is taken nor take it from A.
    adas = started_id(start(endpoints, b'{"a": 1}', name="once"))
    bobs = started_id(start(endpoints, b'{"a": 1}', principal=BOB, name="once"))
    assert bobs != adas
    assert started_id(start(endpoints, b'{"a": 1}', name="once")) == adas  # still Ada's, idempotent
    assert endpoints.describe_run(BOB, "helloWorldFlow", adas, {}).status == 404


def test_a_bad_name_is_a_400_invalid_name(endpoints: FlowEndpoints, engine: FakeEngine) -> None:
    assert_error(start(endpoints, name="my run"), 400, "InvalidName",
                 "Invalid execution name in ?name=: ' ' is not allowed (no white space, brackets, wildcards, "
                 "control characters or any of \" # % \\ ^ | ~ ` $ & , ; : /).")
    assert engine.calls == []


def test_starting_refuses_an_unknown_query_parameter(endpoints: FlowEndpoints) -> None:
    assert_error(start(endpoints, Name="x"), 400, "InvalidParameterException",
                 "Unknown query parameter 'Name'; this endpoint accepts: name.")


# --------------------------------------------------------------------------- GET /run/{flow}/{execution}


def test_polling_gives_the_status_then_the_output(endpoints: FlowEndpoints, engine: FakeEngine) -> None:
    arn = start(endpoints, b'{"n": 1}').body["executionArn"]
    running = endpoints.describe_run(ADA, "helloWorldFlow", "generated-0", {})
    assert running.status == 200
    assert running.body == {
        "executionArn": arn,
        "executionId": "generated-0",
        "name": "generated-0",
        "flow": "helloWorldFlow",
        "stateMachineArn": f"{ACCOUNT}:stateMachine:helloWorldFlow",
        "status": "RUNNING",
        "startDate": "2027-01-15T08:00:00.000Z",
        "stopDate": None,
        "input": {"n": 1, "__user_id": "sub-ada"},
        "output": None,
        "error": None,
        "cause": None,
    }
    engine.finish(arn, "SUCCEEDED", output={"message": "hi"})
    done = endpoints.describe_run(ADA, "helloWorldFlow", "generated-0", {}).body
    assert (done["status"], done["output"], done["stopDate"]) == ("SUCCEEDED", {"message": "hi"},
                                                                  "2027-01-15T08:01:00.000Z")


def test_polling_a_failed_execution_gives_its_error_and_cause(
    endpoints: FlowEndpoints, engine: FakeEngine
) -> None:
    arn = start(endpoints).body["executionArn"]
    engine.finish(arn, "FAILED", error="FlakyError", cause="attempt 4 fails")
    body = endpoints.describe_run(ADA, "helloWorldFlow", arn, {}).body
    assert (body["status"], body["error"], body["cause"], body["output"]) == (
        "FAILED", "FlakyError", "attempt 4 fails", None)


def test_an_execution_can_be_named_by_its_arn(endpoints: FlowEndpoints, engine: FakeEngine) -> None:
    arn = start(endpoints).body["executionArn"]
    assert endpoints.describe_run(ADA, "helloWorldFlow", arn, {}).body["executionArn"] == arn
    assert engine.calls[-1] == ("describe", {"execution": arn})


def test_another_users_execution_is_answered_exactly_as_a_missing_one(endpoints: FlowEndpoints) -> None:
    start(endpoints, name="secret")
    theirs = endpoints.describe_run(BOB, "helloWorldFlow", "secret", {})
    missing = endpoints.describe_run(BOB, "helloWorldFlow", "secret", {})
    assert theirs == missing
    assert_error(theirs, 404, "ExecutionDoesNotExist", "Execution 'secret' does not exist.")
    missing_for_ada = endpoints.describe_run(ADA, "helloWorldFlow", "never-started", {})
    assert_error(missing_for_ada, 404, "ExecutionDoesNotExist", "Execution 'never-started' does not exist.")


def test_an_express_execution_is_polled_by_its_name_and_run_id(endpoints: FlowEndpoints) -> None:
    started = start(endpoints, flow="scheduleFlow", name="tick").body
    tick = owned_execution_name("sub-ada", "tick")
    assert started["executionId"] == f"{tick}:run0"
    assert started["executionArn"] == f"{ACCOUNT}:express:scheduleFlow:{tick}:run0"
    by_id = endpoints.describe_run(ADA, "scheduleFlow", f"{tick}:run0", {})
    by_arn = endpoints.describe_run(ADA, "scheduleFlow", started["executionArn"], {})
    assert by_id.status == 200 and by_id == by_arn
    assert endpoints.describe_run(ADA, "scheduleFlow", "tick", {}).status == 404


def test_an_execution_of_another_flow_than_the_path_names_is_a_404(endpoints: FlowEndpoints) -> None:
    arn = start(endpoints, flow="billing-nightly", name="run-1").body["executionArn"]
    assert_error(endpoints.describe_run(ADA, "helloWorldFlow", "run-1", {}), 404, "ExecutionDoesNotExist",
                 "Execution 'run-1' does not exist.")
    assert_error(endpoints.describe_run(ADA, "helloWorldFlow", arn, {}), 404, "ExecutionDoesNotExist",
                 f"Execution {arn!r} does not exist.")


def test_polling_an_unknown_flow_is_a_404(endpoints: FlowEndpoints) -> None:
    assert_error(endpoints.describe_run(ADA, "nope", "x", {}), 404, "StateMachineDoesNotExist",
                 "Flow 'nope' does not exist.")


def test_polling_with_an_arn_that_is_not_an_executions_is_a_400(endpoints: FlowEndpoints) -> None:
    response = endpoints.describe_run(ADA, "helloWorldFlow", f"{ACCOUNT}:stateMachine:helloWorldFlow", {})
    assert response.status == 400 and response.body["code"] == "InvalidArn"


def test_an_id_that_cannot_exist_is_a_404_without_asking_the_engine(
    endpoints: FlowEndpoints, engine: FakeEngine
) -> None:
    assert endpoints.describe_run(ADA, "helloWorldFlow", "a b", {}).status == 404
    assert engine.calls == []


def test_an_unexpected_failure_is_a_500_with_the_traceback_only_in_the_log(
    endpoints: FlowEndpoints, engine: FakeEngine, caplog: pytest.LogCaptureFixture
) -> None:
    engine.broken = RuntimeError("database password is hunter2")
    with caplog.at_level(logging.ERROR, logger="sdw.system"):
        response = start(endpoints)
    assert_error(response, 500, "InternalFailure", "Internal Server Error")
    assert "hunter2" not in json.dumps(response.body)
    assert "start_run failed" in caplog.text and "hunter2" in caplog.text and "Traceback" in caplog.text
