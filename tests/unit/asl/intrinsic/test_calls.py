"""Parsing of intrinsic function calls: what is accepted, what each literal means, what is
rejected with which sentence. The functions themselves are in test_intrinsics_functions.py."""

from __future__ import annotations

from typing import Any

import pytest

from sdw.asl._errors import IntrinsicSyntaxError, StatesError
from sdw.asl.intrinsic._calls import Intrinsic, IntrinsicFailure, is_intrinsic, parse_intrinsic


def run(expression: str, data: Any = None) -> Any:
    """Evaluate with ``$.a.b`` resolved against ``data`` (a test stand-in for the interpreter)."""

    def resolve(path: str) -> Any:
        value = data
        for part in path.split(".")[1:]:
            value = value[part]
        return value

    return parse_intrinsic(expression).evaluate(resolve)


def same(actual: Any, expected: Any) -> bool:
    """Equal and of the same JSON types all the way down (1, 1.0 and True differ)."""
    if type(actual) is not type(expected):
        return False
    if isinstance(expected, list):
        return len(actual) == len(expected) and all(map(same, actual, expected))
    if isinstance(expected, dict):
        return actual.keys() == expected.keys() and all(same(actual[k], expected[k]) for k in expected)
    return bool(actual == expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("States.Format('{}', $.a)", True),
        ("States.UUID()", True),
        ("States.", True),
        ("$.States.Format", False),
        (" States.UUID()", False),
        ("states.UUID()", False),
        ("", False),
    ],
)
def test_is_intrinsic_is_true_only_for_text_starting_with_states_dot(text: str, expected: bool) -> None:
    assert is_intrinsic(text) is expected


def test_parse_intrinsic_names_the_outer_function_and_every_path_in_order() -> None:
    intrinsic = parse_intrinsic(
        "States.Format('{} {}', $.a.b, States.ArrayGetItem(States.StringSplit($$.Execution.Name, '-'), 0))"
    )
    assert isinstance(intrinsic, Intrinsic)
    assert intrinsic.function == "States.Format"
    assert intrinsic.paths == ("$.a.b", "$$.Execution.Name")


@pytest.mark.parametrize(
    ("literal", "expected"),
    [
        ("1", 1),
        ("-1", -1),
        ("0", 0),
        ("1.0", 1.0),
        ("-2.5", -2.5),
        ("1e2", 100.0),
        ("1.5E-1", 0.15),
        ("true", True),
        ("false", False),
        ("null", None),
        ("'text'", "text"),
        ("''", ""),
        ("'it\\'s'", "it's"),
        ("'a\\{b\\}c'", "a{b}c"),
        ("'back\\\\slash'", "back\\slash"),
        ("'raw\nnewline'", "raw\nnewline"),
        ("'a, b)'", "a, b)"),
        ("'{}'", "{}"),
    ],
)
def test_literals_keep_their_json_type_and_escapes_are_applied(literal: str, expected: Any) -> None:
    assert same(run(f"States.Array({literal})"), [expected])


def test_whitespace_is_allowed_around_arguments_and_after_the_call() -> None:
    assert run("States.Array( 1 ,\t'x' ,\n$.a )  ", {"a": None}) == [1, "x", None]
    assert run("States.Array(  )") == []


@pytest.mark.parametrize(
    ("path", "data", "expected"),
    [
        ("$", 7, 7),
        ("$.a", {"a": [1]}, [1]),
    ],
)
def test_path_arguments_are_resolved_by_the_callback(path: str, data: Any, expected: Any) -> None:
    assert run(f"States.Array({path})", data) == [expected]


@pytest.mark.parametrize(
    "path",
    [
        "$.items[?(@.v == 'a, b)')].x",
        "$['key with, comma']",
        "$['it\\'s, escaped']",
        '$.a[?(@.name == "x)")]',
        "$..x",
        "$.a[0:2]",
        "$varName",
        "$varName.x[0]",
        "$$.Map.Item.Value",
    ],
)
def test_paths_with_brackets_filters_and_variables_reach_the_callback_whole(path: str) -> None:
    seen: list[str] = []

    def resolve(text: str) -> Any:
        seen.append(text)
        return 1

    assert parse_intrinsic(f"States.Array({path}, 2)").evaluate(resolve) == [1, 2]
    assert seen == [path]


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("$.a", "must start with 'States.'", 0),
        ("States.Foo()", "Unknown intrinsic function States.Foo.", 0),
        ("States.Formt('x')", "Did you mean States.Format?", 0),
        ("States.(1)", "Expected a function name after 'States.'", 0),
        ("States.Format", "Expected '(' after States.Format", 13),
        ("States.Format ('x')", "Expected '(' after States.Format", 13),
        ("States.Array(1", "Expected ',' or ')'", 14),
        ("States.Array(", "are not closed with ')'", 13),
        ("States.Array('x)", "not closed with a single quote", 13),
        ("States.Array('x\\')", "not closed with a single quote", 13),
        ("States.Array(1,)", "An argument of States.Array is missing", 15),
        ("States.Array(,1)", "An argument of States.Array is missing", 13),
        ("States.Array(1 2)", "Expected ',' or ')'", 15),
        ("States.Array(01)", "Malformed number", 13),
        ("States.Array(1.)", "Malformed number", 13),
        ("States.Array(-x)", "Expected a number", 13),
        ("States.Array(1abc)", "Malformed number", 13),
        ("States.Array(tru)", "Unexpected 'tru)'", 13),
        ("States.Array(True)", "Unexpected 'True)'", 13),
        ("States.Array(@)", "Unexpected '@)'", 13),
        ('States.Array("x")', "Unexpected", 13),
        ("States.Array() x", "Unexpected text 'x' after the closing parenthesis", 15),
        ("States.Array()()", "after the closing parenthesis", 14),
        ("States.Array($.a[0)", "mismatched brackets", 13),
        ("States.Array($.a[0", "unclosed bracket or quote", 13),
        ("States.Array($.a[?(@.b == 'x)])", "unclosed bracket or quote", 13),
        ("States.ArrayRange(1, 2)", "States.ArrayRange takes exactly 3 arguments, but 2 were given.", 0),
        ("States.UUID(1)", "States.UUID takes exactly 0 arguments, but 1 was given.", 0),
        ("States.MathRandom(1)", "States.MathRandom takes 2 to 3 arguments, but 1 was given.", 0),
        ("States.Format()", "States.Format takes at least 1 argument, but 0 were given.", 0),
        ("States.ArrayLength()", "States.ArrayLength takes exactly 1 argument, but 0 were given.", 0),
        ("States.Array(States.Nope())", "Unknown intrinsic function States.Nope.", 13),
        ("States.Array(" + "9" * 5000 + ")", "is too long", 13),
        ("States.Array('a\\nb')", "Invalid escape sequence '\\n' in a string literal", 15),
        (
            'States.StringToJson(\'{"text":"An \\"escaped double quote\\" here"}\')',
            "Invalid escape sequence '\\\"'",
            33,
        ),
        (
            "States.Format('He said, \\\"Hello, {}!\\\"', 'Test \\\"Name\\\" Here')",
            "a backslash may only escape ' { } and \\.",
            24,
        ),
    ],
)
def test_bad_syntax_is_reported_with_a_sentence_and_the_offset(
    text: str, message: str, position: int
) -> None:
    with pytest.raises(IntrinsicSyntaxError) as caught:
        parse_intrinsic(text)
    assert message in str(caught.value)
    assert caught.value.position == position
    assert caught.value.text == text


def test_ten_calls_in_a_field_are_allowed_and_the_eleventh_is_rejected() -> None:
    ten = "States.Array(" * 10 + ")" * 10
    assert run(ten) == [[[[[[[[[[]]]]]]]]]]
    nine_nested = (
        "States.Format('{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem("
        "States.StringSplit($.arn, '/'), 2), '.'), 0), States.ArrayGetItem(States.StringSplit("
        "States.ArrayGetItem(States.StringSplit($.arn, '/'), 2), '.'), 1))"
    )
    # The AWS guide's own example, less its third '{}' which has no argument to fill it.
    assert run(nine_nested, {"arn": "arn:aws:imagebuilder:r:1:image-recipe/name/1.2.3"}) == "1.2"
    with pytest.raises(IntrinsicSyntaxError, match="at most 10 intrinsic function calls"):
        parse_intrinsic("States.Array(" * 11 + ")" * 11)


def test_a_thousand_nested_calls_are_rejected_without_exhausting_the_stack() -> None:
    with pytest.raises(IntrinsicSyntaxError, match="at most 10"):
        parse_intrinsic("States.Array(" * 1000 + ")" * 1000)


def test_a_run_time_failure_is_an_intrinsic_failure_naming_the_expression_and_the_function() -> None:
    text = "States.Array(States.ArrayGetItem($.items, 5))"
    with pytest.raises(IntrinsicFailure) as caught:
        run(text, {"items": [1, 2, 3]})
    failure = caught.value
    assert isinstance(failure, StatesError)
    assert failure.name == "States.IntrinsicFailure"
    assert failure.expression == text
    assert failure.function == "States.ArrayGetItem"
    assert failure.cause == (
        f"The intrinsic function '{text}' failed: States.ArrayGetItem got the index 5, "
        "which is out of bounds for an array of 3 items."
    )


def test_an_error_from_the_path_resolver_propagates_unchanged() -> None:
    missing = StatesError("States.Runtime", "The JSONPath '$.x' could not be found")

    def resolve(path: str) -> Any:
        raise missing

    with pytest.raises(StatesError) as caught:
        parse_intrinsic("States.Format('{}', $.x)").evaluate(resolve)
    assert caught.value is missing


def test_data_nested_too_deeply_to_render_fails_as_an_intrinsic_failure() -> None:
    deep: list[Any] = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(IntrinsicFailure, match="nested too deeply"):
        run("States.JsonToString($.a)", {"a": deep})
