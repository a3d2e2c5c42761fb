"""The flow engine's pure rules: execution names, ARNs, ids, dates, page tokens, child names."""

from __future__ import annotations

import base64
import json

import pytest

from sdw.local.engine._names import (
    MAX_NAME,
    canonical_json,
    check_execution_name,
    check_limit,
    child_execution_name,
    content_hash,
    decode_token,
    encode_token,
    epoch_millis,
    execution_id,
    format_date,
)
from sdw.system import InvalidParameterError, InvalidTokenError, execution_arn

MACHINE = "arn:aws:states:us-east-1:000000000000:stateMachine:hello"


@pytest.mark.parametrize("name", ["a", "nightly-2026-11-25", "x" * MAX_NAME, "été_1", "a.b+c=d@e!"])
def test_accepts_names_step_functions_accepts(name: str) -> None:
    assert check_execution_name(name) == name


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("", "empty"),
        ("x" * (MAX_NAME + 1), "81 characters"),
        ("has space", "' '"),
        ("tab\there", "'\\t'"),
        ("a/b", "'/'"),
        ("a:b", "':'"),
        ("a{b}", "'{'"),
        ("star*", "'*'"),
        ("ctl\x7f", "'\\x7f'"),
        ("c1\x85", "'\\x85'"),
    ],
)
def test_refuses_bad_names_with_a_sentence_naming_the_problem(name: str, words: str) -> None:
    with pytest.raises(InvalidParameterError) as caught:
        check_execution_name(name)
    assert words in caught.value.message
    assert caught.value.parameter == "name"
    assert caught.value.message.endswith(".")


def test_refuses_a_name_that_is_not_a_string() -> None:
    with pytest.raises(InvalidParameterError, match="must be a string"):
        check_execution_name(42)


def test_builds_standard_execution_arns_from_the_state_machine_arn() -> None:
    arn = execution_arn(MACHINE, "run-1")
    assert arn == "arn:aws:states:us-east-1:000000000000:execution:hello:run-1"
    assert execution_id(arn) == "run-1"


def test_builds_express_execution_arns_with_a_run_id() -> None:
    arn = execution_arn(MACHINE, "run-1", "9f1c")
    assert arn == "arn:aws:states:us-east-1:000000000000:express:hello:run-1:9f1c"
    assert execution_id(arn) == "run-1:9f1c"


def test_formats_dates_as_iso_utc_with_milliseconds() -> None:
    assert format_date(1795600800.1234) == "2026-11-25T10:00:00.123Z"
    assert format_date(0) == "1970-01-01T00:00:00.000Z"
    assert epoch_millis(1795600800.1234) == 1795600800123


def test_derives_the_same_child_name_for_the_same_parent_task_and_another_for_another() -> None:
    parent = execution_arn(MACHINE, "p")
    first = child_execution_name(parent, "task-3")
    assert first == child_execution_name(parent, "task-3")
    assert first != child_execution_name(parent, "task-4")
    assert first != child_execution_name(execution_arn(MACHINE, "q"), "task-3")
    assert check_execution_name(first) == first and len(first) == 36


def test_hashes_json_values_regardless_of_key_order() -> None:
    assert content_hash({"a": 1, "b": [1, 2]}) == content_hash({"b": [1, 2], "a": 1})
    assert content_hash({"a": 1}) != content_hash({"a": 2})
    assert canonical_json({"b": "é", "a": 1}) == '{"a":1,"b":"é"}'


def test_a_page_token_round_trips_within_its_own_query() -> None:
    token = encode_token("list\nme\nNone\nNone", 1234)
    assert decode_token(token, "list\nme\nNone\nNone") == 1234
    assert decode_token(None, "anything") is None


def test_a_page_token_is_opaque() -> None:
    token = encode_token("history\narn", 7)
    assert "history" not in token and "arn" not in token


def test_refuses_a_token_from_another_query() -> None:
    token = encode_token("list\nme\nNone\nNone", 10)
    with pytest.raises(InvalidTokenError):
        decode_token(token, "list\nsomeone-else\nNone\nNone")


@pytest.mark.parametrize("token", ["", "garbage", "!!!!", "a" * 2000, "eyJ4IjoxfQ"])
def test_refuses_tokens_that_are_not_ours(token: str) -> None:
    with pytest.raises(InvalidTokenError):
        decode_token(token, "list\nme\nNone\nNone")


def test_refuses_a_token_whose_position_was_altered() -> None:
    token = encode_token("scope", 10)
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    body = json.loads(raw[:-8])
    body[2] = 11
    forged = base64.urlsafe_b64encode(json.dumps(body, separators=(",", ":")).encode() + raw[-8:]).decode()
    with pytest.raises(InvalidTokenError):
        decode_token(forged.rstrip("="), "scope")


@pytest.mark.parametrize(("limit", "size"), [(0, 100), (1, 1), (1000, 1000)])
def test_takes_page_sizes_as_step_functions_does(limit: int, size: int) -> None:
    assert check_limit(limit) == size


@pytest.mark.parametrize("limit", [-1, 1001, True, 2.5, "10"])
def test_refuses_page_sizes_out_of_range(limit: object) -> None:
    with pytest.raises(InvalidParameterError, match="1 to 1000"):
        check_limit(limit)
