from __future__ import annotations

import pytest

from sdw.asl.jsonata._references import JsonataReferences
from sdw.asl.jsonata._templates import compile_jsonata, compile_template_tree


def refs(template: str) -> JsonataReferences:
    return compile_jsonata(template).references


def test_states_fields_read_by_name_are_listed() -> None:
    found = refs("{% $states.input.a & $states.context.Execution.Id & $states.input[0] %}")
    assert found.states_fields == {"input", "context"}
    assert not found.whole_states


@pytest.mark.parametrize("template", ["{% $states %}", "{% $keys($states) %}", "{% $states[0] %}"])
def test_states_read_as_a_whole_is_flagged(template: str) -> None:
    assert refs(template).whole_states


def test_workflow_variables_are_the_free_names() -> None:
    found = refs("{% ($total := $price * $qty; $map($items, function($v){ $v + $total + $fee })) %}")
    assert found.variables == {"price", "qty", "items", "fee"}
    assert {"total", "v"} <= found.names


def test_a_variable_read_before_it_is_rebound_is_still_free() -> None:
    assert refs("{% ($n := $n + 1; $n) %}").variables == {"n"}


def test_functions_called_by_name_are_not_variables() -> None:
    assert refs("{% $sum($states.input.x) %}").variables == frozenset()
    assert refs("{% $map($list, $string) %}").variables == {"list", "string"}


@pytest.mark.parametrize(
    ("template", "fields"),
    [
        ("{% phone %}", ("phone",)),
        ("{% a.b[c > 1] %}", ("a",)),
        ("{% $sum(orders.total) + 1 %}", ("orders",)),
        ("{% {'k': name} %}", ("name",)),
        ("{% * %}", ("*",)),
    ],
)
def test_bare_field_names_at_the_top_level_are_found(template: str, fields: tuple[str, ...]) -> None:
    assert refs(template).top_level_fields == fields


@pytest.mark.parametrize(
    "template",
    [
        "{% $states.input.items[price > 1].name %}",
        "{% $map($states.input.l, function($v){ $v.price + other }) %}",
        "{% $states.input.items^(price) %}",
    ],
)
def test_names_read_against_a_supplied_context_are_fine(template: str) -> None:
    assert refs(template).top_level_fields == ()
    assert not refs(template).uses_context_item


@pytest.mark.parametrize("template", ["{% $ %}", "{% $$ %}", "{% $.a %}", "{% $count($) %}"])
def test_the_context_item_at_the_top_level_is_flagged(template: str) -> None:
    assert refs(template).uses_context_item


def test_the_context_item_inside_a_predicate_is_fine() -> None:
    assert not refs("{% $states.input.l[$ > 1] %}").uses_context_item


def test_a_tree_unites_the_references_of_its_templates() -> None:
    tree = compile_template_tree({"a": "{% $states.input %}", "b": ["{% $x %}", "{% y %}"]})
    union = JsonataReferences.union(e.references for e in tree.expressions)
    assert union.states_fields == {"input"}
    assert union.variables == {"x"}
    assert union.top_level_fields == ("y",)


def test_an_immediately_applied_lambda_is_walked() -> None:
    assert refs("{% (function($a){ $a + $b })(1) %}").variables == {"b"}


def test_foreign_and_cyclic_trees_do_not_hang_the_walk() -> None:
    from types import SimpleNamespace

    from sdw.asl.jsonata._references import find_references

    assert find_references(object()) == JsonataReferences()
    node = SimpleNamespace(type="binary", lhs=None, rhs=None)
    node.lhs = SimpleNamespace(type="unary", expression=node)
    node.rhs = SimpleNamespace(type="path", steps=[])
    assert find_references(node) == JsonataReferences()
