"""sdw.local.userpool: a Cognito-style user pool on one machine (sdw.system's UserDirectory port).

The face: :class:`LocalUserPool`, opened by :func:`create_local_user_pool` on a state
folder; the dev user (:data:`DEV_USER_EMAIL`, :func:`ensure_dev_user`,
:func:`dev_user_password`); :func:`local_base_url`, where the local runtime is reached;
password hashing and generation; and the pool's signing key.

    _pool        users, sign-in and refresh, the pool's ids, issuer and discovery documents
    _store       SQLite: users, refresh tokens, the pool's own ids
    _tokens      ID and access tokens shaped like Cognito's
    _passwords   Cognito's password policy, scrypt hashes, generated passwords
    _keys        the RS256 signing key: made once, kept 0600, published as a JWK
"""

from __future__ import annotations

from sdw.local.userpool._keys import SigningKey
from sdw.local.userpool._passwords import PasswordHasher, ScryptParams, generate_password
from sdw.local.userpool._pool import (
    DEV_PASSWORD_FILE,
    DEV_USER_EMAIL,
    LocalUserPool,
    create_local_user_pool,
    dev_user_password,
    ensure_dev_user,
    local_base_url,
)
from sdw.local.userpool._tokens import TokenFactory

__all__ = [
    "DEV_PASSWORD_FILE",
    "DEV_USER_EMAIL",
    "LocalUserPool",
    "PasswordHasher",
    "ScryptParams",
    "SigningKey",
    "TokenFactory",
    "create_local_user_pool",
    "dev_user_password",
    "ensure_dev_user",
    "generate_password",
    "local_base_url",
]
