"""The compiler: project model -> serverless.yml sections (functions, routes, machines, platform)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sdw.asl import validate_definition
from sdw.deploy import (
    CompileError,
    DeployError,
    DeploySettings,
    Names,
    TemplateGenerator,
    UnsupportedError,
    compile_project,
    logical_id,
)
from sdw.project import FlowSource, Function, Plugin, Project, compile_flows
from sdw.system import SYSTEM_ROUTES

ROOT = Path("/p")
PING = Function(
    "ping", ROOT / "functions/lib/ping", timeout=3, memory=128, secrets=("API_KEY", "SMTP_PASSWORD"),
    connections=(("openai-prod", "openai"),),
)
ADD_ONE = Function("add_one", ROOT / "functions/lib/add_one")
CHARGE = Function("charge", ROOT / "plugins/billing/functions/lib/charge", plugin="billing")
FLOW = """\
name: addFlow
type: EXPRESS
timeout: 60
schedule: rate(5 minutes)
input: {value: 1}
functions:
  - name: addOne
    handler: functions/lib/add_one/handler.handler
definition:
  StartAt: Add
  States:
    Add:
      Type: Task
      Resource: ${addOneArn}
      Comment: "costs ${ to run"
      End: true
"""
FN_ARN = "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:"


def project(*flows: str, functions: tuple[Function, ...] = (PING, ADD_ONE, CHARGE)) -> Project:
    sources = [
        FlowSource(text, f"flows/f{i}.yml", ROOT / f"flows/f{i}.yml", ROOT) for i, text in enumerate(flows)
    ]
    loaded = compile_flows(
        sources,
        functions,
        validate_definition=validate_definition,
        name_prefix="sdw-dev-",
        file_exists=lambda _: True,
    )
    assert not [p for p in loaded.problems if p.severity.value == "error"], loaded.problems
    return Project(ROOT, functions, (Plugin("billing", ROOT / "plugins/billing"),), loaded.flows)


@pytest.fixture(scope="module")
def sections() -> dict[str, Any]:
    return compile_project(project(FLOW), DeploySettings(stage="dev")).to_json()


def test_each_function_is_a_lambda_named_for_the_stage_with_its_settings_and_the_layer(
    sections: dict[str, Any],
) -> None:
    ping = sections["functions"]["ping"]
    assert ping["name"] == "sdw-dev-ping"
    assert ping["handler"] == "sdw.runtime.handler"  # the wrapper that loads secrets, resolves connections
    assert (ping["timeout"], ping["memorySize"]) == (3, 128)
    assert ping["layers"] == [{"Ref": "SdwRuntimeLayer"}]
    assert ping["environment"] == {
        "SDW_HANDLER": "functions/lib/ping/handler.handler",
        "SDW_SECRETS": "API_KEY,SMTP_PASSWORD",
        "SDW_CONNECTIONS": "openai-prod=openai",
    }
    add_one = sections["functions"]["add-one"]
    assert add_one["name"] == "sdw-dev-add-one"
    assert add_one["environment"] == {"SDW_HANDLER": "functions/lib/add_one/handler.handler"}
    assert "role" not in add_one  # no secrets: osls's shared role, lambda-permissions.yml + logs


def test_each_function_has_a_post_route_behind_the_jwt_authorizer(sections: dict[str, Any]) -> None:
    resources = sections["resources"]["Resources"]
    route = resources["PingHttpRoute"]["Properties"]
    assert route["RouteKey"] == "POST /lib/ping"
    assert (route["AuthorizationType"], route["AuthorizerId"]) == ("JWT", {"Ref": "HttpApiAuthorizer"})
    integration = resources["PingHttpIntegration"]["Properties"]
    assert integration["IntegrationUri"] == {"Fn::GetAtt": ["PingLambdaFunction", "Arn"]}
    assert integration["PayloadFormatVersion"] == "2.0"
    assert resources["BillingDashchargeHttpRoute"]["Properties"]["RouteKey"] == "POST /lib/billing/charge"
    charge = sections["functions"]["billing-charge"]
    assert charge["handler"] == "sdw.runtime.handler"
    assert charge["environment"] == {
        "SDW_HANDLER": "functions/lib/charge/handler.handler",
        "SDW_PACKAGE_ROOT": "plugins/billing",
    }


def test_the_authorizer_trusts_the_pools_issuer_and_both_clients(sections: dict[str, Any]) -> None:
    jwt = sections["resources"]["Resources"]["HttpApiAuthorizer"]["Properties"]["JwtConfiguration"]
    assert jwt["Issuer"] == {"Fn::Sub": "https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}"}
    assert jwt["Audience"] == [{"Ref": "UserPoolClient"}, {"Ref": "ToolsClient"}]


def test_every_system_route_is_served_by_its_base_lambda(sections: dict[str, Any]) -> None:
    resources = sections["resources"]["Resources"]
    routes = {
        r["Properties"]["RouteKey"]: r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::ApiGatewayV2::Route"
    }
    for route in SYSTEM_ROUTES:
        found = routes[route.key]
        assert found["AuthorizationType"] == ("JWT" if route.authorized else "NONE")
        integration = found["Target"]["Fn::Join"][1][1]["Ref"]
        assert integration == f"{logical_id('base_' + route.function)}HttpIntegration"
    base = sections["functions"]["base_flows"]
    assert (base["name"], base["handler"]) == ("sdw-dev-base_flows", "functions/base/flows/handler.handler")
    assert base["role"] == "BaseUnderscoreflowsRole"


def test_the_execution_index_lambda_gets_this_stages_status_changes(sections: dict[str, Any]) -> None:
    rule = sections["resources"]["Resources"]["ExecutionStatusRule"]["Properties"]
    assert rule["EventPattern"]["source"] == ["aws.states"]
    assert rule["EventPattern"]["detail-type"] == ["Step Functions Execution Status Change"]
    prefix = rule["EventPattern"]["detail"]["stateMachineArn"][0]["prefix"]["Fn::Sub"]
    assert prefix.endswith(":stateMachine:sdw-dev-")
    assert rule["Targets"][0]["Arn"] == {
        "Fn::GetAtt": ["BaseUnderscoreexecutionUnderscoreindexLambdaFunction", "Arn"]
    }


def test_a_flow_is_a_state_machine_with_its_placeholders_resolved_and_its_settings(
    sections: dict[str, Any],
) -> None:
    machine = sections["resources"]["Resources"]["AddFlowStateMachine"]["Properties"]
    assert machine["StateMachineName"] == "sdw-dev-addFlow"
    assert machine["StateMachineType"] == "EXPRESS"
    text = machine["DefinitionString"]["Fn::Sub"]
    definition = json.loads(text)
    assert definition["States"]["Add"]["Resource"] == FN_ARN + "sdw-dev-add-one"
    assert definition["TimeoutSeconds"] == 60
    assert definition["States"]["Add"]["Comment"] == "costs ${! to run"  # a literal ${ is escaped for Fn::Sub
    role = sections["resources"]["Resources"]["AddFlowStateMachineRole"]["Properties"]
    (statement,) = role["Policies"][0]["PolicyDocument"]["Statement"]
    assert statement["Action"] == ["lambda:InvokeFunction"]
    assert statement["Resource"] == [{"Fn::Sub": FN_ARN + "sdw-dev-add-one"}]


def test_a_scheduled_flow_gets_a_rule_with_its_input_and_the_schedules_role(sections: dict[str, Any]) -> None:
    resources = sections["resources"]["Resources"]
    rule = resources["AddFlowSchedule"]["Properties"]
    assert rule["ScheduleExpression"] == "rate(5 minutes)"
    (target,) = rule["Targets"]
    assert (target["Arn"], json.loads(target["Input"])) == ({"Ref": "AddFlowStateMachine"}, {"value": 1})
    (start,) = resources["SchedulesRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    assert start["Resource"] == [
        {
            "Fn::Sub": "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:"
            "stateMachine:sdw-dev-addFlow"
        }
    ]


def test_a_scheduled_flow_without_input_gets_eventbridges_scheduled_event_as_sdw_dev_gives_it() -> None:
    flow = FLOW.replace("input: {value: 1}\n", "")
    found = compile_project(project(flow), DeploySettings()).to_json()["resources"]["Resources"]
    (target,) = found["AddFlowSchedule"]["Properties"]["Targets"]
    assert "Input" not in target  # EventBridge then passes the event itself


def test_the_execution_index_may_add_scheduled_runs_but_not_delete_or_query(sections: dict[str, Any]) -> None:
    role = sections["resources"]["Resources"]["BaseUnderscoreexecutionUnderscoreindexRole"]["Properties"]
    _, table = role["Policies"][0]["PolicyDocument"]["Statement"]
    assert table["Action"] == ["dynamodb:UpdateItem", "dynamodb:GetItem", "dynamodb:PutItem"]


def test_a_flow_starting_another_gets_that_machines_arn() -> None:
    child = "name: child\ndefinition:\n  StartAt: A\n  States:\n    A:\n      Type: Succeed\n"
    parent = """\
name: parent
stateMachineReferences: [childStateMachine]
definition:
  StartAt: S
  States:
    S:
      Type: Task
      Resource: arn:aws:states:::states:startExecution
      Parameters: {StateMachineArn: "${childStateMachine}", Input.$: "$"}
      End: true
"""
    resources = compile_project(project(child, parent), DeploySettings()).to_json()["resources"]["Resources"]
    definition = json.loads(resources["ParentStateMachine"]["Properties"]["DefinitionString"]["Fn::Sub"])
    assert definition["States"]["S"]["Parameters"]["StateMachineArn"].endswith(":stateMachine:sdw-dev-child")


def test_the_tables_pool_and_outputs_are_the_briefs(sections: dict[str, Any]) -> None:
    resources = sections["resources"]["Resources"]
    usage = resources["UsageTable"]["Properties"]
    assert usage["TableName"] == "sdw-dev-usage"
    assert usage["KeySchema"] == [
        {"AttributeName": "userId", "KeyType": "HASH"},
        {"AttributeName": "yearMonth", "KeyType": "RANGE"},
    ]
    assert usage["TimeToLiveSpecification"] == {"AttributeName": "ttl", "Enabled": True}
    executions = resources["ExecutionsTable"]["Properties"]
    (index,) = executions["GlobalSecondaryIndexes"]
    assert (index["IndexName"], [k["AttributeName"] for k in index["KeySchema"]]) == (
        "byOwner",
        ["owner", "startDate"],
    )
    for client in ("UserPoolClient", "ToolsClient"):
        flows = resources[client]["Properties"]["ExplicitAuthFlows"]
        assert flows == ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
        assert resources[client]["Properties"]["GenerateSecret"] is False
    outputs = sections["resources"]["Outputs"]
    assert set(outputs) == {
        "HttpApiUrl",
        "UserPoolId",
        "UserPoolClientId",
        "ToolsClientId",
        "UsageTableName",
        "ExecutionsTableName",
    }


def test_every_lambda_gets_the_briefs_environment(sections: dict[str, Any]) -> None:
    assert set(sections["environment"]) == {
        "SDW_SERVICE",
        "SDW_STAGE",
        "SDW_ACCOUNT_ID",
        "SDW_USAGE_TABLE",
        "SDW_EXECUTIONS_TABLE",
        "SDW_USER_POOL_ID",
        "SDW_USER_POOL_CLIENT_ID",
        "SDW_TOOLS_CLIENT_ID",
    }
    assert sections["environment"]["SDW_ACCOUNT_ID"] == {"Ref": "AWS::AccountId"}


def test_user_functions_may_count_usage_and_only_a_function_with_secrets_may_read_them(
    sections: dict[str, Any],
) -> None:
    (usage,) = sections["userStatements"]  # the shared role: no parameter at all
    assert usage["Action"] == ["dynamodb:UpdateItem"]
    assert sections["functions"]["ping"]["role"] == "PingRole"
    role = sections["resources"]["Resources"]["PingRole"]["Properties"]
    trust = role["AssumeRolePolicyDocument"]["Statement"][0]
    assert trust["Principal"] == {"Service": "lambda.amazonaws.com"}
    logs, own_usage, read = role["Policies"][0]["PolicyDocument"]["Statement"]
    assert logs["Resource"] == [{"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}"
                                            ":log-group:/aws/lambda/sdw-dev-ping:*"}]
    assert own_usage == usage
    base = "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter"
    assert read["Action"] == ["ssm:GetParameter", "ssm:GetParameters"]
    assert read["Resource"] == [
        {"Fn::Sub": f"{base}/sdw/dev/API_KEY"},
        {"Fn::Sub": f"{base}/sdw/dev/SMTP_PASSWORD"},
        {"Fn::Sub": f"{base}/sdw/dev/connections/openai-prod"},
    ]


def test_a_function_with_secrets_gets_lambda_permissions_yml_in_its_own_role_too() -> None:
    extra = {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::b/*"]}
    found = compile_project(project(FLOW), DeploySettings(permissions=(extra,))).to_json()
    statements = found["resources"]["Resources"]["PingRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    assert extra in statements["Statement"]
    assert found["userStatements"][0] == extra


def test_units_keep_a_function_with_its_route_in_one_stable_nested_stack(sections: dict[str, Any]) -> None:
    units = {u["ids"][0]: u for u in sections["units"]}
    ping = units["PingLambdaFunction"]
    assert ping["ids"] == [
        "PingLambdaFunction",
        "PingLogGroup",
        "PingHttpIntegration",
        "PingHttpPermission",
        "PingHttpRoute",
        "PingRole",  # its own role moves with it
    ]
    again = compile_project(project(FLOW, functions=(ADD_ONE, PING)), DeploySettings()).to_json()
    assert {u["ids"][0]: u["stack"] for u in again["units"]}["PingLambdaFunction"] == ping["stack"]


def test_names_too_long_for_lambda_are_all_reported() -> None:
    long_one = Function("a" * 40, ROOT / ("functions/lib/" + "a" * 40))
    other = Function("b" * 40, ROOT / ("functions/lib/" + "b" * 40))
    with pytest.raises(CompileError) as caught:
        compile_project(
            project(functions=(long_one, other)),
            DeploySettings(service="a-long-service-name", stage="production-eu"),
        )
    assert len(caught.value.errors) == 2
    assert "Lambda allows 64" in str(caught.value)


@pytest.mark.parametrize(("service", "stage"), [("Sdw", "dev"), ("sdw", "dev_1"), ("sdw", ""), ("-x", "dev")])
def test_a_bad_service_or_stage_name_is_refused(service: str, stage: str) -> None:
    with pytest.raises(DeployError, match="lowercase letters"):
        Names(service, stage)


def test_a_plugin_outside_the_project_cannot_be_packaged() -> None:
    outside = Function("charge", Path("/elsewhere/functions/lib/charge"), plugin="billing")
    with pytest.raises(CompileError, match="outside the project folder"):
        compile_project(project(functions=(outside,)), DeploySettings())


def test_a_model_without_a_generator_is_an_error() -> None:
    with pytest.raises(UnsupportedError, match="no generator for the model type str"):
        TemplateGenerator(Names("sdw", "dev")).generate(["not a model"])  # type: ignore[list-item]


def test_logical_ids_follow_the_serverless_convention() -> None:
    assert logical_id("hello-world") == "HelloDashworld"
    assert logical_id("base_flows") == "BaseUnderscoreflows"
    assert logical_id("a.b") == "AX2eb"
