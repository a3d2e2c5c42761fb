"""A deployed stage, emulated by moto in-process: what the AWS adapter tests run against.

``deploy_stage`` makes, inside ``mock_aws``, what the deploy compiler makes on AWS for a
small project: one state machine per flow (named ``sdw-test-<flow>``, its definition the
project model's, ARNs resolved), the executions table with its ``byOwner`` GSI, the usage
table, and a Cognito pool (email sign-in) with the two app clients. moto runs the state
machines (``execute_state_machine``: its ASL interpreter, in threads), so a Pass flow
succeeds at once, a Fail flow fails and a flow that waits an hour stays RUNNING until it
is stopped. Lambda tasks would need Docker, so the project has none.

``api_event`` builds an API Gateway HTTP API event (payload 2.0) as a route with a JWT
authorizer hands it to its integration.
"""

from __future__ import annotations

import base64
import functools
import json
import textwrap
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import boto3
import botocore.session
from botocore.stub import Stubber

from sdw.aws import (
    CognitoPool,
    ExecutionIndex,
    StepFunctionsEngine,
    create_cognito_directory,
    create_execution_index,
    create_step_functions_engine,
    create_usage_store,
)
from sdw.project import Project, load_project

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's account
SERVICE, STAGE = "sdw", "test"
PREFIX = f"{SERVICE}-{STAGE}-"
EXECUTIONS_TABLE = f"{PREFIX}executions"
USAGE_TABLE = f"{PREFIX}usage"
MOTO_CONFIG: Any = {"stepfunctions": {"execute_state_machine": True}}
T = TypeVar("T")

FLOWS = {
    "passFlow": """\
        name: passFlow
        description: Adds a field to its input
        definition:
          StartAt: Add
          States:
            Add:
              Type: Pass
              Result: {added: true}
              ResultPath: $.result
              Next: Done
            Done:
              Type: Succeed
        """,
    "failFlow": """\
        name: failFlow
        definition:
          StartAt: Boom
          States:
            Boom:
              Type: Fail
              Error: Custom.Boom
              Cause: it had to fail
        """,
    "waitFlow": """\
        name: waitFlow
        description: Waits an hour
        definition:
          StartAt: Wait
          States:
            Wait:
              Type: Wait
              Seconds: 3600
              End: true
        """,
    "nightlyFlow": """\
        name: nightlyFlow
        description: Started by its EventBridge rule
        schedule: cron(0 2 * * ? *)
        definition:
          StartAt: Wait
          States:
            Wait:
              Type: Wait
              Seconds: 3600
              End: true
        """,
    "expressFlow": """\
        name: expressFlow
        type: EXPRESS
        definition:
          StartAt: Echo
          States:
            Echo:
              Type: Pass
              End: true
        """,
}


def write_project(root: Path) -> None:
    (root / "flows").mkdir(parents=True)
    for name, text in FLOWS.items():
        (root / "flows" / f"{name}.yml").write_text(textwrap.dedent(text))


def deployed_project(root: Path) -> Project:
    loaded = load_project(root, region=REGION, account_id=ACCOUNT, name_prefix=PREFIX)
    assert not loaded.problems, loaded.problems
    return loaded.project


@dataclass
class Stage:
    """One emulated stage: its session, project, pool and environment."""

    session: Any
    project: Project
    pool: CognitoPool
    environ: dict[str, str]

    def client(self, service: str) -> Any:
        return self.session.client(service, region_name=REGION)

    def engine(self) -> StepFunctionsEngine:
        return create_step_functions_engine(
            self.project, executions_table=EXECUTIONS_TABLE, region=REGION, session=self.session
        )

    def index(self) -> ExecutionIndex:
        return create_execution_index(EXECUTIONS_TABLE, region=REGION, session=self.session)

    def directory(self) -> Any:
        return create_cognito_directory(self.pool, session=self.session)

    def usage(self) -> Any:
        return create_usage_store(USAGE_TABLE, region=REGION, session=self.session)


@functools.cache
def _botocore_session() -> Any:
    # One botocore session for every test: it caches the service models, which otherwise
    # every test would load again (a tenth of a second per client).
    session = botocore.session.get_session()
    session.set_credentials("testing", "testing")
    return session


def new_session() -> Any:
    return boto3.Session(botocore_session=_botocore_session(), region_name=REGION)


def deploy_stage(root: Path, *, with_pool: bool = False) -> Stage:
    """Create the stage's resources in the (already started) moto mock; the project at ``root``.

    The Cognito pool only ``with_pool``: moto makes its signing key, which takes a while.
    """
    session = new_session()
    project = deployed_project(root)
    sfn = session.client("stepfunctions", region_name=REGION)
    for flow in project.flows:
        sfn.create_state_machine(
            name=f"{PREFIX}{flow.state_machine_name}",
            definition=json.dumps(flow.definition),
            roleArn=f"arn:aws:iam::{ACCOUNT}:role/{PREFIX}{flow.state_machine_name}",
            type=flow.type.value,
        )
    dynamodb = session.client("dynamodb", region_name=REGION)
    owner_index = {
        "IndexName": "byOwner",
        "KeySchema": _keys("owner", "startDate"),
        "Projection": {"ProjectionType": "ALL"},
    }
    dynamodb.create_table(
        TableName=EXECUTIONS_TABLE,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=_strings("executionArn", "owner", "startDate"),
        KeySchema=_keys("executionArn"),
        GlobalSecondaryIndexes=[owner_index],
    )
    dynamodb.create_table(
        TableName=USAGE_TABLE,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=_strings("userId", "yearMonth"),
        KeySchema=_keys("userId", "yearMonth"),
    )
    pool = create_pool(session) if with_pool else CognitoPool(REGION, f"{REGION}_NoPool", "none", "none")
    environ = {
        "SDW_SERVICE": SERVICE,
        "SDW_STAGE": STAGE,
        "SDW_ACCOUNT_ID": ACCOUNT,
        "AWS_REGION": REGION,
        "SDW_USAGE_TABLE": USAGE_TABLE,
        "SDW_EXECUTIONS_TABLE": EXECUTIONS_TABLE,
        "SDW_USER_POOL_ID": pool.user_pool_id,
        "SDW_USER_POOL_CLIENT_ID": pool.client_id,
        "SDW_TOOLS_CLIENT_ID": pool.tools_client_id,
        "LAMBDA_TASK_ROOT": str(root),
    }
    return Stage(session, project, pool, environ)


def _strings(*names: str) -> list[dict[str, str]]:
    return [{"AttributeName": name, "AttributeType": "S"} for name in names]


def _keys(hash_key: str, range_key: str | None = None) -> list[dict[str, str]]:
    keys = [{"AttributeName": hash_key, "KeyType": "HASH"}]
    return keys if range_key is None else [*keys, {"AttributeName": range_key, "KeyType": "RANGE"}]


def create_pool(session: Any) -> CognitoPool:
    """The stage's user pool (email sign-in) and its two app clients, as the deploy makes them."""
    cognito = session.client("cognito-idp", region_name=REGION)
    pool_id = cognito.create_user_pool(
        PoolName=f"{PREFIX}users",
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
        Policies={
            "PasswordPolicy": {
                "MinimumLength": 8,
                "RequireUppercase": True,
                "RequireLowercase": True,
                "RequireNumbers": True,
                "RequireSymbols": False,
            }
        },
    )["UserPool"]["Id"]
    flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="UserPoolClient", ExplicitAuthFlows=flows, GenerateSecret=False
    )["UserPoolClient"]["ClientId"]
    tools_id = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="ToolsClient",
        ExplicitAuthFlows=flows,
        GenerateSecret=False,
        PreventUserExistenceErrors="ENABLED",
        ReadAttributes=["email"],
    )["UserPoolClient"]["ClientId"]
    return CognitoPool(region=REGION, user_pool_id=pool_id, client_id=client_id, tools_client_id=tools_id)


def wait_for(fetch: Callable[[], T], done: Callable[[T], bool], timeout: float = 10.0) -> T:
    """Call ``fetch`` until ``done`` holds for what it gives (moto runs executions on threads of its own)."""
    deadline = time.monotonic() + timeout
    while True:
        found = fetch()
        if done(found) or time.monotonic() > deadline:
            return found
        time.sleep(0.02)


def claims(sub: str, email: str | None = None) -> dict[str, str]:
    """ID-token claims as HTTP API's JWT authorizer passes them: every value a string."""
    return {
        "sub": sub,
        "email": email or f"{sub}@example.com",
        "aud": "client",
        "iss": f"https://cognito-idp.{REGION}.amazonaws.com/{REGION}_Pool",
        "token_use": "id",
        "exp": "1893456000",
        "iat": "1893452400",
    }


def api_event(
    route_key: str,
    *,
    path: Mapping[str, str] | None = None,
    query: Mapping[str, str] | None = None,
    body: str | bytes | None = None,
    caller: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """An HTTP API (payload 2.0) event for ``route_key``; ``caller`` the JWT claims (None: no authorizer).

    A bytes body arrives base64-encoded, as HTTP API sends a body of a binary content type.
    """
    method, template = route_key.split(" ", 1)
    raw_path = template
    for name, value in (path or {}).items():
        raw_path = raw_path.replace("{" + name + "}", value)
    context: dict[str, Any] = {
        "accountId": ACCOUNT,
        "apiId": "api1234567",
        "domainName": "api1234567.execute-api.us-east-1.amazonaws.com",
        "domainPrefix": "api1234567",
        "http": {
            "method": method,
            "path": raw_path,
            "protocol": "HTTP/1.1",
            "sourceIp": "192.0.2.1",
            "userAgent": "pytest",
        },
        "requestId": "JKJaXmPLvHcESHA=",
        "routeKey": route_key,
        "stage": "$default",
        "time": "25/Nov/2026:10:00:00 +0000",
        "timeEpoch": 1795600800000,
    }
    if caller is not None:
        context["authorizer"] = {"jwt": {"claims": dict(caller), "scopes": None}}
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": raw_path,
        "rawQueryString": "&".join(f"{key}={value}" for key, value in (query or {}).items()),
        "headers": {"content-type": "application/json", "host": context["domainName"]},
        "requestContext": context,
        "isBase64Encoded": False,
    }
    if path:
        event["pathParameters"] = dict(path)
    if query:
        event["queryStringParameters"] = dict(query)
    if isinstance(body, bytes):
        event["body"] = base64.b64encode(body).decode()
        event["isBase64Encoded"] = True
    elif body is not None:
        event["body"] = body
    return event


def answer(result: Mapping[str, Any]) -> tuple[int, Any]:
    """(status, decoded JSON body) of a Lambda proxy result."""
    assert result["headers"] == {"content-type": "application/json"}
    return result["statusCode"], json.loads(result["body"])


class Stack:
    """A boto3 session whose CloudFormation answers one DescribeStacks with ``outputs`` (None: no
    such stack), from a botocore Stubber: moto's CloudFormation needs extras sdw does not
    install. Every other service is the moto-backed session's."""

    def __init__(self, session: Any, stack: str, outputs: Mapping[str, str] | None) -> None:
        self._session = session
        self._stack = stack
        self._outputs = outputs

    def client(self, service: str, region_name: str | None = None) -> Any:
        client = self._session.client(service, region_name=region_name)
        if service != "cloudformation":
            return client
        stubber = Stubber(client)
        if self._outputs is None:
            stubber.add_client_error(
                "describe_stacks",
                service_error_code="ValidationError",
                service_message=f"Stack with id {self._stack} does not exist",
                http_status_code=400,
            )
        else:
            stack = {
                "StackName": self._stack,
                "CreationTime": datetime(2026, 11, 25, tzinfo=UTC),
                "StackStatus": "CREATE_COMPLETE",
                "Outputs": [{"OutputKey": key, "OutputValue": value} for key, value in self._outputs.items()],
            }
            stubber.add_response("describe_stacks", {"Stacks": [stack]}, {"StackName": self._stack})
        stubber.activate()
        return client


def stage_outputs(stage: Stage) -> dict[str, str]:
    return {
        "HttpApiUrl": "https://api1234567.execute-api.us-east-1.amazonaws.com",
        "UserPoolId": stage.pool.user_pool_id,
        "UserPoolClientId": stage.pool.client_id,
        "ToolsClientId": stage.pool.tools_client_id,
        "UsageTableName": "sdw-dev-usage",
        "ExecutionsTableName": "sdw-dev-executions",
    }


def error_body(message: str, code: str) -> dict[str, str]:
    """A system endpoint's error body, as both runtimes answer it (the seed's fields included)."""
    return {"message": message, "code": code, "error": message, "status": "ERROR"}
