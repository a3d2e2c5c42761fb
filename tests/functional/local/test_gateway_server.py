"""The local gateway over real HTTP: functions, AWS's error answers, warm and reloaded handlers."""

from __future__ import annotations

import logging
import os
import time

import pytest

from .conftest import Server


def test_answers_ping_with_a_valid_id_token(server: Server) -> None:
    response = server.call("ping")
    assert response.status_code == 200
    assert response.text == "I am alive"
    assert response.headers["apigw-requestid"]


def test_accepts_the_access_token_too(server: Server) -> None:
    assert server.call("ping", token=server.tokens.access_token).status_code == 200


def test_sends_the_2_0_event_with_the_callers_claims(server: Server) -> None:
    response = server.call("echo", params=[("a", "1"), ("a", "2")], content="{\"x\": 1}",
                           headers={"content-type": "application/json", "X-Dup": "one",
                                    "cookie": "c1=v1; c2=v2"})
    event = response.json()
    assert event["version"] == "2.0" and event["routeKey"] == "POST /lib/echo"
    assert event["rawQueryString"] == "a=1&a=2"
    assert event["queryStringParameters"] == {"a": "1,2"}
    assert event["cookies"] == ["c1=v1", "c2=v2"]
    assert event["headers"]["x-dup"] == "one"
    assert event["body"] == '{"x": 1}' and event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["http"]["method"] == "POST" and context["http"]["sourceIp"] == "127.0.0.1"
    assert context["stage"] == "$default"
    claims = context["authorizer"]["jwt"]["claims"]
    assert claims["email"] == server.email and claims["token_use"] == "id"
    assert isinstance(claims["exp"], str)  # HTTP API passes every claim as a string


def test_base64_encodes_a_binary_body(server: Server) -> None:
    event = server.call("echo", content=b"\x00\x01", headers={"content-type": "image/png"}).json()
    assert event["isBase64Encoded"] is True and event["body"] == "AAE="


def test_answers_404_not_found_for_an_unknown_function(server: Server) -> None:
    response = server.call("nope")
    assert response.status_code == 404
    assert response.content == b'{"message":"Not Found"}'


def test_answers_500_when_the_handler_raises_and_keeps_the_traceback_out_of_the_body(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="sdw"):
        response = server.call("boom")
    assert response.status_code == 500
    assert response.content == b'{"message":"Internal Server Error"}'
    assert "hunter2" not in response.text and "Traceback" not in response.text
    assert "Traceback" in caplog.text and "hunter2" in caplog.text  # the log keeps it


def test_answers_a_function_past_its_timeout_as_aws_does(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    # Lambda ends the call with "Task timed out after 1.00 seconds" (a function error);
    # HTTP API answers a failed Lambda integration with 500 {"message":"Internal Server Error"}
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="sdw"):
        response = server.call("slow")
    assert response.status_code == 500
    assert response.content == b'{"message":"Internal Server Error"}'
    assert 0.9 < time.monotonic() - started < 2.4
    assert "Task timed out after 1.00 seconds" in caplog.text


def test_answers_a_call_past_the_integration_limit_with_503(server: Server) -> None:
    # HTTP API gives up on an integration after its timeout (30 s at most) and answers
    # 503 {"message":"Service Unavailable"}; the limit is 1 s in this test, the function's 5 s
    started = time.monotonic()
    response = server.call("stuck")
    assert response.status_code == 503
    assert response.content == b'{"message":"Service Unavailable"}'
    assert time.monotonic() - started < 2.4


def test_answers_413_for_an_11_mb_body(server: Server) -> None:
    # HTTP API's payload quota is 10 MB; above it the request never reaches the function
    response = server.call("echo", content=b"x" * (11 * 1024 * 1024))
    assert response.status_code == 413
    assert response.json() == {"message": "Request Entity Too Large"}
    assert server.call("ping").status_code == 200  # and the server goes on


def test_keeps_module_state_between_calls_as_a_warm_lambda(server: Server) -> None:
    first = server.call("counter").json()["calls"]
    assert server.call("counter").json()["calls"] == first + 1


def test_reloads_an_edited_handler_and_that_one_alone(server: Server) -> None:
    counted = server.call("counter").json()["calls"]
    handler = server.project / "functions" / "lib" / "version" / "handler.py"
    assert server.call("version").json() == {"version": 1}
    handler.write_text("def handler(event, context):\n    return {'version': 2}\n")
    later = time.time() + 5
    os.utime(handler, (later, later))  # a new mtime even on a coarse-grained file system
    deadline = time.monotonic() + 5
    while server.call("version").json() != {"version": 2}:
        assert time.monotonic() < deadline, "the edited handler was never reloaded"
        time.sleep(0.1)
    assert server.call("counter").json()["calls"] == counted + 1  # counter kept its state


def test_reports_a_syntax_error_with_file_and_line_while_the_others_serve(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="sdw"):
        response = server.call("broken")
    assert response.status_code == 500
    assert response.content == b'{"message":"Internal Server Error"}'
    assert "broken/handler.py:2: Syntax error in module 'functions/lib/broken/handler'" in caplog.text
    assert server.call("ping").status_code == 200
    failures = {f.file.split("/")[-2]: f for f in server.runtime.invoker.check_syntax()}
    assert list(failures) == ["broken"]
    assert failures["broken"].line == 2


def test_serves_auth_config_without_a_token(server: Server) -> None:
    config = server.client.get("/auth/config").json()
    assert config["issuer"] == f"{server.url}/{config['userPoolId']}"
    jwks = server.client.get(f"/{config['userPoolId']}/.well-known/jwks.json").json()
    assert jwks["keys"][0]["alg"] == "RS256"
    discovery = server.client.get(f"/{config['userPoolId']}/.well-known/openid-configuration").json()
    assert discovery["issuer"] == config["issuer"]


def test_verifies_the_caller_on_auth_verify(server: Server) -> None:
    assert server.client.get("/auth/verify").status_code == 401
    bearer = {"authorization": f"Bearer {server.tokens.id_token}"}
    response = server.client.get("/auth/verify", headers=bearer)
    assert response.status_code == 200
    assert response.json()["claims"]["email"] == server.email


def test_serves_a_plugins_function_under_its_namespace_beside_the_projects_own(server: Server) -> None:
    assert server.call("billing/ping").json() == {"plugin": "billing"}
    assert server.call("ping").text == "I am alive"


def test_answers_500_to_a_dict_body_as_http_api_does(server: Server) -> None:
    # {"statusCode": 200, "body": {...}}: HTTP API refuses a body that is not a string with
    # 500 {"message":"Internal Server Error"} (aws/aws-lambda-go#373, tested on AWS)
    response = server.call("dict_body")
    assert response.status_code == 500
    assert response.json() == {"message": "Internal Server Error"}
