"""A state machine's role is derived from its ASL: exactly the functions and machines it calls."""

from __future__ import annotations

from typing import Any

import pytest

from sdw.deploy import UnsupportedError, role_statements

FN = "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:sdw-dev-"
SM = "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:sdw-dev-"
ARNS = {"aArn": FN + "a", "bArn": FN + "b", "cArn": FN + "c", "childStateMachine": SM + "child"}
SELF = SM + "me"


def task(resource: str, **fields: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": resource, "End": True, **fields}


def machine(**states: Any) -> dict[str, Any]:
    return {"StartAt": next(iter(states)), "States": states}


def grants(definition: dict[str, Any]) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for statement in role_statements(definition, ARNS, SELF, "flows/x.yml"):
        for action in statement["Action"]:
            found.setdefault(action, []).extend(r["Fn::Sub"] for r in statement["Resource"])
    return found


def test_a_machine_that_calls_only_a_can_invoke_only_a() -> None:
    assert grants(machine(A=task("${aArn}"))) == {"lambda:InvokeFunction": [FN + "a"]}


def test_a_machine_of_pass_states_gets_no_statement() -> None:
    assert role_statements(machine(P={"Type": "Pass", "End": True}), ARNS, SELF, "f") == []


def test_functions_in_nested_parallel_and_map_states_are_found() -> None:
    inner_map = {
        "Type": "Map",
        "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, **machine(C=task("${cArn}"))},
        "End": True,
    }
    definition = machine(
        P={"Type": "Parallel", "Branches": [machine(A=task("${aArn}")), machine(M=inner_map)], "End": True}
    )
    assert grants(definition) == {"lambda:InvokeFunction": [FN + "a", FN + "c"]}


def test_a_legacy_iterator_is_walked_like_an_item_processor() -> None:
    definition = machine(M={"Type": "Map", "Iterator": machine(B=task("${bArn}")), "End": True})
    assert grants(definition) == {"lambda:InvokeFunction": [FN + "b"]}


def test_lambda_invoke_grants_its_function_name_by_placeholder_or_by_name() -> None:
    definition = machine(
        A=task(
            "arn:aws:states:::lambda:invoke",
            Parameters={"FunctionName": "${aArn}", "Payload.$": "$"},
            Next="B",
        ),
        B=task("arn:aws:states:::lambda:invoke.waitForTaskToken", Arguments={"FunctionName": "external-fn"}),
    )
    assert grants(definition) == {
        "lambda:InvokeFunction": [
            "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:external-fn",
            FN + "a",
        ]
    }


def test_start_execution_grants_only_the_start_of_that_machine() -> None:
    definition = machine(
        S=task(
            "arn:aws:states:::states:startExecution", Parameters={"StateMachineArn": "${childStateMachine}"}
        )
    )
    assert grants(definition) == {"states:StartExecution": [SM + "child"]}


@pytest.mark.parametrize("pattern", [".sync", ".sync:2"])
def test_a_sync_start_may_also_watch_the_child_and_use_the_managed_rule(pattern: str) -> None:
    resource = f"arn:aws:states:::states:startExecution{pattern}"
    found = grants(machine(S=task(resource, Parameters={"StateMachineArn": "${childStateMachine}"})))
    child_executions = SM.replace(":stateMachine:", ":execution:") + "child:*"
    rule = "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/"
    assert found == {
        "states:StartExecution": [SM + "child"],
        "states:DescribeExecution": [child_executions],
        "states:StopExecution": [child_executions],
        "events:PutTargets": [rule + "StepFunctionsGetEventsForStepFunctionsExecutionRule"],
        "events:PutRule": [rule + "StepFunctionsGetEventsForStepFunctionsExecutionRule"],
        "events:DescribeRule": [rule + "StepFunctionsGetEventsForStepFunctionsExecutionRule"],
    }


def test_a_distributed_map_may_start_and_watch_its_own_child_executions_and_read_its_bucket() -> None:
    distributed = {
        "Type": "Map",
        "ItemReader": {
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "JSON"},
            "Parameters": {"Bucket": "inputs", "Key": "items.json"},
        },
        "ResultWriter": {
            "Resource": "arn:aws:states:::s3:putObject",
            "Parameters": {"Bucket": "out", "Prefix": "r/"},
        },
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            **machine(A=task("${aArn}")),
        },
        "End": True,
    }
    found = grants(machine(M=distributed))
    assert found["lambda:InvokeFunction"] == [FN + "a"]
    assert found["states:StartExecution"] == [SELF]
    assert found["states:DescribeExecution"] == [SELF.replace(":stateMachine:", ":execution:") + "/*"]
    assert found["s3:GetObject"] == [
        "arn:${AWS::Partition}:s3:::inputs/items.json",
        "arn:${AWS::Partition}:s3:::out/r/*",
    ]
    assert found["s3:PutObject"] == ["arn:${AWS::Partition}:s3:::out/r/*"]


@pytest.mark.parametrize(
    ("state", "where", "says"),
    [
        (task("arn:aws:states:::sns:publish"), "/States/S/Resource", "cannot derive the IAM"),
        (task("arn:aws:states:us-east-1:1:activity:x"), "/States/S/Resource", "cannot derive the IAM"),
        (
            task("arn:aws:states:::lambda:invoke", Parameters={"FunctionName.$": "$.fn"}),
            "/States/S/Parameters/FunctionName",
            "computed at run time",
        ),
        (
            task("arn:aws:states:::lambda:invoke", Arguments={"FunctionName": "{% $states.input.fn %}"}),
            "/States/S/Arguments/FunctionName",
            "computed at run time",
        ),
        (
            task("arn:aws:states:::states:startExecution.sync", Parameters={"StateMachineArn.$": "$.arn"}),
            "/States/S/Parameters/StateMachineArn",
            "computed at run time",
        ),
        (
            task("${aArn}", Credentials={"RoleArn": "arn:aws:iam::1:role/x"}),
            "/States/S/Credentials",
            "Credentials",
        ),
    ],
)
def test_what_cannot_be_scoped_is_an_error_at_its_state(state: dict[str, Any], where: str, says: str) -> None:
    with pytest.raises(UnsupportedError) as caught:
        role_statements(machine(S=state), ARNS, SELF, "flows/x.yml")
    assert caught.value.where == f"flows/x.yml: {where}"
    assert says in caught.value.message


def test_an_error_inside_a_branch_names_the_nested_state() -> None:
    definition = machine(
        P={"Type": "Parallel", "Branches": [machine(X=task("arn:aws:states:::sqs:sendMessage"))], "End": True}
    )
    with pytest.raises(UnsupportedError) as caught:
        role_statements(definition, ARNS, SELF, "flows/x.yml")
    assert caught.value.where == "flows/x.yml: /States/P/Branches/0/States/X/Resource"
