"""sdw.system: the system endpoints' logic, written once against ports (see DESIGN.md)."""

from __future__ import annotations

from sdw.system._auth import auth_config, principal_from_event, verify_caller
from sdw.system._errors import (
    InvalidParameterError,
    InvalidPasswordError,
    NotAuthorizedError,
    ServiceError,
    UserExistsError,
    UserNotFoundError,
)
from sdw.system._ports import Authorizer, PoolConfig, Principal, Tokens, User, UserDirectory
from sdw.system._responses import SystemResponse, unauthorized

__all__ = [
    "Authorizer",
    "InvalidParameterError",
    "InvalidPasswordError",
    "NotAuthorizedError",
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
