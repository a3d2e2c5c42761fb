"""sdw.local: see DESIGN.md."""

from __future__ import annotations

from sdw.local._authorizer import JwtAuthorizer, claim_string, create_jwt_authorizer
from sdw.local._context import LambdaContext
from sdw.local._engine import LocalFlowEngine, create_flow_engine
from sdw.local._engine_checkpoint import CheckpointPolicy
from sdw.local._engine_children import EngineExecutions
from sdw.local._errors import LocalError, StateError, TokenRejectedError
from sdw.local._events import EventBuilder, GatewayRequest
from sdw.local._gateway import Gateway
from sdw.local._invoker import ImportFailure, Invocation, LambdaError, LocalInvoker, UnknownFunctionError
from sdw.local._responses import GatewayResponse
from sdw.local._routing import Route, Router, SystemCall
from sdw.local._runtime import LocalRuntime, create_local_runtime
from sdw.local._server import LocalServer
from sdw.local._statedir import StateDir, create_state_dir
from sdw.local._usage import LocalUsageStore, create_local_usage_store
from sdw.local._userpool import (
    DEV_USER_EMAIL,
    LocalUserPool,
    create_local_user_pool,
    dev_user_password,
    ensure_dev_user,
    local_base_url,
)
from sdw.local._userpool_passwords import PasswordHasher, ScryptParams, generate_password
from sdw.local._workers import WorkerPool

__all__ = [
    "DEV_USER_EMAIL",
    "CheckpointPolicy",
    "EngineExecutions",
    "EventBuilder",
    "Gateway",
    "GatewayRequest",
    "GatewayResponse",
    "ImportFailure",
    "Invocation",
    "JwtAuthorizer",
    "LambdaContext",
    "LambdaError",
    "LocalError",
    "LocalFlowEngine",
    "LocalInvoker",
    "LocalRuntime",
    "LocalServer",
    "LocalUsageStore",
    "LocalUserPool",
    "PasswordHasher",
    "Route",
    "Router",
    "ScryptParams",
    "StateDir",
    "StateError",
    "SystemCall",
    "TokenRejectedError",
    "UnknownFunctionError",
    "WorkerPool",
    "claim_string",
    "create_flow_engine",
    "create_jwt_authorizer",
    "create_local_runtime",
    "create_local_usage_store",
    "create_local_user_pool",
    "create_state_dir",
    "dev_user_password",
    "ensure_dev_user",
    "generate_password",
    "local_base_url",
]
