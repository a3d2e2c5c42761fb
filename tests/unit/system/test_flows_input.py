"""The request checks of the flow endpoints: bodies, names, query values, execution references."""

from __future__ import annotations

import json

import pytest

from sdw.system import InvalidParameterError, ServiceError
from sdw.system._flows_input import (
    MAX_INPUT_BYTES,
    InvalidArnError,
    InvalidExecutionInputError,
    InvalidNameError,
    check_query,
    execution_arn,
    parse_execution_input,
    parse_execution_name,
    parse_limit,
    parse_next_token,
    parse_reverse,
    parse_status,
    parse_stop_body,
    resolve_execution,
)

MACHINE = "arn:aws:states:us-east-1:000000000000:stateMachine:helloWorldFlow"
RUN_1 = "arn:aws:states:us-east-1:000000000000:execution:helloWorldFlow:run-1"


def message_of(error: pytest.ExceptionInfo[ServiceError]) -> str:
    return error.value.message


def test_an_empty_body_is_an_empty_object_with_the_owner() -> None:
    assert parse_execution_input(b"", "sub-1") == {"__user_id": "sub-1"}
    assert parse_execution_input(None, "sub-1") == {"__user_id": "sub-1"}
    assert parse_execution_input(" \n\t", "sub-1") == {"__user_id": "sub-1"}


def test_the_owner_overrides_a_user_id_the_client_sent() -> None:
    body = json.dumps({"name": "Ada", "__user_id": "someone-else"}).encode()
    assert parse_execution_input(body, "sub-1") == {"name": "Ada", "__user_id": "sub-1"}


def test_invalid_json_says_the_line_and_column_where_it_fails() -> None:
    with pytest.raises(InvalidExecutionInputError) as error:
        parse_execution_input(b'{\n  "a": 1,\n  "b": }', "sub-1")
    assert message_of(error) == "The execution input is not valid JSON: Expecting value at line 3, column 8."
    assert error.value.code == "InvalidExecutionInput" and error.value.status == 400


@pytest.mark.parametrize(
    ("body", "kind"),
    [(b"[1, 2]", "an array"), (b'"text"', "a string"), (b"3", "a number"), (b"null", "null"),
     (b"true", "a boolean")],
)
def test_an_input_that_is_not_an_object_is_refused_naming_what_it_is(body: bytes, kind: str) -> None:
    with pytest.raises(InvalidExecutionInputError) as error:
        parse_execution_input(body, "sub-1")
    assert f"must be a JSON object, not {kind}" in message_of(error)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_python_only_numbers_are_not_json(constant: str) -> None:
    with pytest.raises(InvalidExecutionInputError) as error:
        parse_execution_input(f'{{"x": {constant}}}'.encode(), "sub-1")
    assert message_of(error) == f"The execution input is not valid JSON: {constant} is not a JSON value."


def test_a_body_that_is_not_utf8_says_which_byte() -> None:
    with pytest.raises(InvalidExecutionInputError) as error:
        parse_execution_input(b'{"a": "\xff"}', "sub-1")
    assert message_of(error) == "The execution input is not UTF-8: byte 7 (0xff) starts no character."


def test_a_body_nested_too_deeply_is_refused_not_crashed_on() -> None:
    deep = b'{"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with pytest.raises(InvalidExecutionInputError) as error:
        parse_execution_input(deep, "sub-1")
    assert "nested too deeply" in message_of(error)


def test_a_body_over_256_kib_is_refused_with_the_limit_in_the_message() -> None:
    body = json.dumps({"data": "x" * MAX_INPUT_BYTES}).encode()
    with pytest.raises(InvalidExecutionInputError) as error:
        parse_execution_input(body, "sub-1")
    assert message_of(error) == (
        f"The request body is {len(body)} bytes; Step Functions accepts at most 262144 bytes (256 KiB) "
        "of execution input."
    )


def test_the_limit_counts_the_input_with_the_owner_added() -> None:
    room = MAX_INPUT_BYTES - len('{"data":"","__user_id":"sub-1"}')
    fits = json.dumps({"data": "x" * room}, separators=(",", ":")).encode()
    assert len(json.dumps(parse_execution_input(fits, "sub-1"), separators=(",", ":"))) == MAX_INPUT_BYTES
    with pytest.raises(InvalidExecutionInputError) as error:
        parse_execution_input(fits, "sub-12")
    expected = f"The execution input (with __user_id added) is {MAX_INPUT_BYTES + 1} bytes"
    assert message_of(error).startswith(expected)


def test_a_name_is_optional_and_kept_as_given() -> None:
    assert parse_execution_name(None) is None
    assert parse_execution_name("nightly-2027-01-15_run.1") == "nightly-2027-01-15_run.1"
    assert parse_execution_name("x" * 80) == "x" * 80


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("", "it is empty"),
        ("x" * 81, "it has 81 characters; at most 80 are"),
        ("a b", "' ' is not allowed"),
        ("a:b", "':' is not allowed"),
        ("a/b", "'/' is not allowed"),
        ("a%b", "'%' is not allowed"),
        ("a\x07b", "'\\x07' is not allowed"),
        ("a{b}", "'{' is not allowed"),
    ],
)
def test_a_name_step_functions_refuses_is_a_400_saying_why(name: str, reason: str) -> None:
    with pytest.raises(InvalidNameError) as error:
        parse_execution_name(name)
    assert message_of(error).startswith(f"Invalid execution name in ?name=: {reason}")
    assert error.value.code == "InvalidName" and error.value.status == 400


def test_the_stop_body_is_optional() -> None:
    assert parse_stop_body(b"") == (None, None)
    assert parse_stop_body(None) == (None, None)
    assert parse_stop_body(b"{}") == (None, None)
    assert parse_stop_body(b'{"error": "Cancelled", "cause": "by hand"}') == ("Cancelled", "by hand")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"{", "The request body is not valid JSON: Expecting property name enclosed in double quotes at "
               "line 1, column 2."),
        (b"[]", 'The request body must be a JSON object such as {"error": ..., "cause": ...}, not an array.'),
        (b'{"reason": "x"}',
         "Unknown key 'reason' in the request body; only 'error' and 'cause' are accepted."),
        (b'{"error": 5}', "'error' in the request body must be a string, not a number."),
        (b'{"cause": ["a"]}', "'cause' in the request body must be a string, not an array."),
        (json.dumps({"error": "e" * 257}).encode(),
         "'error' in the request body is 257 characters; StopExecution accepts at most 256."),
        (json.dumps({"cause": "c" * 32769}).encode(),
         "'cause' in the request body is 32769 characters; StopExecution accepts at most 32768."),
    ],
)
def test_a_bad_stop_body_is_a_400_saying_what_is_wrong(body: bytes, expected: str) -> None:
    with pytest.raises(InvalidParameterError) as error:
        parse_stop_body(body)
    assert message_of(error) == expected and error.value.status == 400


def test_an_unknown_query_parameter_is_named_with_the_ones_accepted() -> None:
    check_query({"limit": "5"}, ("limit", "status"))
    with pytest.raises(InvalidParameterError) as error:
        check_query({"Status": "RUNNING"}, ("limit", "status"))
    assert message_of(error) == "Unknown query parameter 'Status'; this endpoint accepts: limit, status."
    with pytest.raises(InvalidParameterError) as error:
        check_query({"x": ""}, ())
    assert message_of(error) == "Unknown query parameter 'x'; this endpoint accepts: none."


def test_limit_is_100_by_default_and_from_1_to_1000() -> None:
    assert parse_limit(None) == 100
    assert parse_limit("1") == 1
    assert parse_limit("1000") == 1000


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", "Invalid ?limit=0: it must be from 1 to 1000."),
        ("1001", "Invalid ?limit=1001: it must be from 1 to 1000."),
        ("-3", "Invalid ?limit=-3: it must be from 1 to 1000."),
        ("ten", "Invalid ?limit='ten': it must be a whole number from 1 to 1000."),
        ("", "Invalid ?limit='': it must be a whole number from 1 to 1000."),
        ("2.5", "Invalid ?limit='2.5': it must be a whole number from 1 to 1000."),
    ],
)
def test_a_bad_limit_is_a_400_with_the_range(value: str, expected: str) -> None:
    with pytest.raises(InvalidParameterError) as error:
        parse_limit(value)
    assert message_of(error) == expected and error.value.parameter == "limit"


def test_status_is_one_of_list_executions_filters_in_any_case() -> None:
    assert parse_status(None) is None
    assert parse_status("succeeded") == "SUCCEEDED"
    assert parse_status("TIMED_OUT") == "TIMED_OUT"
    with pytest.raises(InvalidParameterError) as error:
        parse_status("DONE")
    assert message_of(error) == (
        "Invalid ?status='DONE': it must be one of RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED."
    )


def test_reverse_is_true_or_false() -> None:
    assert parse_reverse(None) is False
    assert parse_reverse("true") is True and parse_reverse("TRUE") is True and parse_reverse("1") is True
    assert parse_reverse("false") is False and parse_reverse("0") is False
    with pytest.raises(InvalidParameterError) as error:
        parse_reverse("backwards")
    assert message_of(error) == "Invalid ?reverse='backwards': it must be true or false."


def test_an_empty_next_token_is_no_token() -> None:
    assert parse_next_token("") is None and parse_next_token(None) is None
    assert parse_next_token("abc") == "abc"


def test_an_execution_id_becomes_the_arn_step_functions_gives_it() -> None:
    assert execution_arn(MACHINE, "run-1") == RUN_1
    assert resolve_execution(MACHINE, "run-1") == RUN_1


def test_an_execution_arn_of_the_flow_is_taken_as_it_is() -> None:
    assert resolve_execution(MACHINE, RUN_1) == RUN_1


def test_an_execution_arn_of_another_flow_names_no_execution_of_this_one() -> None:
    other = "arn:aws:states:us-east-1:000000000000:execution:dummy2StepFlow:run-1"
    assert resolve_execution(MACHINE, other) is None


def test_an_express_execution_is_named_by_name_and_run_id() -> None:
    express = "arn:aws:states:us-east-1:000000000000:express:helloWorldFlow:run-1:0f3c"
    assert execution_arn(MACHINE, "run-1", "0f3c") == express
    assert resolve_execution(MACHINE, "run-1:0f3c", express=True) == express
    assert resolve_execution(MACHINE, express, express=True) == express
    assert resolve_execution(MACHINE, "run-1", express=True) is None
    assert resolve_execution(MACHINE, "run-1:0f3c") is None
    assert resolve_execution(MACHINE, "run-1:", express=True) is None
    other = "arn:aws:states:us-east-1:000000000000:express:other:run-1:0f3c"
    assert resolve_execution(MACHINE, other, express=True) is None


@pytest.mark.parametrize("reference", ["a b", "x" * 81, "a%2Fb", "", "a:b"])
def test_an_id_step_functions_could_not_have_given_names_no_execution(reference: str) -> None:
    assert resolve_execution(MACHINE, reference) is None


@pytest.mark.parametrize(
    "reference",
    [MACHINE, "arn:aws:states:us-east-1:000000000000:execution:helloWorldFlow", "arn:nonsense",
     "arn:aws:states:us-east-1:000000000000:express:helloWorldFlow:run-1"],
)
def test_an_arn_that_is_not_an_execution_arn_is_a_400(reference: str) -> None:
    with pytest.raises(InvalidArnError) as error:
        resolve_execution(MACHINE, reference)
    assert message_of(error).startswith(f"Invalid execution ARN {reference!r}: expected arn:aws:states:")
    assert error.value.code == "InvalidArn" and error.value.status == 400
