from __future__ import annotations

import threading
from typing import Any

import pytest

from sdw.asl._errors import JsonataSyntaxError, StatesError
from sdw.asl.jsonata._engine import parse_expression, run_expression
from sdw.asl.jsonata._templates import (
    compile_jsonata,
    compile_template_tree,
    is_jsonata_template,
)

STATES: dict[str, Any] = {
    "input": {
        "a": 1,
        "whole": 1.0,
        "half": 2.5,
        "n": None,
        "items": [{"price": 1.5}, {"price": 2.5}],
        "single": [0],
        "name": "Ada",
    },
    "context": {"Execution": {"Id": "arn:exec"}, "State": {"Name": "S"}},
}


def evaluate(template: str, variables: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    return compile_jsonata(template).evaluate(STATES, variables or {}, **kwargs)


def cause_of(template: str, variables: dict[str, Any] | None = None, **kwargs: Any) -> str:
    with pytest.raises(StatesError) as info:
        evaluate(template, variables, **kwargs)
    assert info.value.name == "States.QueryEvaluationError"
    assert info.value.cause is not None
    return info.value.cause


# --------------------------------------------------------------------------- templates
@pytest.mark.parametrize("value", ["{% $x %}", "{%$x%}", "{%  %}", "{%\n1\n%}"])
def test_strings_delimited_at_both_ends_are_templates(value: str) -> None:
    assert is_jsonata_template(value)


@pytest.mark.parametrize(
    "value", [" {% $x %}", "{% $x %} ", "{%}", "{%", "%}", "$x", "a {% $x %}", 1, None, ["{% $x %}"]]
)
def test_anything_else_is_a_literal(value: Any) -> None:
    assert not is_jsonata_template(value)


def test_compile_keeps_the_trimmed_expression_aws_quotes() -> None:
    expression = compile_jsonata("{%   $states.input.a + 1 \n%}")
    assert expression.source == "$states.input.a + 1"
    assert expression.text == "{%   $states.input.a + 1 \n%}"


def test_compile_returns_the_cached_expression_for_the_same_text() -> None:
    assert compile_jsonata("{% 1 + 1 %}") is compile_jsonata("{% 1 + 1 %}")


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        (
            "{% 1 + %}",
            "The JSONata expression '1 +' does not parse: Unexpected end of expression (S0207).",
            6,
        ),
        (
            "{% a[1,2) %}",
            'The JSONata expression \'a[1,2)\' does not parse: Expected "]", got "," (S0202).',
            7,
        ),
        ("{% %}", "The JSONata expression is empty.", 3),
    ],
)
def test_syntax_errors_say_what_and_where(text: str, message: str, position: int) -> None:
    with pytest.raises(JsonataSyntaxError) as info:
        compile_jsonata(text)
    assert str(info.value) == message
    assert info.value.text == text
    assert info.value.position == position


def test_compiling_a_plain_string_is_refused() -> None:
    with pytest.raises(JsonataSyntaxError, match="must start with"):
        compile_jsonata("$states.input")


# --------------------------------------------------------------------------- values
def test_states_and_variables_are_bound() -> None:
    assert evaluate("{% $states.input.a + $x %}", {"x": 2}) == 3
    assert evaluate("{% $states.context.Execution.Id %}") == "arn:exec"
    assert evaluate("{% $states.input.name & '!' %}") == "Ada!"


def test_json_null_is_a_value_not_nothing() -> None:
    assert evaluate("{% $states.input.n %}") is None
    assert evaluate("{% $exists($states.input.n) %}") is True
    assert evaluate("{% $type($v) %}", {"v": None}) == "null"


@pytest.mark.parametrize(
    ("template", "expected", "kind"),
    [
        ("{% $sum($states.input.items.price) %}", 4, int),
        ("{% $states.input.whole %}", 1, int),
        ("{% $states.input.half %}", 2.5, float),
        ("{% 10 / 4 %}", 2.5, float),
        ("{% 10 / 5 %}", 2, int),
        ("{% 5.5 % 2 %}", 1.5, float),
        ("{% 2e20 %}", 2e20, float),
    ],
)
def test_numbers_come_out_as_aws_writes_them(template: str, expected: Any, kind: type) -> None:
    value = evaluate(template)
    assert value == expected
    assert type(value) is kind


def test_an_integer_wider_than_a_long_goes_in_as_a_double() -> None:
    assert type(evaluate("{% $big %}", {"big": 2**70})) is float


@pytest.mark.parametrize(
    ("template", "expected"),
    [("{% 1/0 %}", "Infinity"), ("{% -1/0 %}", "-Infinity"), ("{% [0/0] %}", ["NaN"])],
)
def test_non_finite_numbers_are_written_by_their_javascript_names(template: str, expected: Any) -> None:
    assert evaluate(template) == expected


def test_an_array_from_the_input_keeps_its_brackets() -> None:
    assert evaluate("{% $states.input.single %}") == [0]


def test_results_never_share_containers_with_the_input() -> None:
    value = evaluate("{% $states.input %}")
    value["items"].append("x")
    assert len(STATES["input"]["items"]) == 2


def test_a_variable_named_states_does_not_hide_the_reserved_one() -> None:
    assert evaluate("{% $states.input.a %}", {"states": {"input": {"a": 99}}}) == 1


def test_now_and_millis_read_the_given_time() -> None:
    assert evaluate("{% $now() %}", now_ms=0) == "1970-01-01T00:00:00.000Z"
    assert evaluate("{% $millis() %}", now_ms=1234) == 1234


# --------------------------------------------------------------------------- failures
def test_nothing_fails_with_the_sentence_aws_writes() -> None:
    assert cause_of("{% $doesNotExist %}", field="Output/result") == (
        "The JSONata expression '$doesNotExist' specified for the field 'Output/result' "
        "returned nothing (undefined)."
    )


def test_without_a_field_the_sentence_names_only_the_expression() -> None:
    assert cause_of("{% $states.result %}") == (
        "The JSONata expression '$states.result' returned nothing (undefined)."
    )


def test_an_unknown_function_fails_with_the_jsonata_code() -> None:
    assert cause_of("{% $randomSeeded($states.input.a) %}", field="Output/FunctionResult") == (
        "The JSONata expression '$randomSeeded($states.input.a)' specified for the field "
        "'Output/FunctionResult' threw an error during evaluation. T1006: Attempted to invoke a non-function"
    )


def test_eval_is_not_available() -> None:
    assert cause_of('{% $eval("1 + 1") %}').endswith("T1006: Attempted to invoke a non-function")


@pytest.mark.parametrize(
    ("template", "tail"),
    [
        ('{% $sum(["a"]) %}', 'T0412: Argument 1 of function "sum" must be an array of "numbers"'),
        ('{% $abs("x") %}', 'T0410: Argument 1 of function "abs" does not match function signature'),
        ('{% 1 + "a" %}', 'T2002: The right side of the "+" operator must evaluate to a number'),
        (
            '{% 1 < "a" %}',
            'T2009: The values 1 and "a" either side of operator "<" must be of the same data type',
        ),
        ('{% $error("boom") %}', "D3137: boom"),
    ],
)
def test_engine_errors_are_worded_as_jsonata_js_words_them(template: str, tail: str) -> None:
    cause = cause_of(template)
    assert cause.endswith("threw an error during evaluation. " + tail)


def test_a_function_result_is_an_unsupported_type() -> None:
    assert cause_of("{% $fn := function($x){$x} %}", field="Items") == (
        "The JSONata expression '$fn := function($x){$x}' specified for the field 'Items' "
        "returned an unsupported result type."
    )


@pytest.mark.parametrize(
    ("template", "described"),
    [
        ("{% true %}", "'boolean' for value: true"),
        ("{% null %}", "'null' for value: null"),
        ("{% 1 %}", "'number' for value: 1"),
        ("{% {'foo': 'bar'} %}", '\'object\' for value: {"foo":"bar"}'),
        ("{% 'string' %}", "'string' for value: \"string\""),
    ],
)
def test_a_result_of_the_wrong_type_names_both_types(template: str, described: str) -> None:
    source = template[2:-2].strip()
    assert cause_of(template, field="Items", expected_type="array") == (
        f"The JSONata expression '{source}' specified for the field 'Items' returned an unexpected "
        f"result type. Expected 'array', but was {described}"
    )


def test_a_result_of_the_expected_type_passes() -> None:
    assert evaluate("{% [1, 'two'] %}", expected_type="array") == [1, "two"]
    assert evaluate("{% 3 %}", expected_type="integer") == 3


def test_nesting_deeper_than_aws_allows_fails() -> None:
    shallow = "{% " + "+".join(["1"] * 50) + " %}"
    deep = "{% " + "+".join(["1"] * 200) + " %}"
    assert evaluate(shallow) == 50
    assert "D1011: Stack overflow" in cause_of(deep)


def test_a_runaway_loop_is_stopped_by_the_time_bound() -> None:
    tree = parse_expression("($f := function($n){ $f($n + 1) }; $f(0))")
    with pytest.raises(Exception, match="timeout") as info:
        run_expression(tree, now_ms=0, timeout=0.05)
    assert info.value.__class__.__name__ == "JException"


# --------------------------------------------------------------------------- trees
TREE: dict[str, Any] = {
    "static": "Hello",
    "title": "{% $states.input.name %}",
    "list": [1, "{% $x %}", {"deep": "{% $x * 2 %}"}],
    "literal": {"kept": ["$x", "{%x"]},
}


def test_a_tree_replaces_templates_and_keeps_literals() -> None:
    tree = compile_template_tree(TREE)
    assert tree.evaluate(STATES, {"x": 3}) == {
        "static": "Hello",
        "title": "Ada",
        "list": [1, 3, {"deep": 6}],
        "literal": {"kept": ["$x", "{%x"]},
    }
    assert [e.source for e in tree.expressions] == ["$states.input.name", "$x", "$x * 2"]
    assert tree.expressions


def test_a_tree_copies_its_literals_on_every_evaluation() -> None:
    tree = compile_template_tree({"a": [1, 2]})
    first = tree.evaluate(STATES, {})
    first["a"].append(3)
    assert tree.evaluate(STATES, {}) == {"a": [1, 2]}
    assert tree.expressions == ()


def test_a_failing_template_is_named_by_its_path_below_the_field() -> None:
    with pytest.raises(StatesError) as info:
        compile_template_tree(TREE).evaluate(STATES, {}, field="Output")
    assert info.value.cause == (
        "The JSONata expression '$x' specified for the field 'Output/list[1]' returned nothing (undefined)."
    )


def test_a_template_as_the_whole_value_is_named_by_the_field_alone() -> None:
    with pytest.raises(StatesError) as info:
        compile_template_tree("{% $nope %}").evaluate(STATES, {}, field="Output")
    assert "for the field 'Output' returned nothing" in str(info.value.cause)


def test_a_binding_in_one_template_does_not_leak_into_the_next() -> None:
    tree = compile_template_tree({"a": "{% $y := 5 %}", "b": "{% $exists($y) %}"})
    assert tree.evaluate(STATES, {}) == {"a": 5, "b": False}


def test_a_tree_with_a_syntax_error_does_not_compile() -> None:
    with pytest.raises(JsonataSyntaxError):
        compile_template_tree({"ok": "{% 1 %}", "bad": ["{% ( %}"]})


# --------------------------------------------------------------------------- threads
def test_concurrent_evaluations_of_one_expression_do_not_mix() -> None:
    expression = compile_jsonata("{% $map($states.input.values, function($v){ $v * $k }) ~> $sum() %}")
    failures: list[str] = []

    def work(k: int) -> None:
        for _ in range(200):
            got = expression.evaluate({"input": {"values": [1, 2, 3]}}, {"k": k}, now_ms=k)
            if got != 6 * k:
                failures.append(f"k={k} got {got}")

    threads = [threading.Thread(target=work, args=(k,)) for k in range(1, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_concurrent_evaluations_each_read_their_own_time() -> None:
    expression = compile_jsonata("{% $millis() %}")
    failures: list[str] = []

    def work(ms: int) -> None:
        for _ in range(200):
            got = expression.evaluate({}, {}, now_ms=ms)
            if got != ms:
                failures.append(f"{ms} got {got}")

    threads = [threading.Thread(target=work, args=(ms,)) for ms in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


# --------------------------------------------------------------------------- corners
def test_an_expression_shows_its_template_in_repr() -> None:
    assert repr(compile_jsonata("{% 1 %}")) == "JsonataExpression('{% 1 %}')"


def test_states_read_as_a_whole_holds_every_field() -> None:
    assert evaluate("{% $keys($states) %}") == ["input", "context"]


def test_arithmetic_on_infinity_is_out_of_range() -> None:
    assert "D1001: Number out of range" in cause_of("{% (1/0) / 2 %}")


def test_a_json_null_handed_to_a_function_names_the_argument_and_the_function() -> None:
    assert cause_of("{% $lowercase($states.input.n) %}").endswith(
        'T0410: Argument 1 of function "lowercase" does not match function signature'
    )
    assert cause_of("{% $map([null], function($v){ $uppercase($v) }) %}").endswith(
        'T0410: Argument 1 of function "uppercase" does not match function signature'
    )


def test_an_engine_failure_without_a_code_is_quoted_after_a_colon() -> None:
    assert cause_of("{% $replace('abc', '', 'x') %}").endswith(
        "threw an error during evaluation: Second argument of replace function cannot be an empty string"
    )


def test_calling_a_value_that_is_not_a_function_fails_quietly(capsys: pytest.CaptureFixture[str]) -> None:
    assert cause_of("{% ($x := 1; $x()) %}").endswith("T1006: Attempted to invoke a non-function")
    assert capsys.readouterr().out == ""
