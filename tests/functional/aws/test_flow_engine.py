"""The Step Functions FlowEngine through sdw.system's FlowEndpoints, against moto.

What a user of ``POST /run``, ``GET /run/...``, ``GET /runs``, history and stop sees on
AWS: the same bodies and codes as locally (tests/functional/aws/test_parity.py compares
them case by case), the executions table kept by the engine, and the express executions
Step Functions cannot describe answered with a 400 that says so.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.stub import Stubber

from sdw.aws import EXPRESS_UNSUPPORTED, StepFunctionsEngine
from sdw.system import (
    ExecutionNotFoundError,
    FlowEndpoints,
    InvalidParameterError,
    Principal,
    SystemResponse,
    encode_token,
    owned_execution_name,
)
from tests.functional.aws.support import ACCOUNT, PREFIX, REGION, Stage, error_body, wait_for

ADA = Principal({"sub": "ada-sub", "email": "ada@example.com"})
BOB = Principal({"sub": "bob-sub", "email": "bob@example.com"})


@pytest.fixture
def endpoints(stage: Stage) -> FlowEndpoints:
    return FlowEndpoints(stage.engine(), stage.project)


def ok(response: SystemResponse) -> Any:
    assert response.status == 200, response.body
    return response.body


def started(
    endpoints: FlowEndpoints,
    flow: str,
    body: str = "{}",
    *,
    principal: Principal = ADA,
    name: str | None = None,
) -> str:
    query = {} if name is None else {"name": name}
    return str(ok(endpoints.start_run(principal, flow, query, body))["executionId"])


def closed(endpoints: FlowEndpoints, flow: str, execution: str) -> Any:
    """The execution once it has ended, as ``GET /run/{flow}/{execution}`` shows it."""
    return wait_for(
        lambda: ok(endpoints.describe_run(ADA, flow, execution, {})), lambda body: body["status"] != "RUNNING"
    )


def error(response: SystemResponse, status: int, code: str) -> str:
    assert response.status == status, response.body
    assert response.body["code"] == code, response.body
    return str(response.body["message"])


def arn(flow: str, name: str) -> str:
    return f"arn:aws:states:{REGION}:{ACCOUNT}:execution:{PREFIX}{flow}:{name}"


def own(name: str, principal: Principal = ADA) -> str:
    """The execution name a ``?name=`` becomes for its caller (names are per caller)."""
    return owned_execution_name(principal.user_id, name)


# --------------------------------------------------------------------------- start and describe


def test_a_started_execution_runs_on_its_deployed_state_machine(endpoints: FlowEndpoints) -> None:
    body = ok(endpoints.start_run(ADA, "passFlow", {"name": "run-1"}, '{"x": 1}'))
    assert body["executionArn"] == arn("passFlow", own("run-1"))
    assert body["executionId"] == own("run-1")
    described = closed(endpoints, "passFlow", "run-1")
    assert described["status"] == "SUCCEEDED"
    assert described["stateMachineArn"] == f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{PREFIX}passFlow"
    assert described["flow"] == "passFlow"
    assert described["input"] == {"x": 1, "__user_id": "ada-sub"}
    assert described["output"] == {"x": 1, "__user_id": "ada-sub", "result": {"added": True}}
    assert described["startDate"].endswith("Z") and described["stopDate"] >= described["startDate"]


def test_a_failed_execution_is_described_with_its_error_and_cause(endpoints: FlowEndpoints) -> None:
    execution = started(endpoints, "failFlow")
    described = closed(endpoints, "failFlow", execution)
    assert (described["status"], described["error"], described["cause"]) == (
        "FAILED",
        "Custom.Boom",
        "it had to fail",
    )
    assert described["output"] is None


def test_an_execution_can_be_named_by_its_url_decoded_arn(endpoints: FlowEndpoints) -> None:
    started(endpoints, "waitFlow", name="by-arn")
    assert (
        ok(endpoints.describe_run(ADA, "waitFlow", arn("waitFlow", own("by-arn")), {}))["executionId"]
        == own("by-arn")
    )


def test_the_same_name_and_input_while_running_is_the_same_execution(
    endpoints: FlowEndpoints, stage: Stage
) -> None:
    first = ok(endpoints.start_run(ADA, "waitFlow", {"name": "once"}, '{"a": 1}'))
    again = ok(endpoints.start_run(ADA, "waitFlow", {"name": "once"}, '{"a": 1}'))
    assert again == first
    listed = ok(endpoints.list_runs(ADA, {}))["executions"]
    assert [row["executionId"] for row in listed] == [own("once")]


def test_a_name_taken_with_other_input_is_a_409(endpoints: FlowEndpoints) -> None:
    started(endpoints, "waitFlow", '{"a": 1}', name="taken")
    message = error(
        endpoints.start_run(ADA, "waitFlow", {"name": "taken"}, '{"a": 2}'), 409, "ExecutionAlreadyExists"
    )
    assert message == "Execution already exists: 'taken' was started with other input."
    # names are per caller: Bob's "taken" is another execution, and Ada's stays hers
    assert started(endpoints, "waitFlow", '{"a": 1}', principal=BOB, name="taken") == own("taken", BOB)


def test_the_name_of_an_execution_that_ended_is_a_409_whatever_the_input(endpoints: FlowEndpoints) -> None:
    started(endpoints, "passFlow", name="ended")
    closed(endpoints, "passFlow", "ended")
    message = error(
        endpoints.start_run(ADA, "passFlow", {"name": "ended"}, "{}"), 409, "ExecutionAlreadyExists"
    )
    assert message == "Execution already exists: 'ended' has already run."


def test_an_unknown_flow_is_a_404(endpoints: FlowEndpoints) -> None:
    assert error(endpoints.start_run(ADA, "nope", {}, "{}"), 404, "StateMachineDoesNotExist") == (
        "Flow 'nope' does not exist."
    )


def test_a_flow_whose_state_machine_is_not_deployed_is_a_404(endpoints: FlowEndpoints, stage: Stage) -> None:
    stage.client("stepfunctions").delete_state_machine(
        stateMachineArn=f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{PREFIX}passFlow"
    )
    error(endpoints.start_run(ADA, "passFlow", {}, "{}"), 404, "StateMachineDoesNotExist")


def test_an_unknown_execution_is_a_404(endpoints: FlowEndpoints) -> None:
    for flow, reference in [("passFlow", "never-started"), ("passFlow", arn("passFlow", "never"))]:
        message = error(endpoints.describe_run(ADA, flow, reference, {}), 404, "ExecutionDoesNotExist")
        assert message == f"Execution {reference!r} does not exist."


def test_another_users_execution_is_a_404_to_every_route(endpoints: FlowEndpoints) -> None:
    execution = started(endpoints, "waitFlow", name="adas")
    expected = error_body(f"Execution {execution!r} does not exist.", "ExecutionDoesNotExist")
    for response in (
        endpoints.describe_run(BOB, "waitFlow", execution, {}),
        endpoints.run_history(BOB, "waitFlow", execution, {}),
        endpoints.stop_run(BOB, "waitFlow", execution, {}, None),
    ):
        assert (response.status, response.body) == (404, expected)
    assert ok(endpoints.describe_run(ADA, "waitFlow", execution, {}))["status"] == "RUNNING"  # not stopped


def test_an_execution_of_another_flow_is_a_404(endpoints: FlowEndpoints) -> None:
    started(endpoints, "waitFlow", name="mine")
    error(endpoints.describe_run(ADA, "passFlow", "mine", {}), 404, "ExecutionDoesNotExist")
    other = arn("waitFlow", own("mine"))
    error(endpoints.describe_run(ADA, "passFlow", other, {}), 404, "ExecutionDoesNotExist")


def test_an_execution_sdw_did_not_index_is_owned_by_its_input_user_id(
    endpoints: FlowEndpoints, stage: Stage
) -> None:
    sfn = stage.client("stepfunctions")
    machine = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{PREFIX}waitFlow"
    sfn.start_execution(stateMachineArn=machine, name="child", input=json.dumps({"__user_id": "ada-sub"}))
    sfn.start_execution(stateMachineArn=machine, name="orphan", input="{}")
    assert ok(endpoints.describe_run(ADA, "waitFlow", "child", {}))["executionId"] == "child"
    error(endpoints.describe_run(BOB, "waitFlow", "child", {}), 404, "ExecutionDoesNotExist")
    error(endpoints.describe_run(ADA, "waitFlow", "orphan", {}), 404, "ExecutionDoesNotExist")
    assert ok(endpoints.list_runs(ADA, {}))["executions"] == []  # not indexed, so not listed


def test_the_engine_finds_an_execution_by_its_id_alone(stage: Stage) -> None:
    engine = stage.engine()
    engine.start("waitFlow", {"__user_id": "ada-sub"}, owner="ada-sub", name="by-id")
    assert engine.describe("by-id").execution_arn == arn("waitFlow", "by-id")
    with pytest.raises(ExecutionNotFoundError):
        engine.describe("no-such-id")


# --------------------------------------------------------------------------- GET /runs


def test_runs_are_the_callers_own_newest_first(endpoints: FlowEndpoints) -> None:
    for name in ("a1", "a2", "a3"):
        started(endpoints, "waitFlow", name=name)
    started(endpoints, "waitFlow", principal=BOB, name="b1")
    assert [row["executionId"] for row in ok(endpoints.list_runs(ADA, {}))["executions"]] == [
        own("a3"),
        own("a2"),
        own("a1"),
    ]
    bobs = ok(endpoints.list_runs(BOB, {}))
    assert bobs == {
        "executions": [
            {
                "executionArn": arn("waitFlow", own("b1", BOB)),
                "executionId": own("b1", BOB),
                "name": own("b1", BOB),
                "flow": "waitFlow",
                "stateMachineArn": f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{PREFIX}waitFlow",
                "status": "RUNNING",
                "startDate": bobs["executions"][0]["startDate"],
                "stopDate": None,
            }
        ],
        "nextToken": None,
        "count": 1,
    }


def test_runs_come_in_pages_that_follow_each_other(endpoints: FlowEndpoints) -> None:
    names = [f"r{index}" for index in range(5)]
    for name in names:
        started(endpoints, "waitFlow", name=name)
    seen: list[str] = []
    query: dict[str, str] = {"limit": "2"}
    while True:
        page = ok(endpoints.list_runs(ADA, query))
        assert len(page["executions"]) <= 2
        seen += [row["executionId"] for row in page["executions"]]
        if page["nextToken"] is None:
            break
        query = {"limit": "2", "next_token": page["nextToken"]}
    assert seen == [own(name) for name in names[::-1]]


def test_runs_filtered_by_flow_and_status_fill_their_pages(endpoints: FlowEndpoints) -> None:
    for index in range(3):
        started(endpoints, "waitFlow", name=f"w{index}")
        started(endpoints, "passFlow", name=f"p{index}")
    for index in range(3):
        closed(endpoints, "passFlow", f"p{index}")  # describing brings the index up to date
    first = ok(endpoints.list_runs(ADA, {"flow": "passFlow", "limit": "2"}))
    assert [row["executionId"] for row in first["executions"]] == [own("p2"), own("p1")]
    rest = ok(endpoints.list_runs(ADA, {"flow": "passFlow", "limit": "2", "next_token": first["nextToken"]}))
    assert [row["executionId"] for row in rest["executions"]] == [own("p0")] and rest["nextToken"] is None
    running = ok(endpoints.list_runs(ADA, {"status": "running"}))["executions"]
    assert [row["executionId"] for row in running] == [own("w2"), own("w1"), own("w0")]
    assert {row["status"] for row in ok(endpoints.list_runs(ADA, {"status": "SUCCEEDED"}))["executions"]} == {
        "SUCCEEDED"
    }


def test_a_runs_token_is_refused_when_altered_reused_with_other_filters_or_forged(
    endpoints: FlowEndpoints,
) -> None:
    for index in range(3):
        started(endpoints, "waitFlow", name=f"t{index}")
    token = ok(endpoints.list_runs(ADA, {"limit": "1"}))["nextToken"]
    expected = error_body("Invalid pagination token.", "InvalidToken")
    forged = encode_token(
        "runs\nada-sub\nNone\nNone",
        {
            "executionArn": arn("waitFlow", own("t0")),
            "owner": "bob-sub",
            "startDate": "2030-01-01T00:00:00.000Z",
        },
    )
    for query in (
        {"limit": "1", "next_token": token[:-2] + ("AA" if not token.endswith("AA") else "BB")},
        {"limit": "1", "next_token": "not-a-token"},
        {"limit": "1", "flow": "waitFlow", "next_token": token},
        {"limit": "1", "next_token": forged},
    ):
        response = endpoints.list_runs(ADA, query)
        assert (response.status, response.body) == (400, expected), query
    # and Bob cannot continue Ada's listing
    assert endpoints.list_runs(BOB, {"limit": "1", "next_token": token}).status == 400


def test_the_listing_catches_up_with_an_execution_that_ended(endpoints: FlowEndpoints) -> None:
    execution = started(endpoints, "passFlow", name="quick")
    closed(endpoints, "passFlow", execution)
    listed = ok(endpoints.list_runs(ADA, {}))["executions"][0]
    assert (listed["status"], listed["stopDate"] is not None) == ("SUCCEEDED", True)


# --------------------------------------------------------------------------- history


def test_history_is_step_functions_events_with_text_timestamps(endpoints: FlowEndpoints) -> None:
    execution = started(endpoints, "passFlow", '{"x": 1}')
    closed(endpoints, "passFlow", execution)
    events = ok(endpoints.run_history(ADA, "passFlow", execution, {}))["events"]
    assert [event["type"] for event in events] == [
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "SucceedStateEntered",
        "SucceedStateExited",
        "ExecutionSucceeded",
    ]
    assert [event["id"] for event in events] == [1, 2, 3, 4, 5, 6]
    assert events[1]["stateEnteredEventDetails"]["name"] == "Add"
    assert json.loads(events[-1]["executionSucceededEventDetails"]["output"])["result"] == {"added": True}
    assert all(isinstance(event["timestamp"], str) and event["timestamp"].endswith("Z") for event in events)


def test_history_pages_carry_step_functions_next_token_wrapped(stage: Stage) -> None:
    # moto returns a whole history at once; Step Functions' paging is played by a Stubber.
    engine = stage.engine()
    summary = engine.start("waitFlow", {"__user_id": "ada-sub"}, owner="ada-sub", name="paged")
    client = stage.client("stepfunctions")
    stubbed = StepFunctionsEngine(client, stage.index(), stage.project)
    event: dict[str, Any] = {
        "timestamp": "2026-11-25T10:00:00Z",
        "type": "WaitStateEntered",
        "id": 2,
        "previousEventId": 1,
        "stateEnteredEventDetails": {"name": "Wait"},
    }
    with Stubber(client) as stubber:
        stubber.add_response(
            "get_execution_history",
            {
                "events": [{**event, "id": 1, "type": "ExecutionStarted", "previousEventId": 0}],
                "nextToken": "aws-1",
            },
            {
                "executionArn": summary.execution_arn,
                "maxResults": 1,
                "reverseOrder": False,
                "includeExecutionData": True,
            },
        )
        stubber.add_response(
            "get_execution_history",
            {"events": [event]},
            {
                "executionArn": summary.execution_arn,
                "maxResults": 1,
                "reverseOrder": False,
                "includeExecutionData": True,
                "nextToken": "aws-1",
            },
        )
        first = stubbed.history(summary.execution_arn, limit=1)
        assert first.next_token is not None and "aws-1" not in first.next_token
        second = stubbed.history(summary.execution_arn, limit=1, next_token=first.next_token)
        assert [item["type"] for item in first.items + second.items] == [
            "ExecutionStarted",
            "WaitStateEntered",
        ]
        assert second.next_token is None
        with pytest.raises(Exception, match="Invalid pagination token"):
            stubbed.history(summary.execution_arn, limit=1, next_token=first.next_token, reverse=True)
        stubber.assert_no_pending_responses()


def test_a_history_token_of_another_execution_is_refused(endpoints: FlowEndpoints) -> None:
    started(endpoints, "waitFlow", name="h1")
    started(endpoints, "waitFlow", name="h2")
    token = encode_token(f"history\n{arn('waitFlow', own('h1'))}\nFalse", "aws-token")
    response = endpoints.run_history(ADA, "waitFlow", "h2", {"next_token": token})
    assert (response.status, response.body["code"]) == (400, "InvalidToken")


# --------------------------------------------------------------------------- stop


def test_stop_aborts_a_running_execution_and_the_listing_shows_it(endpoints: FlowEndpoints) -> None:
    execution = started(endpoints, "waitFlow", name="long")
    stopped = ok(endpoints.stop_run(ADA, "waitFlow", execution, {}, '{"error": "Halt", "cause": "by hand"}'))
    assert stopped["status"] == "ABORTED" and stopped["stopDate"] is not None
    listed = ok(endpoints.list_runs(ADA, {"status": "ABORTED"}))["executions"]
    assert [row["executionId"] for row in listed] == [own("long")]
    # moto's StopExecution only signals the thread that runs the execution, which then ends it
    # (on AWS DescribeExecution says ABORTED at once): wait for that thread, not for a status
    described = wait_for(
        lambda: ok(endpoints.describe_run(ADA, "waitFlow", execution, {})),
        lambda found: found["status"] != "RUNNING",
    )
    assert described["status"] == "ABORTED"


def test_stopping_an_execution_that_ended_leaves_it_as_it_is(endpoints: FlowEndpoints) -> None:
    execution = started(endpoints, "passFlow")
    done = closed(endpoints, "passFlow", execution)
    assert ok(endpoints.stop_run(ADA, "passFlow", execution, {}, None)) == done


# --------------------------------------------------------------------------- express flows


def test_an_express_execution_starts_but_cannot_be_read_back(endpoints: FlowEndpoints, stage: Stage) -> None:
    body = ok(endpoints.start_run(ADA, "expressFlow", {}, '{"a": 1}'))
    assert body["executionArn"].startswith(f"arn:aws:states:{REGION}:{ACCOUNT}:")
    expected = error_body(EXPRESS_UNSUPPORTED, "InvalidParameterException")
    # by ARN (moto gives express executions a standard ARN) and by an express id
    for reference in (body["executionArn"], "some-name:some-run-id"):
        for response in (
            endpoints.describe_run(ADA, "expressFlow", reference, {}),
            endpoints.run_history(ADA, "expressFlow", reference, {}),
            endpoints.stop_run(ADA, "expressFlow", reference, {}, None),
            endpoints.describe_run(BOB, "expressFlow", reference, {}),
        ):
            assert (response.status, response.body) == (400, expected)
    assert ok(endpoints.list_runs(ADA, {}))["executions"] == []
    with pytest.raises(InvalidParameterError):
        stage.engine().describe("some-name:some-run-id")


# --------------------------------------------------------------------------- failures of AWS itself


def test_a_missing_executions_table_is_a_500_without_details(
    endpoints: FlowEndpoints, stage: Stage, caplog: pytest.LogCaptureFixture
) -> None:
    stage.client("dynamodb").delete_table(TableName=f"{PREFIX}executions")
    response = endpoints.list_runs(ADA, {})
    assert (response.status, response.body) == (500, error_body("Internal Server Error", "InternalFailure"))
    assert "ResourceNotFoundException" in caplog.text


def test_a_start_the_index_cannot_record_still_starts_and_says_so_in_the_log(
    endpoints: FlowEndpoints, stage: Stage, caplog: pytest.LogCaptureFixture
) -> None:
    stage.client("dynamodb").delete_table(TableName=f"{PREFIX}executions")
    body = ok(endpoints.start_run(ADA, "waitFlow", {"name": "unlisted"}, "{}"))
    assert body["executionId"] == own("unlisted")
    assert f"started {arn('waitFlow', own('unlisted'))} but could not index it" in caplog.text
    sfn = stage.client("stepfunctions")
    described = sfn.describe_execution(executionArn=arn("waitFlow", own("unlisted")))
    assert described["status"] == "RUNNING"


def test_the_engine_checks_a_listings_status_and_page_size(stage: Stage) -> None:
    engine = stage.engine()
    with pytest.raises(InvalidParameterError, match="status filter must be one of"):
        engine.list(owner="ada-sub", status="DONE")
    for limit in (-1, 1001, True):
        with pytest.raises(InvalidParameterError, match="page size must be from 1 to 1000"):
            engine.list(owner="ada-sub", limit=limit)
    assert engine.list(owner="ada-sub", limit=0).items == []  # 0: Step Functions' default, 100
