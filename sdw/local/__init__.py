"""sdw.local: see DESIGN.md."""

from __future__ import annotations

from sdw.local._authorizer import JwtAuthorizer, claim_string, create_jwt_authorizer
from sdw.local._context import LambdaContext
from sdw.local._environ import function_environment, install_scoped_environ
from sdw.local._errors import LocalError, StateError, TokenRejectedError
from sdw.local._events import EventBuilder, GatewayRequest
from sdw.local._flow_watch import FlowFileWatch
from sdw.local._function_env import CallOrigin, ConnectionAccessLog, FunctionEnvironment, call_origin
from sdw.local._gateway import Gateway
from sdw.local._git_plugins import GitPluginFetcher, create_git_plugin_fetcher
from sdw.local._invoker import (
    ImportFailure,
    Invocation,
    LambdaError,
    LocalInvoker,
    ThrottledError,
    UnknownFunctionError,
    import_handler,
)
from sdw.local._output import OutputCapture
from sdw.local._responses import GatewayResponse
from sdw.local._routing import Route, Router, SystemCall
from sdw.local._running import announce_server, running_server_url
from sdw.local._runtime import LocalRuntime, create_function_environment, create_local_runtime
from sdw.local._schedule_store import ScheduleStore
from sdw.local._scheduler import MISSED_WINDOW, Fired, LocalScheduler, schedule_key
from sdw.local._secrets import LOCAL_STAGE, LocalSecretStore
from sdw.local._server import LocalServer, adopt_socket
from sdw.local._statedir import StateDir, create_state_dir
from sdw.local._usage import BufferedUsageStore, LocalUsageStore, create_local_usage_store
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
    "LOCAL_STAGE",
    "MISSED_WINDOW",
    "BufferedUsageStore",
    "CallOrigin",
    "CheckpointPolicy",
    "ConnectionAccessLog",
    "EngineExecutions",
    "EventBuilder",
    "Fired",
    "FlowFileWatch",
    "FunctionEnvironment",
    "Gateway",
    "GatewayRequest",
    "GatewayResponse",
    "GitPluginFetcher",
    "ImportFailure",
    "Invocation",
    "JwtAuthorizer",
    "LambdaContext",
    "LambdaError",
    "LocalError",
    "LocalFlowEngine",
    "LocalInvoker",
    "LocalRuntime",
    "LocalScheduler",
    "LocalSecretStore",
    "LocalServer",
    "LocalUsageStore",
    "LocalUserPool",
    "OutputCapture",
    "PasswordHasher",
    "Route",
    "Router",
    "ScheduleStore",
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
    "call_origin",
    "claim_string",
    "create_flow_engine",
    "create_function_environment",
    "create_git_plugin_fetcher",
    "create_jwt_authorizer",
    "create_local_runtime",
    "create_local_usage_store",
    "create_local_user_pool",
    "create_state_dir",
    "dev_user_password",
    "ensure_dev_user",
    "function_environment",
    "generate_password",
    "import_handler",
    "install_scoped_environ",
    "local_base_url",
    "running_server_url",
    "schedule_key",
]
