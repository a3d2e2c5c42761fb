"""Payload templates and Choice predicates, compiled and evaluated directly."""

from __future__ import annotations

import random
from typing import Any

import pytest

from sdw.asl import ErrorName, JsonPathSyntaxError, StatesError
from sdw.asl._choice import compile_condition, string_matches_pattern
from sdw.asl._payload import compile_payload, dumps_compact


class Scope:
    def __init__(self, doc: Any, variables: dict[str, Any] | None = None) -> None:
        self.input = doc
        self._variables = variables or {}
        self.rng: random.Random | None = random.Random(1)

    def context(self) -> dict[str, Any]:
        return {"Execution": {"Name": "e"}}

    def variable(self, name: str) -> Any:
        if name not in self._variables:
            raise StatesError(ErrorName.RUNTIME, f"undefined {name}")
        return self._variables[name]


def test_a_template_without_dynamic_parts_is_shared_not_rebuilt() -> None:
    template = {"a": [1, {"b": "$.not.a.path"}]}
    payload = compile_payload(template)
    assert payload(Scope({})) is template


def test_dynamic_values_come_from_input_context_variables_and_intrinsics() -> None:
    payload = compile_payload(
        {
            "i.$": "$.x",
            "c.$": "$$.Execution.Name",
            "v.$": "$total.n",
            "f.$": "States.Format('{}-{}', $.x, $total.n)",
            "list": [{"deep.$": "$.x"}, 2],
        }
    )
    assert payload(Scope({"x": 1}, {"total": {"n": 5}})) == {
        "i": 1,
        "c": "e",
        "v": 5,
        "f": "1-5",
        "list": [{"deep": 1}, 2],
    }


def test_a_missing_path_inside_an_intrinsic_names_the_field() -> None:
    payload = compile_payload({"f.$": "States.Array($.nope)"})
    with pytest.raises(StatesError) as info:
        payload(Scope({"x": 1}))
    assert info.value.name == ErrorName.RUNTIME
    assert info.value.cause == (
        "The JSONPath '$.nope' specified for the field 'f.$' could not be found in the input '{\"x\":1}'"
    )


def test_the_paths_inside_an_intrinsic_are_compiled_with_the_template() -> None:
    with pytest.raises(JsonPathSyntaxError):
        compile_payload({"f.$": "States.Array($.a[1:2:0])"})


def test_a_dynamic_key_needs_a_string() -> None:
    with pytest.raises(JsonPathSyntaxError):
        compile_payload({"a.$": 1})


def test_dumps_compact_writes_aws_json() -> None:
    assert dumps_compact({"k": ["é", 1.5, None]}) == '{"k":["é",1.5,null]}'
    assert dumps_compact('a"b') == '"a\\"b"'
    with pytest.raises(TypeError):
        dumps_compact({1, 2})


@pytest.mark.parametrize(
    ("pattern", "text", "matches"),
    [
        ("*", "", True),
        ("a*c", "abbbc", True),
        ("a\\*c", "a*c", True),
        ("a\\*c", "abc", False),
        ("a\\\\c", "a\\c", True),
        ("line*", "line\nbreak", True),
        ("x.y", "xzy", False),
    ],
)
def test_string_matches_patterns(pattern: str, text: str, matches: bool) -> None:
    assert (string_matches_pattern(pattern).fullmatch(text) is not None) is matches


def test_strings_compare_by_utf16_code_units_as_java_does() -> None:
    # U+FB01 sorts after U+1F600 in UTF-16 (0xFB01 > 0xD83D) but before it by code point.
    test = compile_condition({"Variable": "$.a", "StringGreaterThanPath": "$.b"})
    assert test(Scope({"a": "\ufb01", "b": "\U0001f600"}))
    assert not test(Scope({"a": "é", "b": "é"}))


def test_is_present_treats_undefined_variables_and_empty_matches_as_absent() -> None:
    assert not compile_condition({"Variable": "$nope", "IsPresent": True})(Scope({}))
    assert not compile_condition({"Variable": "$.a[*]", "IsPresent": True})(Scope({"a": []}))
    assert compile_condition({"Variable": "$.a[*]", "IsPresent": True})(Scope({"a": [0]}))


@pytest.mark.parametrize(
    "rule",
    [
        {"Variable": "$.a"},
        {"Variable": "$.a", "StringEquals": "x", "NumericEquals": 1},
        {"Variable": "$.a", "StringAlmostEquals": "x"},
    ],
)
def test_malformed_rules_are_refused_when_compiled(rule: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        compile_condition(rule)
