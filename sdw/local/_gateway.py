"""The local API Gateway HTTP API: route, authorize, invoke, map the response. No sockets.

``Gateway.handle(request)`` is the whole request path, as chalice's
``LocalGateway.handle_request`` is: sdw/local/_server.py only adapts ASGI to it, and a
test calls it directly with a ``GatewayRequest``.

The order of checks is HTTP API's: the 10 MB request limit (413), then the route (404),
then the JWT authorizer for authorized routes (401), then the integration. Errors it
answers itself, each with HTTP API's body ``{"message": ...}``:

    404 Not Found               no route for the method and path
    401 Unauthorized            no token, or one the authorizer rejects
    413 Request Entity Too Large  a body over 10 MB
    500 Internal Server Error   the function raised, timed out, failed to import, was
                                throttled (it already runs as many calls as its concurrency
                                allows: Lambda's TooManyRequestsException, which HTTP API
                                answers 500, AWS knowledge center "How do I troubleshoot
                                issues for API Gateway endpoints that integrate with Lambda?"),
                                or returned a malformed response (details in the log only)
    503 Service Unavailable     the integration ran past HTTP API's 30-second limit

One log line per request: method, path, status, duration in ms, function.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import time
from collections.abc import Callable
from typing import Any

from sdw.local._events import EventBuilder, GatewayRequest, new_request_id
from sdw.local._invoker import Invocation, LocalInvoker, Pending, ThrottledError
from sdw.local._responses import (
    INTERNAL,
    NOT_FOUND,
    TOO_LARGE,
    UNAUTHORIZED,
    UNAVAILABLE,
    GatewayResponse,
    MalformedResponseError,
    error_response,
    json_response,
    map_lambda_result,
)
from sdw.local._routing import Route, Router, SystemCall, SystemResult
from sdw.system import Authorizer, Principal, internal_error

log = logging.getLogger("sdw.gateway")

AccessLog = Callable[[str], None]


class Gateway:
    """HTTP API with a JWT authorizer in front of the project's functions and system routes."""

    MAX_BODY_BYTES = 10 * 1024 * 1024  # HTTP API's request payload quota: 10 MB
    INTEGRATION_TIMEOUT_S = 30.0  # HTTP API's maximum integration timeout

    def __init__(
        self,
        router: Router,
        invoker: LocalInvoker,
        authorizer: Authorizer,
        *,
        events: EventBuilder | None = None,
        integration_timeout: float = INTEGRATION_TIMEOUT_S,
        max_body_bytes: int = MAX_BODY_BYTES,
        access_log: AccessLog | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.router = router
        self._invoker = invoker
        self._authorizer = authorizer
        self._events = events or EventBuilder()
        self._integration_timeout = integration_timeout
        self.max_body_bytes = max_body_bytes
        self._access_log = access_log
        self._clock = clock

    async def handle(self, request: GatewayRequest) -> GatewayResponse:
        started = self._clock()
        request_id = new_request_id()
        route, response = await self._dispatch(request, request_id)
        response.headers.append(("apigw-requestid", request_id))
        if self._access_log is not None:
            ms = (self._clock() - started) * 1000
            fn = route.function if route is not None and route.function else "-"
            self._access_log(f"{request.method} {request.path} {response.status} {ms:.2f}ms {fn}")
        return response

    def too_large(self) -> GatewayResponse:
        """The 413 the server sends without reading the rest of an oversized body."""
        return error_response(TOO_LARGE[1], TOO_LARGE[0])

    async def _dispatch(
        self, request: GatewayRequest, request_id: str
    ) -> tuple[Route | None, GatewayResponse]:
        if len(request.body) > self.max_body_bytes:
            return None, self.too_large()
        matched = self.router.match(request.method, request.path)
        if matched is None:
            return None, error_response(NOT_FOUND[1], NOT_FOUND[0])
        route, params = matched
        principal: Principal | None = None
        if route.authorized:
            principal = self._authorizer.authorize(request.header("authorization"))
            if principal is None:
                return route, error_response(UNAUTHORIZED[1], UNAUTHORIZED[0])
        if route.function is not None:
            return route, await self._call_function(route, request, request_id, principal, params)
        return route, await self._call_system(route, request, principal, params)

    async def _call_function(
        self, route: Route, request: GatewayRequest, request_id: str, principal: Principal | None,
        params: dict[str, str],
    ) -> GatewayResponse:
        assert route.function is not None
        event = self._events.build(request, route.key, request_id=request_id, principal=principal,
                                   path_parameters=params)
        try:
            invocation = await self._invoke(route.function, event)
        except ThrottledError as exc:
            log.error("%s: Lambda.TooManyRequestsException: %s", route.function, exc)
            return error_response(INTERNAL[1], INTERNAL[0])
        if invocation is None:
            log.error("%s: the integration ran past HTTP API's %g-second limit", route.function,
                      self._integration_timeout)
            return error_response(UNAVAILABLE[1], UNAVAILABLE[0])
        if invocation.error is not None:
            # the error document (with its stack trace) goes to the log, never to the client
            err = invocation.error
            log.error("%s: %s: %s", route.function, err.error_type, err.error_message)
            return error_response(INTERNAL[1], INTERNAL[0])
        try:
            return map_lambda_result(invocation.payload)
        except MalformedResponseError as exc:
            log.error("%s: malformed Lambda proxy response: %s", route.function, exc)
            return error_response(INTERNAL[1], INTERNAL[0])

    async def _invoke(self, key: str, event: dict[str, Any]) -> Invocation | None:
        """The invocation, or None when HTTP API's integration limit came first (a 503)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Invocation | None] = loop.create_future()

        def done(invocation: Invocation) -> None:  # on the worker thread
            # a call abandoned at the server's shutdown finds its loop closed: nobody waits
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_settle, future, invocation)

        pending = self._invoker.start(key, event, done)
        function_first = pending.timeout <= self._integration_timeout
        timer = loop.call_later(min(pending.timeout, self._integration_timeout), _settle, future, None)
        try:
            invocation = await future
        finally:
            timer.cancel()
        if invocation is not None:
            return invocation
        if function_first:
            return self._invoker.time_out(pending)
        # the client got its 503; the function runs on until its own timeout, as on AWS
        loop.call_later(pending.timeout - self._integration_timeout, self._expire, pending)
        return None

    def _expire(self, pending: Pending) -> None:
        if pending.result is None:
            self._invoker.time_out(pending)

    async def _call_system(
        self, route: Route, request: GatewayRequest, principal: Principal | None, params: dict[str, str]
    ) -> GatewayResponse:
        assert route.system is not None
        call = SystemCall(request, params, principal)
        try:
            if route.blocking:
                result: Any = await asyncio.to_thread(route.system, call)
            else:
                result = route.system(call)
            if inspect.isawaitable(result):
                result = await result
        except Exception:
            log.exception("%s failed", route.key)
            return system_response(internal_error())  # the system route's own 500, as its Lambda answers
        return system_response(result)


def system_response(result: SystemResult) -> GatewayResponse:
    extra: dict[str, str] = getattr(result, "headers", None) or {}
    headers = list(extra.items())
    return json_response(result.status, result.body, headers)


def _settle(future: asyncio.Future[Invocation | None], value: Invocation | None) -> None:
    if not future.done():
        future.set_result(value)
