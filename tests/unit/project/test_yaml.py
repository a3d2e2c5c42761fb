"""YAML with locations: values, their file:line:column, and documents it refuses to build."""

from __future__ import annotations

import pytest

from sdw.project import Location, YamlError, load_yaml


def test_locates_each_node_by_its_json_pointer() -> None:
    doc = load_yaml("name: a\ndefinition:\n  StartAt: A\n  States: {A/B: 1}\n", "flows/a.yml")
    assert doc.data == {"name": "a", "definition": {"StartAt": "A", "States": {"A/B": 1}}}
    assert doc.locate("/definition/StartAt") == Location("flows/a.yml", 3, 3)
    assert doc.locate("/definition/States/A~1B") == Location("flows/a.yml", 4, 12)
    assert doc.locate("/definition/Missing") == Location("flows/a.yml", 2, 1)  # its nearest parent


def test_follows_aliases_and_merge_keys() -> None:
    doc = load_yaml("base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\nboth: [*b, *b]\n", "f.yml")
    assert doc.data["other"] == {"x": 1, "y": 2}
    assert doc.data["both"] == [{"x": 1}, {"x": 1}]


def test_an_anchor_that_contains_itself_is_an_error_not_endless_recursion() -> None:
    with pytest.raises(YamlError, match="alias refers to the anchor that contains it") as caught:
        load_yaml("definition: &a [1, *a]\n", "f.yml")
    assert caught.value.location.file == "f.yml"


def test_aliases_that_expand_past_the_limit_are_an_error() -> None:
    text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for name, previous in zip("bcdefghi", "abcdefgh", strict=True):
        text += f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]\n"  # 10**9 values
    with pytest.raises(YamlError, match="more than 100,000 values"):
        load_yaml(text, "f.yml")


def test_a_document_nested_too_deeply_is_an_error() -> None:
    with pytest.raises(YamlError, match="nested too deeply") as caught:
        load_yaml("[" * 5000 + "]" * 5000, "f.yml")
    assert caught.value.location == Location("f.yml", 1, 1)
