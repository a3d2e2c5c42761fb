from __future__ import annotations

from typing import Any

import pytest

from sdw.asl.jsonata._templates import compile_jsonata
from sdw.asl.jsonata._text import js_number, stringify


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (0, "0"),
        (-0.0, "0"),
        (1.0, "1"),
        (-2.5, "-2.5"),
        (100, "100"),
        (0.1, "0.1"),
        (0.000001, "0.000001"),
        (1e-7, "1e-7"),
        (1.5e-7, "1.5e-7"),
        (1e20, "100000000000000000000"),
        (1e21, "1e+21"),
        (123456789012345678, "123456789012345680"),
        (0.1 + 0.2, "0.30000000000000004"),
        (float("inf"), "Infinity"),
        (float("nan"), "NaN"),
    ],
)
def test_numbers_are_written_as_javascript_writes_them(number: float, text: str) -> None:
    assert js_number(number) == text


def test_stringify_is_compact_json_with_javascript_numbers() -> None:
    assert stringify({"a": [1.0, None, True, 'x"y'], "b": 1e21}) == '{"a":[1,null,true,"x\\"y"],"b":1e+21}'


def evaluate(template: str) -> Any:
    return compile_jsonata(template).evaluate({"input": {"n": None, "big": 1700000000000000}}, {})


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{% $string(0.1 + 0.2) %}", "0.3"),
        ("{% $string(1e20) %}", "100000000000000000000"),
        ("{% $string([1.0, 0.1 + 0.2]) %}", "[1,0.3]"),
        ("{% $string($states.input) %}", '{"n":null,"big":1700000000000000}'),
        ("{% 'id-' & $states.input.big %}", "id-1700000000000000"),
        ("{% 'a' & null %}", "anull"),
        ("{% $string(function(){1}) %}", ""),
        ("{% $string({'a': [1]}, true) %}", '{\n  "a": [\n    1\n  ]\n}'),
        ("{% $map([1, 2], $string) %}", ["1", "2"]),
    ],
)
def test_string_follows_jsonata_js(template: str, expected: Any) -> None:
    assert evaluate(template) == expected


def test_string_refuses_infinity() -> None:
    with pytest.raises(Exception, match="D3001: Attempting to invoke string function on Infinity or NaN"):
        evaluate("{% $string(1/0) %}")


def test_empty_containers_and_booleans_are_written_plainly() -> None:
    assert evaluate("{% $string({'a': {}, 'b': [], 'c': false}) %}") == '{"a":{},"b":[],"c":false}'


def test_string_of_undefined_is_undefined() -> None:
    with pytest.raises(Exception, match="returned nothing"):
        evaluate("{% $string($states.input.missing) %}")


def test_string_refuses_infinity_inside_a_structure() -> None:
    with pytest.raises(Exception, match="D1001"):
        evaluate("{% $string([1/0]) %}")


def test_stringify_writes_what_json_cannot_hold_as_javascript_does() -> None:
    assert stringify([float("inf"), object.__new__(type("Host", (), {"__str__": lambda self: "host"}))]) == (
        '[null,"host"]'
    )
