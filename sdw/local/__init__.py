"""sdw.local: see DESIGN.md."""

from __future__ import annotations

from sdw.local._authorizer import JwtAuthorizer, claim_string, create_jwt_authorizer
from sdw.local._errors import LocalError, StateError, TokenRejectedError
from sdw.local._statedir import StateDir, create_state_dir
from sdw.local._userpool import (
    DEV_USER_EMAIL,
    LocalUserPool,
    create_local_user_pool,
    dev_user_password,
    ensure_dev_user,
    local_base_url,
)
from sdw.local._userpool_passwords import PasswordHasher, ScryptParams, generate_password

__all__ = [
    "DEV_USER_EMAIL",
    "JwtAuthorizer",
    "LocalError",
    "LocalUserPool",
    "PasswordHasher",
    "ScryptParams",
    "StateDir",
    "StateError",
    "TokenRejectedError",
    "claim_string",
    "create_jwt_authorizer",
    "create_local_user_pool",
    "create_state_dir",
    "dev_user_password",
    "ensure_dev_user",
    "generate_password",
    "local_base_url",
]
