"""Usage on a deployed stage (moto): the api_usage Lambda, POST /run counted by the flows Lambda,
and ``track_usage_middleware`` in a user function's Lambda counting into the usage table.

The handlers are built as their modules build them, with the stage's environment and a
moto-backed session, and get HTTP API (payload 2.0) events as a route with the JWT
authorizer sends them (support.api_event; ``cognito:groups`` as HTTP API flattens it).
"""

from __future__ import annotations

import importlib
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sdw.aws import create_flows_lambda, create_usage_lambda
from sdw.deploy import DeploySettings, compile_project
from sdw.project import load_project
from sdw.runtime import create_lambda_meter, metering, track_usage_middleware
from sdw.system import SYSTEM_ROUTES, LambdaHandler, MonthlyUsage, year_month
from tests.functional.aws.support import USAGE_TABLE, Stage, answer, api_event, claims, error_body

SYSTEM_500 = {"message": "Internal Server Error", "code": "InternalFailure",
              "error": "Internal Server Error", "status": "ERROR"}  # sdw.system's error shape

ROOT = Path(__file__).resolve().parents[3]
ADA = claims("ada-sub", "ada@example.com")
BOB = claims("bob-sub", "bob@example.com")
ROOT_USER = {**claims("root-sub", "root@example.com"), "cognito:groups": "[admin]"}


def this_month() -> str:
    return year_month(datetime.now(UTC))


@pytest.fixture
def usage(stage: Stage) -> LambdaHandler:
    return create_usage_lambda(stage.environ, session=stage.session)


def test_get_usage_answers_the_callers_months_oldest_first(stage: Stage, usage: LambdaHandler) -> None:
    store = stage.usage()
    for month in ("2026-11", "2026-10", "2026-11"):
        store.record_call("ada-sub", month)
    status, body = answer(usage(api_event("GET /usage", caller=ADA), None))
    assert status == 200
    assert body == {
        "userId": "ada-sub",
        "usage": [{"yearMonth": "2026-10", "apiCalls": 1}, {"yearMonth": "2026-11", "apiCalls": 2}],
        "total": 3,
    }
    ranged = usage(
        api_event("GET /usage", query={"startDate": "2026-11", "endDate": "2026-11"}, caller=ADA), None
    )
    assert answer(ranged)[1]["total"] == 2


def test_another_users_usage_is_a_404_unless_the_caller_is_an_admin(
    stage: Stage, usage: LambdaHandler
) -> None:
    stage.usage().record_call("bob-sub", "2026-11")
    path = {"user_id": "bob-sub"}
    refused = answer(usage(api_event("GET /usage/{user_id}", path=path, caller=ADA), None))
    assert refused == (404, error_body("User 'bob-sub' does not exist.", "UserNotFoundException"))
    status, body = answer(usage(api_event("GET /usage/{user_id}", path=path, caller=ROOT_USER), None))
    assert (status, body["total"]) == (200, 1)
    own = answer(usage(api_event("GET /usage/{user_id}", path=path, caller=BOB), None))
    assert own == (status, body)


def test_a_bad_month_is_a_400_and_no_caller_a_401(usage: LambdaHandler) -> None:
    status, body = answer(usage(api_event("GET /usage", query={"startDate": "2026-13"}, caller=ADA), None))
    assert (status, body["code"]) == (400, "InvalidParameterException")
    assert "startDate" in body["message"]
    assert answer(usage(api_event("GET /usage"), None)) == (401, {"message": "Unauthorized"})


def test_the_usage_lambda_without_its_table_setting_is_a_logged_500(stage: Stage) -> None:
    environ = {key: value for key, value in stage.environ.items() if key != "SDW_USAGE_TABLE"}
    handler = create_usage_lambda(environ, session=stage.session)
    assert answer(handler(api_event("GET /usage", caller=ADA), None)) == (
        500,
        SYSTEM_500,
    )


def test_post_run_is_counted_for_its_caller_by_the_flows_lambda(stage: Stage) -> None:
    flows = create_flows_lambda(stage.environ, session=stage.session)
    for flow in ("passFlow", "passFlow", "noSuchFlow"):
        flows(api_event("POST /run/{flow}", path={"flow": flow}, body="{}", caller=ADA), None)
    flows(api_event("GET /runs", caller=ADA), None)  # reading is not counted
    assert stage.usage().usage("ada-sub") == [MonthlyUsage(this_month(), 3)]


def test_a_decorated_user_function_counts_into_the_stages_table(stage: Stage) -> None:
    # The Lambda meter is made from the instance's environment (boto3's default session,
    # which mock_aws serves); the table is the stage's, named by SDW_USAGE_TABLE.
    found = create_lambda_meter({"SDW_USAGE_TABLE": USAGE_TABLE, "AWS_REGION": "us-east-1"})
    assert found is not None

    calls: list[Any] = []

    @track_usage_middleware
    def handler(event: Any, context: Any) -> dict[str, Any]:
        calls.append(event)
        return {"statusCode": 200, "body": "ok"}

    with metering(found):
        for _ in range(4):
            assert handler(api_event("POST /lib/ping", caller=ADA), None) == {"statusCode": 200, "body": "ok"}
        handler({"value": 1}, None)  # a flow's Task: not a request
    assert len(calls) == 5
    assert stage.usage().usage("ada-sub") == [MonthlyUsage(this_month(), 4)]
    item = stage.client("dynamodb").get_item(
        TableName=USAGE_TABLE, Key={"userId": {"S": "ada-sub"}, "yearMonth": {"S": this_month()}}
    )["Item"]
    assert int(item["ttl"]["N"]) > time.time() + 89 * 86400  # the end of this month + 90 days


def test_every_system_lambda_the_deploy_makes_has_a_handler_that_serves_its_routes() -> None:
    loaded = load_project(ROOT)
    sections = compile_project(loaded.project, DeploySettings(stage="dev"))
    system = {
        name: spec
        for name, spec in sections.functions.items()
        if spec["handler"].startswith("functions/base/")
    }
    assert system, sections.functions.keys()
    for spec in system.values():
        module_path, _, attribute = spec["handler"].rpartition(".")
        module = importlib.import_module(module_path.replace("/", "."))
        assert callable(getattr(module, attribute, None)), spec["handler"]
    served = {spec["handler"].split("/")[2] for spec in system.values()}
    assert {route.function for route in SYSTEM_ROUTES} <= served
