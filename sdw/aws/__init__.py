"""sdw.aws: the adapters over boto3 behind sdw.system's ports, and the system Lambdas' wiring.

The only package that imports boto3/botocore (scripts/check_layers.py keeps it so); boto3
itself is imported only when a first client is built (``_clients.py``).

    StepFunctionsEngine   FlowEngine: Step Functions + the DynamoDB executions index
    CognitoUserDirectory  UserDirectory: the stage's Cognito pool, two app clients
    DynamoUsageStore      UsageStore: the usage table
    apply_status_change   the execution_index Lambda's work on one EventBridge event
    create_*_lambda       the functions/base handlers; create_* the adapters
    create_stage_directory  a deployed stage's pool, found by its stack's outputs (CLI)
    create_stage_usage_store  a deployed stage's usage table, the same way
    create_stage_secret_store a deployed stage's secrets and connections in SSM (SsmSecretStore; CLI)
    SsmParameters         SSM SecureStrings through Powertools (sdw.runtime's secrets and connections)
"""

from __future__ import annotations

from sdw.aws._clients import LambdaSettings, LazyClient
from sdw.aws._cognito import CognitoPool, CognitoUserDirectory
from sdw.aws._errors import AwsCallError, AwsConfigError, AwsError
from sdw.aws._executions import ExecutionIndex
from sdw.aws._parameters import SsmParameters
from sdw.aws._secrets import SsmSecretStore
from sdw.aws._stack import (
    DEFAULT_SERVICE,
    STACK_OUTPUTS,
    create_stage_directory,
    create_stage_secret_store,
    create_stage_usage_store,
    read_stack_outputs,
    stack_name,
)
from sdw.aws._status_events import apply_status_change
from sdw.aws._stepfunctions import EXPRESS_UNSUPPORTED, StepFunctionsEngine
from sdw.aws._usage import DynamoUsageStore
from sdw.aws._wiring import (
    create_auth_lambda,
    create_cognito_directory,
    create_execution_index,
    create_execution_index_lambda,
    create_flows_lambda,
    create_step_functions_engine,
    create_usage_lambda,
    create_usage_store,
    load_deployed_project,
)

__all__ = [
    "DEFAULT_SERVICE",
    "EXPRESS_UNSUPPORTED",
    "STACK_OUTPUTS",
    "AwsCallError",
    "AwsConfigError",
    "AwsError",
    "CognitoPool",
    "CognitoUserDirectory",
    "DynamoUsageStore",
    "ExecutionIndex",
    "LambdaSettings",
    "LazyClient",
    "SsmParameters",
    "SsmSecretStore",
    "StepFunctionsEngine",
    "apply_status_change",
    "create_auth_lambda",
    "create_cognito_directory",
    "create_execution_index",
    "create_execution_index_lambda",
    "create_flows_lambda",
    "create_stage_directory",
    "create_stage_secret_store",
    "create_stage_usage_store",
    "create_step_functions_engine",
    "create_usage_lambda",
    "create_usage_store",
    "load_deployed_project",
    "read_stack_outputs",
    "stack_name",
]
