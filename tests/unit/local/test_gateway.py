"""The gateway core without a socket: routing, authorizer, invocation, AWS's error answers."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

from sdw.local._events import GatewayRequest
from sdw.local._gateway import Gateway
from sdw.local._invoker import Handler
from sdw.local._routing import Router, SystemCall
from sdw.system import SystemResponse

from ._doubles import GOOD_TOKEN, FakeAuthorizer, answer, make_invoker


def make_gateway(
    handlers: dict[str, Handler | Exception], **options: Any
) -> tuple[Gateway, FakeAuthorizer, list[str]]:
    timeouts = options.pop("timeouts", None)
    invoker = make_invoker(handlers, timeouts=timeouts)
    router = Router()
    for key in handlers:
        router.add_function(key)
    authorizer = FakeAuthorizer()
    lines: list[str] = []
    return Gateway(router, invoker, authorizer, access_log=lines.append, **options), authorizer, lines


def call(
    gateway: Gateway, path: str, *, token: str | None = GOOD_TOKEN, body: bytes = b"", method: str = "POST"
) -> Any:
    headers = [(b"authorization", token.encode())] if token else []
    return asyncio.run(gateway.handle(GatewayRequest(method, path, headers=headers, body=body)))


def test_answers_200_with_the_mapped_result_and_a_request_id() -> None:
    gateway, _, lines = make_gateway({"ping": answer({"statusCode": 200, "body": "I am alive"})})
    response = call(gateway, "/lib/ping")
    assert (response.status, response.body) == (200, b"I am alive")
    assert response.header("apigw-requestid")
    (line,) = lines
    method, path, status, duration, function = line.split(" ")
    assert (method, path, status, function) == ("POST", "/lib/ping", "200", "ping")
    assert duration.endswith("ms")


def test_passes_the_2_0_event_with_the_route_key_and_claims() -> None:
    seen: dict[str, Any] = {}

    def handler(event: Any, context: Any) -> None:
        seen.update(event)

    gateway, _, _ = make_gateway({"echo": handler})
    call(gateway, "/lib/echo", body=b"{}")
    assert seen["routeKey"] == "POST /lib/echo"
    assert seen["requestContext"]["authorizer"]["jwt"]["claims"]["sub"] == "user-1"


def test_answers_404_not_found_for_no_route() -> None:
    gateway, authorizer, lines = make_gateway({"ping": answer(1)})
    for path, method in (("/lib/pong", "POST"), ("/lib/ping", "GET"), ("/", "GET")):
        response = call(gateway, path, method=method)
        assert (response.status, response.body) == (404, b'{"message":"Not Found"}')
    assert authorizer.calls == []  # HTTP API routes first: an unknown route never reaches the authorizer
    assert lines[0].endswith(" 404 " + lines[0].split(" ")[3] + " -")


def test_answers_401_unauthorized_without_a_valid_token_and_never_calls_the_function() -> None:
    calls: list[int] = []
    gateway, _, _ = make_gateway({"ping": lambda e, c: calls.append(1)})
    for token in (None, "Bearer bad", "good"):
        response = call(gateway, "/lib/ping", token=token)
        assert (response.status, response.body) == (401, b'{"message":"Unauthorized"}')
    assert calls == []


def test_answers_500_when_the_handler_raises_with_no_detail_in_the_body() -> None:
    def handler(event: Any, context: Any) -> None:
        raise RuntimeError("secret detail")

    gateway, _, _ = make_gateway({"boom": handler})
    response = call(gateway, "/lib/boom")
    assert (response.status, response.body) == (500, b'{"message":"Internal Server Error"}')


def test_answers_500_for_a_malformed_response_and_a_failed_import() -> None:
    gateway, _, _ = make_gateway({"bad": answer({"statusCode": "200"}), "gone": ImportError("x")})
    assert call(gateway, "/lib/bad").status == 500
    assert call(gateway, "/lib/gone").body == b'{"message":"Internal Server Error"}'


def test_answers_500_when_the_function_times_out_first() -> None:
    # Lambda reports "Task timed out" as a function error; HTTP API answers a function
    # error with 500 {"message":"Internal Server Error"}
    release = threading.Event()
    gateway, _, _ = make_gateway({"slow": lambda e, c: release.wait(5)}, timeouts={"slow": 1})
    try:
        response = call(gateway, "/lib/slow")
    finally:
        release.set()
    assert (response.status, response.body) == (500, b'{"message":"Internal Server Error"}')


def test_answers_503_when_the_integration_runs_past_http_apis_limit() -> None:
    # HTTP API's integration timeout (30 s at most) answers 503 {"message":"Service Unavailable"}
    release = threading.Event()
    gateway, _, _ = make_gateway({"slow": lambda e, c: release.wait(5)}, timeouts={"slow": 6},
                                 integration_timeout=0.05)
    try:
        response = call(gateway, "/lib/slow")
    finally:
        release.set()
    assert (response.status, response.body) == (503, b'{"message":"Service Unavailable"}')


def test_answers_413_for_a_body_over_the_limit_before_routing() -> None:
    gateway, authorizer, _ = make_gateway({"ping": answer(1)}, max_body_bytes=10)
    response = call(gateway, "/lib/ping", body=b"x" * 11)
    assert (response.status, response.body) == (413, b'{"message":"Request Entity Too Large"}')
    assert authorizer.calls == []
    assert call(gateway, "/lib/ping", body=b"x" * 10).status == 200


def test_serves_system_routes_with_and_without_the_authorizer() -> None:
    gateway, _, _ = make_gateway({})

    def whoami(call: SystemCall) -> SystemResponse:
        assert call.principal is not None
        return SystemResponse(200, {"sub": call.principal.user_id, "id": call.path_parameters["id"]})

    async def open_config(call: SystemCall) -> SystemResponse:
        return SystemResponse(200, {"open": True})

    gateway.router.add_system("GET", "/me/{id}", whoami, authorized=True, blocking=True)
    gateway.router.add_system("GET", "/config", open_config, authorized=False)
    response = call(gateway, "/me/7", method="GET")
    assert response.status == 200 and json.loads(response.body) == {"sub": "user-1", "id": "7"}
    assert call(gateway, "/me/7", method="GET", token=None).status == 401
    assert json.loads(call(gateway, "/config", method="GET", token=None).body) == {"open": True}


def test_answers_500_when_a_system_route_fails() -> None:
    gateway, _, _ = make_gateway({})

    def broken(call: SystemCall) -> SystemResponse:
        raise RuntimeError("db is gone")

    gateway.router.add_system("GET", "/broken", broken, authorized=False)
    assert json.loads(call(gateway, "/broken", method="GET").body) == {  # the system routes' error shape
        "message": "Internal Server Error", "code": "InternalFailure", "error": "Internal Server Error",
        "status": "ERROR",
    }
