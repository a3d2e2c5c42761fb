"""The local user pool: a real Cognito-style user pool on one machine (the UserDirectory port).

Users live in SQLite in the state folder, passwords as scrypt hashes; tokens are RS256 JWTs
shaped like Cognito's, signed with a key pair made on the first start and kept. The pool's
ids are shaped like Cognito's too (``us-east-1_`` + 9 alphanumerics for the pool, 26
lowercase alphanumerics for the app client), made once and kept, so a frontend configured
against the local runtime keeps working across restarts.

The issuer. Cognito's is ``https://cognito-idp.<region>.amazonaws.com/<userPoolId>`` and it
serves ``<issuer>/.well-known/jwks.json`` and ``<issuer>/.well-known/openid-configuration``.
Locally the issuer is the local runtime's own base URL plus the pool id
(``http://127.0.0.1:3000/us-east-1_AbC123xyz``) and the gateway serves the same two
documents under it. We chose that over pretending to be cognito-idp.amazonaws.com because
an ``iss`` must be a URL its verifier can fetch the keys from: any OIDC library (a
frontend's, a backend's, ``jose``) pointed at a local token discovers the local keys, and a
token from the local pool can never pass for one from a real pool (its ``iss`` differs),
nor the reverse. The cost: the issuer depends on where ``sdw dev`` listens, so a token made
for port 3000 is refused by a server on port 3001, as a token from another pool is on AWS;
the CLI builds the issuer from the same Config (SDW_HOST/SDW_PORT) as the server.

Groups. ``add_user_to_group`` is Cognito's AdminAddUserToGroup; the user's next tokens
carry ``cognito:groups`` (tokens already issued keep what they said, as on AWS). Locally a
group exists as soon as it has a member: Cognito wants CreateGroup first (the deployed
stack makes the ``admin`` group the usage endpoints look for).

Token lifetime. ``authenticate(..., lifetime=)`` signs a user in with a chosen validity
(``sdw.system.requested_lifetime`` keeps it within Cognito's bounds): the ID and access
tokens' ``exp`` and ``ExpiresIn``, and the refresh token's expiry. A refresh gives tokens
of the pool's default validity, as a refresh through the default app client does.

Signing in follows Cognito with user-existence errors prevented (the default for new
pools): a wrong password and an unknown email raise the same NotAuthorizedError, and the
unknown email still pays for one KDF run, so timing does not tell them apart either.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import secrets
import string
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sdw.local._statedir import StateDir, create_state_dir
from sdw.local.userpool._keys import SigningKey, load_or_create_signing_key
from sdw.local.userpool._passwords import PasswordHasher, check_password_policy, generate_password
from sdw.local.userpool._store import RefreshRecord, UserRecord, UserStore
from sdw.local.userpool._tokens import TokenFactory, new_refresh_token, refresh_token_hash
from sdw.system import (
    InvalidParameterError,
    NotAuthorizedError,
    PoolConfig,
    TokenLifetime,
    Tokens,
    User,
    UserExistsError,
    UserNotFoundError,
)

Clock = Callable[[], float]

DATABASE_NAME = "userpool.db"
DEV_USER_EMAIL = "dev@sdw.local"
DEV_PASSWORD_FILE = "dev-user-password"  # noqa: S105 - a file name, not a password

_ALNUM = string.ascii_letters + string.digits
_LOWER_ALNUM = string.ascii_lowercase + string.digits
_GROUP_NAME = re.compile(r"[^\s\x00-\x1f\x7f]{1,128}")  # Cognito: 1-128 visible characters, no spaces


def new_user_pool_id(region: str) -> str:
    """``us-east-1_`` + 9 alphanumerics, the shape of a Cognito user pool id."""
    return f"{region}_" + "".join(secrets.choice(_ALNUM) for _ in range(9))


def new_client_id() -> str:
    """26 lowercase alphanumerics, the shape of a Cognito app client id."""
    return "".join(secrets.choice(_LOWER_ALNUM) for _ in range(26))


def local_base_url(host: str, port: int) -> str:
    """The URL clients reach the local runtime at, from where it listens.

    ``0.0.0.0`` and ``::`` (listen everywhere) are reached at the loopback address; an
    IPv6 address gets its brackets: ``local_base_url("::1", 3000) == "http://[::1]:3000"``.
    """
    if host in {"", "0.0.0.0"}:  # noqa: S104 - mapping the wildcard to loopback, not binding
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    try:
        if isinstance(ipaddress.ip_address(host), ipaddress.IPv6Address):
            host = f"[{host}]"
    except ValueError:
        pass  # a host name
    return f"http://{host}:{port}"


def _looks_like_email(email: str) -> bool:
    local, at, domain = email.rpartition("@")
    return (
        bool(at and local and domain)
        and "." in domain.strip(".")
        and not any(c.isspace() for c in email)
        and len(email) <= 2048
    )


def _user(record: UserRecord) -> User:
    return User(sub=record.sub, email=record.email, created_at=record.created_at, enabled=record.enabled)


class LocalUserPool:
    """Cognito's user pool API, in the small: create, list, delete, sign in, refresh.

    Built by ``create_local_user_pool``, which does the I/O (folder, database, key); the
    constructor only stores what it is given.
    """

    REFRESH_TOKEN_TTL = 30 * 24 * 3600  # Cognito's default refresh token validity: 30 days

    def __init__(
        self,
        *,
        state: StateDir,
        store: UserStore,
        signing_key: SigningKey,
        region: str,
        user_pool_id: str,
        client_id: str,
        base_url: str,
        clock: Clock = time.time,
        token_ttl: int = TokenFactory.DEFAULT_TTL,
        hasher: PasswordHasher | None = None,
    ) -> None:
        self.state = state
        self.clock = clock
        self._store = store
        self._signing_key = signing_key
        self._hasher = hasher or PasswordHasher()
        issuer = f"{base_url.rstrip('/')}/{user_pool_id}"
        self._config = PoolConfig(
            region=region,
            user_pool_id=user_pool_id,
            client_id=client_id,
            issuer=issuer,
            jwks_url=f"{issuer}/.well-known/jwks.json",
        )
        self._tokens = TokenFactory(
            signing_key, issuer=issuer, client_id=client_id, ttl=token_ttl, clock=clock
        )

    # -- what clients need to know ---------------------------------------------------------

    def config(self) -> PoolConfig:
        return self._config

    def jwks(self) -> dict[str, Any]:
        """The document Cognito serves at ``<issuer>/.well-known/jwks.json``."""
        return {"keys": [self._signing_key.public_jwk()]}

    def openid_configuration(self) -> dict[str, Any]:
        """The OIDC discovery document, served at ``<issuer>/.well-known/openid-configuration``.

        Only what the local runtime really serves is listed: the issuer and its keys. There
        is no hosted UI locally, so no authorization, token or userinfo endpoint (Cognito
        lists those for its hosted UI domain); token verifiers need only ``jwks_uri``.
        """
        config = self._config
        return {
            "issuer": config.issuer,
            "jwks_uri": config.jwks_url,
            "id_token_signing_alg_values_supported": [SigningKey.ALGORITHM],
            "subject_types_supported": ["public"],
            "response_types_supported": ["code", "token"],
            "scopes_supported": ["openid", "email", "profile", TokenFactory.SCOPE],
            "claims_supported": [
                "sub",
                "iss",
                "aud",
                "exp",
                "iat",
                "auth_time",
                "token_use",
                "email",
                "email_verified",
                "cognito:username",
            ],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }

    # -- users ------------------------------------------------------------------------------

    def create_user(self, email: str, password: str) -> User:
        """AdminCreateUser + AdminSetUserPassword(Permanent=True): a confirmed user."""
        email = email.strip()
        if not _looks_like_email(email):
            raise InvalidParameterError("Invalid email address format.", "email")
        check_password_policy(password)
        if self._store.find_user(email) is not None:
            raise UserExistsError(email)  # before paying for the KDF
        record = UserRecord(
            sub=str(uuid.uuid4()),
            email=email,
            password_hash=self._hasher.hash(password),
            created_at=datetime.fromtimestamp(self.clock(), UTC)
            .isoformat(timespec="seconds")
            .replace("+00:00", "Z"),
            enabled=True,
        )
        self._store.insert_user(record)  # raises UserExistsError if another process won the race
        return _user(record)

    def get_user(self, email: str) -> User:
        record = self._store.find_user(email)
        if record is None:
            raise UserNotFoundError(email)
        return _user(record)

    def list_users(self) -> list[User]:
        return [_user(record) for record in self._store.list_users()]

    def delete_user(self, email: str) -> None:
        """AdminDeleteUser. Tokens already issued stay valid until they expire, as on AWS."""
        if not self._store.delete_user(email):
            raise UserNotFoundError(email)

    def set_password(self, email: str, password: str) -> None:
        """AdminSetUserPassword(Permanent=True); the user's refresh tokens are revoked."""
        check_password_policy(password)
        if self._store.find_user(email) is None or not self._store.set_password_hash(
            email, self._hasher.hash(password)
        ):
            raise UserNotFoundError(email)

    def add_user_to_group(self, email: str, group: str) -> None:
        """AdminAddUserToGroup: ``cognito:groups`` in the user's next tokens holds ``group``."""
        self._set_membership(email, group, member=True)

    def remove_user_from_group(self, email: str, group: str) -> None:
        """AdminRemoveUserFromGroup."""
        self._set_membership(email, group, member=False)

    def groups_for_user(self, email: str) -> list[str]:
        """AdminListGroupsForUser: the names, sorted."""
        return self._store.groups_of(self.get_user(email).sub)

    def _set_membership(self, email: str, group: str, *, member: bool) -> None:
        if not _GROUP_NAME.fullmatch(group):
            raise InvalidParameterError(
                f"Invalid group name {group!r}: 1 to 128 characters, no white space.", "group"
            )
        if not self._store.set_membership(email, group, member):
            raise UserNotFoundError(email)

    # -- signing in -------------------------------------------------------------------------

    def authenticate(self, email: str, password: str, *, lifetime: TokenLifetime | None = None) -> Tokens:
        """InitiateAuth with USER_PASSWORD_AUTH: the three tokens, or NotAuthorizedError.

        ``lifetime`` (None: the pool's default validity) sets how long the tokens live.
        """
        record = self._store.find_user(email)
        if record is None:
            self._hasher.burn(password)  # as slow as a wrong password: no existence oracle
            raise NotAuthorizedError()
        if not self._hasher.verify(password, record.password_hash) or not record.enabled:
            raise NotAuthorizedError()
        return self._issue(record, lifetime)

    def refresh(self, refresh_token: str) -> Tokens:
        """InitiateAuth with REFRESH_TOKEN_AUTH: new ID and access tokens, same refresh token."""
        now = int(self.clock())
        found = self._store.find_refresh_token(refresh_token_hash(refresh_token))
        if found is None:
            raise NotAuthorizedError("Invalid Refresh Token")
        if found.expires_at <= now:
            raise NotAuthorizedError("Refresh Token has expired")
        record = self._store.find_user_by_sub(found.sub)
        if record is None or not record.enabled:
            raise NotAuthorizedError("Invalid Refresh Token")
        return self._tokens.issue(
            sub=record.sub,
            email=record.email,
            refresh_token=refresh_token,
            auth_time=found.auth_time,
            origin_jti=found.origin_jti,
            groups=self._store.groups_of(record.sub),
        )

    def issue_tokens(self, email: str) -> Tokens:
        """Tokens for a user without their password (an admin's act, e.g. the dev user)."""
        record = self._store.find_user(email)
        if record is None:
            raise UserNotFoundError(email)
        return self._issue(record)

    def _issue(self, record: UserRecord, lifetime: TokenLifetime | None = None) -> Tokens:
        now = int(self.clock())
        self._store.delete_expired_refresh_tokens(now)
        refresh_token = new_refresh_token()
        origin_jti = str(uuid.uuid4())
        refresh_ttl = self.REFRESH_TOKEN_TTL if lifetime is None else lifetime.refresh_token
        self._store.insert_refresh_token(
            refresh_token_hash(refresh_token),
            RefreshRecord(sub=record.sub, origin_jti=origin_jti, auth_time=now, expires_at=now + refresh_ttl),
            issued_at=now,
        )
        return self._tokens.issue(
            sub=record.sub,
            email=record.email,
            refresh_token=refresh_token,
            auth_time=now,
            origin_jti=origin_jti,
            groups=self._store.groups_of(record.sub),
            lifetime=lifetime,
        )

    def close(self) -> None:
        self._store.close()

    def __enter__(self) -> LocalUserPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def create_local_user_pool(
    state_dir: Path,
    *,
    base_url: str,
    region: str = "us-east-1",
    clock: Clock = time.time,
    token_ttl: int = TokenFactory.DEFAULT_TTL,
    hasher: PasswordHasher | None = None,
) -> LocalUserPool:
    """Open (on the first call, create) the pool kept in ``state_dir``.

    ``base_url`` is where the local runtime is reached (``local_base_url(host, port)``);
    the issuer is ``<base_url>/<userPoolId>``. The pool's region is fixed when it is made
    (it is part of the pool id), as a Cognito pool's is.
    """
    state = create_state_dir(state_dir)
    connection = state.open_database(DATABASE_NAME)
    store = UserStore(connection, state.file(DATABASE_NAME))
    try:
        store.create_schema()
        user_pool_id = store.get_or_set_meta("user_pool_id", lambda: new_user_pool_id(region))
        client_id = store.get_or_set_meta("client_id", new_client_id)
        signing_key = load_or_create_signing_key(state)
    except BaseException:
        store.close()
        raise
    return LocalUserPool(
        state=state,
        store=store,
        signing_key=signing_key,
        region=user_pool_id.partition("_")[0],
        user_pool_id=user_pool_id,
        client_id=client_id,
        base_url=base_url,
        clock=clock,
        token_ttl=token_ttl,
        hasher=hasher,
    )


def dev_user_password(pool: LocalUserPool) -> str:
    """The dev user's password, kept 0600 in the state folder (made on first use).

    Never printed by ``sdw dev``; this is for an explicit request (``sdw users dev-password``).
    """
    data = pool.state.read_private(DEV_PASSWORD_FILE)
    if data is not None and data.strip():
        return data.decode("utf-8").strip()
    password = generate_password()
    if data is not None:  # a blank file (emptied by hand): a password it is not
        pool.state.write_private(DEV_PASSWORD_FILE, password.encode("utf-8"))
    elif not pool.state.create_private(DEV_PASSWORD_FILE, password.encode("utf-8")):
        data = pool.state.read_private(DEV_PASSWORD_FILE) or b""  # another process won
        return data.decode("utf-8").strip()
    # The file was lost but the user is there: make the kept password the real one.
    with contextlib.suppress(UserNotFoundError):
        pool.set_password(DEV_USER_EMAIL, password)
    return password


def ensure_dev_user(pool: LocalUserPool) -> Tokens:
    """Fresh tokens for the dev user (``dev@sdw.local``), creating the user on first use.

    Costs one KDF run the first time (creating the user) and none after: the tokens are
    issued by the pool as an admin would, without re-checking the password it keeps.
    """
    try:
        return pool.issue_tokens(DEV_USER_EMAIL)
    except UserNotFoundError:
        pass
    with contextlib.suppress(UserExistsError):  # another process made it between our calls
        pool.create_user(DEV_USER_EMAIL, dev_user_password(pool))
    return pool.issue_tokens(DEV_USER_EMAIL)
