"""Wire the AWS adapters, and the system Lambdas of ``functions/base`` out of them.

Each ``functions/base/<name>/handler.py`` is one line over these: ``handler =
create_<name>_lambda(os.environ)``. The returned handler builds its adapters at its first
invocation and keeps them for the life of the instance (one cold start), and reads
nothing but the mapping it was given, so tests pass a dict and a moto-backed session.

What each Lambda reads from its environment (the deploy sets them all on every one):

    flows            SDW_SERVICE, SDW_STAGE, SDW_ACCOUNT_ID, AWS_REGION, SDW_EXECUTIONS_TABLE,
                     SDW_USAGE_TABLE (POST /run is counted, as a decorated function's call is),
                     LAMBDA_TASK_ROOT (the project tree: flows/, functions/, config.json)
    api_usage        AWS_REGION, SDW_USAGE_TABLE
    auth             AWS_REGION, SDW_USER_POOL_ID, SDW_USER_POOL_CLIENT_ID, SDW_TOOLS_CLIENT_ID
    execution_index  AWS_REGION, SDW_EXECUTIONS_TABLE; for a scheduled run (which it indexes
                     itself, sdw/aws/_status_events.py) also what the flows Lambda reads to
                     load the project

The flows Lambda loads the project model from its package root once per cold start, with
the stage's account, region and name prefix, so ``Flow.arn`` is the deployed state
machine's ARN; definitions are not validated again (the deploy did, and it costs the cold
start). ``GET /flows`` answers from that model, plus each state machine's creation date
(one ListStateMachines walk per instance, then cached).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from sdw.aws._clients import LambdaSettings, lazy_client
from sdw.aws._cognito import CognitoPool, CognitoUserDirectory
from sdw.aws._errors import AwsConfigError
from sdw.aws._executions import ExecutionIndex
from sdw.aws._status_events import apply_status_change
from sdw.aws._stepfunctions import StepFunctionsEngine
from sdw.aws._usage import DynamoUsageStore
from sdw.project import Flow, Project, ProjectLoadError, Severity, load_project, packaged_plugins
from sdw.runtime import UsageMeter
from sdw.system import (
    FlowEndpoints,
    Handlers,
    LambdaHandler,
    UsageEndpoints,
    auth_handlers,
    flow_handlers,
    usage_handlers,
)

log = logging.getLogger("sdw.aws")

LambdaFunction = Callable[[Mapping[str, Any], Any], dict[str, Any]]


def create_execution_index(
    table_name: str, *, region: str | None = None, session: Any = None
) -> ExecutionIndex:
    return ExecutionIndex(lazy_client("dynamodb", region=region, session=session), table_name)


def create_step_functions_engine(
    project: Project, *, executions_table: str, region: str | None = None, session: Any = None
) -> StepFunctionsEngine:
    """The FlowEngine of a deployed ``project`` (loaded with the stage's name prefix)."""
    index = create_execution_index(executions_table, region=region, session=session)
    return StepFunctionsEngine(lazy_client("stepfunctions", region=region, session=session), index, project)


def create_cognito_directory(pool: CognitoPool, *, session: Any = None) -> CognitoUserDirectory:
    return CognitoUserDirectory(lazy_client("cognito-idp", region=pool.region, session=session), pool)


def create_usage_store(
    table_name: str, *, region: str | None = None, session: Any = None
) -> DynamoUsageStore:
    """The UsageStore of a deployed stage: its usage table (``SDW_USAGE_TABLE``)."""
    return DynamoUsageStore(lazy_client("dynamodb", region=region, session=session), table_name)


def load_deployed_project(settings: LambdaSettings) -> Project:
    """The project model as deployed: from the package root, with the stage's ARNs."""
    found = settings.require("SDW_ACCOUNT_ID", "AWS_REGION")
    try:
        loaded = load_project(
            settings.task_root,
            region=found["AWS_REGION"],
            account_id=found["SDW_ACCOUNT_ID"],
            name_prefix=settings.name_prefix,
            fetch_plugin=packaged_plugins(settings.task_root),  # git plugins: checked out by the deploy
        )
    except ProjectLoadError as exc:
        raise AwsConfigError(f"cannot load the project from the package: {exc}") from exc
    for problem in loaded.problems:
        if problem.severity is Severity.ERROR:
            log.error("%s", problem)
    return loaded.project


def create_flows_lambda(environ: Mapping[str, str], *, session: Any = None) -> LambdaHandler:
    """``functions/base/flows``: GET /flows, POST /run/{flow}, GET /run/..., history, stop, GET /runs."""

    def build() -> Handlers:
        settings = LambdaSettings(environ)
        table = settings.require("SDW_EXECUTIONS_TABLE")["SDW_EXECUTIONS_TABLE"]
        project = load_deployed_project(settings)
        engine = create_step_functions_engine(
            project, executions_table=table, region=settings.region, session=session
        )
        usage_table = settings.require("SDW_USAGE_TABLE")["SDW_USAGE_TABLE"]
        meter = UsageMeter(create_usage_store(usage_table, region=settings.region, session=session))
        return flow_handlers(
            FlowEndpoints(engine, project, created=engine.creation_dates, count_call=meter.count)
        )

    return LambdaHandler(build)


def create_usage_lambda(environ: Mapping[str, str], *, session: Any = None) -> LambdaHandler:
    """``functions/base/api_usage``: GET /usage and GET /usage/{user_id}, over the usage table."""

    def build() -> Handlers:
        settings = LambdaSettings(environ)
        table = settings.require("SDW_USAGE_TABLE")["SDW_USAGE_TABLE"]
        store = create_usage_store(table, region=settings.region, session=session)
        return usage_handlers(UsageEndpoints(store))

    return LambdaHandler(build)


def create_auth_lambda(environ: Mapping[str, str], *, session: Any = None) -> LambdaHandler:
    """``functions/base/auth``: GET /auth/config (no AWS call) and GET /auth/verify (the event alone)."""

    def build() -> Handlers:
        settings = LambdaSettings(environ)
        found = settings.require(
            "AWS_REGION", "SDW_USER_POOL_ID", "SDW_USER_POOL_CLIENT_ID", "SDW_TOOLS_CLIENT_ID"
        )
        pool = CognitoPool(
            region=found["AWS_REGION"],
            user_pool_id=found["SDW_USER_POOL_ID"],
            client_id=found["SDW_USER_POOL_CLIENT_ID"],
            tools_client_id=found["SDW_TOOLS_CLIENT_ID"],
        )
        return auth_handlers(create_cognito_directory(pool, session=session))

    return LambdaHandler(build)


def create_execution_index_lambda(environ: Mapping[str, str], *, session: Any = None) -> LambdaFunction:
    """``functions/base/execution_index``: the target of the status-change rule.

    A malformed event is reported and dropped; a failure to reach DynamoDB raises, so that
    Lambda's asynchronous retries (and the rule's retry policy) deliver the event again.
    """
    built: list[ExecutionIndex] = []
    machines: dict[str, Flow | None] = {}

    def scheduled_flow(state_machine_arn: str) -> Flow | None:
        """The scheduled flow deployed as this machine; the project is loaded once, when first needed."""
        if not machines:
            project = load_deployed_project(LambdaSettings(environ))
            machines.update({flow.arn: flow for flow in project.flows if flow.schedule is not None})
            machines.setdefault("", None)  # loaded, even when no flow has a schedule
        return machines.get(state_machine_arn)

    def handler(event: Mapping[str, Any], context: Any = None) -> dict[str, Any]:
        if not built:
            settings = LambdaSettings(environ)
            table = settings.require("SDW_EXECUTIONS_TABLE")["SDW_EXECUTIONS_TABLE"]
            built.append(create_execution_index(table, region=settings.region, session=session))
        report = apply_status_change(built[0], event, scheduled_flow)
        log.info("execution_index: %s", report)
        return report

    return handler
