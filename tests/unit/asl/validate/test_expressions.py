"""Expressions (JSONPath, ``.$`` values, intrinsic functions) and Task resources."""

from __future__ import annotations

from typing import Any

import pytest

from sdw.asl.validate._definition import validate_definition
from tests.unit.asl.validate.test_definition import Expected, assert_reported, lambda_task, machine, pass_end


def _one(state: dict[str, Any], **top: Any) -> dict[str, Any]:
    return machine({"S": state}, **top)


def _task(resource: Any, **fields: Any) -> dict[str, Any]:
    return _one({"Type": "Task", "Resource": resource, "End": True, **fields})


S = "/States/S"

INVALID = [
    pytest.param(
        _one(pass_end(InputPath="$.a[", OutputPath="a.b", ResultPath="$.a[*]")),
        [
            (f"{S}/InputPath", "'InputPath' is not a JSONPath: '$.a['"),
            (f"{S}/OutputPath", "'OutputPath' is not a JSONPath"),
            (f"{S}/ResultPath", "'ResultPath' is not a reference path rooted at '$'"),
        ],
        id="bad-paths",
    ),
    pytest.param(
        _one(pass_end(ResultPath="$var.x", InputPath=3)),
        [
            (f"{S}/ResultPath", "would write into a variable"),
            (f"{S}/InputPath", "must be a JSONPath or null, not a number"),
        ],
        id="result-path-root",
    ),
    pytest.param(
        _one(
            pass_end(
                Parameters={
                    "lit.$": "hello",
                    "num.$": 3,
                    "list": [{"deep.$": "$.a..["}],
                    "ok.$": "$$.Execution.Id",
                    "fine": "$.not.evaluated",
                }
            )
        ),
        [
            (f"{S}/Parameters/lit.$", "not the literal 'hello'"),
            (f"{S}/Parameters/num.$", "not a number; drop the '.$'"),
            (f"{S}/Parameters/list/0/deep.$", "'deep.$' is not a JSONPath"),
        ],
        id="dollar-keys",
    ),
    pytest.param(
        _one(
            pass_end(
                Parameters={
                    "a.$": "States.Nope($.x)",
                    "b.$": "States.Format('{}'",
                    "c.$": "States.Array($.a.)",
                }
            )
        ),
        [
            (f"{S}/Parameters/a.$", "is not a valid intrinsic function call"),
            (f"{S}/Parameters/b.$", "is not a valid intrinsic function call"),
            (f"{S}/Parameters/c.$", "invalid path argument"),
        ],
        id="bad-intrinsics",
    ),
    pytest.param(
        _one({"Type": "Fail", "ErrorPath": "States.MathAdd(1)", "CausePath": "nope"}),
        [(f"{S}/ErrorPath", "is not a valid intrinsic function call"), (f"{S}/CausePath", "not a JSONPath")],
        id="fail-path-or-intrinsic",
    ),
    pytest.param(
        _one(
            {
                "Type": "Map",
                "ItemProcessor": machine({"P": pass_end()}),
                "ItemsPath": "$.items[*]",
                "ItemSelector": {"v.$": "value"},
                "ToleratedFailureCountPath": "$..n",
                "End": True,
            }
        ),
        [
            (f"{S}/ItemsPath", "is not a reference path"),
            (f"{S}/ItemSelector/v.$", "not the literal 'value'"),
            (f"{S}/ToleratedFailureCountPath", "is not a reference path"),
        ],
        id="map-paths",
    ),
    pytest.param(
        _one(
            {
                "Type": "Map",
                "ItemProcessor": machine({"P": pass_end()}, ProcessorConfig={"Mode": "DISTRIBUTED"}),
                "ItemReader": {
                    "Resource": "arn:aws:states:::s3:getObject",
                    "ReaderConfig": "JSON",
                    "Parameters": {"Bucket": "b", "Key.$": "$.key["},
                },
                "ItemBatcher": {"MaxItemsPerBatchPath": "$.n[*]", "BatchInput": {"tag.$": "tag"}},
                "ResultWriter": {
                    "Resource": "arn:aws:states:::s3:putObject",
                    "Parameters": {"Bucket.$": "States.Nope($.b)"},
                },
                "End": True,
            }
        ),
        [
            (f"{S}/ItemReader/ReaderConfig", "'ReaderConfig' must be an object, not a string"),
            (f"{S}/ItemReader/Parameters/Key.$", "'Key.$' is not a JSONPath"),
            (f"{S}/ItemBatcher/MaxItemsPerBatchPath", "is not a reference path"),
            (f"{S}/ItemBatcher/BatchInput/tag.$", "not the literal 'tag'"),
            (f"{S}/ResultWriter/Parameters/Bucket.$", "is not a valid intrinsic function call"),
        ],
        id="map-item-reader-batcher-and-result-writer",
    ),
    pytest.param(
        _one(lambda_task(ResultSelector={"x.$": "y"}, Credentials={"RoleArn.$": "role"})),
        [
            (f"{S}/ResultSelector/x.$", "not the literal 'y'"),
            (f"{S}/Credentials/RoleArn.$", "not the literal"),
        ],
        id="result-selector-and-credentials",
    ),
    pytest.param(
        _task("arn:aws:states:::aws-sdk:s3:getObject"),
        [
            (
                f"{S}/Resource",
                "The AWS SDK integration 'arn:aws:states:::aws-sdk:s3:getObject' is not supported",
            )
        ],
        id="aws-sdk",
    ),
    pytest.param(
        _task("arn:aws:states:us-east-1:111111111111:activity:work"),
        [(f"{S}/Resource", "is not a supported integration; sdw runs Lambda function ARNs")],
        id="activity",
    ),
    pytest.param(
        _task("${helloArn}"),
        [(f"{S}/Resource", "unresolved ${...} placeholder")],
        id="placeholder",
    ),
    pytest.param(
        _task("arn:aws:states:::sqs:sendMessage"),
        [(f"{S}/Resource", "'arn:aws:states:::sqs:sendMessage' is not a supported integration")],
        id="other-service",
    ),
    pytest.param(
        _task("arn:aws:states:::lambda:invoke.sync", Parameters={"FunctionName": "f"}),
        [(f"{S}/Resource", "is not a supported integration")],
        id="lambda-invoke-sync-does-not-exist",
    ),
    pytest.param(
        _task("arn:aws:lambda:us-east-1:111111111111:function:"),
        [(f"{S}/Resource", "is not a supported integration")],
        id="lambda-arn-without-name",
    ),
    pytest.param(
        _task("arn:aws:states:::lambda:invoke", Parameters={"Payload.$": "$"}),
        [(f"{S}/Parameters", "needs Parameters.FunctionName (or FunctionName.$)")],
        id="invoke-without-function-name",
    ),
    pytest.param(
        _task("arn:aws:states:::states:startExecution.sync:2"),
        [(S, "needs Parameters.StateMachineArn")],
        id="start-execution-without-arn",
    ),
    pytest.param(
        _one({"Type": "Task", "Resource": 5, "End": True}),
        [(f"{S}/Resource", "must be an ARN string")],
        id="number",
    ),
    pytest.param(_one({"Type": "Task", "End": True}), [(S, "needs 'Resource'")], id="no-resource"),
    pytest.param(
        machine(
            {
                "S": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Arguments": {"Payload": "{% $states.input %}"},
                    "End": True,
                }
            },
            QueryLanguage="JSONata",
        ),
        [(f"{S}/Arguments", "needs Arguments.FunctionName.")],
        id="jsonata-invoke-without-function-name",
    ),
]


JSONATA_INVALID = [
    pytest.param(
        _one(pass_end(Parameters={"a": ["{% $states.input. %}"], "b": "{% (1 %}"}, Result="{% phone %}")),
        [],
        id="jsonata-text-is-literal-in-a-jsonpath-state",
    ),
    pytest.param(
        machine(
            {
                "S": pass_end(
                    Output={"a": ["{% $states.input. %}"], "b": "{% phone %}", "c": " {% 1 %}"},
                    Assign={"x": "{% $ %}", "y": "{% $states.input.items[price > 1] %}"},
                )
            },
            QueryLanguage="JSONata",
        ),
        [
            (f"{S}/Output/a/0", "does not parse"),
            (f"{S}/Output/b", "Reference to 'phone' at the top level"),
            (f"{S}/Assign/x", "reads '$' at the top level"),
        ],
        id="jsonata-syntax-and-context-item",
    ),
    pytest.param(
        machine(
            {
                "S": {
                    "Type": "Map",
                    "ItemProcessor": machine({"P": pass_end()}, ProcessorConfig={"Mode": "DISTRIBUTED"}),
                    "ItemReader": {
                        "Resource": "arn:aws:states:::s3:getObject",
                        "Arguments": {"Bucket": "b", "Key": "{% $states.input.key[ %}"},
                    },
                    "ItemBatcher": {"MaxItemsPerBatch": "{% ( %}", "BatchInput": {"t": "{% tag %}"}},
                    "End": True,
                }
            },
            QueryLanguage="JSONata",
        ),
        [
            (f"{S}/ItemReader/Arguments/Key", "does not parse"),
            (f"{S}/ItemBatcher/MaxItemsPerBatch", "does not parse"),
            (f"{S}/ItemBatcher/BatchInput/t", "Reference to 'tag' at the top level"),
        ],
        id="jsonata-map-item-reader-and-batcher",
    ),
]


@pytest.mark.parametrize(("definition", "expected"), JSONATA_INVALID)
def test_reports_jsonata_errors_only_in_jsonata_states(definition: Any, expected: Expected) -> None:
    assert_reported(definition, expected)


@pytest.mark.parametrize(("definition", "expected"), INVALID)
def test_reports_each_expression_and_resource_error_at_its_pointer(
    definition: Any, expected: Expected
) -> None:
    assert_reported(definition, expected)


VALID = [
    pytest.param(_task("arn:aws:lambda:us-east-1:111111111111:function:f:$LATEST"), id="qualified-lambda"),
    pytest.param(_task("arn:aws:lambda:eu-west-1:123456789012:function:my-fn:prod"), id="alias-lambda"),
    pytest.param(
        _task("arn:aws:states:::lambda:invoke.waitForTaskToken", Parameters={"FunctionName.$": "$.fn"}),
        id="invoke-wait-for-token",
    ),
    pytest.param(
        _task("arn:aws:states:::states:startExecution.sync", Parameters={"StateMachineArn": "arn"}),
        id="start-sync",
    ),
    pytest.param(
        machine(
            {
                "S": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Arguments": "{% $x %}",
                    "End": True,
                }
            },
            QueryLanguage="JSONata",
        ),
        id="computed-arguments",
    ),
    pytest.param(
        _one(
            pass_end(
                Parameters={
                    "a.$": "States.Format('{} {}', $.x, $$.Execution.Id)",
                    "b.$": '$[\'Test\\\\""Name"\']',
                    "c.$": "$.items[?(@.n > 1)]",
                    "d.$": "$var.field",
                    "e": {"f.$": "States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), 0)"},
                },
                InputPath="$$.Execution.Input",
                ResultPath="$",
            )
        ),
        id="paths-and-intrinsics",
    ),
]


@pytest.mark.parametrize("definition", VALID)
def test_accepts_valid_expressions_and_resources(definition: dict[str, Any]) -> None:
    assert validate_definition(definition) == []
