"""The UserDirectory over Cognito: the deployed stage's user pool, through its admin API.

The pool signs users in by email (the email is the username attribute) and has two app
clients, both without a secret and both accepted as audience by the HTTP API's JWT
authorizer (the BRIEF's two-client design):

    UserPoolClient  for apps; default token validity. ``authenticate()`` signs in here.
    ToolsClient     for ``sdw users token --duration-*``: Cognito sets token validity per
                    app client, not per sign-in (InitiateAuth has no lifetime parameter),
                    so ``authenticate(lifetime=...)`` first sets this client's three
                    validities, then signs in through it.

Updating ToolsClient: UpdateUserPoolClient resets every setting the request leaves out to
its default, so the client's settings are read first (DescribeUserPoolClient) and sent back
with only the validities changed; nothing is sent when they are already right. Two
concurrent sign-ins with different lifetimes race on the one client (the later update
wins for both): it is an admin tool, run by hand.

The calls, and what their errors become (sdw.system's, as the local pool raises):

    create_user   AdminCreateUser (the email as username, email_verified, no invitation
                  message) + AdminSetUserPassword(Permanent) so the user can sign in at
                  once; if the password is refused, the half-made user is deleted again
    list_users    ListUsers, every page          get_user   AdminGetUser
    delete_user   AdminDeleteUser                authenticate  InitiateAuth USER_PASSWORD_AUTH

    UsernameExistsException -> UserExistsError     InvalidPasswordException -> InvalidPasswordError
    UserNotFoundException   -> UserNotFoundError (NotAuthorizedError when signing in, as a
                               pool that prevents user-existence errors answers)
    NotAuthorizedException, UserNotConfirmedException, PasswordResetRequiredException
                            -> NotAuthorizedError  InvalidParameterException -> InvalidParameterError

``config()`` makes no call: the issuer is ``https://cognito-idp.<region>.amazonaws.com/<pool>``
and the keys are at ``<issuer>/.well-known/jwks.json``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sdw.aws._errors import ErrorMapping, translated
from sdw.system import (
    InvalidParameterError,
    InvalidPasswordError,
    NotAuthorizedError,
    PoolConfig,
    TokenLifetime,
    Tokens,
    User,
    UserExistsError,
    UserNotFoundError,
)

log = logging.getLogger("sdw.users")

_SECONDS = {"IdToken": "seconds", "AccessToken": "seconds", "RefreshToken": "seconds"}


@dataclass(frozen=True)
class CognitoPool:
    """The deployed pool and its two app clients (outputs UserPoolId, UserPoolClientId, ToolsClientId)."""

    region: str
    user_pool_id: str
    client_id: str
    tools_client_id: str

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"


class CognitoUserDirectory:
    """Users and tokens of one Cognito user pool (a ``cognito-idp`` client)."""

    def __init__(self, client: Any, pool: CognitoPool) -> None:
        self._client = client
        self._pool = pool

    def config(self) -> PoolConfig:
        return PoolConfig(
            region=self._pool.region,
            user_pool_id=self._pool.user_pool_id,
            client_id=self._pool.client_id,
            issuer=self._pool.issuer,
            jwks_url=f"{self._pool.issuer}/.well-known/jwks.json",
        )

    def create_user(self, email: str, password: str) -> User:
        errors = self._user_errors(email)
        with translated("AdminCreateUser", errors):
            created = self._client.admin_create_user(
                UserPoolId=self._pool.user_pool_id,
                Username=email,
                UserAttributes=[
                    {"Name": "email", "Value": email},
                    {"Name": "email_verified", "Value": "true"},
                ],
                TemporaryPassword=password,
                MessageAction="SUPPRESS",
            )
        try:
            with translated("AdminSetUserPassword", errors):
                self._client.admin_set_user_password(
                    UserPoolId=self._pool.user_pool_id, Username=email, Password=password, Permanent=True
                )
        except BaseException:
            self._forget(email)
            raise
        return _user(created["User"], "Attributes")

    def list_users(self) -> list[User]:
        users: list[User] = []
        request: dict[str, Any] = {"UserPoolId": self._pool.user_pool_id}
        while True:
            with translated("ListUsers"):
                page = self._client.list_users(**request)
            users += [_user(found, "Attributes") for found in page.get("Users", [])]
            if not page.get("PaginationToken"):
                return users
            request["PaginationToken"] = page["PaginationToken"]

    def get_user(self, email: str) -> User:
        with translated("AdminGetUser", self._user_errors(email)):
            found = self._client.admin_get_user(UserPoolId=self._pool.user_pool_id, Username=email)
        return _user(found, "UserAttributes")

    def delete_user(self, email: str) -> None:
        with translated("AdminDeleteUser", self._user_errors(email)):
            self._client.admin_delete_user(UserPoolId=self._pool.user_pool_id, Username=email)

    def authenticate(self, email: str, password: str, *, lifetime: TokenLifetime | None = None) -> Tokens:
        client_id = self._pool.client_id
        if lifetime is not None:
            self._set_validity(lifetime)
            client_id = self._pool.tools_client_id
        errors: ErrorMapping = {
            "NotAuthorizedException": NotAuthorizedError,
            "UserNotFoundException": lambda _m: NotAuthorizedError(),
            "UserNotConfirmedException": NotAuthorizedError,
            "PasswordResetRequiredException": NotAuthorizedError,
            "InvalidParameterException": lambda message: InvalidParameterError(message, "email"),
        }
        with translated("InitiateAuth", errors):
            answer = self._client.initiate_auth(
                ClientId=client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": email, "PASSWORD": password},
            )
        result = answer.get("AuthenticationResult")
        if result is None:
            challenge = answer.get("ChallengeName", "an unknown")
            raise NotAuthorizedError(
                f"Cognito asks for the {challenge} challenge, which sdw does not answer; "
                "a user made by `sdw users create` signs in with their password alone."
            )
        return Tokens(
            id_token=result["IdToken"],
            access_token=result["AccessToken"],
            refresh_token=result.get("RefreshToken", ""),
            expires_in=int(result.get("ExpiresIn", 3600)),
            token_type=result.get("TokenType", "Bearer"),
        )

    # ------------------------------------------------------------------ helpers
    def _set_validity(self, lifetime: TokenLifetime) -> None:
        """Give ToolsClient the three validities of ``lifetime``, every other setting kept."""
        with translated("DescribeUserPoolClient"):
            current = self._client.describe_user_pool_client(
                UserPoolId=self._pool.user_pool_id, ClientId=self._pool.tools_client_id
            )["UserPoolClient"]
        wanted = {
            "IdTokenValidity": lifetime.id_token,
            "AccessTokenValidity": lifetime.access_token,
            "RefreshTokenValidity": lifetime.refresh_token,
            "TokenValidityUnits": _SECONDS,
        }
        if all(current.get(key) == value for key, value in wanted.items()):
            return
        accepted = self._client.meta.service_model.operation_model("UpdateUserPoolClient").input_shape.members
        request = {key: value for key, value in current.items() if key in accepted} | wanted
        with translated("UpdateUserPoolClient"):
            self._client.update_user_pool_client(**request)

    def _forget(self, email: str) -> None:
        """Delete a user whose creation failed half-way; a failure here is only logged."""
        try:
            with translated("AdminDeleteUser"):
                self._client.admin_delete_user(UserPoolId=self._pool.user_pool_id, Username=email)
        except Exception:
            log.warning("could not delete the half-created user %s", email, exc_info=True)

    @staticmethod
    def _user_errors(email: str) -> ErrorMapping:
        return {
            "UsernameExistsException": lambda _m: UserExistsError(email),
            "AliasExistsException": lambda _m: UserExistsError(email),
            "UserNotFoundException": lambda _m: UserNotFoundError(email),
            "InvalidPasswordException": lambda message: InvalidPasswordError([message]),
            "InvalidParameterException": lambda message: InvalidParameterError(message, "email"),
        }


def _user(found: Mapping[str, Any], attributes_key: str) -> User:
    """A User from ListUsers' ``Users[]`` (``Attributes``) or AdminGetUser (``UserAttributes``)."""
    attributes = {entry["Name"]: entry.get("Value", "") for entry in found.get(attributes_key, [])}
    created = found.get("UserCreateDate")
    created_at = (
        created.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        if isinstance(created, datetime)
        else ""
    )
    return User(
        sub=attributes.get("sub", ""),
        email=attributes.get("email", str(found.get("Username", ""))),
        created_at=created_at,
        enabled=bool(found.get("Enabled", True)),
    )
