"""Response mapping for payload format 2.0 (API Gateway developer guide, "Lambda function
response for format 2.0"), plus HTTP API's own error bodies."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sdw.local._responses import MalformedResponseError, error_response, map_lambda_result


def test_takes_a_result_without_status_code_as_a_json_body_with_status_200() -> None:
    # the guide: without statusCode, HTTP API assumes isBase64Encoded false, statusCode 200,
    # content-type application/json, and the body is the function's response
    response = map_lambda_result({"message": "hi"})
    assert response.status == 200
    assert response.header("content-type") == "application/json"
    assert json.loads(response.body) == {"message": "hi"}


@pytest.mark.parametrize(
    ("result", "body"), [("hi", b'"hi"'), (None, b"null"), ([1, 2], b"[1, 2]"), (3, b"3")]
)
def test_serializes_a_non_object_result_as_json(result: Any, body: bytes) -> None:
    response = map_lambda_result(result)
    assert (response.status, response.body) == (200, body)


def test_maps_status_code_headers_and_a_string_body() -> None:
    response = map_lambda_result(
        {"statusCode": 201, "headers": {"content-type": "text/html", "x-n": 5, "x-b": True}, "body": "<p>"}
    )
    assert response.status == 201
    assert response.body == b"<p>"
    assert response.header("content-type") == "text/html"
    assert response.header("x-n") == "5" and response.header("x-b") == "true"


@pytest.mark.parametrize("body", [{"a": [1, "x"]}, [1, 2], 3, True])
def test_refuses_a_body_that_is_not_a_string_as_http_api_does(body: Any) -> None:
    # Format 2.0 documents body as a string. Given {"statusCode": 200, "body": {...}}, HTTP API
    # answers 500 {"message":"Internal Server Error"}; its access log says the Lambda body has
    # the wrong type for field "body" (tested on AWS by the Lambda team: aws/aws-lambda-go#373).
    with pytest.raises(MalformedResponseError, match="body must be a string"):
        map_lambda_result({"statusCode": 200, "body": body})


def test_sends_an_object_returned_without_status_code_as_the_json_body() -> None:
    # the documented alternative to a string body: no statusCode, the result is the body
    response = map_lambda_result({"a": [1, "x"]})
    assert response.status == 200
    assert json.loads(response.body) == {"a": [1, "x"]}


def test_sends_text_plain_when_a_structured_response_names_no_content_type() -> None:
    # seen on HTTP API (aws-powertools/powertools-lambda-python#2464): no content-type
    # header in a response with statusCode reaches the client as text/plain
    assert map_lambda_result({"statusCode": 200, "body": "x"}).header("content-type") == (
        "text/plain; charset=utf-8"
    )


def test_turns_each_cookie_into_a_set_cookie_header() -> None:
    response = map_lambda_result({"statusCode": 200, "cookies": ["a=1; Path=/", "b=2"]})
    assert [v for k, v in response.headers if k == "set-cookie"] == ["a=1; Path=/", "b=2"]


def test_decodes_a_base64_body() -> None:
    data = bytes(range(256))
    response = map_lambda_result(
        {"statusCode": 200, "isBase64Encoded": True, "body": base64.b64encode(data).decode(),
         "headers": {"content-type": "application/octet-stream"}}
    )
    assert response.body == data


def test_ignores_multi_value_headers_which_format_2_0_does_not_have() -> None:
    response = map_lambda_result({"statusCode": 200, "multiValueHeaders": {"x-a": ["1", "2"]}})
    assert response.header("x-a") is None


def test_sends_an_empty_body_when_there_is_none() -> None:
    response = map_lambda_result({"statusCode": 204})
    assert (response.status, response.body) == (204, b"")


@pytest.mark.parametrize(
    "result",
    [
        {"statusCode": "200"},
        {"statusCode": True},
        {"statusCode": 99},
        {"statusCode": 200, "headers": ["x"]},
        {"statusCode": 200, "headers": {"x": {"y": 1}}},
        {"statusCode": 200, "headers": {"x": "a\r\nb: c"}},
        {"statusCode": 200, "cookies": "a=1"},
        {"statusCode": 200, "isBase64Encoded": True, "body": "not base64!"},
    ],
)
def test_refuses_a_malformed_response(result: dict[str, Any]) -> None:
    with pytest.raises(MalformedResponseError):
        map_lambda_result(result)


def test_writes_http_api_error_bodies_compactly() -> None:
    response = error_response(404, "Not Found")
    assert response.status == 404
    assert response.body == b'{"message":"Not Found"}'
    assert response.header("content-type") == "application/json"


# -- whatever a function returns, the gateway can send it (issue 10: a 204 with a body broke the
# ASGI response, "Response content longer than Content-Length") ---------------------------------

RESULTS = st.fixed_dictionaries(
    {"statusCode": st.integers(0, 700) | st.sampled_from([204, 205, 304, 100, 101, 103])},
    optional={
        "body": st.none() | st.text(max_size=20) | st.integers(),
        "headers": st.dictionaries(st.sampled_from(["content-length", "content-type", "x-a"]),
                                   st.text(alphabet="0123456789abc/", max_size=6), max_size=3),
        "isBase64Encoded": st.booleans(),
    },
)


@settings(max_examples=300, deadline=None)
@given(result=RESULTS)
def test_every_mapped_response_is_one_http_can_carry(result: dict[str, Any]) -> None:
    try:
        response = map_lambda_result(result)
    except MalformedResponseError:
        return  # a 500 {"message":"Internal Server Error"} the gateway sends itself
    assert 200 <= response.status <= 599
    if response.status in (204, 205, 304):
        assert response.body == b""
        assert response.header("content-length") is None


def test_a_204_or_304_with_a_body_goes_out_without_it_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING", logger="sdw.gateway"):
        no_content = map_lambda_result({"statusCode": 204, "body": "gone", "headers": {"x-kept": "1"}})
        not_modified = map_lambda_result({"statusCode": 304, "body": "{}"})
    assert (no_content.status, no_content.body, no_content.header("x-kept")) == (204, b"", "1")
    assert (not_modified.status, not_modified.body) == (304, b"")
    assert "the function's 4-byte body was dropped" in caplog.text


def test_an_informational_status_is_a_malformed_response() -> None:
    with pytest.raises(MalformedResponseError, match="from 200 to 599"):
        map_lambda_result({"statusCode": 101, "body": ""})
