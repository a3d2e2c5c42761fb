from __future__ import annotations

import math
from types import MappingProxyType
from typing import Any

import pytest

from sdw.asl.intrinsic import json_type_name
from sdw.asl.jsonata._engine import describe_error
from sdw.asl.jsonata._values import JSONATA_NULL, UnsupportedValueError, from_jsonata, to_jsonata


def test_unchanged_containers_are_shared_and_changed_ones_copied() -> None:
    plain = {"a": [1, "x", 2.5, True]}
    assert to_jsonata(plain) is plain
    with_null = {"a": [1, None]}
    converted = to_jsonata(with_null)
    assert converted == {"a": [1, JSONATA_NULL]}
    assert with_null == {"a": [1, None]}


def test_other_mappings_and_tuples_become_objects_and_arrays() -> None:
    assert to_jsonata(MappingProxyType({"a": (1, None)})) == {"a": [1, JSONATA_NULL]}


def test_integers_too_wide_for_a_double_become_infinite() -> None:
    assert to_jsonata(10**400) == math.inf
    assert to_jsonata(-(10**400)) == -math.inf


def test_results_that_json_cannot_hold_are_refused() -> None:
    with pytest.raises(UnsupportedValueError):
        from_jsonata({"f": object()})


@pytest.mark.parametrize(
    ("value", "name"),
    [
        (None, "null"),
        (True, "boolean"),
        (1, "number"),
        (1.5, "number"),
        ("s", "string"),
        ([], "array"),
        ({}, "object"),
    ],
)
def test_type_names_are_jsonatas(value: Any, name: str) -> None:
    # Only converted results are named (from_jsonata refuses a function before that).
    assert json_type_name(value, integers=False) == name


def test_errors_outside_the_engine_are_described_without_a_code() -> None:
    assert describe_error(ValueError("bad")) == (None, "bad")
    assert describe_error(KeyError()) == (None, "KeyError")
    code, message = describe_error(RecursionError())
    assert code == "D1011"
    assert message.startswith("Stack overflow")


def test_a_message_slot_the_engine_left_empty_reads_undefined() -> None:
    from jsonata.jexception import JException

    assert describe_error(JException("T0410", -1)) == (
        "T0410",
        "Argument undefined of function undefined does not match function signature",
    )
