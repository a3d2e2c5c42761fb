"""Python callables as Lambda functions, as the Lambda Python runtime runs them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sdw.asl import LambdaContext, LambdaFunctions, LambdaServiceError
from sdw.asl._lambda import parse_function_name


class Refused(Exception):
    pass


def identity(event: Any, context: Any) -> Any:
    return event


def raising(event: Any, context: Any) -> Any:
    raise ValueError("no good")


def bare(event: Any, context: Any) -> Any:
    raise Refused


def unserialisable(event: Any, context: Any) -> Any:
    return {"when": object()}


def raw_bytes(event: Any, context: Any) -> Any:
    return b'"raw"'


def remembers_context(event: Any, context: LambdaContext) -> Any:
    return {
        "name": context.function_name,
        "arn": context.invoked_function_arn,
        "left": context.get_remaining_time_in_millis() > 0,
    }


FUNCTIONS = LambdaFunctions(
    {
        "identity": identity,
        "raising": raising,
        "bare": bare,
        "unserialisable": unserialisable,
        "raw": raw_bytes,
        "arn:aws:lambda:us-east-1:111111111111:function:ctx": remembers_context,
    }
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("f", ("f", None)),
        ("f:prod", ("f", "prod")),
        ("arn:aws:lambda:us-east-1:123456789012:function:f", ("f", None)),
        ("arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST", ("f", "$LATEST")),
        ("123456789012:function:f:1", ("f", "1")),
        ("not a name!", ("not a name!", None)),
    ],
)
def test_function_names_resolve_as_lambda_resolves_them(name: str, expected: tuple[str, str | None]) -> None:
    assert parse_function_name(name) == expected


def test_the_result_is_serialised_as_the_python_runtime_does() -> None:
    response = FUNCTIONS.invoke("identity", b'{"a": [1, 2.5]}')
    assert response.payload == b'{"a": [1, 2.5]}'
    assert response.function_error is None
    assert response.executed_version == "$LATEST"
    assert FUNCTIONS.invoke("identity", b"").payload == b"{}"


def test_bytes_are_the_raw_payload() -> None:
    assert FUNCTIONS.invoke("raw", b"{}").payload == b'"raw"'


def test_a_function_is_found_by_arn_partial_arn_and_qualifier() -> None:
    for name in ("identity:prod", "arn:aws:lambda:us-east-1:111111111111:function:identity", "ctx"):
        assert FUNCTIONS.invoke(name, b"{}").function_error is None


def test_an_exception_becomes_the_lambda_error_document() -> None:
    response = FUNCTIONS.invoke("raising", b"{}")
    assert response.function_error == "Unhandled"
    document = json.loads(response.payload)
    assert document["errorMessage"] == "no good"
    assert document["errorType"] == "ValueError"
    assert document["requestId"] == response.request_id
    assert len(document["stackTrace"]) == 1
    assert 'in raising\n    raise ValueError("no good")\n' in document["stackTrace"][0]
    assert response.payload.decode() == json.dumps(document)  # the runtime's separators, with spaces


def test_a_bare_user_exception_has_an_empty_message() -> None:
    document = json.loads(FUNCTIONS.invoke("bare", b"{}").payload)
    assert (document["errorMessage"], document["errorType"]) == ("", "Refused")


def test_an_unserialisable_result_is_a_marshal_error() -> None:
    response = FUNCTIONS.invoke("unserialisable", b"{}")
    assert response.function_error == "Unhandled"
    assert json.loads(response.payload)["errorType"] == "Runtime.MarshalError"


def test_an_unknown_function_is_resource_not_found() -> None:
    with pytest.raises(LambdaServiceError) as info:
        FUNCTIONS.invoke("nope:live", b"{}")
    assert info.value.code == "ResourceNotFoundException"
    assert info.value.status == 404
    assert (
        info.value.message == "Function not found: arn:aws:lambda:us-east-1:111111111111:function:nope:live"
    )


def test_the_handler_gets_a_lambda_context() -> None:
    payload = json.loads(FUNCTIONS.invoke("ctx", b"{}", timeout=5).payload)
    assert payload == {
        "name": "ctx",
        "arn": "arn:aws:lambda:us-east-1:111111111111:function:ctx",
        "left": True,
    }
    assert LambdaContext("f", "arn", "id").get_remaining_time_in_millis() == 0
