from __future__ import annotations

import re
from typing import Any

import pytest

from sdw.asl._errors import StatesError
from sdw.asl.jsonata._functions import MAX_SEQUENCE_LENGTH, java_random_double
from sdw.asl.jsonata._templates import compile_jsonata


def evaluate(template: str, **inputs: Any) -> Any:
    return compile_jsonata(template).evaluate({"input": inputs}, {})


def cause_of(template: str, **inputs: Any) -> str:
    with pytest.raises(StatesError) as info:
        evaluate(template, **inputs)
    assert info.value.name == "States.QueryEvaluationError"
    return str(info.value.cause)


# --------------------------------------------------------------------------- $partition
def test_partition_cuts_chunks_and_keeps_the_short_last_one() -> None:
    assert evaluate("{% $partition([1, 2, 3, 4, 5], 2) %}") == [[1, 2], [3, 4], [5]]


def test_partition_into_one_chunk_stays_an_array_of_arrays() -> None:
    assert evaluate("{% $partition($states.input.a, 5) %}", a=[1, 2]) == [[1, 2]]


@pytest.mark.parametrize("template", ["{% $partition([1, 2], 0) %}", "{% $partition([], 2) %}"])
def test_partition_of_nothing_returns_nothing(template: str) -> None:
    assert cause_of(template).endswith("returned nothing (undefined).")


def test_partition_refuses_a_negative_chunk_size() -> None:
    assert "D3137: The chunk size of $partition must be zero or greater." in cause_of(
        "{% $partition([1], -2) %}"
    )


def test_partition_needs_a_number_for_the_size() -> None:
    assert "T0410" in cause_of("{% $partition([1], 'two') %}")


# --------------------------------------------------------------------------- $range
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((0, 9, 3), [0, 3, 6, 9]),
        ((0, 10, 3), [0, 3, 6, 9]),
        ((1, 9, 2), [1, 3, 5, 7, 9]),
        ((1, 9, 9), 1),
        ((5, 1, -2), [5, 3, 1]),
        ((0, 2.9, 1.7), [0, 1, 2]),
    ],
)
def test_range_counts_up_to_and_including_the_end(args: tuple[float, float, float], expected: Any) -> None:
    first, last, step = args
    template = "{% $range($states.input.f, $states.input.l, $states.input.s) %}"
    assert evaluate(template, f=first, l=last, s=step) == expected


@pytest.mark.parametrize(
    "template", ["{% $range(1, 5, 0) %}", "{% $range(5, 1, 1) %}", "{% $range(1, 5, -1) %}"]
)
def test_range_that_cannot_reach_its_end_returns_nothing(template: str) -> None:
    assert cause_of(template).endswith("returned nothing (undefined).")


def test_range_refuses_more_items_than_an_evaluation_may_hold() -> None:
    cause = cause_of(f"{{% $range(0, {MAX_SEQUENCE_LENGTH}, 1) %}}")
    assert f"more than the {MAX_SEQUENCE_LENGTH}" in cause


def test_the_range_operator_has_the_same_bound() -> None:
    assert evaluate(f"{{% $count([1..{MAX_SEQUENCE_LENGTH}]) %}}") == MAX_SEQUENCE_LENGTH
    assert "more than the" in cause_of(f"{{% [0..{MAX_SEQUENCE_LENGTH}] %}}")


# --------------------------------------------------------------------------- $hash
@pytest.mark.parametrize(
    ("algorithm", "digest"),
    [
        ("MD5", "900150983cd24fb0d6963f7d28e17f72"),
        ("SHA-1", "a9993e364706816aba3e25717850c26c9cd0d89d"),
        ("SHA-256", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    ],
)
def test_hash_writes_the_lowercase_hex_digest(algorithm: str, digest: str) -> None:
    assert evaluate("{% $hash('abc', $states.input.alg) %}", alg=algorithm) == digest


@pytest.mark.parametrize("algorithm", ["SHA-384", "SHA-512"])
def test_hash_knows_the_longer_sha2_digests(algorithm: str) -> None:
    length = int(algorithm[-3:]) // 4
    digest = evaluate("{% $hash('abc', $states.input.alg) %}", alg=algorithm)
    assert re.fullmatch(f"[0-9a-f]{{{length}}}", digest)


def test_hash_refuses_an_algorithm_it_does_not_know() -> None:
    assert "The hash algorithm 'sha256' is not supported" in cause_of("{% $hash('abc', 'sha256') %}")


# --------------------------------------------------------------------------- $random, $uuid
def test_seeded_random_is_java_util_random() -> None:
    assert java_random_double(42) == 0.7275636800328681
    assert evaluate("{% $random(42) %}") == 0.7275636800328681
    assert evaluate("{% $random(42.9) %}") == 0.7275636800328681


def test_unseeded_random_is_a_fraction() -> None:
    value = evaluate("{% $random() %}")
    assert isinstance(value, float | int)
    assert 0 <= value < 1


def test_uuid_is_a_version_4_uuid() -> None:
    value = evaluate("{% $uuid() %}")
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", value)
    assert value != evaluate("{% $uuid() %}")


def test_uuid_takes_no_arguments() -> None:
    assert "T0410" in cause_of("{% $uuid(1) %}")


# --------------------------------------------------------------------------- $parse
@pytest.mark.parametrize(
    ("text", "expected", "kind"),
    [
        ("-0", 0, int),
        ("1", 1, int),
        ("1.1", 1.1, float),
        ("true", True, bool),
        ('"HelloWorld"', "HelloWorld", str),
        ('[1, 2, "HelloWorld"]', [1, 2, "HelloWorld"], list),
        ('{"Arg1": 1, "Arg2": []}', {"Arg1": 1, "Arg2": []}, dict),
        ("null", None, type(None)),
    ],
)
def test_parse_reads_json_text(text: str, expected: Any, kind: type) -> None:
    value = evaluate("{% $parse($states.input.text) %}", text=text)
    assert value == expected
    assert type(value) is kind


@pytest.mark.parametrize("text", ["", "{", "NaN", '{"a": 1, "a": 2}', "1 2"])
def test_parse_refuses_what_is_not_one_json_value(text: str) -> None:
    assert "D3137: The argument of $parse is not valid JSON" in cause_of(
        "{% $parse($states.input.text) %}", text=text
    )


def test_parse_of_a_missing_value_returns_nothing() -> None:
    assert cause_of("{% $parse($states.input.missing) %}").endswith("returned nothing (undefined).")


@pytest.mark.parametrize(
    "template",
    [
        "{% $partition($states.input.missing, 2) %}",
        "{% $range($states.input.missing, 1, 1) %}",
        "{% $hash($states.input.missing, 'MD5') %}",
    ],
)
def test_a_missing_argument_returns_nothing(template: str) -> None:
    assert cause_of(template).endswith("returned nothing (undefined).")


def test_a_null_argument_is_refused_by_name() -> None:
    assert cause_of("{% $hash('a', null) %}").endswith(
        'T0410: Argument 2 of function "hash" does not match function signature'
    )


def test_an_infinite_seed_is_refused() -> None:
    assert "cannot be used as an integer argument" in cause_of("{% $random(1/0) %}")
