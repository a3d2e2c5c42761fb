"""The ports the system endpoints are written against.

``sdw.system`` holds the logic of the system endpoints (auth config and verify, run,
poll, list flows and runs, usage) once, against these protocols. ``sdw.local`` gives the
one-machine adapters; ``sdw.aws`` gives the boto3 ones. Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class PoolConfig:
    """What a client needs to talk to the user pool (``GET /auth/config``)."""

    region: str
    user_pool_id: str  # "us-east-1_AbCdEf123", shaped like Cognito's
    client_id: str
    issuer: str  # the ``iss`` claim every token carries
    jwks_url: str


@dataclass(frozen=True)
class User:
    sub: str  # a UUID, stable for the user's life
    email: str
    created_at: str  # ISO-8601, UTC
    enabled: bool = True


@dataclass(frozen=True)
class Tokens:
    """The result of an InitiateAuth USER_PASSWORD_AUTH, as Cognito names it."""

    id_token: str
    access_token: str
    refresh_token: str
    expires_in: int = 3600
    token_type: str = "Bearer"  # noqa: S105 - the scheme name, not a secret

    def as_cognito(self) -> dict[str, Any]:
        """The ``AuthenticationResult`` object Cognito returns."""
        return {
            "IdToken": self.id_token,
            "AccessToken": self.access_token,
            "RefreshToken": self.refresh_token,
            "ExpiresIn": self.expires_in,
            "TokenType": self.token_type,
        }


@dataclass(frozen=True)
class Principal:
    """Who called, as API Gateway's JWT authorizer hands it to the integration.

    ``claims`` are the token's claims as HTTP API puts them in
    ``requestContext.authorizer.jwt.claims``; ``scopes`` the access token's scopes, or None.
    """

    claims: Mapping[str, Any]
    scopes: list[str] | None = field(default=None)

    @property
    def user_id(self) -> str:
        return str(self.claims["sub"])


class UserDirectory(Protocol):
    """Users and their tokens: a local pool on one machine, Cognito on AWS."""

    def config(self) -> PoolConfig: ...

    def create_user(self, email: str, password: str) -> User: ...

    def list_users(self) -> list[User]: ...

    def delete_user(self, email: str) -> None: ...

    def authenticate(self, email: str, password: str) -> Tokens: ...


class Authorizer(Protocol):
    """Verifies a request's token exactly as API Gateway's JWT authorizer does."""

    def authorize(self, authorization: str | None) -> Principal | None:
        """The principal for a valid ``Authorization`` header value, else None (a 401)."""
        ...
