"""Jayway's filter expressions, slices and scans, and the parser's refusals."""

from __future__ import annotations

from typing import Any

import pytest

from sdw.asl import JsonPathSyntaxError, PathNotFoundError
from sdw.asl._jsonpath import compile_path, compile_reference_path

BOOKS: dict[str, Any] = {
    "store": {
        "book": [
            {"title": "A", "price": 8.95, "tags": ["x", "y"], "isbn": "1"},
            {"title": "B", "price": 12.99, "tags": ["y"]},
            {"title": "C", "price": 8.99, "tags": [], "isbn": "3"},
            {"title": "D", "price": 22.99, "tags": ["z"], "category": "fiction"},
        ],
        "limit": 10,
    }
}


@pytest.mark.parametrize(
    ("path", "titles"),
    [
        ("$.store.book[?(@.price < $.store.limit)].title", ["A", "C"]),
        ("$.store.book[?(@.price <= 8.99 && @.isbn)].title", ["A", "C"]),
        ("$.store.book[?(@.price >= 12.99 || @.title == 'A')].title", ["A", "B", "D"]),
        ("$.store.book[?(@.price > 10 && !(@.category))].title", ["B"]),
        ("$.store.book[?(@.title in ['A', 'D'])].title", ["A", "D"]),
        ("$.store.book[?(@.title nin ['A', 'D'])].title", ["B", "C"]),
        ("$.store.book[?(@.tags contains 'y')].title", ["A", "B"]),
        ("$.store.book[?(@.title contains 'B')].title", ["B"]),
        ("$.store.book[?(@.tags subsetof ['x', 'y'])].title", ["A", "B", "C"]),
        ("$.store.book[?(@.tags anyof ['z', 'x'])].title", ["A", "D"]),
        ("$.store.book[?(@.tags noneof ['y'])].title", ["C", "D"]),
        ("$.store.book[?(@.tags size 2)].title", ["A"]),
        ("$.store.book[?(@.tags empty true)].title", ["C"]),
        ("$.store.book[?(@.tags empty false)].title", ["A", "B", "D"]),
        ("$.store.book[?(@.title =~ /[a-c]/i)].title", ["A", "B", "C"]),
        ("$.store.book[?(@.isbn != '1')].title", ["B", "C", "D"]),
        ("$.store.book[?(@.price == 8.95)].title", ["A"]),
        ('$.store.book[?(@.title == "D")].title', ["D"]),
        ("$.store.book[?(@.price > 1e1)].title", ["B", "D"]),
        ("$.store.book[?(@.missing == null)].title", []),
        ("$.store.book[?(@['title'] > 'B')].title", ["C", "D"]),
        ("$.store.book[-1:].title", ["D"]),
        ("$.store.book[::2].title", ["A", "C"]),
        ("$.store.book[1:3].title", ["B", "C"]),
        ("$..book[0].title", ["A"]),
        ("$.store.*.title", []),
        ("$.store['book','limit']", None),
    ],
)
def test_filters_select_as_jayway_does(path: str, titles: list[str] | None) -> None:
    result = compile_path(path).get(BOOKS)
    if titles is None:
        assert result == [BOOKS["store"]["book"], 10]
    else:
        assert result == titles


def test_a_filter_on_an_object_tests_the_object_itself() -> None:
    assert compile_path("$.store[?(@.limit == 10)].limit").get(BOOKS) == [10]
    assert compile_path("$.store.limit[?(@ > 1)]").get(BOOKS) == []


def test_deep_scan_visits_nodes_before_their_children() -> None:
    doc = {"a": {"a": 1}, "b": [{"a": 2}]}
    assert compile_path("$..a").get(doc) == [{"a": 1}, 1, 2]
    assert compile_path("$..[0]").get(doc) == [{"a": 2}]


def test_canonical_names_use_brackets_for_every_step() -> None:
    path = compile_path("$.a[1][*][1:2]['b','c'][0,1]..d[?(@.x)]")
    assert path.canonical == "$['a'][1][*][1:2]['b','c'][0,1]..['d'][?(@.x)]"
    assert repr(compile_path("$.a")) == "JsonPath('$.a')"


@pytest.mark.parametrize(
    "text",
    [
        "$[?(@.a == )]",
        "$[?(@.a =~ /unclosed)]",
        "$[?(@.a =~ /(/)]",
        "$[?(@.a in [1 2])]",
        "$[?(@.a == 'open)]",
        "$[?(@.a > 1) junk]",
        "$[?(@.a > 1]",
        "$[?((@.a > 1)]",
        "$[?(@.a == #)]",
        "$['a',b]",
        "$[*",
        "$[a]",
        "$.a..",
        "$x y",
        7,
    ],
)
def test_malformed_paths_are_syntax_errors(text: Any) -> None:
    with pytest.raises(JsonPathSyntaxError):
        compile_path(text)


def test_setting_through_indexes_and_negative_indexes() -> None:
    assert compile_reference_path("$.a[-1].b").set({"a": [{}, {"b": 1}]}, 2) == {"a": [{}, {"b": 2}]}
    with pytest.raises(PathNotFoundError):
        compile_reference_path("$.a[0]").set({"a": {"0": 1}}, 2)
    with pytest.raises(PathNotFoundError):
        compile_path("$.a[*]").set({"a": [1]}, 2)


def test_paths_with_spaces_around_are_accepted() -> None:
    assert compile_path("  $.a  ").get({"a": 1}) == 1
    assert compile_path("$[ 'a' ]").get({"a": 2}) == 2
    assert compile_path("$.a[ 0 ]").get({"a": [3]}) == 3
