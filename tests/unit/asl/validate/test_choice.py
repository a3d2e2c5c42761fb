"""Choice rules: operators, operand types, boolean rules, JSONata conditions."""

from __future__ import annotations

from typing import Any

import pytest

from sdw.asl.validate._definition import validate_definition
from tests.unit.asl.validate.test_definition import Expected, assert_reported, machine


def _choice(*rules: Any, language: str | None = None, **fields: Any) -> dict[str, Any]:
    top = {"QueryLanguage": language} if language else {}
    state = {"Type": "Choice", "Choices": list(rules), "Default": "Done", **fields}
    return machine({"C": state, "Yes": {"Type": "Succeed"}, "Done": {"Type": "Succeed"}}, **top)


def _rule(**fields: Any) -> dict[str, Any]:
    return {"Variable": "$.x", "Next": "Yes", **fields}


C = "/States/C/Choices"

INVALID = [
    pytest.param(
        machine({"C": {"Type": "Choice", "Default": 3}}),
        [
            ("/States/C", "needs 'Choices'"),
            ("/States/C/Default", "must be a state name"),
            ("/States", "no terminal state"),
        ],
        id="choice-without-choices",
    ),
    pytest.param(
        machine({"C": {"Type": "Choice", "Choices": [], "Next": "C"}}),
        [
            ("/States/C/Choices", "non-empty array"),
            ("/States/C/Next", "A Choice state cannot have 'Next'"),
            ("/States", "no terminal state"),
        ],
        id="empty-choices-and-next",
    ),
    pytest.param(
        _choice(_rule(StringEquals=1), _rule(NumericEquals="1"), _rule(BooleanEquals="true")),
        [
            (f"{C}/0/StringEquals", "compares with a string, not a number"),
            (f"{C}/1/NumericEquals", "compares with a number, not '1'"),
            (f"{C}/2/BooleanEquals", "compares with true or false"),
        ],
        id="operand-types",
    ),
    pytest.param(
        _choice(
            _rule(NumericLessThan=True), _rule(TimestampEquals="2016-13-05T21:29:29Z"), _rule(IsNull="yes")
        ),
        [
            (f"{C}/0/NumericLessThan", "not a boolean"),
            (f"{C}/1/TimestampEquals", "RFC 3339 timestamp"),
            (f"{C}/2/IsNull", "true or false"),
        ],
        id="more-operand-types",
    ),
    pytest.param(
        _choice(_rule(StringEqualsPath="x"), _rule(NumericEqualsPath=3), _rule(StringMatchesPath="$.y")),
        [
            (f"{C}/0/StringEqualsPath", "'StringEqualsPath' is not a JSONPath"),
            (f"{C}/1/NumericEqualsPath", "must be a JSONPath, not a number"),
            (f"{C}/2/StringMatchesPath", "not a comparison operator"),
            (f"{C}/2", "needs one comparison operator"),
        ],
        id="path-operators",
    ),
    pytest.param(
        _choice(_rule(StringEquals="a", StringMatches="b*"), {"Next": "Yes", "StringEquals": "a"}, _rule()),
        [
            (f"{C}/0", "exactly one comparison operator, not 'StringEquals', 'StringMatches'"),
            (f"{C}/1", "needs 'Variable' and one comparison operator"),
            (f"{C}/2", "needs one comparison operator"),
        ],
        id="operator-count",
    ),
    pytest.param(
        _choice(_rule(Variable="$.a[*]", IsPresent=True), _rule(Variable=5, IsNull=True)),
        [
            (f"{C}/0/Variable", "is not a reference path"),
            (f"{C}/1/Variable", "must be a reference path, not a number"),
        ],
        id="variable-is-a-reference-path",
    ),
    pytest.param(
        _choice(
            {"And": [], "Next": "Yes"},
            {"Or": {"Variable": "$.x", "IsNull": True}, "Next": "Yes"},
            {"Not": [], "Next": "Yes"},
            {"Not": {"Variable": "$.x", "IsNull": True, "Next": "Yes"}, "Next": "Yes"},
        ),
        [
            (f"{C}/0/And", "non-empty array of choice rules"),
            (f"{C}/1/Or", "non-empty array of choice rules"),
            (f"{C}/2/Not", "'Not' must be one choice rule"),
            (f"{C}/3/Not/Next", "only a top-level choice rule does"),
        ],
        id="boolean-rules",
    ),
    pytest.param(
        _choice(
            {
                "And": [{"Variable": "$.x", "IsNull": True}, {"Variable": "$.y"}, 7],
                "Next": "Yes",
                "Variable": "$.z",
            },
            {
                "Or": [{"Variable": "$.x", "Foo": 1}],
                "Not": {"Variable": "$.y", "IsNull": True},
                "Next": "Yes",
            },
        ),
        [
            (f"{C}/0", "with 'And' cannot also have 'Variable'"),
            (f"{C}/0/And/1", "needs one comparison operator"),
            (f"{C}/0/And/2", "must be an object"),
            (f"{C}/1", "with 'Or' cannot also have 'Not'"),
            (f"{C}/1/Or/0/Foo", "'Foo' is not a comparison operator"),
            (f"{C}/1/Or/0", "needs one comparison operator"),
        ],
        id="nested-rules",
    ),
    pytest.param(
        _choice({"Variable": "$.x", "IsNull": True}, 3, _rule(IsNull=True, Next=4)),
        [
            (f"{C}/0", "needs 'Next'"),
            (f"{C}/1", "must be an object"),
            (f"{C}/2/Next", "must be a state name"),
            ("/States/Yes", "not reachable"),
        ],
        id="rule-next",
    ),
    pytest.param(
        _choice(_rule(IsNull=True, Next="Gone"), Default="Nope"),
        [
            (f"{C}/0/Next", "'Gone', which does not exist"),
            ("/States/C/Default", "'Nope', which does not exist"),
            ("/States/Done", "not reachable"),
            ("/States/Yes", "not reachable"),
        ],
        id="rule-targets",
    ),
    pytest.param(
        _choice(_rule(IsNull=True, Condition="{% true %}", Output={})),
        [
            (f"{C}/0/Condition", "JSONata choice rule field and this state uses JSONPath"),
            (f"{C}/0/Output", "JSONata choice rule field"),
        ],
        id="jsonata-rule-fields-in-jsonpath",
    ),
    pytest.param(
        _choice(
            {"Condition": "$.x == 1", "Next": "Yes"},
            {"Variable": "$.x", "IsNull": True, "Next": "Yes"},
            {"Next": "Yes", "Foo": 1},
            {"Condition": "{%%}", "Next": "Yes"},
            language="JSONata",
        ),
        [
            (f"{C}/0/Condition", "must be a JSONata expression"),
            (f"{C}/1/Variable", "write the test as a 'Condition'"),
            (f"{C}/1/IsNull", "write the test as a 'Condition'"),
            (f"{C}/1", "needs 'Condition'"),
            (f"{C}/2/Foo", "not supported in a choice rule"),
            (f"{C}/2", "needs 'Condition'"),
            (f"{C}/3/Condition", "is empty"),
        ],
        id="jsonata-rules",
    ),
]


@pytest.mark.parametrize(("definition", "expected"), INVALID)
def test_reports_each_choice_rule_error_at_its_pointer(definition: Any, expected: Expected) -> None:
    assert_reported(definition, expected)


VALID = [
    pytest.param(_choice(_rule(NumericEquals=1.0), _rule(NumericGreaterThan=-3)), id="numbers"),
    pytest.param(_choice(_rule(TimestampLessThan="2012-10-09T19:00:55Z")), id="timestamp"),
    pytest.param(_choice(_rule(StringMatches="log-*.txt", Comment="c")), id="matches"),
    pytest.param(
        _choice(_rule(Variable="$$.Execution.Input.x", NumericEqualsPath="$v")), id="context-and-var"
    ),
    pytest.param(
        _choice(
            {
                "Not": {
                    "And": [{"Variable": "$.a", "IsPresent": True}, {"Variable": "$.b", "IsString": True}]
                },
                "Next": "Yes",
                "Assign": {"seen": True},
            }
        ),
        id="boolean-rules",
    ),
    pytest.param(
        _choice(
            {"Condition": True, "Next": "Yes", "Output": {"a": "{% 1 %}"}, "Assign": {"v": 1}},
            language="JSONata",
        ),
        id="jsonata-boolean-condition",
    ),
]


@pytest.mark.parametrize("definition", VALID)
def test_accepts_valid_choice_rules(definition: dict[str, Any]) -> None:
    assert validate_definition(definition) == []
