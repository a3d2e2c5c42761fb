"""The flow model's pure parts: name rules, placeholder search and substitution, lookups."""

from __future__ import annotations

from pathlib import Path

import pytest

from sdw.project import (
    Flow,
    FlowFile,
    Project,
    check_flow_name,
    find_placeholders,
    substitute_placeholders,
)


@pytest.mark.parametrize(
    "name", ["helloWorldFlow", "a", "a" * 80, "my-flow_2", "my.flow", "naïve", "a'b", "a@b"]
)
def test_accepts_the_names_step_functions_accepts(name: str) -> None:
    assert check_flow_name(name) is None


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("", "the name is empty"),
        ("a" * 81, "is 81 characters; a state machine name has at most 80"),
        *[(f"a{char}b", f"has {char!r}") for char in ' \t\n<>{}[]?*"#%\\^|~`$&,;:/'],
        ("a\x00b", "has '\\x00'"),
        ("a\x7fb", "has '\\x7f'"),
        ("a\x9fb", "has '\\x9f'"),
        ("a\uffffb", "has '\\uffff'"),
    ],
)
def test_refuses_the_names_step_functions_refuses(name: str, fragment: str) -> None:
    reason = check_flow_name(name)
    assert reason is not None and fragment in reason


def test_finds_every_placeholder_with_the_pointer_of_its_string() -> None:
    definition = {
        "States": {
            "a/b": {"Resource": "${fnArn}", "Parameters": {"List": ["x", "${one}-${two}"]}},
            "c~d": {"Comment": "no placeholder", "Number": 5, "Empty": "${}"},
        }
    }
    assert list(find_placeholders(definition)) == [
        ("fnArn", "/States/a~1b/Resource"),
        ("one", "/States/a~1b/Parameters/List/1"),
        ("two", "/States/a~1b/Parameters/List/1"),
        ("", "/States/c~0d/Empty"),
    ]


def test_substitutes_known_placeholders_in_a_copy_and_leaves_unknown_ones() -> None:
    definition = {"A": {"Resource": "${fnArn}", "List": ["pre-${fnArn}-post", "${other}", 3, None]}}
    resolved = substitute_placeholders(definition, {"fnArn": "arn:x"})
    assert resolved == {"A": {"Resource": "arn:x", "List": ["pre-arn:x-post", "${other}", 3, None]}}
    assert definition["A"]["Resource"] == "${fnArn}"


def flow(name: str, plugin: str | None = None) -> Flow:
    return Flow(name=name, arn=f"arn:{name}", file=Path(f"/p/flows/{name}.yml"), source=f"flows/{name}.yml",
                definition={}, raw_definition={}, plugin=plugin)  # fmt: skip


def test_finds_a_flow_by_key_or_by_state_machine_name() -> None:
    own, plugged = flow("hello"), flow("nightly", plugin="billing")
    project = Project(Path("/p"), flows=(own, plugged))
    assert project.flow("hello") is own
    assert project.flow("billing/nightly") is plugged
    assert project.flow("billing-nightly") is plugged
    assert project.flow("nightly") is None


def test_gives_a_flow_file_the_key_of_its_namespace() -> None:
    path = Path("/p/flows/x.yml")
    assert FlowFile("flows/x.yml", path, loaded=True, name="x", plugin="billing").key == "billing/x"
    assert FlowFile("flows/x.yml", path, loaded=True, name="x").key == "x"
    assert FlowFile("flows/x.yml", path, loaded=False).key is None
