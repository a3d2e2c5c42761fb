"""Property-based tests: random JSON thrown at paths, payloads and Choice rules never crashes them."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sdw.asl import ASLError, ExecutionStatus
from sdw.asl._choice import compile_condition
from sdw.asl._jsonpath import compile_path, compile_reference_path
from tests.unit.asl.strategies import json_values

from .helpers import chain, pass_end, run

JSON_VALUES = json_values(int_bound=2**40, text_size=8, key_size=4, container_size=4, max_leaves=12)
keys = st.sampled_from(["a", "b", "items", "x y", "0", "é"])
steps = st.one_of(
    keys.map(lambda k: f".{k}" if k.isidentifier() else f"['{k}']"),
    st.integers(-3, 3).map(lambda i: f"[{i}]"),
    st.sampled_from(["[*]", "..a", "[1:]", "[:2]", "[0,1]", "[?(@.a > 1)]", "[?(@.b == 'x' || !@.a)]", ".*"]),
)
paths = st.lists(steps, max_size=4).map(lambda parts: "$" + "".join(parts))
path_texts = st.one_of(paths, st.text(alphabet="$.[]'*?@()<>=!&|:,0123456789ab ", max_size=16))


@given(path_texts, JSON_VALUES)
@settings(max_examples=300, deadline=None)
def test_any_path_text_on_any_document_compiles_or_fails_cleanly(text: str, doc: Any) -> None:
    try:
        path = compile_path(text)
    except ASLError:
        return
    try:
        result = path.get(doc)
    except ASLError:
        return
    if not path.definite:
        assert isinstance(result, list)


@given(paths, JSON_VALUES, JSON_VALUES)
@settings(max_examples=200, deadline=None)
def test_setting_a_reference_path_never_changes_the_original(text: str, doc: Any, value: Any) -> None:
    try:
        path = compile_reference_path(text)
    except ASLError:
        return
    import copy

    before = copy.deepcopy(doc)
    try:
        updated = path.set(doc, value)
    except ASLError:
        assert doc == before
        return
    assert doc == before
    assert path.get(updated) == value or path.is_root


operators = st.sampled_from(
    [
        "StringEquals",
        "StringLessThan",
        "StringGreaterThanEquals",
        "StringMatches",
        "NumericEquals",
        "NumericLessThan",
        "NumericGreaterThanEquals",
        "BooleanEquals",
        "TimestampEquals",
        "TimestampLessThan",
        "IsNull",
        "IsPresent",
        "IsNumeric",
        "IsString",
        "IsBoolean",
        "IsTimestamp",
    ]
)


@given(operators, JSON_VALUES, JSON_VALUES)
@settings(max_examples=300, deadline=None)
def test_choice_rules_on_any_values_choose_or_fail_with_a_states_error(
    op: str, operand: Any, value: Any
) -> None:
    if op.startswith("Is"):
        operand = bool(operand)
    elif op == "StringMatches" and not isinstance(operand, str):
        operand = "*"
    definition = {
        "StartAt": "C",
        "States": {
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.v", op: operand, "Next": "Yes"}],
                "Default": "No",
            },
            "Yes": pass_end(Result=True),
            "No": pass_end(Result=False),
        },
    }
    try:
        compile_condition({"Variable": "$.v", op: operand})
    except (ASLError, ValueError, KeyError, TypeError):
        return
    try:
        execution = run(definition, {"v": value})
    except ASLError:  # the validator refused the operand's type
        return
    assert execution.status == ExecutionStatus.SUCCEEDED
    assert execution.output in (True, False)


@given(
    JSON_VALUES,
    st.dictionaries(
        st.sampled_from(["a.$", "b", "c.$"]),
        st.sampled_from(
            [
                "$",
                "$.a",
                "$.a[0]",
                "$$.Execution.Name",
                "States.JsonToString($)",
                "States.ArrayLength($.a)",
                "lit",
            ]
        ),
        max_size=3,
    ),
)
@settings(max_examples=200, deadline=None)
def test_parameters_on_any_input_give_output_or_a_named_failure(doc: Any, parameters: dict[str, str]) -> None:
    definition = chain(("P", {"Type": "Pass", "Parameters": parameters}))
    try:
        execution = run(definition, doc)
    except ASLError:
        return
    assert execution.status in (ExecutionStatus.SUCCEEDED, ExecutionStatus.FAILED)
    if execution.status == ExecutionStatus.FAILED:
        assert execution.error is not None and execution.error.startswith("States.")
