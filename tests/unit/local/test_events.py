"""The payload format 2.0 event, rule by rule (API Gateway developer guide, "Create AWS
Lambda proxy integrations for HTTP APIs", payload format version 2.0)."""

from __future__ import annotations

import base64

import pytest

from sdw.local._events import (
    EventBuilder,
    EventSettings,
    GatewayRequest,
    encode_body,
    format_request_time,
    is_text_content_type,
    new_request_id,
    parse_query,
)
from sdw.system import Principal

NOW = 1584039838.5  # 2020-03-12T19:03:58.5Z


def build(request: GatewayRequest, principal: Principal | None = None) -> dict[str, object]:
    builder = EventBuilder(EventSettings(account_id="123456789012", api_id="api"), wall_clock=lambda: NOW)
    return builder.build(request, "POST /lib/echo", request_id="rid", principal=principal)


def request(**kwargs: object) -> GatewayRequest:
    values: dict[str, object] = {"method": "POST", "path": "/lib/echo"}
    values.update(kwargs)
    return GatewayRequest(**values)  # type: ignore[arg-type]


def test_builds_the_top_level_fields() -> None:
    event = build(request(raw_query="a=1"))
    assert event["version"] == "2.0"
    assert event["routeKey"] == "POST /lib/echo"
    assert event["rawPath"] == "/lib/echo"
    assert event["rawQueryString"] == "a=1"
    assert event["isBase64Encoded"] is False


def test_lower_cases_header_names_and_joins_repeated_headers_with_commas() -> None:
    headers = [(b"X-Thing", b"one"), (b"x-thing", b"two"), (b"Host", b"api.example.com")]
    event = build(request(headers=headers))
    assert event["headers"]["x-thing"] == "one,two"  # type: ignore[index]
    assert event["headers"]["host"] == "api.example.com"  # type: ignore[index]


def test_adds_the_forwarding_headers_http_api_adds() -> None:
    event = build(request(source_ip="10.1.2.3", server_port=3000))
    headers = event["headers"]
    assert headers["x-forwarded-for"] == "10.1.2.3"  # type: ignore[index]
    assert headers["x-forwarded-port"] == "3000"  # type: ignore[index]
    assert headers["x-amzn-trace-id"].startswith("Root=1-")  # type: ignore[index]


def test_moves_cookies_out_of_the_headers_into_a_list() -> None:
    event = build(request(headers=[(b"Cookie", b"a=1; b=2"), (b"cookie", b"c=3")]))
    assert event["cookies"] == ["a=1", "b=2", "c=3"]
    assert "cookie" not in event["headers"]  # type: ignore[operator]


def test_leaves_out_cookies_query_parameters_path_parameters_and_body_when_there_are_none() -> None:
    event = build(request())
    for absent in ("cookies", "queryStringParameters", "pathParameters", "body"):
        assert absent not in event


def test_decodes_query_parameters_and_joins_repeated_keys_with_commas() -> None:
    assert parse_query("a=1&a=2&b=x%20y&c=") == {"a": "1,2", "b": "x y", "c": ""}
    event = build(request(raw_query="a=1&a=2"))
    assert event["queryStringParameters"] == {"a": "1,2"}
    assert event["rawQueryString"] == "a=1&a=2"


def test_fills_the_request_context() -> None:
    headers = [(b"host", b"abc123.execute-api.us-east-1.amazonaws.com"), (b"user-agent", b"curl/8")]
    context = build(request(headers=headers, source_ip="10.0.0.9"))["requestContext"]
    assert context == {
        "accountId": "123456789012",
        "apiId": "api",
        "domainName": "abc123.execute-api.us-east-1.amazonaws.com",
        "domainPrefix": "abc123",
        "http": {"method": "POST", "path": "/lib/echo", "protocol": "HTTP/1.1", "sourceIp": "10.0.0.9",
                 "userAgent": "curl/8"},
        "requestId": "rid",
        "routeKey": "POST /lib/echo",
        "stage": "$default",
        "time": "12/Mar/2020:19:03:58 +0000",
        "timeEpoch": 1584039838500,
    }


def test_formats_the_request_time_as_aws_does_whatever_the_locale() -> None:
    assert format_request_time(NOW) == "12/Mar/2020:19:03:58 +0000"
    assert format_request_time(0) == "01/Jan/1970:00:00:00 +0000"


def test_passes_the_authorizer_claims_and_scopes() -> None:
    principal = Principal({"sub": "u1", "exp": "1700000000"}, ["openid", "email"])
    context = build(request(), principal)["requestContext"]
    assert context["authorizer"] == {  # type: ignore[index]
        "jwt": {"claims": {"sub": "u1", "exp": "1700000000"}, "scopes": ["openid", "email"]}
    }


def test_gives_null_scopes_for_a_token_without_any() -> None:
    context = build(request(), Principal({"sub": "u1"}))["requestContext"]
    assert context["authorizer"]["jwt"]["scopes"] is None  # type: ignore[index]


def test_has_no_authorizer_on_an_unauthorized_route() -> None:
    assert "authorizer" not in build(request())["requestContext"]  # type: ignore[operator]


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "text/plain", "text/html",
     "application/xml", "application/javascript", "application/vnd.api+json", "image/svg+xml"],
)
def test_passes_a_text_body_as_is(content_type: str) -> None:
    assert is_text_content_type(content_type)
    event = build(request(headers=[(b"content-type", content_type.encode())], body=b'{"a": "\xc3\xa9"}'))
    assert event["body"] == '{"a": "é"}'
    assert event["isBase64Encoded"] is False


@pytest.mark.parametrize(
    "content_type", [None, "application/octet-stream", "image/png", "application/x-www-form-urlencoded"]
)
def test_base64_encodes_any_other_body(content_type: str | None) -> None:
    headers = [(b"content-type", content_type.encode())] if content_type else []
    event = build(request(headers=headers, body=b"\x00\xffa=1"))
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\x00\xffa=1"  # type: ignore[arg-type]


def test_base64_encodes_a_text_typed_body_that_is_not_utf8() -> None:
    assert encode_body(b"\xff\xfe", "text/plain") == ("//4=", True)


def test_makes_request_ids_shaped_like_http_apis() -> None:
    ids = {new_request_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(len(i) == 16 and i.endswith("=") for i in ids)


def test_makes_version_4_uuids_for_lambda_request_ids() -> None:
    import uuid

    from sdw.local._events import new_uuid4

    values = [new_uuid4() for _ in range(200)]
    assert len(set(values)) == 200
    for value in values:
        parsed = uuid.UUID(value)
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122 and str(parsed) == value
