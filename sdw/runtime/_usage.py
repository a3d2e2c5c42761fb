"""``track_usage_middleware``: the decorator the seed's functions put on their handler.

Every function of a seed-shaped project starts with

    from functions.base.api_usage.handler import track_usage_middleware

    @track_usage_middleware
    def handler(event, context): ...

``functions/base/api_usage/handler.py`` re-exports this one, so the decorator lives in one
place and a function keeps importing it from where the seed put it. The wrapper counts
the call, then calls the handler: the event, the context, the result and any exception
pass through untouched, and ``functools.wraps`` keeps the handler's name, docstring and
signature (``inspect.signature`` follows ``__wrapped__``).

What counts: one call per *authorized request*, for the caller's ``sub``, in the UTC month
of the call (``YYYY-MM``). The caller is read from the claims the JWT authorizer put in
the event: HTTP API's ``requestContext.authorizer.jwt.claims`` (what sdw deploys and
``sdw dev`` sends), or a REST API Cognito authorizer's ``requestContext.authorizer.claims``.
An event without them (a flow's Task, a test calling the handler directly) is not a
request and is not counted: the flow was counted once, at its ``POST /run``.

Where it counts: the :class:`UsageMeter` of the call's context. ``sdw dev`` runs each call
inside ``metering(meter)`` over the local usage table (the contextvar reaches the
invoker's worker thread); inside a deployed Lambda nothing sets it, and the meter is made
once per instance from ``SDW_USAGE_TABLE`` (the deploy sets it) over DynamoDB. Counting is
one atomic update (``UsageRecorder.record_call``), never a read and a write.

Fault-tolerant, as the seed promised: a count that fails (DynamoDB throttling, a missing
table) is logged as a warning and the call goes on; usage never costs a user their
answer. Neither is a call lost to the count: it happens before the handler runs, so a
handler that raises or times out has still been counted, as an API call it was.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from typing import Any, ParamSpec, Protocol, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

log = logging.getLogger("sdw.runtime")
USAGE_TABLE_VARIABLE = "SDW_USAGE_TABLE"


class UsageRecorder(Protocol):
    """The usage table's one write (sdw.system's UsageStore has it): count a call atomically."""

    def record_call(self, user_id: str, year_month: str) -> int | None: ...


class UsageMeter:
    """Counts calls of users in the month of ``clock()``; a failure is logged, never raised."""

    def __init__(self, recorder: UsageRecorder, *, clock: Callable[[], float] = time.time) -> None:
        self._recorder = recorder
        self._clock = clock

    def count(self, user_id: str) -> bool:
        """Count one call of ``user_id`` now; False (and a warning in the log) if that failed."""
        month = time.strftime("%Y-%m", time.gmtime(self._clock()))
        try:
            self._recorder.record_call(user_id, month)
        except Exception as exc:  # the call must go on: usage is bookkeeping, not the answer
            log.warning("usage: a call of user %s in %s was not counted: %s", user_id, month, exc)
            return False
        return True


_current: ContextVar[UsageMeter | None] = ContextVar("sdw_usage_meter", default=None)


@contextlib.contextmanager
def metering(meter: UsageMeter | None) -> Iterator[None]:
    """Count the decorated calls made inside the block with ``meter`` (the local runtime's)."""
    token = _current.set(meter)
    try:
        yield
    finally:
        _current.reset(token)


def caller_sub(event: Any) -> str | None:
    """The ``sub`` of the caller an API Gateway authorizer let in, or None for any other event.

    >>> caller_sub({"requestContext": {"authorizer": {"jwt": {"claims": {"sub": "a1"}}}}})
    'a1'
    >>> caller_sub({"value": 1}) is None
    True
    """
    context = event.get("requestContext") if isinstance(event, Mapping) else None
    authorizer = context.get("authorizer") if isinstance(context, Mapping) else None
    if not isinstance(authorizer, Mapping):
        return None
    jwt = authorizer.get("jwt")
    claims = jwt.get("claims") if isinstance(jwt, Mapping) else authorizer.get("claims")
    sub = claims.get("sub") if isinstance(claims, Mapping) else None
    return sub if isinstance(sub, str) and sub else None


def create_lambda_meter(environ: Mapping[str, str]) -> UsageMeter | None:
    """The meter of a deployed Lambda: the table ``SDW_USAGE_TABLE`` names (None, and a warning, without)."""
    table = environ.get(USAGE_TABLE_VARIABLE)
    if not table:
        log.warning(
            "usage: calls are not counted: %s is not set (neither `sdw dev` nor a deployed stage "
            "runs this function)",
            USAGE_TABLE_VARIABLE,
        )
        return None
    from sdw.aws import create_usage_store  # boto3: only inside a Lambda, only when it counts

    return UsageMeter(create_usage_store(table, region=environ.get("AWS_REGION") or None))


class _LambdaMeter:
    """The meter of this Lambda instance: made at its first counted call, then kept."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ
        self._lock = threading.Lock()
        self._meter: UsageMeter | None = None
        self._looked = False

    def get(self) -> UsageMeter | None:
        with self._lock:
            if not self._looked:
                self._looked = True
                self._meter = create_lambda_meter(self._environ)
            return self._meter


_lambda_meter = _LambdaMeter(os.environ)


def current_meter() -> UsageMeter | None:
    """The meter of this call: the one ``metering`` set, else the Lambda instance's (or None)."""
    meter = _current.get()
    return meter if meter is not None else _lambda_meter.get()


def track_usage_middleware(handler: Callable[P, R]) -> Callable[P, R]:
    """Wrap a Lambda handler ``handler(event, context)``: count the caller's call, then call it."""

    @functools.wraps(handler)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        event = args[0] if args else kwargs.get("event")
        user = caller_sub(event)
        if user is not None:
            meter = current_meter()
            if meter is not None:
                meter.count(user)
        return handler(*args, **kwargs)

    return wrapper
