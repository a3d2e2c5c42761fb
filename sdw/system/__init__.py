"""sdw.system: the system endpoints' logic, written once against ports (see DESIGN.md)."""

from __future__ import annotations

from sdw.system._auth import auth_config, principal_from_event, verify_caller
from sdw.system._errors import (
    ExecutionExistsError,
    ExecutionNotFoundError,
    FlowNotFoundError,
    InvalidParameterError,
    InvalidPasswordError,
    InvalidTokenError,
    NotAuthorizedError,
    ServiceError,
    UserExistsError,
    UserNotFoundError,
)
from sdw.system._flows import FlowEndpoints
from sdw.system._flows_input import (
    DEFAULT_LIMIT,
    MAX_INPUT_BYTES,
    MAX_NAME,
    MAX_RESULTS,
    MAX_STOP_CAUSE,
    MAX_STOP_ERROR,
    execution_arn,
    json_kind,
    owned_execution_name,
)
from sdw.system._lifetime import RequestedLifetime, requested_lifetime, token_lifetime
from sdw.system._ports import (
    Authorizer,
    ExecutionDescription,
    ExecutionStatus,
    ExecutionSummary,
    FlowEngine,
    MonthlyUsage,
    Page,
    PoolConfig,
    Principal,
    TokenLifetime,
    Tokens,
    UsageStore,
    User,
    UserDirectory,
)
from sdw.system._responses import SystemResponse, unauthorized
from sdw.system._routes import SYSTEM_ROUTES, SystemRoute
from sdw.system._usage import parse_year_month, usage_ttl, year_month

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_INPUT_BYTES",
    "MAX_NAME",
    "MAX_RESULTS",
    "MAX_STOP_CAUSE",
    "MAX_STOP_ERROR",
    "SYSTEM_ROUTES",
    "Authorizer",
    "ExecutionDescription",
    "ExecutionExistsError",
    "ExecutionNotFoundError",
    "ExecutionStatus",
    "ExecutionSummary",
    "FlowEndpoints",
    "FlowEngine",
    "FlowNotFoundError",
    "InvalidParameterError",
    "InvalidPasswordError",
    "InvalidTokenError",
    "MonthlyUsage",
    "NotAuthorizedError",
    "Page",
    "PoolConfig",
    "Principal",
    "RequestedLifetime",
    "ServiceError",
    "SystemResponse",
    "SystemRoute",
    "TokenLifetime",
    "Tokens",
    "UsageStore",
    "User",
    "UserDirectory",
    "UserExistsError",
    "UserNotFoundError",
    "auth_config",
    "execution_arn",
    "json_kind",
    "owned_execution_name",
    "parse_year_month",
    "principal_from_event",
    "requested_lifetime",
    "token_lifetime",
    "unauthorized",
    "usage_ttl",
    "verify_caller",
    "year_month",
]
