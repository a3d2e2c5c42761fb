"""Java and Jackson renderings of JSON values, and Jackson's notion of equal values."""

from __future__ import annotations

import math
from typing import Any

import pytest

from sdw.asl.intrinsic._text import (
    java_double_text,
    java_string_text,
    json_identity,
    json_text,
    json_type_name,
)


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (1.1, "1.1"),
        (1.0, "1.0"),
        (-2.5, "-2.5"),
        (100.0, "100.0"),
        (0.0, "0.0"),
        (-0.0, "-0.0"),
        (0.001, "0.001"),
        (0.0001, "1.0E-4"),
        (1234567.0, "1234567.0"),
        (9999999.0, "9999999.0"),
        (10000000.0, "1.0E7"),
        (1e20, "1.0E20"),
        (-1.5e-10, "-1.5E-10"),
        (123456789.125, "1.23456789125E8"),
        (0.1 + 0.2, "0.30000000000000004"),
        (math.inf, "Infinity"),
        (-math.inf, "-Infinity"),
        (math.nan, "NaN"),
    ],
)
def test_doubles_print_as_java_double_to_string(number: float, expected: str) -> None:
    assert java_double_text(number) == expected


def test_values_print_for_format_as_java_collections_do() -> None:
    value = {"Id": "arn:x", "n": [1, 2.0, None, True, {"deep": "s"}]}
    assert java_string_text(value) == "{Id=arn:x, n=[1, 2.0, null, true, {deep=s}]}"


def test_compact_json_escapes_control_characters_with_uppercase_hex_and_keeps_unicode() -> None:
    assert (
        json_text({"k": 'q"\\\b\t\n\f\r\x1f\x7f é 😀'}) == '{"k":"q\\"\\\\\\b\\t\\n\\f\\r\\u001F\x7f é 😀"}'
    )
    assert json_text([1, 1.0, -0.0, 1e21, None, False]) == "[1,1.0,-0.0,1.0E21,null,false]"


@pytest.mark.parametrize("bad", [object(), {1, 2}, b"bytes"])
def test_renderers_refuse_values_that_are_not_json(bad: Any) -> None:
    with pytest.raises(TypeError):
        json_text(bad)
    with pytest.raises(TypeError):
        java_string_text(bad)
    with pytest.raises(TypeError):
        json_identity(bad)


@pytest.mark.parametrize(
    ("left", "right", "equal"),
    [
        (1, 1, True),
        (1, 1.0, False),
        (1, True, False),
        (0, False, False),
        (0.0, -0.0, False),
        ({"a": 1, "b": [2]}, {"b": [2], "a": 1}, True),
        ([1, 2], [2, 1], False),
        (None, None, True),
        ("1", 1, False),
    ],
)
def test_json_identity_is_equal_exactly_when_jackson_holds_the_values_equal(
    left: Any, right: Any, equal: bool
) -> None:
    assert (json_identity(left) == json_identity(right)) is equal


@pytest.mark.parametrize(
    ("value", "name"),
    [
        (None, "null"),
        (True, "boolean"),
        (1, "integer"),
        (1.5, "number"),
        ("", "string"),
        ([], "array"),
        ({}, "object"),
        (b"x", "bytes"),
    ],
)
def test_type_names_say_integer_apart_from_number(value: Any, name: str) -> None:
    assert json_type_name(value) == name
