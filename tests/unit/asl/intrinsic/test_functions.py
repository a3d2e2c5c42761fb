"""The eighteen States.* functions: results as AWS gives them, and the arguments they refuse."""

from __future__ import annotations

import random
import uuid
from typing import Any

import pytest

from sdw.asl.intrinsic._calls import IntrinsicFailure, parse_intrinsic
from tests.unit.asl.intrinsic.test_calls import run, same


def fails(expression: str, data: Any = None) -> str:
    """Evaluate, expect States.IntrinsicFailure, and return its detail sentence."""
    with pytest.raises(IntrinsicFailure) as caught:
        run(expression, data)
    assert caught.value.name == "States.IntrinsicFailure"
    return caught.value.detail


# --------------------------------------------------------------------------- States.Format
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", "<>"),
        ("text", "<text>"),
        (None, "<null>"),
        (True, "<true>"),
        (1, "<1>"),
        (1.0, "<1.0>"),
        (1.1, "<1.1>"),
        (1e20, "<1.0E20>"),
        ({"Arg1": 1, "Arg2": []}, "<{Arg1=1, Arg2=[]}>"),
        (["a", [None, 2.5]], "<[a, [null, 2.5]]>"),
        ("{}", "<{}>"),
    ],
)
def test_format_inserts_each_value_as_java_prints_it(value: Any, expected: str) -> None:
    assert run("States.Format('<{}>', $.v)", {"v": value}) == expected


def test_format_fills_placeholders_in_order_and_keeps_escaped_braces_and_quotes() -> None:
    assert run("States.Format('{} and {}', 'a', 2)") == "a and 2"
    assert run("States.Format('\\{\\} is {}', 'x')") == "{} is x"
    assert run("States.Format('it\\'s {}\\\\', 'x')") == "it's x\\"
    assert run("States.Format('{ } {x} {}', 1)") == "{ } {x} 1"
    assert run("States.Format('no holes')") == "no holes"


def test_format_takes_its_template_from_a_path_too() -> None:
    data = {"t": "Hello {}, \\{\\}", "name": "Ana"}
    assert run("States.Format($.t, $.name)", data) == "Hello Ana, {}"


@pytest.mark.parametrize(
    ("expression", "detail"),
    [
        ("States.Format('{} {}', 1)", "has 2 '{}' placeholder(s) in its format string but 1 argument(s)"),
        ("States.Format('x', 1)", "has 0 '{}' placeholder(s) in its format string but 1 argument(s)"),
        ("States.Format(1)", "expects a string as its first argument, but got the integer 1."),
        ("States.Format($.t, 1)", "expects a string as its first argument, but got the null null."),
    ],
)
def test_format_refuses_a_count_mismatch_or_a_template_that_is_not_a_string(
    expression: str, detail: str
) -> None:
    assert detail in fails(expression, {"t": None})


# --------------------------------------------------------------------------- JSON
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", None),
        (" ", None),
        ("null", None),
        ("-0", 0),
        ("1", 1),
        ("1.1", 1.1),
        ("1.0", 1.0),
        ("true", True),
        ('"HelloWorld"', "HelloWorld"),
        ('[1, 2, "HelloWorld"]', [1, 2, "HelloWorld"]),
        ('{"Arg1": 1, "Arg2": []}', {"Arg1": 1, "Arg2": []}),
    ],
)
def test_string_to_json_parses_text_and_gives_null_for_blank_text(text: str, expected: Any) -> None:
    assert same(run("States.StringToJson($.s)", {"s": text}), expected)


def test_string_to_json_reads_a_literal_and_json_merge_takes_its_result() -> None:
    merged = run(
        'States.JsonMerge(States.StringToJson(\'{"constant_in_literal": "false"}\'), $.b, false)',
        {"b": {"constant_input_field": "constant_value"}},
    )
    assert merged == {"constant_in_literal": "false", "constant_input_field": "constant_value"}


@pytest.mark.parametrize("text", ["{", "NaN", "Infinity", "[1,]", "1 2", "{'a': 1}"])
def test_string_to_json_refuses_text_that_is_not_json(text: str) -> None:
    assert "could not parse its argument as JSON" in fails("States.StringToJson($.s)", {"s": text})


def test_string_to_json_refuses_a_value_that_is_not_a_string() -> None:
    assert "expects a string" in fails("States.StringToJson($.s)", {"s": {"a": 1}})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "null"),
        (0, "0"),
        (1.1, "1.1"),
        (2.0, "2.0"),
        (True, "true"),
        ("HelloWorld", '"HelloWorld"'),
        ([1, 2, "HelloWorld"], '[1,2,"HelloWorld"]'),
        ({"Arg1": 1, "Arg2": []}, '{"Arg1":1,"Arg2":[]}'),
        ({"é": "a\nb\u0001"}, '{"é":"a\\nb\\u0001"}'),
    ],
)
def test_json_to_string_writes_compact_json_as_jackson_does(value: Any, expected: str) -> None:
    assert run("States.JsonToString($.v)", {"v": value}) == expected


def test_json_merge_is_shallow_and_the_second_object_wins() -> None:
    data = {
        "fst": {"a": {"a1": 1, "a2": 2}, "b": 2, "d": 3},
        "snd": {"a": {"a3": 1, "a4": 2}, "c": 3, "d": 4},
    }
    merged = run("States.JsonMerge($.fst, $.snd, false)", data)
    assert merged == {"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3, "d": 4}
    assert data["fst"] == {"a": {"a1": 1, "a2": 2}, "b": 2, "d": 3}


@pytest.mark.parametrize(
    ("expression", "detail"),
    [
        ("States.JsonMerge($.o, $.o, true)", "supports only shallow merging"),
        ("States.JsonMerge($.o, $.o, 'false')", "expects the boolean false as its third argument"),
        ("States.JsonMerge($.o, [], false)", "expects a JSON object as its second argument"),
        ("States.JsonMerge(1, $.o, false)", "expects a JSON object as its first argument"),
    ],
)
def test_json_merge_refuses_deep_merging_and_values_that_are_not_objects(
    expression: str, detail: str
) -> None:
    assert detail in fails(expression.replace("[]", "States.Array()"), {"o": {}})


# --------------------------------------------------------------------------- arrays
def test_array_holds_its_arguments_in_order() -> None:
    assert same(run("States.Array($.a, 1, 1.5, null, 'x')", {"a": {"k": []}}), [{"k": []}, 1, 1.5, None, "x"])


@pytest.mark.parametrize(
    ("items", "size", "expected"),
    [
        ([], 1, []),
        ([0], 5, [[0]]),
        ([0, 1, 2], 2, [[0, 1], [2]]),
        ([0, 1, 2, 3], 2, [[0, 1], [2, 3]]),
        ([0, 1, 2, 3], 1, [[0], [1], [2], [3]]),
        ([0, 1], 2.0, [[0, 1]]),
    ],
)
def test_array_partition_cuts_chunks_of_the_given_size(items: list[Any], size: Any, expected: Any) -> None:
    assert run("States.ArrayPartition($.a, $.n)", {"a": items, "n": size}) == expected


@pytest.mark.parametrize(
    ("size", "detail"),
    [
        (0, "needs a chunk size greater than 0, but got 0."),
        (-1, "needs a chunk size greater than 0, but got -1."),
        (1.5, "expects an integer as its second argument, but got the number 1.5."),
        ("2", 'expects an integer as its second argument, but got the string "2".'),
        (True, "expects an integer as its second argument, but got the boolean true."),
    ],
)
def test_array_partition_refuses_a_size_that_is_not_a_positive_integer(size: Any, detail: str) -> None:
    assert fails("States.ArrayPartition($.a, $.n)", {"a": [1], "n": size}) == detail


@pytest.mark.parametrize(
    ("items", "value", "expected"),
    [
        ([], None, False),
        ([[1, 2, 3], 2], [1, 2, 3], True),
        ([[1, 2, 3], 2], None, False),
        ([{"1": 2, "2": []}], {"2": [], "1": 2}, True),
        ([{"1": 2, "2": []}], [], False),
        ([True, False], False, True),
        ([1], 1.0, False),
        ([1], True, False),
        ([0.0], -0.0, False),
        (["1"], 1, False),
    ],
)
def test_array_contains_compares_type_strictly_as_jackson_does(
    items: Any, value: Any, expected: bool
) -> None:
    assert run("States.ArrayContains($.a, $.v)", {"a": items, "v": value}) is expected


@pytest.mark.parametrize(
    ("start", "end", "step", "expected"),
    [
        (0, 9, 3, [0, 3, 6, 9]),
        (0, 10, 3, [0, 3, 6, 9]),
        (1, 9, 9, [1]),
        (1, 9, 2, [1, 3, 5, 7, 9]),
        (9, 1, -2, [9, 7, 5, 3, 1]),
        (5, 1, 1, []),
        (1, 1000, 1, list(range(1, 1001))),
    ],
)
def test_array_range_counts_from_start_to_end_inclusive(
    start: int, end: int, step: int, expected: Any
) -> None:
    assert run("States.ArrayRange($.a, $.b, $.c)", {"a": start, "b": end, "c": step}) == expected


@pytest.mark.parametrize(
    ("expression", "detail"),
    [
        (
            "States.ArrayRange(0, 1000, 1)",
            "can build at most 1000 items, but from 0 to 1000 by 1 there would be 1001.",
        ),
        ("States.ArrayRange(1, 5, 0)", "needs a step other than 0."),
        ("States.ArrayRange(1.5, 5, 1)", "expects an integer as its first argument, but got the number 1.5."),
        (
            "States.ArrayRange(1, '5', 1)",
            'expects an integer as its second argument, but got the string "5".',
        ),
    ],
)
def test_array_range_refuses_more_than_1000_items_a_zero_step_and_non_integers(
    expression: str, detail: str
) -> None:
    assert fails(expression) == detail


def test_array_get_item_returns_the_item_at_a_zero_based_index() -> None:
    assert run("States.ArrayGetItem($.a, 5)", {"a": [1, 2, 3, 4, 5, 6, 7, 8, 9]}) == 6
    assert run("States.ArrayGetItem($.a, 0.0)", {"a": ["x"]}) == "x"


@pytest.mark.parametrize(
    ("index", "detail"),
    [
        (3, "got the index 3, which is out of bounds for an array of 3 items."),
        (-1, "got the index -1, which is out of bounds for an array of 3 items."),
        (0.5, "expects an integer as its second argument, but got the number 0.5."),
    ],
)
def test_array_get_item_refuses_an_index_out_of_bounds(index: Any, detail: str) -> None:
    assert fails("States.ArrayGetItem($.a, $.i)", {"a": [1, 2, 3], "i": index}) == detail


def test_array_length_counts_items_and_refuses_what_is_not_an_array() -> None:
    assert run("States.ArrayLength($.a)", {"a": [None, None, 1]}) == 3
    assert fails("States.ArrayLength($.a)", {"a": "abc"}) == (
        'expects an array as its first argument, but got the string "abc".'
    )


def test_array_unique_keeps_the_first_of_each_value_type_strictly() -> None:
    items = [
        None,
        None,
        True,
        True,
        1,
        1,
        1.0,
        0,
        "a",
        "a",
        [],
        [],
        [None],
        [None],
        {"a": 1, "b": 2},
        {"b": 2, "a": 1},
        {"a": 1, "b": 1},
    ]
    expected = [None, True, 1, 1.0, 0, "a", [], [None], {"a": 1, "b": 2}, {"a": 1, "b": 1}]
    assert same(run("States.ArrayUnique($.a)", {"a": items}), expected)


def test_an_error_message_shortens_a_long_value() -> None:
    detail = fails("States.ArrayLength($.a)", {"a": "x" * 200})
    assert detail == f'expects an array as its first argument, but got the string "{"x" * 56}....'


# --------------------------------------------------------------------------- encoding, hashing
@pytest.mark.parametrize(
    ("text", "encoded"),
    [("", ""), ("Data to encode", "RGF0YSB0byBlbmNvZGU="), ("é€😀", "w6nigqzwn5iA")],
)
def test_base64_encodes_and_decodes_utf8_text(text: str, encoded: str) -> None:
    assert run("States.Base64Encode($.s)", {"s": text}) == encoded
    assert run("States.Base64Decode($.s)", {"s": encoded}) == text


def test_base64_decode_accepts_missing_padding_and_replaces_bytes_that_are_not_utf8() -> None:
    assert run("States.Base64Decode('YWJj')") == "abc"
    assert run("States.Base64Decode('YWI')") == "ab"
    assert run("States.Base64Decode('/w==')") == "\ufffd"


@pytest.mark.parametrize("text", ["Y", "YWJ=j", "YW Jj", "YW\nJj", "YWJj===", "Y===", "YW=", "*abc"])
def test_base64_decode_refuses_text_that_is_not_base64(text: str) -> None:
    assert fails("States.Base64Decode($.s)", {"s": text}) == "got a string that is not valid Base64."


@pytest.mark.parametrize(
    "function", ["States.Base64Encode($.s)", "States.Base64Decode($.s)", "States.Hash($.s, 'MD5')"]
)
def test_encoding_and_hashing_take_at_most_10000_characters(function: str) -> None:
    run(function, {"s": "A" * 10_000})
    assert fails(function, {"s": "A" * 10_001}) == "accepts at most 10000 characters of input, but got 10001."


@pytest.mark.parametrize(
    ("algorithm", "digest"),
    [
        ("MD5", "812f45842bc6d66ee14572ce20db8e86"),
        ("SHA-1", "aaff4a450a104cd177d28d18d74485e8cae074b7"),
        ("SHA-256", "b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"),
    ],
)
def test_hash_gives_the_lowercase_hex_digest_of_the_utf8_text(algorithm: str, digest: str) -> None:
    assert run("States.Hash('input data', $.alg)", {"alg": algorithm}) == digest


def test_hash_knows_sha384_and_sha512() -> None:
    assert len(run("States.Hash('x', 'SHA-384')")) == 96
    assert len(run("States.Hash('x', 'SHA-512')")) == 128


@pytest.mark.parametrize(("data", "algorithm"), [("x", "sha-256"), ("x", "SHA256"), ("x", "CRC32")])
def test_hash_refuses_an_algorithm_it_does_not_know(data: str, algorithm: str) -> None:
    detail = fails("States.Hash($.d, $.a)", {"d": data, "a": algorithm})
    assert (
        detail
        == f"does not know the algorithm '{algorithm}'; use one of MD5, SHA-1, SHA-256, SHA-384, SHA-512."
    )


def test_hash_refuses_data_that_is_not_a_string() -> None:
    assert "expects a string as its first argument" in fails("States.Hash($.d, 'MD5')", {"d": {"a": 1}})


# --------------------------------------------------------------------------- math
@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        (-9, 3, -6),
        (1.49, 1.5, 3),
        (1.5, 1.51, 4),
        (-1.49, -1.5, -2),
        (-1.5, -1.51, -3),
        (0.5, 0, 1),
        (2.5, 0, 3),
        (-0.5, 0, 0),
        (-2.5, 0, -2),
        (0.49999999999999994, 0, 0),
        (10**20, 1, 10**20 + 1),
    ],
)
def test_math_add_rounds_each_argument_half_up_as_java_does(first: Any, second: Any, expected: int) -> None:
    assert same(run("States.MathAdd($.a, $.b)", {"a": first, "b": second}), expected)


@pytest.mark.parametrize("value", ["1", None, True, [1], float("inf")])
def test_math_add_refuses_what_is_not_a_finite_number(value: Any) -> None:
    assert "expects a number as its second argument" in fails("States.MathAdd(1, $.v)", {"v": value})


def test_math_random_draws_from_start_inclusive_to_end_exclusive_using_the_given_rng() -> None:
    expression = parse_intrinsic("States.MathRandom($.a, $.b)")
    draws = {
        expression.evaluate(lambda path: {"$.a": 1, "$.b": 4}[path], random.Random(seed))
        for seed in range(200)
    }
    assert draws == {1, 2, 3}
    again = [
        expression.evaluate(lambda path: {"$.a": 0, "$.b": 10**6}[path], random.Random(7)) for _ in range(2)
    ]
    assert again[0] == again[1]


def test_math_random_rounds_its_bounds_and_repeats_itself_for_a_seed() -> None:
    seeded = parse_intrinsic("States.MathRandom(12.5, 44.51, 3)")
    results = {seeded.evaluate(lambda path: None, random.Random(n)) for n in range(20)}
    assert len(results) == 1
    (value,) = results
    assert isinstance(value, int)
    assert 13 <= value < 45
    assert 0 <= run("States.MathRandom(0, 2)") < 2


@pytest.mark.parametrize(
    ("expression", "detail"),
    [
        ("States.MathRandom(5, 5)", "needs a start lower than its end, but got 5 and 5."),
        ("States.MathRandom(5, 1)", "needs a start lower than its end, but got 5 and 1."),
        ("States.MathRandom('1', 5)", 'expects a number as its first argument, but got the string "1".'),
        ("States.MathRandom(1, 5, 'x')", 'expects a number as its third argument, but got the string "x".'),
    ],
)
def test_math_random_refuses_an_empty_range_and_non_numbers(expression: str, detail: str) -> None:
    assert fails(expression) == detail


# --------------------------------------------------------------------------- strings, ids
@pytest.mark.parametrize(
    ("text", "delimiters", "expected"),
    [
        (" ", ",", [" "]),
        (" , ", ",", [" ", " "]),
        (", , ,", ",", [" ", " "]),
        (",,,,", ",", []),
        ("1,2,3,4,5", ",", ["1", "2", "3", "4", "5"]),
        ("This.is+a,test=string", ".+,=", ["This", "is", "a", "test", "string"]),
        ("split on T and \nnew line", "T\n", ["split on ", " and ", "new line"]),
        ("a]b^c\\d", "]^\\", ["a", "b", "c", "d"]),
        ("abc", "", ["abc"]),
        ("", ",", []),
        ("", "", []),
    ],
)
def test_string_split_splits_on_any_delimiter_character_and_drops_empty_pieces(
    text: str, delimiters: str, expected: list[str]
) -> None:
    assert run("States.StringSplit($.t, $.d)", {"t": text, "d": delimiters}) == expected


def test_string_split_reads_a_literal_newline_and_refuses_non_strings() -> None:
    assert run("States.StringSplit('Hello\nWorld', '\n')") == ["Hello", "World"]
    assert "expects a string as its second argument" in fails("States.StringSplit('a', 1)")
    assert "expects a string as its first argument" in fails("States.StringSplit(1, ',')")


def test_uuid_is_a_version_4_uuid_and_repeatable_with_an_rng() -> None:
    expression = parse_intrinsic("States.UUID()")
    first = expression.evaluate(lambda path: None, random.Random(5))
    assert first == expression.evaluate(lambda path: None, random.Random(5))
    assert uuid.UUID(first).version == 4
    assert run("States.UUID()") != run("States.UUID()")
