"""The system Lambdas of functions/base, invoked in-process with API Gateway 2.0 events, on moto.

Each test builds the handler as its module does (``create_<name>_lambda(environ)``), with
the stage's environment and a moto-backed session, and sends it events shaped as HTTP
API sends them to an integration behind its JWT authorizer (support.api_event).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest
from botocore.stub import Stubber

from sdw.aws import StepFunctionsEngine, create_auth_lambda, create_flows_lambda
from sdw.system import SYSTEM_ROUTES, FlowEndpoints, LambdaHandler, flow_handlers, owned_execution_name
from tests.functional.aws.support import (
    ACCOUNT,
    PREFIX,
    REGION,
    Stage,
    answer,
    api_event,
    claims,
    error_body,
    wait_for,
)

SYSTEM_500 = {"message": "Internal Server Error", "code": "InternalFailure",
              "error": "Internal Server Error", "status": "ERROR"}  # sdw.system's error shape

ADA = claims("ada-sub", "ada@example.com")
BOB = claims("bob-sub", "bob@example.com")


@pytest.fixture
def flows(stage: Stage) -> LambdaHandler:
    return create_flows_lambda(stage.environ, session=stage.session)


def test_get_flows_lists_the_deployed_flows_with_their_arns(flows: LambdaHandler) -> None:
    status, body = answer(flows(api_event("GET /flows", caller=ADA), None))
    assert status == 200
    assert [flow["name"] for flow in body["flows"]] == [
        "expressFlow", "failFlow", "nightlyFlow", "passFlow", "waitFlow"
    ]
    assert body["count"] == 5
    for flow in body["flows"]:  # the state machine's creationDate (ListStateMachines), as the seed shows it
        assert flow["created"] is not None and flow["created"].endswith("Z"), flow
        assert abs(datetime.fromisoformat(flow["created"]) - datetime.now(UTC)) < timedelta(minutes=5)
    pass_flow = next(flow for flow in body["flows"] if flow["name"] == "passFlow")
    assert pass_flow["stateMachineArn"] == f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{PREFIX}passFlow"
    assert pass_flow["stateMachineName"] == "passFlow" and pass_flow["type"] == "STANDARD"


def test_a_run_is_started_polled_listed_and_its_history_read(flows: LambdaHandler) -> None:
    status, started = answer(
        flows(
            api_event(
                "POST /run/{flow}",
                path={"flow": "passFlow"},
                query={"name": "r1"},
                body='{"n": 1}',
                caller=ADA,
            ),
            None,
        )
    )
    assert (status, started["executionId"]) == (200, owned_execution_name("ada-sub", "r1"))
    target = {"flow": "passFlow", "execution": "r1"}

    def poll() -> dict[str, object]:
        return answer(flows(api_event("GET /run/{flow}/{execution}", path=target, caller=ADA), None))[1]

    described = wait_for(poll, lambda body: body["status"] != "RUNNING")
    assert (described["status"], described["output"]) == (
        "SUCCEEDED",
        {"n": 1, "__user_id": "ada-sub", "result": {"added": True}},
    )
    status, runs = answer(flows(api_event("GET /runs", query={"flow": "passFlow"}, caller=ADA), None))
    assert (status, [row["executionId"] for row in runs["executions"]]) == (200, [started["executionId"]])
    status, history = answer(
        flows(api_event("GET /run/{flow}/{execution}/history", path=target, caller=ADA), None)
    )
    assert status == 200 and history["events"][0]["type"] == "ExecutionStarted"


def test_a_base64_body_is_decoded_before_it_is_the_input(flows: LambdaHandler) -> None:
    event = api_event("POST /run/{flow}", path={"flow": "waitFlow"}, body=b'{"binary": true}', caller=ADA)
    assert event["isBase64Encoded"] is True
    status, started = answer(flows(event, None))
    assert status == 200
    target = {"flow": "waitFlow", "execution": started["executionId"]}
    status, described = answer(flows(api_event("GET /run/{flow}/{execution}", path=target, caller=ADA), None))
    assert described["input"] == {"binary": True, "__user_id": "ada-sub"}


def test_a_stop_ends_the_callers_run(flows: LambdaHandler) -> None:
    flows(api_event("POST /run/{flow}", path={"flow": "waitFlow"}, query={"name": "w"}, caller=ADA), None)
    target = {"flow": "waitFlow", "execution": "w"}
    status, body = answer(
        flows(api_event("POST /run/{flow}/{execution}/stop", path=target, caller=ADA), None)
    )
    assert (status, body["status"]) == (200, "ABORTED")


@pytest.mark.parametrize(
    ("event", "status", "body"),
    [
        (
            api_event("POST /run/{flow}", path={"flow": "passFlow"}, body='{"a": ', caller=ADA),
            400,
            error_body(
                "The execution input is not valid JSON: Expecting value at line 1, column 7.",
                "InvalidExecutionInput",
            ),
        ),
        (
            api_event("POST /run/{flow}", path={"flow": "nope"}, caller=ADA),
            404,
            error_body("Flow 'nope' does not exist.", "StateMachineDoesNotExist"),
        ),
        (
            api_event("GET /runs", query={"next_token": "forged"}, caller=ADA),
            400,
            error_body("Invalid pagination token.", "InvalidToken"),
        ),
        (
            api_event("GET /runs", query={"limit": "0"}, caller=ADA),
            400,
            error_body("Invalid ?limit=0: it must be from 1 to 1000.", "InvalidParameterException"),
        ),
        (api_event("GET /runs"), 401, {"message": "Unauthorized"}),
        (api_event("POST /run/{flow}", path={"flow": "passFlow"}), 401, {"message": "Unauthorized"}),
        (api_event("GET /runs", caller={"email": "no-sub@example.com"}), 401, {"message": "Unauthorized"}),
        (api_event("GET /usage", caller=ADA), 404, {"message": "Not Found"}),
    ],
    ids=[
        "bad-json",
        "unknown-flow",
        "bad-token",
        "bad-limit",
        "no-claims",
        "no-claims-start",
        "no-sub",
        "not-this-lambdas-route",
    ],
)
def test_bad_requests_get_the_local_runtimes_answers(
    flows: LambdaHandler, event: dict[str, object], status: int, body: dict[str, str]
) -> None:
    assert answer(flows(event, None)) == (status, body)


def test_another_users_execution_is_a_404(flows: LambdaHandler) -> None:
    flows(api_event("POST /run/{flow}", path={"flow": "waitFlow"}, query={"name": "adas"}, caller=ADA), None)
    target = {"flow": "waitFlow", "execution": "adas"}
    for route in ("GET /run/{flow}/{execution}", "GET /run/{flow}/{execution}/history"):
        assert answer(flows(api_event(route, path=target, caller=BOB), None)) == (
            404,
            error_body("Execution 'adas' does not exist.", "ExecutionDoesNotExist"),
        )


def test_a_body_that_claims_base64_but_is_not_is_a_logged_500(
    flows: LambdaHandler, caplog: pytest.LogCaptureFixture
) -> None:
    event = api_event("POST /run/{flow}", path={"flow": "passFlow"}, body="{}", caller=ADA)
    event["isBase64Encoded"] = True
    event["body"] = "not base64!"
    assert answer(flows(event, None)) == (500, SYSTEM_500)
    assert "isBase64Encoded but is not base64" in caplog.text


def test_a_lambda_missing_its_settings_answers_500_and_logs_what_is_missing(
    stage: Stage, caplog: pytest.LogCaptureFixture
) -> None:
    environ = {
        key: value for key, value in stage.environ.items() if key not in ("SDW_STAGE", "LAMBDA_TASK_ROOT")
    }
    handler = create_flows_lambda(environ, session=stage.session)
    with caplog.at_level(logging.ERROR):
        assert answer(handler(api_event("GET /flows", caller=ADA), None)) == (
            500,
            SYSTEM_500,
        )
    assert "lacks" in caplog.text and "LAMBDA_TASK_ROOT" in caplog.text
    # fixed settings are read again at the next invocation: nothing broken is kept
    handler = create_flows_lambda(stage.environ, session=stage.session)
    assert answer(handler(api_event("GET /flows", caller=ADA), None))[0] == 200


def test_every_route_of_the_flows_and_auth_lambdas_is_answered(stage: Stage) -> None:
    handlers = {
        "flows": create_flows_lambda(stage.environ, session=stage.session).handlers(),
        "auth": create_auth_lambda(stage.environ, session=stage.session).handlers(),
    }
    for route in SYSTEM_ROUTES:
        if route.function in handlers:
            assert route.key in handlers[route.function], route.key


# --------------------------------------------------------------------------- auth


def test_auth_config_is_the_stages_pool_without_a_token(stage: Stage) -> None:
    auth = create_auth_lambda(stage.environ, session=stage.session)
    status, body = answer(auth(api_event("GET /auth/config"), None))
    issuer = f"https://cognito-idp.{REGION}.amazonaws.com/{stage.pool.user_pool_id}"
    assert (status, body["issuer"], body["jwksUrl"], body["clientId"]) == (
        200,
        issuer,
        f"{issuer}/.well-known/jwks.json",
        stage.pool.client_id,
    )


def test_auth_verify_echoes_the_claims_api_gateway_verified(stage: Stage) -> None:
    auth = create_auth_lambda(stage.environ, session=stage.session)
    event = api_event("GET /auth/verify", caller=ADA)
    event["requestContext"]["authorizer"]["jwt"]["scopes"] = ["aws.cognito.signin.user.admin"]
    assert answer(auth(event, None)) == (
        200,
        {"userId": "ada-sub", "claims": ADA, "scopes": ["aws.cognito.signin.user.admin"]},
    )
    assert answer(auth(api_event("GET /auth/verify"), None)) == (401, {"message": "Unauthorized"})


def test_the_lambdas_results_are_proxy_results_with_a_json_body(flows: LambdaHandler) -> None:
    result = flows(api_event("GET /runs", caller=ADA), None)
    assert set(result) == {"statusCode", "headers", "body"}
    assert json.loads(result["body"]) == {"executions": [], "nextToken": None, "count": 0}


def test_a_run_eventbridge_started_is_listed_and_readable_as_the_schedules(
    stage: Stage, flows: LambdaHandler
) -> None:
    """EventBridge starts a scheduled flow itself; its status events index it for ``schedule``."""
    from sdw.aws import create_execution_index_lambda

    sfn = stage.client("stepfunctions")
    machine = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{PREFIX}nightlyFlow"
    started = sfn.start_execution(stateMachineArn=machine, input='{"report": "daily"}')  # the rule's target
    found = sfn.describe_execution(executionArn=started["executionArn"])
    found["name"] = found.get("name") or found["executionArn"].rsplit(":", 1)[1]  # moto may leave it out
    event = {
        "version": "0", "id": "7e1d", "detail-type": "Step Functions Execution Status Change",
        "source": "aws.states", "account": ACCOUNT, "region": REGION, "resources": [found["executionArn"]],
        "detail": {"executionArn": found["executionArn"], "stateMachineArn": machine, "name": found["name"],
                   "status": "RUNNING", "startDate": int(found["startDate"].timestamp() * 1000),
                   "stopDate": None, "input": found["input"]},
    }
    assert create_execution_index_lambda(stage.environ, session=stage.session)(event, None)["applied"]
    status, runs = answer(flows(api_event("GET /runs", query={"owner": "schedule"}, caller=ADA), None))
    assert (status, [(r["executionId"], r["flow"]) for r in runs["executions"]]) == (
        200, [(found["name"], "nightlyFlow")]
    )
    target = {"flow": "nightlyFlow", "execution": found["name"]}
    status, described = answer(flows(api_event("GET /run/{flow}/{execution}", path=target, caller=BOB), None))
    assert (status, described["status"], described["input"]) == (200, "RUNNING", {"report": "daily"})
    status, mine = answer(flows(api_event("GET /runs", caller=ADA), None))
    assert (status, mine["executions"]) == (200, [])  # not the caller's own


def test_get_flows_without_the_creation_dates_still_lists_the_flows(
    stage: Stage, caplog: pytest.LogCaptureFixture
) -> None:
    """ListStateMachines denied (a role without it): the flows are listed, ``created`` null, a warning."""
    client = stage.session.client("stepfunctions", region_name=REGION)
    stub = Stubber(client)
    stub.add_client_error("list_state_machines", "AccessDeniedException", "not allowed")
    engine = StepFunctionsEngine(client, stage.index(), stage.project)
    endpoints = FlowEndpoints(engine, stage.project, created=engine.creation_dates)
    flows = LambdaHandler(lambda: flow_handlers(endpoints))
    with stub:
        status, body = answer(flows(api_event("GET /flows", caller=ADA), None))
    assert status == 200 and body["count"] == 5
    assert {flow["created"] for flow in body["flows"]} == {None}
    assert "creation dates are not known" in caplog.text
