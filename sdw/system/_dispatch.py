"""The system routes as calls: one table from a route key to its endpoint, for any transport.

The local gateway and the AWS Lambdas serve the same SYSTEM_ROUTES with the same logic;
only the way a request arrives differs. A SystemRequest is a request with its transport
peeled off (the caller, the path parameters, the query, the body), and ``flow_handlers``,
``auth_handlers`` and ``usage_handlers`` map each route key (``GET /run/{flow}/{execution}``)
to the endpoint that answers it.

On AWS a ``functions/base`` handler is a ``LambdaHandler``: it reads the SystemRequest out
of an API Gateway HTTP API event (payload format 2.0, ``request_from_event``), dispatches
on the event's ``routeKey`` and returns the proxy result. It builds its handler table on
the first call, once per cold start, so that importing the handler costs next to nothing
and a deployment that lacks a setting answers 500 with the reason in the log instead of
failing to import.

    event["routeKey"]                        -> which handler ("GET /runs")
    event["requestContext"]["authorizer"]    -> the principal (None: 401 from the endpoint)
    event["pathParameters"]                  -> path, URL-decoded by API Gateway
    event["queryStringParameters"]           -> query, repeated keys joined by "," as HTTP API does
    event["body"], event["isBase64Encoded"]  -> body (bytes when API Gateway base64-encoded it)

A route key the table lacks is answered as API Gateway answers a request no route
matches (404 ``{"message": "Not Found"}``); anything a handler raises is logged with its
traceback and answered 500 ``{"message": "Internal Server Error"}``, as HTTP API answers
a failed integration.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sdw.system._auth import auth_config, principal_from_event, verify_caller
from sdw.system._flows import FlowEndpoints
from sdw.system._ports import Principal, UserDirectory
from sdw.system._responses import SystemResponse, internal_error
from sdw.system._usage_endpoints import UsageEndpoints

log = logging.getLogger("sdw.system")


@dataclass(frozen=True)
class SystemRequest:
    """A request to a system route, whatever carried it."""

    principal: Principal | None
    path: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)
    body: str | bytes | None = None


SystemHandler = Callable[[SystemRequest], SystemResponse]
Handlers = Mapping[str, SystemHandler]


def flow_handlers(endpoints: FlowEndpoints) -> dict[str, SystemHandler]:
    """The flow routes of SYSTEM_ROUTES (function ``flows``), each as a call of ``endpoints``."""

    def target(request: SystemRequest) -> tuple[str, str]:
        return request.path["flow"], request.path["execution"]

    def flows(request: SystemRequest) -> SystemResponse:
        return endpoints.list_flows(request.principal, request.query)

    def start(request: SystemRequest) -> SystemResponse:
        return endpoints.start_run(request.principal, request.path["flow"], request.query, request.body)

    def describe(request: SystemRequest) -> SystemResponse:
        return endpoints.describe_run(request.principal, *target(request), request.query)

    def history(request: SystemRequest) -> SystemResponse:
        return endpoints.run_history(request.principal, *target(request), request.query)

    def stop(request: SystemRequest) -> SystemResponse:
        return endpoints.stop_run(request.principal, *target(request), request.query, request.body)

    def runs(request: SystemRequest) -> SystemResponse:
        return endpoints.list_runs(request.principal, request.query)

    return {
        "GET /flows": flows,
        "POST /run/{flow}": start,
        "GET /run/{flow}/{execution}": describe,
        "GET /run/{flow}/{execution}/history": history,
        "POST /run/{flow}/{execution}/stop": stop,
        "GET /runs": runs,
    }


def auth_handlers(directory: UserDirectory) -> dict[str, SystemHandler]:
    """The auth routes of SYSTEM_ROUTES (function ``auth``)."""

    def config(_request: SystemRequest) -> SystemResponse:
        return auth_config(directory)

    def verify(request: SystemRequest) -> SystemResponse:
        return verify_caller(request.principal)

    return {"GET /auth/config": config, "GET /auth/verify": verify}


def usage_handlers(endpoints: UsageEndpoints) -> dict[str, SystemHandler]:
    """The usage routes of SYSTEM_ROUTES (function ``api_usage``)."""

    def own(request: SystemRequest) -> SystemResponse:
        return endpoints.own_usage(request.principal, request.query)

    def user(request: SystemRequest) -> SystemResponse:
        return endpoints.user_usage(request.principal, request.path["user_id"], request.query)

    return {"GET /usage": own, "GET /usage/{user_id}": user}


def request_from_event(event: Mapping[str, Any]) -> SystemRequest:
    """The SystemRequest an API Gateway HTTP API (payload 2.0) event carries.

    >>> request_from_event({"pathParameters": {"flow": "f"}, "body": "e30=", "isBase64Encoded": True}).body
    b'{}'
    """
    body = event.get("body")
    if isinstance(body, str) and event.get("isBase64Encoded"):
        try:
            body = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("the event's body is marked isBase64Encoded but is not base64") from None
    return SystemRequest(
        principal=principal_from_event(event),
        path=_strings(event.get("pathParameters")),
        query=_strings(event.get("queryStringParameters")),
        body=body if isinstance(body, (str, bytes)) else None,
    )


def answer_event(handlers: Handlers | Callable[[], Handlers], event: Mapping[str, Any]) -> dict[str, Any]:
    """The Lambda proxy result for ``event``: its ``routeKey``'s handler's answer.

    ``handlers`` is the table, or a function that builds it (called inside the same
    guard, so a table that cannot be built is a logged 500, not a crash).
    """
    try:
        table = handlers() if callable(handlers) else handlers
        route_key = event.get("routeKey")
        handler = table.get(route_key) if isinstance(route_key, str) else None
        if handler is None:
            log.error("no system handler for the route key %r", route_key)
            return SystemResponse(404, {"message": "Not Found"}).as_lambda_result()
        return handler(request_from_event(event)).as_lambda_result()
    except Exception:
        log.exception("the system handler failed")
        return internal_error().as_lambda_result()


class LambdaHandler:
    """A ``functions/base`` Lambda handler: ``handler(event, context)`` over a lazily built table.

    ``build`` runs at the first invocation and its table is kept for the life of the
    instance (one cold start); if it raises, that invocation is a logged 500 and the next
    one tries again.
    """

    def __init__(self, build: Callable[[], Handlers]) -> None:
        self._build = build
        self._handlers: Handlers | None = None

    def __call__(self, event: Mapping[str, Any], context: Any = None) -> dict[str, Any]:
        return answer_event(self.handlers, event)

    def handlers(self) -> Handlers:
        if self._handlers is None:
            self._handlers = self._build()
        return self._handlers


def _strings(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        return {}
    return {str(key): str(item) for key, item in value.items()}
