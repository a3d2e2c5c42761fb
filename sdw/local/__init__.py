"""sdw.local: see DESIGN.md."""

from __future__ import annotations

from sdw.local._authorizer import JwtAuthorizer, claim_string, create_jwt_authorizer
from sdw.local._context import LambdaContext
from sdw.local._errors import LocalError, StateError, TokenRejectedError
from sdw.local._events import EventBuilder, GatewayRequest
from sdw.local._flow_watch import FlowFileWatch
from sdw.local._gateway import Gateway
from sdw.local._invoker import (
    ImportFailure,
    Invocation,
    LambdaError,
    LocalInvoker,
    ThrottledError,
    UnknownFunctionError,
)
from sdw.local._output import OutputCapture
from sdw.local._responses import GatewayResponse
from sdw.local._routing import Route, Router, SystemCall
from sdw.local._running import announce_server, running_server_url
from sdw.local._runtime import LocalRuntime, create_local_runtime
from sdw.local._server import LocalServer, adopt_socket
from sdw.local._statedir import StateDir, create_state_dir
from sdw.local._workers import WorkerPool
from sdw.local.engine import CheckpointPolicy, EngineExecutions, LocalFlowEngine, create_flow_engine
from sdw.local.userpool import (
    DEV_USER_EMAIL,
    LocalUserPool,
    PasswordHasher,
    ScryptParams,
    create_local_user_pool,
    dev_user_password,
    ensure_dev_user,
    generate_password,
    local_base_url,
)

__all__ = [
    "DEV_USER_EMAIL",
    "CheckpointPolicy",
    "EngineExecutions",
    "EventBuilder",
    "FlowFileWatch",
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
    "LocalUserPool",
    "OutputCapture",
    "PasswordHasher",
    "Route",
    "Router",
    "ScryptParams",
    "StateDir",
    "StateError",
    "SystemCall",
    "ThrottledError",
    "TokenRejectedError",
    "UnknownFunctionError",
    "WorkerPool",
    "adopt_socket",
    "announce_server",
    "claim_string",
    "create_flow_engine",
    "create_jwt_authorizer",
    "create_local_runtime",
    "create_local_user_pool",
    "create_state_dir",
    "dev_user_password",
    "ensure_dev_user",
    "generate_password",
    "local_base_url",
    "running_server_url",
]
