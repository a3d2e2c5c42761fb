"""The validator's entry points, and the helpers the per-topic test tables share.

Each table row is an invalid definition and the exact set of pointers it must be
reported at, each with a fragment of the message; a row with several problems checks
that all of them are reported together, as CreateStateMachine does.
"""

from __future__ import annotations

from typing import Any

import pytest

from sdw.asl._errors import DefinitionError, Diagnostic
from sdw.asl.validate._definition import ensure_valid_definition, validate_definition

Expected = list[tuple[str, str]]


def machine(states: dict[str, Any], start: str | None = None, **top: Any) -> dict[str, Any]:
    """A definition whose StartAt is the first state unless ``start`` says otherwise."""
    return {"StartAt": start if start is not None else next(iter(states)), "States": states, **top}


def pass_end(**fields: Any) -> dict[str, Any]:
    return {"Type": "Pass", "End": True, **fields}


def lambda_task(**fields: Any) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": "arn:aws:lambda:us-east-1:111111111111:function:f",
        "End": True,
        **fields,
    }


def assert_reported(definition: Any, expected: Expected) -> list[Diagnostic]:
    """The diagnostics are exactly at ``expected``'s pointers, each with its fragment."""
    diagnostics = validate_definition(definition)
    found = sorted((d.path, d.message) for d in diagnostics)
    assert sorted(path for path, _ in found) == sorted(path for path, _ in expected), found
    remaining = list(found)
    for path, fragment in expected:
        match = next((item for item in remaining if item[0] == path and fragment in item[1]), None)
        assert match is not None, f"no diagnostic at {path} saying {fragment!r}; got {found}"
        remaining.remove(match)
    return diagnostics


def test_a_minimal_machine_has_no_diagnostics() -> None:
    assert validate_definition(machine({"A": {"Type": "Succeed"}})) == []


def test_ensure_valid_definition_raises_with_every_diagnostic() -> None:
    definition = machine({"A": {"Type": "Pass", "Next": "Nowhere"}, "B": {"Type": "Wait"}})
    with pytest.raises(DefinitionError) as caught:
        ensure_valid_definition(definition)
    paths = sorted(d.path for d in caught.value.diagnostics)
    assert paths == ["/States", "/States/A/Next", "/States/B", "/States/B", "/States/B"]
    assert str(caught.value).startswith("5 error(s)")
    assert "/States/A/Next: 'Next' names the state 'Nowhere'" in str(caught.value)


def test_ensure_valid_definition_returns_quietly_for_a_valid_definition() -> None:
    ensure_valid_definition(machine({"A": pass_end()}))


def test_diagnostics_carry_aws_codes() -> None:
    diagnostics = validate_definition(machine({"A": {"Type": "Pass", "Next": "Missing"}}))
    assert [d.code for d in diagnostics] == ["MISSING_TRANSITION_TARGET", "MISSING_END_STATE"]


@pytest.mark.parametrize("definition", [None, [], "StartAt", 3])
def test_a_definition_that_is_not_an_object_is_one_error_at_the_root(definition: Any) -> None:
    assert_reported(definition, [("", "must be a JSON object")])


def test_an_express_machine_cannot_use_sync_or_callback_integrations() -> None:
    states = {
        "Run": {
            "Type": "Task",
            "Resource": "arn:aws:states:::states:startExecution.sync:2",
            "Parameters": {"StateMachineArn": "arn:aws:states:us-east-1:111111111111:stateMachine:child"},
            "Next": "Call",
        },
        "Call": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {"FunctionName": "f", "Payload": {"token.$": "$$.Task.Token"}},
            "End": True,
        },
    }
    assert validate_definition(machine(states)) == []
    diagnostics = validate_definition(machine(states), state_machine_type="EXPRESS")
    assert [(d.path, d.code) for d in diagnostics] == [
        ("/States/Run/Resource", "INVALID_RESOURCE"),
        ("/States/Call/Resource", "INVALID_RESOURCE"),
    ]
    assert "EXPRESS state machine cannot use the .sync integration pattern" in diagnostics[0].message
    assert ".waitForTaskToken" in diagnostics[1].message


def test_an_unknown_state_machine_type_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="STANDARD or EXPRESS"):
        validate_definition(machine({"A": pass_end()}), state_machine_type="express")
