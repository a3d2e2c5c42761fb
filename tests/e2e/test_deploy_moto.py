"""What ``osls deploy`` of the examples leaves in (emulated) AWS: every resource, every route
behind the JWT authorizer, every state machine calling the deployed functions.

Proves: the packaged templates (root and nested) deploy in dependency order; references
across nested stacks resolve; names, ARNs, outputs and the derived IAM come out as the
compiler meant. Does not prove: that AWS accepts them (moto is more lenient), that the
Lambdas run (moto needs Docker for that), that the authorizer rejects a bad token (moto's
API Gateway does not enforce it), nor IAM enforcement. See README "Deploy to AWS".
"""

from __future__ import annotations

import ast
import json
from collections.abc import Callable
from typing import Any

import pytest

from sdw.asl import validate_definition
from sdw.project import load_project
from sdw.system import SYSTEM_ROUTES
from tests.deploy_support import ROOT, run_deployed, unpack
from tests.e2e.conftest import REGION, SECRET_FUNCTION, STAGE, Deployment

pytestmark = pytest.mark.xdist_group("e2e")  # one deploy for the session under -n 2

ACCOUNT = "123456789012"  # moto's
PREFIX = f"sdw-{STAGE}-"
NOT_CHECKED = {
    # moto skips it; applied, its TLS-only Deny would refuse moto's plain-HTTP uploads
    "AWS::S3::BucketPolicy",
}


def _templates(deployment: Deployment) -> dict[str, dict[str, Any]]:
    folder = deployment.project / ".serverless"
    found = {"root": json.loads((folder / "cloudformation-template-update-stack.json").read_text())}
    for path in sorted(folder.glob("cloudformation-template-nested-*.json")):
        found[path.stem.removeprefix("cloudformation-template-nested-")] = json.loads(path.read_text())
    return found


def _physical_ids(deployment: Deployment) -> dict[str, dict[str, str]]:
    """Template name (root or the nested stack's logical id) -> logical id -> physical id."""
    cf = deployment.client("cloudformation")
    root = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in _resources(cf, f"sdw-{STAGE}")}
    ids = {"root": root}
    for logical, resource in _templates(deployment)["root"]["Resources"].items():
        if resource["Type"] == "AWS::CloudFormation::Stack":
            ids[logical] = {
                r["LogicalResourceId"]: r["PhysicalResourceId"] for r in _resources(cf, root[logical])
            }
    return ids


def _resources(cf: Any, stack: str) -> list[dict[str, Any]]:
    return [
        r
        for page in cf.get_paginator("list_stack_resources").paginate(StackName=stack)
        for r in page["StackResourceSummaries"]
    ]


def test_the_stack_is_complete_with_the_outputs_the_cli_reads(deployment: Deployment) -> None:
    stack = deployment.client("cloudformation").describe_stacks(StackName=f"sdw-{STAGE}")["Stacks"][0]
    assert stack["StackStatus"] in ("CREATE_COMPLETE", "UPDATE_COMPLETE")
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    wanted = {
        "HttpApiUrl",
        "UserPoolId",
        "UserPoolClientId",
        "ToolsClientId",
        "UsageTableName",
        "ExecutionsTableName",
    }
    assert wanted <= set(outputs)
    assert outputs["UsageTableName"] == f"{PREFIX}usage"
    assert outputs["ExecutionsTableName"] == f"{PREFIX}executions"
    pool = deployment.client("cognito-idp").describe_user_pool(UserPoolId=outputs["UserPoolId"])["UserPool"]
    assert pool["Name"] == f"sdw-{STAGE}"


def test_every_template_resource_exists(deployment: Deployment) -> None:
    templates = _templates(deployment)
    ids = _physical_ids(deployment)
    assert len(templates) > 2, "the examples deploy over nested stacks"
    api_id = ids["root"]["HttpApi"]
    checks = _checks(deployment, api_id)
    checked = 0
    for name, template in templates.items():
        for logical, resource in template["Resources"].items():
            kind = resource["Type"]
            if kind in NOT_CHECKED:
                continue
            assert kind in checks, f"{name}/{logical}: no check for {kind}; add one"
            physical = ids[name].get(logical)
            assert physical is not None, f"{name}/{logical} ({kind}) is not in its stack"
            checks[kind](physical, resource, ids[name])
            checked += 1
    assert checked > 80


def _checks(
    deployment: Deployment, api_id: str
) -> dict[str, Callable[[str, dict[str, Any], dict[str, str]], None]]:
    aws = deployment.client
    lam, v2 = aws("lambda"), aws("apigatewayv2")

    def permission(_: str, resource: dict[str, Any], ids: dict[str, str]) -> None:
        target = resource["Properties"]["FunctionName"]["Fn::GetAtt"][0]
        policy = json.loads(lam.get_policy(FunctionName=ids[target])["Policy"])
        principals = {s["Principal"]["Service"] for s in policy["Statement"]}
        assert resource["Properties"]["Principal"] in principals

    def log_group(physical: str, *_: Any) -> None:
        groups = aws("logs").describe_log_groups(logGroupNamePrefix=physical)["logGroups"]
        assert [g["logGroupName"] for g in groups if g["logGroupName"] == physical]

    def table(physical: str, resource: dict[str, Any], _: Any) -> None:
        # (moto's CloudFormation ignores TimeToLiveSpecification, so TTL is not checked here)
        found = aws("dynamodb").describe_table(TableName=physical)["Table"]
        assert found["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        assert found["KeySchema"] == resource["Properties"]["KeySchema"]
        indexes = [i["IndexName"] for i in found.get("GlobalSecondaryIndexes", [])]
        assert indexes == [i["IndexName"] for i in resource["Properties"].get("GlobalSecondaryIndexes", [])]

    def layer(_: str, resource: dict[str, Any], __: Any) -> None:
        # moto names a layer itself (it ignores LayerName) and gives it no Ref value, so the
        # functions are not attached to it there: find it by its description
        layers = lam.list_layers()["Layers"]
        described = [x["LatestMatchingVersion"].get("Description") for x in layers]
        assert resource["Properties"]["Description"] in described

    def client(physical: str, resource: dict[str, Any], ids: dict[str, str]) -> None:
        pool = resource["Properties"]["UserPoolId"]["Ref"]
        found = aws("cognito-idp").describe_user_pool_client(UserPoolId=ids[pool], ClientId=physical)
        assert found["UserPoolClient"]["ExplicitAuthFlows"] == [
            "ALLOW_USER_PASSWORD_AUTH",
            "ALLOW_REFRESH_TOKEN_AUTH",
        ]

    return {
        "AWS::Lambda::Function": lambda p, *_: lam.get_function(FunctionName=p),
        "AWS::Lambda::Permission": permission,
        "AWS::Lambda::LayerVersion": layer,
        "AWS::Logs::LogGroup": log_group,
        "AWS::IAM::Role": lambda p, *_: aws("iam").get_role(RoleName=p),
        "AWS::DynamoDB::Table": table,
        "AWS::Events::Rule": lambda p, *_: aws("events").describe_rule(Name=p),
        "AWS::StepFunctions::StateMachine": lambda p, *_: aws("stepfunctions").describe_state_machine(
            stateMachineArn=p
        ),
        "AWS::ApiGatewayV2::Api": lambda p, *_: v2.get_api(ApiId=p),
        "AWS::ApiGatewayV2::Stage": lambda p, *_: v2.get_stage(ApiId=api_id, StageName=p),
        "AWS::ApiGatewayV2::Authorizer": lambda p, *_: v2.get_authorizer(ApiId=api_id, AuthorizerId=p),
        "AWS::ApiGatewayV2::Integration": lambda p, *_: v2.get_integration(ApiId=api_id, IntegrationId=p),
        "AWS::ApiGatewayV2::Route": lambda p, *_: v2.get_route(ApiId=api_id, RouteId=p),
        "AWS::Cognito::UserPool": lambda p, *_: aws("cognito-idp").describe_user_pool(UserPoolId=p),
        "AWS::Cognito::UserPoolClient": client,
        "AWS::S3::Bucket": lambda p, *_: aws("s3").head_bucket(Bucket=p),
        "AWS::CloudFormation::Stack": lambda p, *_: aws("cloudformation").describe_stacks(StackName=p),
    }


def test_every_route_has_the_jwt_authorizer_of_the_pool_and_both_clients(deployment: Deployment) -> None:
    v2 = deployment.client("apigatewayv2")
    outputs = {
        o["OutputKey"]: o["OutputValue"]
        for o in deployment.client("cloudformation").describe_stacks(StackName=f"sdw-{STAGE}")["Stacks"][0][
            "Outputs"
        ]
    }
    (api,) = v2.get_apis()["Items"]
    routes = v2.get_routes(ApiId=api["ApiId"])["Items"]
    project = load_project(deployment.project).project
    expected = {f"POST {fn.route_path}" for fn in project.functions} | {r.key for r in SYSTEM_ROUTES}
    assert {r["RouteKey"] for r in routes} == expected
    open_routes = {r.key for r in SYSTEM_ROUTES if not r.authorized}
    authorizers = set()
    for route in routes:
        if route["RouteKey"] in open_routes:
            assert route["AuthorizationType"] == "NONE"
            continue
        assert route["AuthorizationType"] == "JWT", route["RouteKey"]
        authorizers.add(route["AuthorizerId"])
    (authorizer_id,) = authorizers
    jwt = v2.get_authorizer(ApiId=api["ApiId"], AuthorizerId=authorizer_id)["JwtConfiguration"]
    assert jwt["Issuer"] == f"https://cognito-idp.{REGION}.amazonaws.com/{outputs['UserPoolId']}"
    assert sorted(jwt["Audience"]) == sorted([outputs["UserPoolClientId"], outputs["ToolsClientId"]])


def test_each_state_machine_runs_the_definition_the_local_runtime_runs(deployment: Deployment) -> None:
    """The deployed definition is the local one with the deployed names: the same functions' ARNs."""
    project = load_project(
        ROOT, validate_definition=validate_definition, region=REGION, account_id=ACCOUNT, name_prefix=PREFIX
    ).project
    sfn = deployment.client("stepfunctions")
    assert project.flows
    for flow in project.flows:
        arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{PREFIX}{flow.state_machine_name}"
        deployed = sfn.describe_state_machine(stateMachineArn=arn)
        assert json.loads(deployed["definition"]) == flow.definition, flow.key
        assert deployed["type"] == flow.type.value
        for function_arn in flow.functions:
            assert function_arn in deployed["definition"]
            deployment.client("lambda").get_function(FunctionName=function_arn)


def test_a_flows_role_may_invoke_exactly_the_functions_it_calls(deployment: Deployment) -> None:
    sfn, iam = deployment.client("stepfunctions"), deployment.client("iam")
    arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{PREFIX}dummy2StepFlow"
    role = sfn.describe_state_machine(stateMachineArn=arn)["roleArn"].rsplit("/", 1)[1]
    (name,) = iam.list_role_policies(RoleName=role)["PolicyNames"]
    document = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
    if isinstance(document, str):  # moto answers with the Python repr of the document
        document = ast.literal_eval(document)
    statements = document["Statement"]
    assert [s["Action"] for s in statements] == [["lambda:InvokeFunction"]]
    assert sorted(statements[0]["Resource"]) == [
        f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{PREFIX}add-one",
        f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{PREFIX}double",
    ]


def test_the_executions_index_rule_targets_the_index_lambda(deployment: Deployment) -> None:
    events = deployment.client("events")
    rules = [r for r in events.list_rules()["Rules"] if "EventPattern" in r]
    (rule,) = [r for r in rules if "aws.states" in r["EventPattern"]]
    pattern = json.loads(rule["EventPattern"])
    assert pattern["detail-type"] == ["Step Functions Execution Status Change"]
    assert pattern["detail"]["stateMachineArn"] == [
        {"prefix": f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{PREFIX}"}
    ]
    (target,) = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
    assert target["Arn"].endswith(f":function:{PREFIX}base_execution_index")


def _role_statements(deployment: Deployment, role_arn: str) -> list[dict[str, Any]]:
    iam = deployment.client("iam")
    role = role_arn.rsplit("/", 1)[1]
    statements: list[dict[str, Any]] = []
    for name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
        document = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
        if isinstance(document, str):  # moto answers with the Python repr of the document
            document = ast.literal_eval(document)
        statements += document["Statement"]
    return statements


def test_a_function_with_secrets_runs_under_sdws_wrapper_with_a_role_reading_exactly_its_parameters(
    deployment: Deployment,
) -> None:
    lam = deployment.client("lambda")
    config = lam.get_function_configuration(FunctionName=f"{PREFIX}{SECRET_FUNCTION}")
    assert config["Handler"] == "sdw.runtime.handler"
    variables = config["Environment"]["Variables"]
    assert variables["SDW_HANDLER"] == f"functions/lib/{SECRET_FUNCTION}/handler.handler"
    assert (variables["SDW_SECRETS"], variables["SDW_CONNECTIONS"]) == ("MAILER_SMTP_PASSWORD", "crm=http")
    assert (variables["SDW_SERVICE"], variables["SDW_STAGE"]) == ("sdw", STAGE)
    reads = [s for s in _role_statements(deployment, config["Role"]) if "ssm:GetParameters" in s["Action"]]
    parameter = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/sdw/{STAGE}/"
    assert [sorted(s["Resource"]) for s in reads] == [
        [f"{parameter}MAILER_SMTP_PASSWORD", f"{parameter}connections/crm"]
    ]
    shared = lam.get_function_configuration(FunctionName=f"{PREFIX}ping")
    assert shared["Role"] != config["Role"]
    assert not [s for s in _role_statements(deployment, shared["Role"]) if "ssm" in str(s["Action"])]


def test_the_deployed_package_loads_the_secret_from_ssm_and_resolves_the_connection(
    deployment: Deployment, tmp_path: Any
) -> None:
    """The zip osls uploaded, unpacked as /var/task, run with the deployed function's environment.

    moto cannot run a Lambda without Docker, so this process stands in for the instance:
    Lambda's own handler import of ``sdw.runtime.handler`` from the unpacked package,
    SSM served by the moto server the stack was deployed to.
    """
    from sdw.runtime import Connection

    ssm = deployment.client("ssm")
    ssm.put_parameter(Name=f"/sdw/{STAGE}/MAILER_SMTP_PASSWORD", Value="s3cret-e2e", Type="SecureString",
                      Overwrite=True)
    ssm.put_parameter(Name=f"/sdw/{STAGE}/connections/crm", Type="SecureString", Overwrite=True,
                      Value=Connection("http", {"token": "crm-token"}).document())
    task_root = unpack(deployment.project / ".serverless" / "sdw.zip", tmp_path / "task")
    config = deployment.client("lambda").get_function_configuration(FunctionName=f"{PREFIX}{SECRET_FUNCTION}")
    env = {
        **config["Environment"]["Variables"],
        "AWS_LAMBDA_FUNCTION_NAME": config["FunctionName"],
        "AWS_ENDPOINT_URL": deployment.endpoint,
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
    }
    done = run_deployed(task_root, env, {"expect": "s3cret-e2e", "crm": "{{connection:crm}}"})
    assert done.returncode == 0, done.stderr[-3000:]
    *log, result = done.stdout.strip().splitlines()
    assert json.loads(result) == {"sawSecret": True, "crm": {"token": "crm-token"}, "subject": "weekly"}
    (access,) = [json.loads(line) for line in log]
    assert (access["sdw"], access["connection"], access["requestId"]) == ("connection-access", "crm", "e2e-1")
    assert "s3cret-e2e" not in done.stdout + done.stderr and "crm-token" not in "".join(log)
