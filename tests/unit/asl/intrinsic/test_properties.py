"""Random text at the parser and random JSON at every function: the only failures allowed
are IntrinsicSyntaxError (parse) and States.IntrinsicFailure (evaluate), never a crash."""

from __future__ import annotations

import json
import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sdw.asl._errors import IntrinsicSyntaxError
from sdw.asl.intrinsic._calls import IntrinsicFailure, parse_intrinsic
from sdw.asl.intrinsic._functions import FUNCTIONS
from sdw.asl.intrinsic._text import json_text
from tests.unit.asl.strategies import json_values

JSON = json_values(int_bound=10**20, text_size=30, key_size=8, container_size=5, max_leaves=20)
NAMES = sorted(FUNCTIONS)
PIECES = st.sampled_from(
    [
        *NAMES,
        "(",
        ")",
        ",",
        " ",
        "'",
        "\\",
        "$",
        "$$",
        "$.a",
        "[",
        "]",
        "{}",
        "1",
        "-",
        "1.5",
        "e3",
        "true",
        "null",
        "States.",
        "?(@.x)",
        "\n",
    ]
)


def parse_or_reject(text: str) -> None:
    try:
        parse_intrinsic(text)
    except IntrinsicSyntaxError as error:
        assert error.text == text
        assert error.position is None or 0 <= error.position <= len(text)


@given(st.text(max_size=80))
def test_any_text_either_parses_or_is_rejected_as_a_syntax_error(text: str) -> None:
    parse_or_reject("States." + text)
    parse_or_reject(text)


@given(st.lists(PIECES, max_size=25))
def test_text_assembled_from_the_grammars_own_pieces_never_crashes_the_parser(pieces: list[str]) -> None:
    parse_or_reject("".join(pieces))


@settings(max_examples=300)
@given(st.sampled_from(NAMES), st.lists(JSON, max_size=4), st.randoms(use_true_random=False))
def test_every_function_given_any_json_returns_json_or_fails_as_an_intrinsic_failure(
    name: str, values: list[Any], rng: random.Random
) -> None:
    spec = FUNCTIONS[name]
    upper = len(values) if spec.max_args is None else spec.max_args
    count = max(spec.min_args, min(len(values), upper))
    values = (values + [None] * count)[:count]
    text = f"{name}({', '.join(f'$.a{index}' for index in range(count))})"
    arguments = {f"$.a{index}": value for index, value in enumerate(values)}
    try:
        result = parse_intrinsic(text).evaluate(arguments.__getitem__, rng)
    except IntrinsicFailure as failure:
        assert failure.name == "States.IntrinsicFailure"
        assert failure.function == name
        assert failure.cause and text in failure.cause
        return
    json.loads(json_text(result))  # a JSON value through and through


def _literal(value: Any) -> str:
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return json.dumps(value)


ARGUMENT = st.recursive(
    st.one_of(
        st.none().map(_literal),
        st.booleans().map(_literal),
        st.integers(-(10**6), 10**6).map(_literal),
        st.floats(allow_nan=False, allow_infinity=False).map(repr).filter(lambda t: "e" not in t or "." in t),
        st.text(max_size=10).map(_literal),
        st.just("$.a"),
    ),
    lambda inner: st.tuples(st.sampled_from(NAMES), st.lists(inner, max_size=3)).map(
        lambda call: f"{call[0]}({', '.join(call[1])})"
    ),
    max_leaves=6,
)


@settings(max_examples=300)
@given(st.sampled_from(NAMES), st.lists(ARGUMENT, max_size=3), JSON)
def test_generated_calls_parse_or_are_rejected_and_evaluate_or_fail_cleanly(
    name: str, arguments: list[str], data: Any
) -> None:
    text = f"{name}({', '.join(arguments)})"
    try:
        intrinsic = parse_intrinsic(text)
    except IntrinsicSyntaxError:
        return
    try:
        intrinsic.evaluate(lambda path: data, random.Random(0))
    except IntrinsicFailure as failure:
        assert failure.expression == text


@given(st.text(max_size=40))
def test_a_quoted_string_reads_back_as_itself(text: str) -> None:
    assert parse_intrinsic(f"States.Array({_literal(text)})").evaluate(lambda path: None) == [text]
