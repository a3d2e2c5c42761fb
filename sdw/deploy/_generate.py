"""Models -> the sections serverless.yml pulls in: ``functions``, ``resources``, and the rest.

One ``_generate_<model>`` method per model type (chalice's package.py ``dispatch``); a
model without one is an ``UnsupportedError``, never skipped. Each method adds its osls
``functions`` entry and/or CloudFormation resources, and for the per-function and per-flow
resources records a *unit*: the logical ids that must stay in one nested stack together,
and which stack that is (``_stacks``).

The HTTP API is written here rather than through osls's ``httpApi`` events: osls puts every
route in the root stack, and the routes must live beside their functions in the nested
stacks for 300 functions to fit (each costs 5 resources: the function, its log group,
integration, route and invoke permission).

Stack of a unit: ``crc32(key) % N``, so a function stays in its nested stack as others come
and go. That matters: moving a function with a fixed name from one stack to another makes
CloudFormation create it in the new stack before deleting it from the old, which fails.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sdw.deploy._arns import cfn_value
from sdw.deploy._errors import DeployError, UnsupportedError
from sdw.deploy._models import (
    ExecutionsTable,
    HttpApi,
    Model,
    RuntimeLayer,
    SchedulesRole,
    StackOutputs,
    StateMachine,
    StatusChangeRule,
    SystemFunction,
    UsageTable,
    UserFunction,
    UserPool,
)
from sdw.deploy._names import Names, logical_id, osls_function_id, osls_log_group_id

LAYER_ID = "SdwRuntimeLayer"
LAYER_KEY_MARK = "sdw:runtime-layer"  # replaced by the layer zip's S3 key when packaged
RUNTIME = "python3.11"
INTEGRATION_TIMEOUT_MS = 30_000  # HTTP API's maximum, the local gateway's 30 s
STATUS_CHANGE = "Step Functions Execution Status Change"
DEFAULT_FUNCTION_STACKS = 8
DEFAULT_FLOW_STACKS = 4
_LAMBDA_TRUST = "lambda.amazonaws.com"
_EXECUTE_API = "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}/*"


@dataclass(frozen=True)
class Unit:
    """Resources that go to one nested stack together (a function and its route, a flow and its role)."""

    stack: str
    ids: tuple[str, ...]


@dataclass
class Sections:
    """What ``sdw deploy render`` prints for the serverless.yml bridge (``to_json``)."""

    service: str
    stage: str
    functions: dict[str, Any] = field(default_factory=dict)
    resources: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    environment: dict[str, Any] = field(default_factory=dict)
    user_statements: list[dict[str, Any]] = field(default_factory=list)
    patterns: list[str] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "stage": self.stage,
            "functions": self.functions,
            "resources": {"Resources": self.resources, "Outputs": self.outputs},
            "environment": self.environment,
            "userStatements": self.user_statements,
            "patterns": self.patterns,
            "units": [{"stack": u.stack, "ids": list(u.ids)} for u in self.units],
        }


def _ref(name: str) -> dict[str, str]:
    return {"Ref": name}


def _arn_of(name: str) -> dict[str, list[str]]:
    return {"Fn::GetAtt": [name, "Arn"]}


def _role(principal: str, statements: Iterable[dict[str, Any]], policy: str) -> dict[str, Any]:
    statements = list(statements)
    properties: dict[str, Any] = {
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": principal}, "Action": "sts:AssumeRole"}
            ],
        }
    }
    if statements:
        properties["Policies"] = [
            {"PolicyName": policy, "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}
        ]
    return {"Type": "AWS::IAM::Role", "Properties": properties}


class TemplateGenerator:
    def __init__(
        self,
        names: Names,
        *,
        function_stacks: int = DEFAULT_FUNCTION_STACKS,
        flow_stacks: int = DEFAULT_FLOW_STACKS,
    ) -> None:
        self._names = names
        self._function_stacks = function_stacks
        self._flow_stacks = flow_stacks

    def generate(self, models: Iterable[Model]) -> Sections:
        sections = Sections(service=self._names.service, stage=self._names.stage)
        for model in models:
            method = getattr(self, f"_generate_{type(model).__name__.lower()}", None)
            if method is None:
                raise UnsupportedError(f"no generator for the model type {type(model).__name__}")
            method(model, sections)
        return sections

    # -- shared pieces -------------------------------------------------------------------

    def _add(self, sections: Sections, logical: str, resource: dict[str, Any]) -> None:
        if logical in sections.resources:
            raise DeployError(f"two resources would have the logical id {logical!r}; rename one of them")
        sections.resources[logical] = resource

    def _stack(self, kind: str, key: str, count: int) -> str:
        return f"{kind}Stack{zlib.crc32(key.encode()) % count}"

    def _lambda(self, key: str, handler: str, timeout: int, memory: int, description: str) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "name": self._names.function(key),
            "handler": handler,
            "timeout": timeout,
            "memorySize": memory,
            "layers": [_ref(LAYER_ID)],
        }
        if description:
            entry["description"] = description[:256]
        return entry

    def _logs(self, key: str) -> dict[str, Any]:
        """Writing the log streams of function ``key``: what a role of its own must grant first."""
        log_group = (
            "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/"
            f"{self._names.function(key)}:*"
        )
        return {
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [{"Fn::Sub": log_group}],
        }

    def _integration(self, sections: Sections, key: str) -> tuple[str, str]:
        """The Lambda proxy integration (payload 2.0) of function ``key`` and its invoke permission."""
        base = logical_id(key)
        integration, permission = f"{base}HttpIntegration", f"{base}HttpPermission"
        self._add(
            sections,
            integration,
            {
                "Type": "AWS::ApiGatewayV2::Integration",
                "Properties": {
                    "ApiId": _ref("HttpApi"),
                    "IntegrationType": "AWS_PROXY",
                    "IntegrationUri": _arn_of(osls_function_id(key)),
                    "PayloadFormatVersion": "2.0",
                    "TimeoutInMillis": INTEGRATION_TIMEOUT_MS,
                },
            },
        )
        self._add(
            sections,
            permission,
            {
                "Type": "AWS::Lambda::Permission",
                "Properties": {
                    "FunctionName": _arn_of(osls_function_id(key)),
                    "Action": "lambda:InvokeFunction",
                    "Principal": "apigateway.amazonaws.com",
                    "SourceArn": {"Fn::Sub": _EXECUTE_API},
                },
            },
        )
        return integration, permission

    def _route(
        self, sections: Sections, logical: str, route_key: str, integration: str, authorized: bool
    ) -> None:
        properties: dict[str, Any] = {
            "ApiId": _ref("HttpApi"),
            "RouteKey": route_key,
            "Target": {"Fn::Join": ["/", ["integrations", _ref(integration)]]},
        }
        if authorized:
            properties["AuthorizationType"] = "JWT"
            properties["AuthorizerId"] = _ref("HttpApiAuthorizer")
        else:
            properties["AuthorizationType"] = "NONE"
        self._add(sections, logical, {"Type": "AWS::ApiGatewayV2::Route", "Properties": properties})

    # -- one method per model ------------------------------------------------------------

    def _generate_userfunction(self, model: UserFunction, sections: Sections) -> None:
        fn = model.function
        key = fn.deployed_name
        entry = self._lambda(key, model.handler, fn.timeout, fn.memory, fn.description)
        entry["environment"] = dict(model.environment)
        own: tuple[str, ...] = ()
        if model.statements:
            role = f"{logical_id(key)}Role"
            self._add(sections, role, _role(_LAMBDA_TRUST, [self._logs(key), *model.statements], key))
            entry["role"] = role
            own = (role,)
        sections.functions[key] = entry
        integration, permission = self._integration(sections, key)
        route = f"{logical_id(key)}HttpRoute"
        self._route(sections, route, f"POST {fn.route_path}", integration, authorized=True)
        ids = (osls_function_id(key), osls_log_group_id(key), integration, permission, route, *own)
        sections.units.append(Unit(self._stack("Functions", fn.key, self._function_stacks), ids))

    def _generate_systemfunction(self, model: SystemFunction, sections: Sections) -> None:
        role = f"{logical_id(model.key)}Role"
        self._add(sections, role, _role(_LAMBDA_TRUST, [self._logs(model.key), *model.statements], model.key))
        entry = self._lambda(
            model.key, model.handler, model.timeout, model.memory, f"sdw system: {model.name}"
        )
        entry["role"] = role
        sections.functions[model.key] = entry
        if not model.routes:
            return
        integration, _ = self._integration(sections, model.key)
        for route in model.routes:
            words = "".join(logical_id(part.strip("{}")) for part in route.path.split("/") if part)
            logical = f"{logical_id(model.key)}Route{route.method.title()}{words}"
            self._route(sections, logical, route.key, integration, route.authorized)

    def _generate_statuschangerule(self, model: StatusChangeRule, sections: Sections) -> None:
        target = osls_function_id(model.function.key)
        prefix = self._names.state_machine_arn("")
        self._add(
            sections,
            "ExecutionStatusRule",
            {
                "Type": "AWS::Events::Rule",
                "Properties": {
                    "Description": f"{STATUS_CHANGE} of {self._names.stack}'s machines -> executions table",
                    "State": "ENABLED",
                    "EventPattern": {
                        "source": ["aws.states"],
                        "detail-type": [STATUS_CHANGE],
                        "detail": {"stateMachineArn": [{"prefix": {"Fn::Sub": prefix}}]},
                    },
                    "Targets": [{"Id": "executionIndex", "Arn": _arn_of(target)}],
                },
            },
        )
        self._add(
            sections,
            "ExecutionStatusPermission",
            {
                "Type": "AWS::Lambda::Permission",
                "Properties": {
                    "FunctionName": _arn_of(target),
                    "Action": "lambda:InvokeFunction",
                    "Principal": "events.amazonaws.com",
                    "SourceArn": _arn_of("ExecutionStatusRule"),
                },
            },
        )

    def _generate_statemachine(self, model: StateMachine, sections: Sections) -> None:
        flow = model.flow
        base = logical_id(flow.state_machine_name)
        machine, role = f"{base}StateMachine", f"{base}StateMachineRole"
        self._add(sections, role, _role("states.amazonaws.com", model.statements, "flow"))
        self._add(
            sections,
            machine,
            {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {
                    "StateMachineName": self._names.state_machine(flow.state_machine_name),
                    "StateMachineType": flow.type.value,
                    "RoleArn": _arn_of(role),
                    "DefinitionString": cfn_value(model.definition),
                },
            },
        )
        ids = [machine, role]
        if flow.schedule is not None:
            schedule = f"{base}Schedule"
            target: dict[str, Any] = {"Id": "flow", "Arn": _ref(machine), "RoleArn": _arn_of("SchedulesRole")}
            if flow.input is not None:  # without one, EventBridge passes its Scheduled Event (as sdw dev)
                target["Input"] = json.dumps(flow.input)
            self._add(
                sections,
                schedule,
                {
                    "Type": "AWS::Events::Rule",
                    "Properties": {
                        "Description": f"starts {flow.key} on its schedule",
                        "ScheduleExpression": flow.schedule.expression,
                        "State": "ENABLED",
                        "Targets": [target],
                    },
                },
            )
            ids.append(schedule)
        sections.units.append(Unit(self._stack("Flows", flow.key, self._flow_stacks), tuple(ids)))

    def _generate_schedulesrole(self, model: SchedulesRole, sections: Sections) -> None:
        arns = [{"Fn::Sub": self._names.state_machine_arn(m)} for m in sorted(model.machines)]
        start = {"Effect": "Allow", "Action": ["states:StartExecution"], "Resource": arns}
        self._add(sections, "SchedulesRole", _role("events.amazonaws.com", [start], "schedules"))

    def _generate_httpapi(self, model: HttpApi, sections: Sections) -> None:
        self._add(
            sections,
            "HttpApi",
            {
                "Type": "AWS::ApiGatewayV2::Api",
                "Properties": {"Name": self._names.stack, "ProtocolType": "HTTP"},
            },
        )
        self._add(
            sections,
            "HttpApiStage",
            {
                "Type": "AWS::ApiGatewayV2::Stage",
                "Properties": {"ApiId": _ref("HttpApi"), "StageName": "$default", "AutoDeploy": True},
            },
        )
        self._add(
            sections,
            "HttpApiAuthorizer",
            {
                "Type": "AWS::ApiGatewayV2::Authorizer",
                "Properties": {
                    "ApiId": _ref("HttpApi"),
                    "Name": "cognito",
                    "AuthorizerType": "JWT",
                    "IdentitySource": ["$request.header.Authorization"],
                    "JwtConfiguration": {
                        "Issuer": {"Fn::Sub": "https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}"},
                        "Audience": [_ref("UserPoolClient"), _ref("ToolsClient")],
                    },
                },
            },
        )

    def _generate_userpool(self, model: UserPool, sections: Sections) -> None:
        self._add(
            sections,
            "UserPool",
            {
                "Type": "AWS::Cognito::UserPool",
                "Properties": {
                    "UserPoolName": self._names.stack,
                    "UsernameAttributes": ["email"],
                    "AutoVerifiedAttributes": ["email"],
                    "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True},
                },
            },
        )
        for logical, suffix in (("UserPoolClient", "app"), ("ToolsClient", "tools")):
            self._add(
                sections,
                logical,
                {
                    "Type": "AWS::Cognito::UserPoolClient",
                    "Properties": {
                        "ClientName": f"{self._names.stack}-{suffix}",
                        "UserPoolId": _ref("UserPool"),
                        "GenerateSecret": False,
                        "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                        "PreventUserExistenceErrors": "ENABLED",
                    },
                },
            )

    def _table(self, name: str, keys: list[tuple[str, str]], extra: dict[str, Any]) -> dict[str, Any]:
        attributes = extra.pop("_attributes", [])
        return {
            "Type": "AWS::DynamoDB::Table",
            "DeletionPolicy": "Delete",
            "UpdateReplacePolicy": "Delete",
            "Properties": {
                "TableName": name,
                "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [
                    {"AttributeName": a, "AttributeType": "S"} for a in [k for k, _ in keys] + attributes
                ],
                "KeySchema": [{"AttributeName": a, "KeyType": t} for a, t in keys],
                "TimeToLiveSpecification": {"AttributeName": "ttl", "Enabled": True},
                **extra,
            },
        }

    def _generate_usagetable(self, model: UsageTable, sections: Sections) -> None:
        keys = [("userId", "HASH"), ("yearMonth", "RANGE")]
        self._add(sections, "UsageTable", self._table(self._names.usage_table, keys, {}))

    def _generate_executionstable(self, model: ExecutionsTable, sections: Sections) -> None:
        index = {
            "IndexName": "byOwner",
            "KeySchema": [
                {"AttributeName": "owner", "KeyType": "HASH"},
                {"AttributeName": "startDate", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        }
        extra = {"_attributes": ["owner", "startDate"], "GlobalSecondaryIndexes": [index]}
        table = self._table(self._names.executions_table, [("executionArn", "HASH")], extra)
        self._add(sections, "ExecutionsTable", table)

    def _generate_runtimelayer(self, model: RuntimeLayer, sections: Sections) -> None:
        self._add(
            sections,
            LAYER_ID,
            {
                "Type": "AWS::Lambda::LayerVersion",
                "Properties": {
                    "LayerName": f"{self._names.stack}-runtime",
                    "Description": "layer/requirements.txt for python3.11",
                    "CompatibleRuntimes": [RUNTIME],
                    "CompatibleArchitectures": ["x86_64"],
                    "Content": {"S3Bucket": "", "S3Key": LAYER_KEY_MARK},
                },
            },
        )

    def _generate_stackoutputs(self, model: StackOutputs, sections: Sections) -> None:
        sections.outputs.update(
            {
                "HttpApiUrl": {
                    "Description": "the API's base URL",
                    "Value": {"Fn::GetAtt": ["HttpApi", "ApiEndpoint"]},
                },
                "UserPoolId": {"Value": _ref("UserPool")},
                "UserPoolClientId": {"Value": _ref("UserPoolClient")},
                "ToolsClientId": {"Value": _ref("ToolsClient")},
                "UsageTableName": {"Value": _ref("UsageTable")},
                "ExecutionsTableName": {"Value": _ref("ExecutionsTable")},
            }
        )
