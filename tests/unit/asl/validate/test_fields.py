"""Fields per state type and query language; value types and ranges; Retry and Catch."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from sdw.asl.validate._definition import validate_definition
from tests.unit.asl.validate.test_definition import Expected, assert_reported, lambda_task, machine, pass_end

JSONATA = {"QueryLanguage": "JSONata"}


def _one(state: dict[str, Any], **top: Any) -> dict[str, Any]:
    return machine({"S": state}, **top)


INVALID = [
    pytest.param(
        _one(pass_end(Arguments={"a": 1}, Output="x", Items=[], Foo=1)),
        [
            ("/States/S/Arguments", "'Arguments' is not supported by a Pass state"),
            ("/States/S/Output", "use 'OutputPath' or 'ResultSelector'"),
            ("/States/S/Items", "'Items' is not supported by a Pass state"),
            ("/States/S/Foo", "'Foo' is not supported by a Pass state"),
        ],
        id="jsonata-fields-in-jsonpath-pass",
    ),
    pytest.param(
        _one(
            lambda_task(
                Parameters={},
                InputPath="$",
                ResultPath="$.r",
                ResultSelector={},
                OutputPath="$",
                TimeoutSecondsPath="$.t",
            ),
            **JSONATA,
        ),
        [
            ("/States/S/Parameters", "use 'Arguments' instead"),
            ("/States/S/InputPath", "JSONPath field and this state uses JSONata"),
            ("/States/S/ResultPath", "'Output' or 'Assign'"),
            ("/States/S/ResultSelector", "$states.result"),
            ("/States/S/OutputPath", "use 'Output'"),
            ("/States/S/TimeoutSecondsPath", "'TimeoutSeconds' with a {% %} expression"),
        ],
        id="jsonpath-fields-in-jsonata-task",
    ),
    pytest.param(
        _one(lambda_task(Arguments={"a": 1})),
        [("/States/S/Arguments", "JSONata field and this state uses JSONPath (use 'Parameters'")],
        id="arguments-in-jsonpath-task",
    ),
    pytest.param(
        _one(pass_end(QueryLanguage="JSONPath"), **JSONATA),
        [("/States/S/QueryLanguage", "cannot use JSONPath when the state machine's top-level QueryLanguage")],
        id="jsonpath-state-in-jsonata-machine",
    ),
    pytest.param(
        _one(pass_end(QueryLanguage="jsonata", Output=1)),
        [("/States/S/QueryLanguage", "'jsonata'"), ("/States/S/Output", "JSONata field")],
        id="unknown-state-query-language",
    ),
    pytest.param(
        _one(pass_end(Result={"x.$": 1}, Parameters={"a": {"b.$": "nope"}})),
        [("/States/S/Parameters/a/b.$", "not the literal 'nope'")],
        id="pass-result-is-static-but-parameters-are-not",
    ),
    pytest.param(
        _one(lambda_task(TimeoutSeconds=0, HeartbeatSeconds=1.5)),
        [
            ("/States/S/TimeoutSeconds", "must be an integer from 1 to 99999999, not 0"),
            ("/States/S/HeartbeatSeconds", "not 1.5"),
        ],
        id="task-timeouts-out-of-range",
    ),
    pytest.param(
        _one(lambda_task(TimeoutSeconds=10, HeartbeatSeconds=10)),
        [("/States/S/HeartbeatSeconds", "must be smaller than 'TimeoutSeconds' (10)")],
        id="heartbeat-not-below-timeout",
    ),
    pytest.param(
        _one(lambda_task(TimeoutSeconds=5, TimeoutSecondsPath="$.t", HeartbeatSeconds=True)),
        [
            ("/States/S/TimeoutSecondsPath", "'TimeoutSeconds' and 'TimeoutSecondsPath' cannot both be set"),
            ("/States/S/HeartbeatSeconds", "not true"),
        ],
        id="timeout-and-path",
    ),
    pytest.param(
        _one(lambda_task(TimeoutSeconds="{% $t %}", HeartbeatSeconds="60", Credentials="role"), **JSONATA),
        [
            ("/States/S/HeartbeatSeconds", "a number or a JSONata expression"),
            ("/States/S/Credentials", "must be an object"),
        ],
        id="jsonata-timeouts",
    ),
    pytest.param(
        machine(
            {
                "W1": {"Type": "Wait", "Next": "W2"},
                "W2": {"Type": "Wait", "Seconds": 1, "SecondsPath": "$.s", "Next": "W3"},
                "W3": {"Type": "Wait", "Seconds": -1, "Next": "W4"},
                "W4": {"Type": "Wait", "Timestamp": "2016-03-14 01:59:00Z", "Next": "W5"},
                "W5": {"Type": "Wait", "Timestamp": "2016-02-30T01:59:00Z", "Next": "W6"},
                "W6": {"Type": "Wait", "Timestamp": "2016-12-05T25:29:29Z", "Next": "W7"},
                "W7": {"Type": "Wait", "Timestamp": "2016-12-05T21:29:29+24:00", "Next": "W8"},
                "W8": {"Type": "Wait", "Timestamp": datetime.datetime(2016, 3, 14, 1, 59), "End": True},
            }
        ),
        [
            (
                "/States/W1",
                "exactly one of 'Seconds', 'SecondsPath', 'Timestamp' or 'TimestampPath'; it has none",
            ),
            ("/States/W2", "it has 'Seconds', 'SecondsPath'"),
            ("/States/W3/Seconds", "from 0 to 99999999, not -1"),
            ("/States/W4/Timestamp", "RFC 3339"),
            ("/States/W5/Timestamp", "RFC 3339"),
            ("/States/W6/Timestamp", "RFC 3339"),
            ("/States/W7/Timestamp", "RFC 3339"),
            ("/States/W8/Timestamp", "the YAML date 2016-03-14T01:59:00 (quote it"),
        ],
        id="wait-fields",
    ),
    pytest.param(
        _one({"Type": "Wait", "SecondsPath": "$.s", "Timestamp": "nope", "End": True}, **JSONATA),
        [
            ("/States/S/SecondsPath", "JSONPath field"),
            ("/States/S", "exactly one of 'Seconds' or 'Timestamp'"),
            ("/States/S/Timestamp", "RFC 3339"),
        ],
        id="jsonata-wait",
    ),
    pytest.param(
        _one({"Type": "Fail", "Error": "E", "ErrorPath": "$.e", "Cause": 5, "CausePath": "$.c"}),
        [
            ("/States/S/ErrorPath", "'Error' and 'ErrorPath' cannot both be set"),
            ("/States/S/CausePath", "'Cause' and 'CausePath' cannot both be set"),
            ("/States/S/Cause", "must be a string"),
        ],
        id="fail-exclusive-fields",
    ),
    pytest.param(
        _one({"Type": "Fail", "ErrorPath": "$.e", "Cause": "{%  %}"}, **JSONATA),
        [("/States/S/ErrorPath", "'Error' with a {% %} expression"), ("/States/S/Cause", "is empty")],
        id="jsonata-fail",
    ),
    pytest.param(
        _one({"Type": "Map", "End": True}),
        [("/States/S", "exactly one of 'ItemProcessor' and 'Iterator'")],
        id="map-without-processor",
    ),
    pytest.param(
        _one(
            {
                "Type": "Map",
                "ItemProcessor": machine({"P": pass_end()}),
                "Iterator": machine({"I": pass_end()}),
                "ItemSelector": {},
                "Parameters": {},
                "MaxConcurrency": -1,
                "ToleratedFailurePercentage": 101,
                "ToleratedFailureCount": 1.5,
                "ToleratedFailureCountPath": "$.c",
                "Label": "has space",
                "ItemBatcher": 3,
                "End": True,
            }
        ),
        [
            ("/States/S/Iterator", "exactly one of 'ItemProcessor' and 'Iterator'"),
            ("/States/S/Parameters", "'ItemSelector' and 'Parameters' cannot both be set"),
            ("/States/S/MaxConcurrency", "not -1"),
            ("/States/S/ToleratedFailurePercentage", "a number from 0 to 100, not 101"),
            ("/States/S/ToleratedFailureCount", "not 1.5"),
            ("/States/S/ToleratedFailureCountPath", "cannot both be set"),
            ("/States/S/Label", "without whitespace"),
            ("/States/S/ItemBatcher", "must be an object"),
        ],
        id="map-fields",
    ),
    pytest.param(
        _one(
            {
                "Type": "Map",
                "ItemProcessor": machine({"P": pass_end()}),
                "ItemsPath": "$.x",
                "Items": "$.x",
                "ItemSelector": 5,
                "MaxConcurrency": "{% 1 + %}",
                "End": True,
            },
            **JSONATA,
        ),
        [
            ("/States/S/ItemsPath", "use 'Items' instead"),
            ("/States/S/Items", "an array or a JSONata expression"),
            ("/States/S/ItemSelector", "an object or a JSONata expression"),
            ("/States/S/MaxConcurrency", "The JSONata expression '1 +' does not parse"),
        ],
        id="jsonata-map-fields",
    ),
    pytest.param(
        machine(
            {
                "A": {"Type": "Map", "ItemProcessor": machine({"P": pass_end()}), "Label": "L", "Next": "B"},
                "B": {"Type": "Map", "ItemProcessor": machine({"Q": pass_end()}), "Label": "L", "End": True},
            }
        ),
        [("/States/B/Label", "already used at /States/A/Label")],
        id="duplicate-map-labels",
    ),
    pytest.param(
        _one(
            {
                "Type": "Map",
                "ItemProcessor": machine({"P": pass_end()}),
                "ItemReader": {"Resource": "arn:aws:states:::s3:getObject.sync"},
                "ResultWriter": {},
                "End": True,
            }
        ),
        [
            ("/States/S/ItemReader", "reads the items from Amazon S3"),
            ("/States/S/ResultWriter", "writes the results to Amazon S3"),
        ],
        id="distributed-map-s3-features",
    ),
    pytest.param(
        _one(pass_end(Comment=1, Assign=[])),
        [("/States/S/Comment", "must be a string"), ("/States/S/Assign", "must be an object")],
        id="comment-and-assign-types",
    ),
    pytest.param(
        _one(pass_end(Assign={"1bad": 1, "ok.$": "$.x", "bad name.$": "$.y", "lit": {"in.$": "nope"}})),
        [
            ("/States/S/Assign/1bad", "'1bad' is not a valid variable name"),
            ("/States/S/Assign/bad name.$", "'bad name' is not a valid variable name"),
            ("/States/S/Assign/lit/in.$", "not the literal 'nope'"),
        ],
        id="assign-names",
    ),
]


@pytest.mark.parametrize(("definition", "expected"), INVALID)
def test_reports_each_field_error_at_its_pointer(definition: Any, expected: Expected) -> None:
    assert_reported(definition, expected)


def _with_handlers(**handlers: Any) -> dict[str, Any]:
    task = {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:111111111111:function:f", "Next": "Done"}
    return machine({"T": task | handlers, "Done": {"Type": "Succeed"}})


RETRY_CATCH = [
    pytest.param(
        {
            "Retry": [
                {"ErrorEquals": []},
                {
                    "IntervalSeconds": 0,
                    "MaxAttempts": -1,
                    "BackoffRate": 0.5,
                    "MaxDelaySeconds": 0,
                    "JitterStrategy": "SOME",
                    "Foo": 1,
                },
            ]
        },
        [
            ("/States/T/Retry/0/ErrorEquals", "non-empty array"),
            ("/States/T/Retry/1", "needs 'ErrorEquals'"),
            ("/States/T/Retry/1/IntervalSeconds", "positive integer"),
            ("/States/T/Retry/1/MaxAttempts", "non-negative integer"),
            ("/States/T/Retry/1/BackoffRate", "at least 1.0"),
            ("/States/T/Retry/1/MaxDelaySeconds", "positive integer"),
            ("/States/T/Retry/1/JitterStrategy", "'SOME'"),
            ("/States/T/Retry/1/Foo", "not supported in a retrier"),
        ],
        id="retrier-fields",
    ),
    pytest.param(
        {"Retry": [{"ErrorEquals": ["States.ALL", "X"]}, {"ErrorEquals": ["Y", 3]}]},
        [
            ("/States/T/Retry/0/ErrorEquals", "must appear alone"),
            ("/States/T/Retry/0/ErrorEquals", "must be the last one"),
            ("/States/T/Retry/1/ErrorEquals/1", "must be a string"),
        ],
        id="states-all-not-alone-not-last",
    ),
    pytest.param(
        {"Retry": {}, "Catch": "x"},
        [("/States/T/Retry", "must be an array"), ("/States/T/Catch", "must be an array")],
        id="handlers-not-arrays",
    ),
    pytest.param(
        {"Retry": [{"ErrorEquals": ["E"]}, "again"]},
        [("/States/T/Retry/1", "Each retrier must be an object, not a string")],
        id="retrier-not-object",
    ),
    pytest.param(
        {"Retry": {}, "Catch": "x"},
        [("/States/T/Retry", "must be an array"), ("/States/T/Catch", "must be an array")],
        id="handlers-not-arrays",
    ),
    pytest.param(
        {
            "Catch": [
                {"ErrorEquals": ["States.ALL"]},
                {"ErrorEquals": ["E"], "Next": 1, "Output": {}, "Foo": 0},
                "x",
            ]
        },
        [
            ("/States/T/Catch/0", "needs 'Next'"),
            ("/States/T/Catch/0/ErrorEquals", "The catcher with 'States.ALL' must be the last one"),
            ("/States/T/Catch/1/Next", "must be a state name"),
            ("/States/T/Catch/1/Output", "JSONata field and this state uses JSONPath"),
            ("/States/T/Catch/1/Foo", "not supported in a catcher"),
            ("/States/T/Catch/2", "must be an object"),
        ],
        id="catcher-fields",
    ),
    pytest.param(
        {"Catch": [{"ErrorEquals": ["E"], "Next": "Gone", "ResultPath": "$$.x", "Assign": {"v.$": "$..x["}}]},
        [
            ("/States/T/Catch/0/Next", "'Gone', which does not exist"),
            ("/States/T/Catch/0/ResultPath", "would write into the context object"),
            ("/States/T/Catch/0/Assign/v.$", "'v.$' is not a JSONPath"),
        ],
        id="catcher-next-and-paths",
    ),
]


@pytest.mark.parametrize(("handlers", "expected"), RETRY_CATCH)
def test_reports_each_retry_and_catch_error_at_its_pointer(
    handlers: dict[str, Any], expected: Expected
) -> None:
    assert_reported(_with_handlers(**handlers), expected)


def test_a_jsonata_catcher_rejects_result_path() -> None:
    definition = _with_handlers(
        Catch=[{"ErrorEquals": ["E"], "Next": "Done", "ResultPath": "$.e", "Output": "{% 1 %}"}]
    )
    definition["QueryLanguage"] = "JSONata"
    assert_reported(
        definition, [("/States/T/Catch/0/ResultPath", "JSONPath field and this state uses JSONata")]
    )


VALID = [
    pytest.param(_one(pass_end(ResultPath=None, InputPath=None, OutputPath=None)), id="null-paths"),
    pytest.param(_one(lambda_task(TimeoutSeconds=10, HeartbeatSeconds=9)), id="heartbeat-below-timeout"),
    pytest.param(
        _one({"Type": "Wait", "Timestamp": "2016-03-05T21:29:29.243167252Z", "End": True}), id="nanos"
    ),
    pytest.param(_one({"Type": "Wait", "Timestamp": "2016-02-29T00:00:00+01:00", "End": True}), id="offset"),
    pytest.param(_one({"Type": "Wait", "Seconds": "{% $s %}", "End": True}, **JSONATA), id="jsonata-seconds"),
    pytest.param(
        _one({"Type": "Wait", "Timestamp": "{% $states.input.at %}", "End": True}, **JSONATA),
        id="jsonata-timestamp",
    ),
    pytest.param(
        _one(
            {
                "Type": "Map",
                "ItemProcessor": machine({"P": pass_end()}),
                "Items": "{% [1, 2] %}",
                "End": True,
            },
            **JSONATA,
        ),
        id="jsonata-items",
    ),
    pytest.param(
        _one({"Type": "Fail", "ErrorPath": "States.Format('{}', $.e)", "CausePath": "$$.State.Name"}),
        id="fail-paths",
    ),
    pytest.param(
        _one(
            {
                "Type": "Map",
                "ItemProcessor": machine({"P": pass_end()}),
                "ItemsPath": "$items",
                "MaxConcurrencyPath": "$max",
                "ToleratedFailurePercentage": 12.5,
                "End": True,
            }
        ),
        id="map-variable-paths",
    ),
    pytest.param(
        _one(
            {
                "Type": "Map",
                "Iterator": machine({"P": pass_end()}, ProcessorConfig={"Mode": "INLINE"}),
                "Items": [1, "{% $x %}"],
                "ItemSelector": "{% $states.context.Map.Item %}",
                "End": True,
            },
            **JSONATA,
        ),
        id="jsonata-map",
    ),
    pytest.param(
        _one(pass_end(Output={"x": "{% $states.input %}"}, Assign={"v": "{% 1 %}"}), **JSONATA),
        id="jsonata-pass",
    ),
    pytest.param(
        _one(pass_end(QueryLanguage="JSONata", Output="{% 1 %}")), id="jsonata-state-in-jsonpath-machine"
    ),
]


@pytest.mark.parametrize("definition", VALID)
def test_accepts_valid_field_values(definition: dict[str, Any]) -> None:
    assert validate_definition(definition) == []
