"""Properties: whatever the document, validation returns diagnostics and never raises.

A definition comes from users' files, so every shape must end in a sentence, not a
traceback: wrong types at any depth, unhashable values where a name is expected, and
(from YAML) keys that are numbers, booleans or null.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sdw.asl._errors import Diagnostic
from sdw.asl.validate._definition import validate_definition

_FIELD_NAMES = [
    "Type",
    "Next",
    "End",
    "StartAt",
    "States",
    "Choices",
    "Default",
    "Variable",
    "StringEquals",
    "And",
    "Not",
    "Branches",
    "ItemProcessor",
    "Iterator",
    "Resource",
    "Parameters",
    "Arguments",
    "Output",
    "Assign",
    "Retry",
    "Catch",
    "ErrorEquals",
    "Seconds",
    "Timestamp",
    "TimeoutSeconds",
    "HeartbeatSeconds",
    "QueryLanguage",
    "Condition",
    "ResultPath",
    "InputPath",
    "x.$",
    "Label",
    "ProcessorConfig",
    "Mode",
]
_STRINGS = st.sampled_from(
    ["Pass", "Task", "Choice", "Map", "Parallel", "Wait", "Fail", "Succeed", "A", "B", "JSONata", "JSONPath",
     "$", "$.a", "$.a[", "$$.Map", "States.ALL", "States.Format('{}', $.x)", "States.Nope(", "{% 1 %}",
     "{% ( %}", "{% a %}", "arn:aws:states:::lambda:invoke", "2016-03-14T01:59:00Z", ""]
)  # fmt: skip
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 10**9), st.floats(allow_nan=False), _STRINGS)
_KEYS = st.one_of(st.sampled_from(_FIELD_NAMES), st.sampled_from(["A", "B"]), st.integers(0, 3), st.none())
_JSON = st.recursive(
    _SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(_KEYS, children, max_size=5)),
    max_leaves=30,
)


def _states(value: Any) -> Any:
    return {"StartAt": "A", "States": {"A": value, "B": {"Type": "Succeed"}}}


@settings(max_examples=300, deadline=None)
@given(_JSON)
def test_any_document_gives_diagnostics_and_never_raises(document: Any) -> None:
    for diagnostic in validate_definition(document):
        assert isinstance(diagnostic, Diagnostic)
        assert diagnostic.path == "" or diagnostic.path.startswith("/")
        assert diagnostic.message.strip()


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_KEYS, _JSON, max_size=8))
def test_any_state_gives_diagnostics_and_never_raises(state: dict[Any, Any]) -> None:
    for diagnostic in validate_definition(_states(state)):
        assert diagnostic.path == "" or diagnostic.path.startswith("/")


def test_a_yaml_key_that_is_not_a_string_is_reported_and_the_rest_still_checked() -> None:
    definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True, 1: "x", None: 2}, True: 3}}
    paths = sorted((d.path, d.message) for d in validate_definition(definition))
    assert paths == [
        ("/States/A/1", "The field '1' is not supported by a Pass state."),
        ("/States/A/1", "The key 1 must be a string; quote it in YAML."),
        ("/States/A/null", "The field 'null' is not supported by a Pass state."),
        ("/States/A/null", "The key null must be a string; quote it in YAML."),
        ("/States/true", "A state must be an object, not a number."),
        ("/States/true", "The key true must be a string; quote it in YAML."),
        ("/States/true", "The state 'true' is not reachable: no transition leads to it from 'A'."),
    ]
