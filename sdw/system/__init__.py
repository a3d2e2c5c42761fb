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
from sdw.system._ports import (
    Authorizer,
    ExecutionDescription,
    ExecutionStatus,
    ExecutionSummary,
    FlowEngine,
    Page,
    PoolConfig,
    Principal,
    Tokens,
    User,
    UserDirectory,
)
from sdw.system._responses import SystemResponse, unauthorized

__all__ = [
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
    "NotAuthorizedError",
    "Page",
    "PoolConfig",
    "Principal",
    "ServiceError",
    "SystemResponse",
    "Tokens",
    "User",
    "UserDirectory",
    "UserExistsError",
    "UserNotFoundError",
    "auth_config",
    "principal_from_event",
    "unauthorized",
    "verify_caller",
]
