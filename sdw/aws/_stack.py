"""A deployed stage, found by its CloudFormation stack: ``sdw users|usage ... --stage S``.

The deploy makes one stack per stage, ``<service>-<stage>``, whose outputs are the names
every tool reads (the BRIEF's contract with the deploy compiler):

    HttpApiUrl  UserPoolId  UserPoolClientId  ToolsClientId  UsageTableName  ExecutionsTableName

So the CLI needs only the stage (and the service, ``sdw`` unless renamed) to reach the
stage's Cognito pool: DescribeStacks, then the outputs. A stack that does not exist, or
lacks an output, is an AwsConfigError that says which and what to do.
"""

from __future__ import annotations

from typing import Any

from sdw.aws._clients import lazy_client
from sdw.aws._cognito import CognitoPool, CognitoUserDirectory
from sdw.aws._errors import AwsCallError, AwsConfigError, translated
from sdw.aws._secrets import SsmSecretStore
from sdw.aws._usage import DynamoUsageStore

STACK_OUTPUTS = (
    "HttpApiUrl",
    "UserPoolId",
    "UserPoolClientId",
    "ToolsClientId",
    "UsageTableName",
    "ExecutionsTableName",
)
DEFAULT_SERVICE = "sdw"


def stack_name(service: str, stage: str) -> str:
    """``<service>-<stage>``: the stack the deploy makes for a stage."""
    return f"{service}-{stage}"


def read_stack_outputs(client: Any, stack: str) -> dict[str, str]:
    """The outputs of ``stack`` (``OutputKey`` -> ``OutputValue``) through a CloudFormation client."""
    try:
        with translated("DescribeStacks"):
            found = client.describe_stacks(StackName=stack)["Stacks"]
    except AwsCallError as exc:
        if exc.code == "ValidationError" and "does not exist" in str(exc):
            raise AwsConfigError(
                f"there is no stack {stack!r} in {client.meta.region_name}: deploy the stage first "
                "(make deploy STAGE=...), or check --stage, --service and --region"
            ) from None
        raise
    if not found:
        raise AwsConfigError(f"there is no stack {stack!r} in {client.meta.region_name}")
    return {entry["OutputKey"]: entry["OutputValue"] for entry in found[0].get("Outputs", [])}


def _stage_outputs(stack: str, cloudformation: Any, wanted: tuple[str, ...]) -> dict[str, str]:
    outputs = read_stack_outputs(cloudformation, stack)
    missing = [name for name in wanted if not outputs.get(name)]
    if missing:
        raise AwsConfigError(
            f"the stack {stack!r} has no output {', '.join(missing)}; "
            "redeploy it with this sdw's serverless.yml"
        )
    return outputs


def create_stage_usage_store(
    stage: str, *, service: str = DEFAULT_SERVICE, region: str | None = None, session: Any = None
) -> DynamoUsageStore:
    """The usage table of a deployed stage (its stack's ``UsageTableName``)."""
    cloudformation = lazy_client("cloudformation", region=region, session=session)
    outputs = _stage_outputs(stack_name(service, stage), cloudformation, ("UsageTableName",))
    dynamodb = lazy_client("dynamodb", region=str(cloudformation.meta.region_name), session=session)
    return DynamoUsageStore(dynamodb, outputs["UsageTableName"])


def create_stage_directory(
    stage: str, *, service: str = DEFAULT_SERVICE, region: str | None = None, session: Any = None
) -> CognitoUserDirectory:
    """The Cognito UserDirectory of a deployed stage, found through its stack's outputs."""
    stack = stack_name(service, stage)
    cloudformation = lazy_client("cloudformation", region=region, session=session)
    outputs = _stage_outputs(stack, cloudformation, ("UserPoolId", "UserPoolClientId", "ToolsClientId"))
    pool_region = str(cloudformation.meta.region_name)
    pool = CognitoPool(
        region=pool_region,
        user_pool_id=outputs["UserPoolId"],
        client_id=outputs["UserPoolClientId"],
        tools_client_id=outputs["ToolsClientId"],
    )
    return CognitoUserDirectory(lazy_client("cognito-idp", region=pool_region, session=session), pool)


def create_stage_secret_store(
    stage: str, *, service: str = DEFAULT_SERVICE, region: str | None = None, session: Any = None
) -> SsmSecretStore:
    """The secrets and connections of a deployed stage: SSM parameters under ``/<service>/<stage>/``.

    Their paths follow from the names alone, so no stack is looked up: a secret may be put
    before the stage's first deploy, as it must be before the function's first call.
    """
    return SsmSecretStore(lazy_client("ssm", region=region, session=session), service=service, stage=stage)
