"""The system routes as one table: route keys to endpoints, and API Gateway 2.0 events to requests."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sdw.system import (
    SYSTEM_ROUTES,
    FlowEndpoints,
    LambdaHandler,
    Principal,
    SystemRequest,
    SystemResponse,
    answer_event,
    auth_handlers,
    flow_handlers,
    request_from_event,
)
from tests.unit.system.test_flows import PROJECT, FakeEngine

SYSTEM_500 = {"message": "Internal Server Error", "code": "InternalFailure",
              "error": "Internal Server Error", "status": "ERROR"}  # sdw.system's error shape

ADA_CLAIMS = {"sub": "ada-sub", "email": "ada@example.com"}


def event(route_key: str = "GET /runs", **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "requestContext": {"authorizer": {"jwt": {"claims": ADA_CLAIMS, "scopes": None}}},
        "isBase64Encoded": False,
    }
    return {**base, **fields}


def result(answer: dict[str, Any]) -> tuple[int, Any]:
    return answer["statusCode"], json.loads(answer["body"])


def test_a_request_is_read_from_the_events_parts() -> None:
    request = request_from_event(
        event(pathParameters={"flow": "f", "execution": "e"}, queryStringParameters={"a": "1,2"}, body="{}")
    )
    assert request == SystemRequest(
        Principal(ADA_CLAIMS, None), {"flow": "f", "execution": "e"}, {"a": "1,2"}, "{}"
    )


def test_a_base64_body_is_decoded_to_bytes() -> None:
    assert request_from_event(event(body="eyJhIjogMX0=", isBase64Encoded=True)).body == b'{"a": 1}'


def test_a_body_marked_base64_that_is_not_is_an_error() -> None:
    with pytest.raises(ValueError, match="not base64"):
        request_from_event(event(body="%%%", isBase64Encoded=True))


def test_an_event_without_parameters_or_authorizer_has_empty_parts() -> None:
    assert request_from_event({"routeKey": "GET /runs"}) == SystemRequest(None, {}, {}, None)


def test_every_system_route_of_the_flows_and_auth_functions_has_a_handler() -> None:
    tables = {
        "flows": flow_handlers(FlowEndpoints(FakeEngine(PROJECT), PROJECT)),
        "auth": auth_handlers(object()),  # type: ignore[arg-type]  # not called here
    }
    for function, table in tables.items():
        keys = {route.key for route in SYSTEM_ROUTES if route.function == function}
        assert set(table) == keys


def test_an_event_is_answered_by_its_route_keys_handler() -> None:
    seen: list[SystemRequest] = []

    def runs(request: SystemRequest) -> SystemResponse:
        seen.append(request)
        return SystemResponse(200, {"ok": True})

    assert result(answer_event({"GET /runs": runs}, event())) == (200, {"ok": True})
    assert seen[0].principal is not None and seen[0].principal.user_id == "ada-sub"


def test_a_route_key_the_table_lacks_is_api_gateways_not_found() -> None:
    assert result(answer_event({}, event("GET /nowhere"))) == (404, {"message": "Not Found"})
    assert result(answer_event({}, {"no": "routeKey"})) == (404, {"message": "Not Found"})


def test_a_handler_that_raises_is_a_logged_500(caplog: pytest.LogCaptureFixture) -> None:
    def broken(_request: SystemRequest) -> SystemResponse:
        raise RuntimeError("secret detail")

    assert result(answer_event({"GET /runs": broken}, event())) == (500, SYSTEM_500)
    assert "secret detail" in caplog.text


def test_a_lambda_handler_builds_its_table_once_and_again_after_a_failure() -> None:
    builds: list[int] = []

    def build() -> dict[str, Any]:
        builds.append(1)
        if len(builds) == 1:
            raise RuntimeError("SDW_STAGE is missing")
        return {"GET /runs": lambda _request: SystemResponse(200, [])}

    handler = LambdaHandler(build)
    assert handler(event(), None)["statusCode"] == 500
    assert handler(event(), None)["statusCode"] == 200
    assert handler(event(), None)["statusCode"] == 200
    assert len(builds) == 2
