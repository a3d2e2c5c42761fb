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
class TokenLifetime:
    """How long the tokens of one sign-in live, in seconds, each within Cognito's limits.

    Cognito sets validity per app client and per token type: ID and access tokens live
    5 minutes to 1 day, refresh tokens 60 minutes to 3650 days. ``sdw.system``'s
    ``token_lifetime`` turns one requested duration into these three values.
    """

    id_token: int
    access_token: int
    refresh_token: int


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

    @property
    def groups(self) -> frozenset[str]:
        """The user pool groups of the caller, from the ``cognito:groups`` claim.

        HTTP API hands an array claim to the integration as ``"[admin editors]"`` (see
        sdw/local/_authorizer.py); a claims mapping made by hand may hold the list itself.
        A group name has no white space (Cognito's pattern), so splitting on it is exact.
        """
        value = self.claims.get("cognito:groups")
        if isinstance(value, list | tuple):
            return frozenset(str(item) for item in value)
        if isinstance(value, str):
            return frozenset(value.strip().removeprefix("[").removesuffix("]").split())
        return frozenset()


class UserDirectory(Protocol):
    """Users and their tokens: a local pool on one machine, Cognito on AWS."""

    def config(self) -> PoolConfig: ...

    def create_user(self, email: str, password: str) -> User: ...

    def list_users(self) -> list[User]: ...

    def get_user(self, email: str) -> User:
        """The user signing in with ``email``; UserNotFoundError when there is none."""
        ...

    def delete_user(self, email: str) -> None: ...

    def authenticate(self, email: str, password: str, *, lifetime: TokenLifetime | None = None) -> Tokens:
        """InitiateAuth USER_PASSWORD_AUTH; ``lifetime`` None keeps the pool's default validity."""
        ...


class Authorizer(Protocol):
    """Verifies a request's token exactly as API Gateway's JWT authorizer does."""

    def authorize(self, authorization: str | None) -> Principal | None:
        """The principal for a valid ``Authorization`` header value, else None (a 401)."""
        ...


# --------------------------------------------------------------------------- flows


class ExecutionStatus:
    """The status values of DescribeExecution."""

    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    TIMED_OUT = "TIMED_OUT"
    ABORTED = "ABORTED"
    ALL = (RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED)


@dataclass(frozen=True)
class ExecutionSummary:
    """One execution as ListExecutions describes it, plus who started it.

    ``execution_id`` is the execution's name (a UUID unless the caller gave one);
    ``flow`` the flow's key in the project (``helloWorldFlow``, ``plugin/flow``). Dates
    are ISO-8601 UTC with milliseconds (``2026-11-25T10:00:00.123Z``).
    """

    execution_arn: str
    execution_id: str
    flow: str
    state_machine_arn: str
    owner: str
    status: str
    start_date: str
    stop_date: str | None = None


@dataclass(frozen=True)
class ExecutionDescription(ExecutionSummary):
    """DescribeExecution: the summary plus input, output (JSON values), error and cause."""

    input: Any = None
    output: Any = None
    error: str | None = None
    cause: str | None = None


@dataclass(frozen=True)
class Page:
    """One page of a listing; ``next_token`` is opaque, None on the last page."""

    items: list[Any]
    next_token: str | None = None


class FlowEngine(Protocol):
    """Runs the project's flows: the local durable engine on one machine, Step Functions on AWS.

    Errors are ``sdw.system`` ServiceErrors carrying Step Functions' exception names:
    an unknown flow (StateMachineDoesNotExist), an unknown execution (ExecutionDoesNotExist),
    a reused name with other input (ExecutionAlreadyExists, 409), a bad token or limit
    (InvalidToken / InvalidParameterError).
    """

    def start(self, flow: str, input: Any, *, owner: str, name: str | None = None) -> ExecutionSummary:
        """StartExecution. The same ``name`` with the same input returns the same execution."""
        ...

    def describe(self, execution: str) -> ExecutionDescription:
        """DescribeExecution by id (name) or execution ARN."""
        ...

    def list(
        self,
        *,
        owner: str,
        flow: str | None = None,
        status: str | None = None,
        limit: int = 100,
        next_token: str | None = None,
    ) -> Page:
        """The owner's executions, newest first, from an index; items are ExecutionSummary."""
        ...

    def history(
        self, execution: str, *, limit: int = 100, next_token: str | None = None, reverse: bool = False
    ) -> Page:
        """GetExecutionHistory: items are the events as Step Functions shapes them (dicts)."""
        ...

    def stop(
        self, execution: str, *, error: str | None = None, cause: str | None = None
    ) -> ExecutionDescription:
        """StopExecution: a running execution ends ABORTED; a finished one is left as it is."""
        ...


# --------------------------------------------------------------------------- usage


@dataclass(frozen=True)
class MonthlyUsage:
    """One row of the usage table: a user's authorized calls in one month."""

    year_month: str  # "2026-12"
    api_calls: int


class UsageStore(Protocol):
    """Calls per user per month: a SQLite table on one machine, the DynamoDB table on AWS.

    Both have the seed's schema: ``userId`` (hash), ``yearMonth`` (range, ``YYYY-MM``),
    ``apiCalls`` (a number) and ``ttl`` (epoch seconds: the end of that month plus 90 days,
    fixed when the row is made, never sliding; ``usage_ttl``).
    """

    def record_call(self, user_id: str, year_month: str) -> int | None:
        """Count one call atomically (``ADD apiCalls :1``); the month's count after it (None from
        a store that adds its counts in batches, sdw.local's BufferedUsageStore)."""
        ...

    def usage(self, user_id: str, *, start: str | None = None, end: str | None = None) -> list[MonthlyUsage]:
        """The user's months from ``start`` to ``end`` (``YYYY-MM``, both inclusive), oldest first."""
        ...


@dataclass(frozen=True)
class StoredParameter:
    """What a listing shows of a stored secret or connection (the local store's, SSM's): never its value."""

    name: str
    path: str  # the SSM parameter: /<service>/<stage>/<NAME>, /<service>/<stage>/connections/<name>
    updated: str  # ISO-8601 UTC
    type: str | None = None  # a connection's type
