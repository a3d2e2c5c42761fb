"""Random inputs and random expressions never crash the evaluator with anything but its own errors."""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sdw.asl._errors import JsonataSyntaxError, StatesError
from sdw.asl.jsonata._templates import compile_jsonata, compile_template_tree
from tests.unit.asl.strategies import json_values

JSON = json_values(int_bound=2**80, text_size=8, key_size=4, container_size=4, max_leaves=12)

# Pieces of JSONata that make a random sequence parse more often than random text does.
TOKENS = st.sampled_from(
    [
        "$states.input",
        "$states.context",
        "$states",
        "$v",
        "$",
        ".",
        "a",
        "b",
        "[0]",
        "[",
        "]",
        "(",
        ")",
        "{",
        "}",
        ":",
        ",",
        ";",
        "'s'",
        '"t"',
        "1",
        "2.5",
        "-3",
        "0",
        "true",
        "null",
        "+",
        "-",
        "*",
        "/",
        "%",
        "&",
        "=",
        "!=",
        "<",
        "and",
        "or",
        "?",
        "..",
        "~>",
        ":=",
        "$x",
        "$sum(",
        "$count(",
        "$string(",
        "$map(",
        "$keys(",
        "$partition(",
        "$range(",
        "$hash(",
        "$parse(",
        "$random(",
        "$uuid(",
        "$type(",
        "$exists(",
        "$length(",
        "$substring(",
        "$number(",
        "function($v){",
        "/a+/",
        "^(",
        "**",
        "#$i",
        "@$o",
    ]
)

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_json(value: Any) -> None:
    """A result is plain JSON: serialisable without NaN, whole numbers as int."""
    json.dumps(value, allow_nan=False)
    if isinstance(value, float):
        assert math.isfinite(value)
        assert not (value.is_integer() and abs(value) < 2**63)
    elif isinstance(value, list):
        for item in value:
            assert_json(item)
    elif isinstance(value, dict):
        for item in value.values():
            assert_json(item)


def run(template: str, data: Any, variable: Any) -> None:
    try:
        expression = compile_jsonata(template)
    except JsonataSyntaxError as error:
        assert str(error)
        return
    try:
        value = expression.evaluate({"input": data, "context": {"x": data}}, {"x": variable, "v": data})
    except StatesError as error:
        assert error.name == "States.QueryEvaluationError"
        assert error.cause and error.cause.startswith(f"The JSONata expression '{expression.source}'")
        return
    assert_json(value)


@FAST
@given(st.text(max_size=40), JSON, JSON)
def test_random_text_fails_only_with_the_modules_own_errors(text: str, data: Any, variable: Any) -> None:
    run("{%" + text + "%}", data, variable)


@FAST
@given(st.lists(TOKENS, min_size=1, max_size=10), JSON, JSON)
def test_random_token_soup_fails_only_with_the_modules_own_errors(
    tokens: list[str], data: Any, variable: Any
) -> None:
    run("{% " + " ".join(tokens) + " %}", data, variable)


@FAST
@given(JSON, JSON)
def test_any_input_passes_through_unchanged(data: Any, variable: Any) -> None:
    expression = compile_jsonata("{% {'input': $states.input, 'x': $x} %}")
    value = expression.evaluate({"input": data}, {"x": variable})
    assert_json(value)
    assert value == {"input": _as_aws(data), "x": _as_aws(variable)}


@FAST
@given(JSON)
def test_a_tree_without_templates_comes_back_equal(data: Any) -> None:
    assert compile_template_tree(data).evaluate({}, {}) == data


def _as_aws(value: Any) -> Any:
    """What AWS writes for a value that went through JSONata: an integer that fits in a
    long stays exact, any other number is a double, written without a fraction if whole."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and -(2**63) <= value < 2**63:
        return value
    if isinstance(value, int | float):
        number = float(value)
        return int(number) if number.is_integer() and abs(number) < 2**63 else number
    if isinstance(value, list):
        return [_as_aws(item) for item in value]
    return {key: _as_aws(item) for key, item in value.items()}
