from __future__ import annotations

from typing import Any

import pytest

from sdw.asl._errors import JsonPathSyntaxError, PathNotFoundError
from sdw.asl._jsonpath import MISSING, compile_path, compile_reference_path

DOC: dict[str, Any] = {
    "a": {"b": [1, 2, {"c": 3}]},
    "items": [{"x": 1, "v": "a"}, {"x": 5, "v": "b"}, {"v": "c"}],
    "n": None,
}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$", DOC),
        ("$.a.b[2].c", 3),
        ("$.a.b[-1]", {"c": 3}),
        ("$['a'][\"b\"][0]", 1),
        ("$.n", None),
        ("$.items[*].x", [1, 5]),
        ("$..x", [1, 5]),
        ("$.items[1:].v", ["b", "c"]),
        ("$.items[:1]", [{"x": 1, "v": "a"}]),
        ("$.items[0,2].v", ["a", "c"]),
        ("$.items[?(@.x > 1)].v", ["b"]),
        ("$.items[?(@.x)].v", ["a", "b"]),
        ("$.items[?(!@.x)].v", ["c"]),
        ("$.items[?(@.v == 'a' || @.x >= 5)].v", ["a", "b"]),
        ("$.items[?(@.v in ['b', 'c'] && @.x)].v", ["b"]),
        ("$.items[?(@.v =~ /[ab]/)].x", [1, 5]),
        ("$.nothing[*]", []),
    ],
)
def test_get_resolves_paths_as_jayway_does(path: str, expected: Any) -> None:
    assert compile_path(path).get(DOC) == expected


def test_definite_path_that_misses_names_the_canonical_path() -> None:
    with pytest.raises(PathNotFoundError) as info:
        compile_path("$.a.missing").get(DOC)
    assert info.value.detail == "No results for path: $['a']['missing']"
    assert str(info.value) == "Invalid path '$.a.missing' : No results for path: $['a']['missing']"


@pytest.mark.parametrize("path", ["$.a.b[9]", "$.n.x", "$.a[0]", "$.items.x"])
def test_find_gives_missing_for_unresolved_definite_paths(path: str) -> None:
    assert compile_path(path).find(DOC) is MISSING
    assert not compile_path(path).exists(DOC)


def test_quoted_key_keeps_backslashes_that_do_not_escape_the_quote() -> None:
    key = 'Test\\""Name"'
    assert compile_path("$['Test\\\"\"Name\"']").get({key: 1}) == 1
    assert compile_path("$['it\\'s']").get({"it's": 2}) == 2


def test_roots_distinguish_input_context_and_variables() -> None:
    assert compile_path("$.x").root == "$"
    assert compile_path("$$.Execution.Id").root == "$$"
    assert compile_path("$counter.value").root == "counter"
    assert compile_path("$counter").is_root


def test_set_copies_only_the_spine_and_creates_missing_objects() -> None:
    doc = {"a": {"b": 1}, "other": {"k": []}}
    out = compile_reference_path("$.a.c.d").set(doc, 5)
    assert out == {"a": {"b": 1, "c": {"d": 5}}, "other": {"k": []}}
    assert doc == {"a": {"b": 1}, "other": {"k": []}}
    assert out["other"] is doc["other"]


def test_set_into_an_array_element_and_the_root() -> None:
    assert compile_reference_path("$.a[1]").set({"a": [1, 2]}, 9) == {"a": [1, 9]}
    assert compile_reference_path("$").set({"a": 1}, 9) == 9


@pytest.mark.parametrize(("path", "doc"), [("$.a.b", {"a": "text"}), ("$.a[3]", {"a": [1]}), ("$.x", [1])])
def test_set_refuses_to_write_through_non_containers(path: str, doc: Any) -> None:
    with pytest.raises(PathNotFoundError):
        compile_reference_path(path).set(doc, 1)


@pytest.mark.parametrize(
    "text", ["a", "$.", "$[", "$..", "$.a[?(@.x >)]", "$[1:2:0]", "$['a", "$[?(@.x == 1]", "$.a b"]
)
def test_compile_rejects_bad_syntax(text: str) -> None:
    with pytest.raises(JsonPathSyntaxError):
        compile_path(text)


def test_reference_paths_reject_wildcards() -> None:
    with pytest.raises(JsonPathSyntaxError):
        compile_reference_path("$.items[*]")
