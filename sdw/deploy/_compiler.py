"""The deploy compiler: the ``sdw.project`` model of one stage -> the serverless.yml sections.

    project (loaded with name_prefix "<service>-<stage>-")
      -> build_models      functions, system Lambdas, flows with their derived roles, platform
      -> TemplateGenerator one generator per model type (``_generate``)
      -> Sections          what ``sdw deploy render`` prints for scripts/serverless/sections.js

Pure: the CLI reads the files and passes their content in; nothing here touches a disk,
a network or boto3. Every problem of every function and flow is collected and raised
together (``CompileError``), each with where it is, so one run shows them all.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sdw.deploy._arns import sub_tree
from sdw.deploy._asl_iam import role_statements
from sdw.deploy._errors import DeployError
from sdw.deploy._generate import DEFAULT_FLOW_STACKS, DEFAULT_FUNCTION_STACKS, Sections, TemplateGenerator
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
from sdw.deploy._names import MAX_LAMBDA_NAME, MAX_STATE_MACHINE_NAME, Names
from sdw.project import Flow, Function, Project
from sdw.system import SYSTEM_ROUTES, SystemRoute

EXECUTION_INDEX = "execution_index"


class CompileError(DeployError):
    """Every problem the compiler found; ``errors`` holds them one by one."""

    def __init__(self, errors: Sequence[DeployError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = tuple(errors)


@dataclass(frozen=True)
class DeploySettings:
    """One stage's settings: ``service`` from config.json (default ``sdw``), ``stage`` from ``--stage``.

    ``permissions`` are lambda-permissions.yml's statements (``parse_permissions``);
    ``function_stacks``/``flow_stacks`` how many nested stacks the functions and flows are
    spread over (config.json ``functionStacks``/``flowStacks``).
    """

    service: str = "sdw"
    stage: str = "dev"
    permissions: tuple[dict[str, Any], ...] = ()
    function_stacks: int = DEFAULT_FUNCTION_STACKS
    flow_stacks: int = DEFAULT_FLOW_STACKS
    extra_patterns: tuple[str, ...] = field(default=())

    @property
    def names(self) -> Names:
        return Names(self.service, self.stage)


def system_statements(names: Names) -> dict[str, tuple[dict[str, Any], ...]]:
    """What each ``functions/base`` Lambda may do beyond writing its own logs: this stage only.

    flows             start, describe, stop and read the history of this stage's executions;
                      list the state machines (their creation dates; the action has no
                      resource-level permissions, so its resource is "*");
                      the executions table (written at start, queried per owner); count a
                      POST /run in the usage table (one UpdateItem)
    auth              nothing: GET /auth/config answers from its environment, /auth/verify
                      from the authorizer's claims
    api_usage         query the usage table (GET /usage, /usage/{user_id}: the group is a claim)
    execution_index   update the executions table from EventBridge status changes, and add
                      the scheduled runs EventBridge started (PutItem, if absent)
    """
    machines = {"Fn::Sub": names.stage_machines_arn}
    executions = {"Fn::Sub": names.executions_arn("*")}
    executions_table = {"Fn::Sub": names.table_arn(names.executions_table)}
    executions_index = {"Fn::Sub": names.table_arn(names.executions_table) + "/index/*"}
    usage_table = {"Fn::Sub": names.table_arn(names.usage_table)}

    def allow(actions: list[str], *resources: Any) -> dict[str, Any]:
        return {"Effect": "Allow", "Action": actions, "Resource": list(resources)}

    return {
        "flows": (
            allow(["states:StartExecution", "states:DescribeStateMachine"], machines),
            allow(["states:ListStateMachines"], "*"),  # GET /flows' created; no resource-level scope exists
            allow(
                ["states:DescribeExecution", "states:StopExecution", "states:GetExecutionHistory"], executions
            ),
            allow(
                ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query"],
                executions_table,
                executions_index,
            ),
            allow(["dynamodb:UpdateItem"], usage_table),
        ),
        "auth": (),
        "api_usage": (allow(["dynamodb:Query"], usage_table),),
        EXECUTION_INDEX: (
            allow(["dynamodb:UpdateItem", "dynamodb:GetItem", "dynamodb:PutItem"], executions_table),
        ),
    }


def build_models(
    project: Project, names: Names, user_statements: Sequence[dict[str, Any]] = ()
) -> list[Model]:
    """The stage's models; ``user_statements`` are what every user function may do (its role's base)."""
    errors: list[DeployError] = []
    models: list[Model] = [RuntimeLayer(), HttpApi(), UserPool(), UsageTable(), ExecutionsTable()]
    for function in project.functions:
        try:
            models.append(_user_function(function, project, names, user_statements))
        except DeployError as exc:
            errors.append(exc)
    statements = system_statements(names)
    routes: dict[str, list[SystemRoute]] = {}
    for route in SYSTEM_ROUTES:
        routes.setdefault(route.function, []).append(route)
    for name in [*routes, EXECUTION_INDEX]:
        if name not in statements:
            errors.append(DeployError(f"the system Lambda {name!r} has no entry in system_statements"))
            continue
        models.append(SystemFunction(name, tuple(routes.get(name, ())), statements[name]))
    index = next(m for m in models if isinstance(m, SystemFunction) and m.name == EXECUTION_INDEX)
    models.append(StatusChangeRule(index))
    scheduled: list[str] = []
    for flow in project.flows:
        try:
            models.append(_state_machine(flow, project, names))
        except DeployError as exc:
            errors.append(exc)
        if flow.schedule is not None:
            scheduled.append(flow.state_machine_name)
    if scheduled:
        models.append(SchedulesRole(tuple(scheduled)))
    models.append(StackOutputs())
    if errors:
        raise CompileError(errors)
    return models


def _user_function(
    function: Function, project: Project, names: Names, user_statements: Sequence[dict[str, Any]]
) -> UserFunction:
    """The Lambda of ``function``: sdw's wrapper told where the user's handler is and what it declared.

    ``SDW_HANDLER`` is Lambda's handler syntax from the function's package root, which is
    the task root for a project function and ``SDW_PACKAGE_ROOT`` (the plugin's folder in
    the package) for a plugin's, as ``sdw dev`` imports it (sdw/local/_imports.py).
    """
    where = _relative(function.directory, project)
    full = names.function(function.deployed_name)
    if len(full) > MAX_LAMBDA_NAME:
        raise DeployError(
            f"deploys as the Lambda function {full!r}, {len(full)} characters; "
            f"Lambda allows {MAX_LAMBDA_NAME}"
            " (shorten the function's folder name, or the service or stage name)",
            where,
        )
    environment = {"SDW_HANDLER": f"{function.handler_module}.handler"}
    package_root = _relative(function.package_root, project)
    if package_root != ".":
        environment["SDW_PACKAGE_ROOT"] = package_root
    if function.secrets:
        environment["SDW_SECRETS"] = ",".join(function.secrets)
    if function.connections:
        environment["SDW_CONNECTIONS"] = ",".join(f"{name}={kind}" for name, kind in function.connections)
    return UserFunction(function, environment, _parameter_statements(function, names, user_statements))


def _parameter_statements(
    function: Function, names: Names, user_statements: Sequence[dict[str, Any]]
) -> tuple[dict[str, Any], ...]:
    """A role of its own for a function with secrets or connections: it reads exactly its parameters.

    Empty for any other function, which shares the user functions' role. SecureString
    parameters under the AWS-managed ``aws/ssm`` key need no ``kms:Decrypt`` statement.
    """
    paths = [names.secret_parameter(name) for name in function.secrets]
    paths += [names.connection_parameter(name) for name, _ in function.connections]
    if not paths:
        return ()
    read = {
        "Effect": "Allow",
        "Action": ["ssm:GetParameter", "ssm:GetParameters"],
        "Resource": [{"Fn::Sub": names.parameter_arn(path)} for path in paths],
    }
    return (*(dict(s) for s in user_statements), read)


def _relative(path: Any, project: Project) -> str:
    try:
        return str(path.relative_to(project.root).as_posix())
    except ValueError:
        raise DeployError(
            "is outside the project folder; osls packages only files under it, "
            "so move the plugin into the project (e.g. plugins/<name>)",
            str(path),
        ) from None


def _state_machine(flow: Flow, project: Project, names: Names) -> StateMachine:
    machine = names.state_machine(flow.state_machine_name)
    if len(machine) > MAX_STATE_MACHINE_NAME:
        raise DeployError(
            f"deploys as the state machine {machine!r}, {len(machine)} characters; "
            f"Step Functions allows {MAX_STATE_MACHINE_NAME}",
            f"{flow.source}: /name",
        )
    arns: dict[str, str] = {}
    for placeholder, arn in flow.placeholders.items():
        if arn in flow.functions:
            arns[placeholder] = names.function_arn(flow.functions[arn].deployed_name)
        elif arn in flow.references:
            target = project.flow(flow.references[arn])
            if target is None:
                raise DeployError(
                    f"${{{placeholder}}} names flow {flow.references[arn]!r}, which is not loaded",
                    flow.source,
                )
            arns[placeholder] = names.state_machine_arn(target.state_machine_name)
        else:
            raise DeployError(
                f"${{{placeholder}}} stands for {arn}, which is neither one of the flow's functions "
                "nor a flow it references",
                flow.source,
            )
    definition = dict(flow.raw_definition)
    timeout = flow.definition.get("TimeoutSeconds")
    if timeout is not None:
        definition["TimeoutSeconds"] = timeout
    text = json.dumps(sub_tree(definition, arns, flow.source), separators=(",", ":"), sort_keys=False)
    statements = role_statements(
        flow.raw_definition, arns, names.state_machine_arn(flow.state_machine_name), flow.source
    )
    return StateMachine(flow, text, tuple(statements))


def compile_project(project: Project, settings: DeploySettings) -> Sections:
    """``project`` as the sections of ``settings``' stage; ``CompileError`` lists every problem."""
    names = settings.names
    user_statements = _user_statements(settings)
    models = build_models(project, names, user_statements)
    generator = TemplateGenerator(
        names, function_stacks=settings.function_stacks, flow_stacks=settings.flow_stacks
    )
    sections = generator.generate(models)
    sections.environment = {
        "SDW_SERVICE": names.service,
        "SDW_STAGE": names.stage,
        "SDW_ACCOUNT_ID": {"Ref": "AWS::AccountId"},
        "SDW_USAGE_TABLE": names.usage_table,
        "SDW_EXECUTIONS_TABLE": names.executions_table,
        "SDW_USER_POOL_ID": {"Ref": "UserPool"},
        "SDW_USER_POOL_CLIENT_ID": {"Ref": "UserPoolClient"},
        "SDW_TOOLS_CLIENT_ID": {"Ref": "ToolsClient"},
    }
    sections.user_statements = user_statements
    sections.patterns = _patterns(project, settings)
    return sections


def _user_statements(settings: DeploySettings) -> list[dict[str, Any]]:
    """What every user function may do: lambda-permissions.yml, then the usage count (one UpdateItem).

    Secrets and connections are not here: each function that declares them has a role of its own.
    """
    names = settings.names
    statements = [dict(s) for s in settings.permissions]
    statements.append(
        {
            "Effect": "Allow",
            "Action": ["dynamodb:UpdateItem"],
            "Resource": [{"Fn::Sub": names.table_arn(names.usage_table)}],
        }
    )
    return statements


def _patterns(project: Project, settings: DeploySettings) -> list[str]:
    """What the function package holds: the functions, the flows, sdw itself; never tests, caches or .venv."""
    patterns = ["!**", "functions/**", "flows/**", "config.json", "sdw/**"]
    for plugin in project.plugins:
        try:
            base = plugin.root.relative_to(project.root).as_posix()
        except ValueError:
            continue  # reported by _relative for its functions
        patterns += [f"{base}/functions/**", f"{base}/flows/**"]
    patterns += list(settings.extra_patterns)
    patterns += ["!**/__pycache__/**", "!**/*.pyc", "!**/tests/**"]
    return patterns
