"""Structure: the document, StartAt, transitions, reachability, terminal states, names."""

from __future__ import annotations

from typing import Any

import pytest

from sdw.asl.validate._definition import validate_definition
from tests.unit.asl.validate.test_definition import Expected, assert_reported, machine, pass_end

LONG = "S" * 81

INVALID = [
    pytest.param({"States": {"A": pass_end()}}, [("", "needs 'StartAt'")], id="no-start-at"),
    pytest.param({"StartAt": "A"}, [("", "needs 'States'")], id="no-states"),
    pytest.param({"StartAt": "A", "States": {}}, [("/States", "non-empty object")], id="empty-states"),
    pytest.param({"StartAt": "A", "States": []}, [("/States", "non-empty object")], id="states-array"),
    pytest.param(
        machine({"A": pass_end()}, start="B"),
        [("/StartAt", "'B', which is not in 'States'")],
        id="start-at-missing",
    ),
    pytest.param(
        machine({"A": pass_end()}, start=1), [("/StartAt", "must be a state name")], id="start-at-number"
    ),
    pytest.param(
        machine({"A": pass_end()}, Foo=1, TimeoutSeconds=0, QueryLanguage="XPath", Version=1, Comment=[]),
        [
            ("/Foo", "'Foo' is not supported at the top level"),
            ("/TimeoutSeconds", "positive integer"),
            ("/QueryLanguage", "'XPath'"),
            ("/Version", "must be a string"),
            ("/Comment", "must be a string"),
        ],
        id="top-level-fields",
    ),
    pytest.param(
        machine(
            {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "Nowhere"}, "C": pass_end()}
        ),
        [
            ("/States/B/Next", "'Nowhere', which does not exist"),
            ("/States/C", "'C' is not reachable"),
        ],
        id="dangling-next-and-unreachable",
    ),
    pytest.param(
        machine({"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}}),
        [("/States", "no terminal state")],
        id="no-terminal-state",
    ),
    pytest.param(
        machine({"A": {"Type": "Pass"}}),
        [("/States/A", "neither 'Next' nor \"End\": true"), ("/States", "no terminal state")],
        id="neither-next-nor-end",
    ),
    pytest.param(
        machine({"A": {"Type": "Pass", "Next": "B", "End": True}, "B": pass_end()}),
        [("/States/A/End", "both 'Next' and \"End\": true")],
        id="next-and-end",
    ),
    pytest.param(
        machine({"A": {"Type": "Pass", "End": "yes"}}),
        [
            ("/States/A/End", "must be true or false"),
            ("/States/A", "neither 'Next' nor"),
            ("/States", "no terminal state"),
        ],
        id="end-not-boolean",
    ),
    pytest.param(
        machine({"A": {"Type": "Pass", "Next": 3, "End": False}, "B": {"Type": "Succeed"}}),
        [
            ("/States/A/Next", "must be a state name"),
            ("/States/B", "not reachable"),
        ],
        id="next-not-string",
    ),
    pytest.param(
        machine(
            {
                "A": {"Type": "Pass", "Next": "B"},
                "B": {"Type": "Succeed", "Next": "C"},
                "C": {"Type": "Fail", "End": True},
                "D": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$", "IsNull": True, "Next": "B"}],
                    "End": True,
                },
            }
        ),
        [
            ("/States/B/Next", "ends the execution, so it cannot have 'Next'"),
            ("/States/C/End", "ends the execution, so it cannot have 'End'"),
            ("/States/D/End", "A Choice state cannot have 'End'"),
            ("/States/C", "not reachable"),
            ("/States/D", "not reachable"),
        ],
        id="terminal-states-with-transitions",
    ),
    pytest.param(
        machine({LONG: pass_end()}),
        [(f"/States/{LONG}", "has 81 characters; the limit is 80")],
        id="state-name-too-long",
    ),
    pytest.param(
        machine({"A": {"Type": "Sleep", "End": True}, "B": "Pass", "C": {"End": True}}),
        [
            ("/States/A/Type", "'Sleep' is not a state type"),
            ("/States/B", "must be an object"),
            ("/States/C", "needs 'Type'"),
            ("/States/B", "not reachable"),
            ("/States/C", "not reachable"),
        ],
        id="bad-states",
    ),
    pytest.param(
        machine({"a/b~c": {"Type": "Pass", "Next": "x"}}),
        [("/States/a~1b~0c/Next", "'x', which does not exist"), ("/States", "no terminal state")],
        id="pointer-escaping",
    ),
]


@pytest.mark.parametrize(("definition", "expected"), INVALID)
def test_reports_each_structural_error_at_its_pointer(definition: Any, expected: Expected) -> None:
    assert_reported(definition, expected)


def _parallel(*branches: Any, **fields: Any) -> dict[str, Any]:
    return {"Type": "Parallel", "Branches": list(branches), "End": True, **fields}


def test_validates_parallel_branches_recursively_with_their_pointers() -> None:
    branch_ok = machine({"X": pass_end()})
    branch_bad = machine({"Y": {"Type": "Pass", "Next": "Outer"}, "Z": {"Type": "Succeed"}})
    assert_reported(
        machine({"P": _parallel(branch_ok, branch_bad), "Outer": pass_end()}, start="P"),
        [
            ("/States/P/Branches/1/States/Y/Next", "a nested state machine can only name its own states"),
            ("/States/P/Branches/1/States/Z", "not reachable"),
            ("/States/Outer", "not reachable"),
        ],
    )


def test_validates_map_item_processors_and_iterators_recursively() -> None:
    processor = {"StartAt": "Missing", "States": {"Inner": pass_end()}, "QueryLanguage": "JSONata"}
    definition = machine(
        {
            "M": {"Type": "Map", "ItemProcessor": processor, "Next": "N"},
            "N": {
                "Type": "Map",
                "Iterator": {"StartAt": "I", "States": {"I": {"Type": "Wait"}}},
                "End": True,
            },
        }
    )
    assert_reported(
        definition,
        [
            ("/States/M/ItemProcessor/QueryLanguage", "not supported in a nested state machine"),
            ("/States/M/ItemProcessor/StartAt", "'Missing', which is not in 'States'"),
            ("/States/N/Iterator/States/I", "neither 'Next' nor"),
            ("/States/N/Iterator/States/I", "exactly one of 'Seconds'"),
            ("/States/N/Iterator/States", "no terminal state"),
        ],
    )


def test_reports_a_state_name_reused_in_a_nested_machine() -> None:
    definition = machine({"A": _parallel(machine({"A": pass_end()}), machine({"B": pass_end()}, Comment=5))})
    assert_reported(
        definition,
        [
            ("/States/A/Branches/0/States/A", "already used at /States/A"),
            ("/States/A/Branches/1/Comment", "must be a string"),
        ],
    )


def test_reports_bad_branches_and_processor_config() -> None:
    definition = machine(
        {
            "P": {"Type": "Parallel", "Branches": [], "Next": "Q"},
            "Q": {"Type": "Parallel", "Branches": ["x"], "Next": "M"},
            "M": {
                "Type": "Map",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "FAST", "ExecutionType": "LONG", "Other": 1},
                    "StartAt": "I",
                    "States": {"I": pass_end()},
                },
                "Next": "R",
            },
            "R": {
                "Type": "Map",
                "ItemProcessor": {"ProcessorConfig": [], "StartAt": "J", "States": {"J": pass_end()}},
                "End": True,
            },
        }
    )
    assert_reported(
        definition,
        [
            ("/States/P/Branches", "non-empty array of state machines"),
            ("/States/Q/Branches/0", "must be an object"),
            ("/States/M/ItemProcessor/ProcessorConfig/Mode", "'FAST'"),
            ("/States/M/ItemProcessor/ProcessorConfig/ExecutionType", "'LONG'"),
            ("/States/M/ItemProcessor/ProcessorConfig/Other", "not supported in 'ProcessorConfig'"),
            ("/States/R/ItemProcessor/ProcessorConfig", "must be an object"),
        ],
    )


def test_a_loop_with_a_catch_to_a_terminal_state_is_valid() -> None:
    definition = machine(
        {
            "Poll": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:111111111111:function:poll",
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}],
                "Next": "Wait",
            },
            "Wait": {"Type": "Wait", "Seconds": 5, "Next": "Poll"},
            "Done": {"Type": "Succeed"},
        }
    )
    assert validate_definition(definition) == []


def test_a_loop_with_no_way_out_is_valid_as_on_aws() -> None:
    # AWS only requires a terminal state somewhere; such a machine runs until it times out.
    definition = machine(
        {
            "Route": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.x", "IsNull": True, "Next": "Loop"}],
                "Default": "Done",
            },
            "Loop": {"Type": "Wait", "Seconds": 1, "Next": "Loop"},
            "Done": {"Type": "Succeed"},
        }
    )
    assert validate_definition(definition) == []
