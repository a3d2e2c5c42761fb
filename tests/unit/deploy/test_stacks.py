"""finalize: the packaged template made deployable - DependsOn tidied, layer filled in, nested stacks."""

from __future__ import annotations

from typing import Any

import pytest

from sdw.deploy import (
    DeployError,
    StackLimitError,
    Unit,
    drop_redundant_depends_on,
    finalize,
    layer_key,
    references,
)

BUCKET = {"Ref": "ServerlessDeploymentBucket"}
EXECUTE_API = "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}/*"


def function(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "Code": {"S3Bucket": BUCKET, "S3Key": "serverless/sdw/dev/1/sdw.zip"},
            "FunctionName": name,
            "Role": {"Fn::GetAtt": ["IamRoleLambdaExecution", "Arn"]},
            "Layers": [{"Ref": "SdwRuntimeLayer"}],
            **extra,
        },
        "DependsOn": ["PingLogGroup", "IamRoleLambdaExecution"],
    }


def template() -> dict[str, Any]:
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "ServerlessDeploymentBucket": {"Type": "AWS::S3::Bucket"},
            "IamRoleLambdaExecution": {"Type": "AWS::IAM::Role", "Properties": {}},
            "SdwRuntimeLayer": {
                "Type": "AWS::Lambda::LayerVersion",
                "Properties": {"Content": {"S3Bucket": "", "S3Key": "sdw:runtime-layer"}},
            },
            "HttpApi": {
                "Type": "AWS::ApiGatewayV2::Api",
                "Properties": {"Name": "x", "ProtocolType": "HTTP"},
            },
            "PingLogGroup": {
                "Type": "AWS::Logs::LogGroup",
                "Properties": {"LogGroupName": "/aws/lambda/sdw-dev-ping"},
            },
            "PingLambdaFunction": function("sdw-dev-ping"),
            "PingHttpPermission": {
                "Type": "AWS::Lambda::Permission",
                "Properties": {
                    "FunctionName": {"Fn::GetAtt": ["PingLambdaFunction", "Arn"]},
                    "SourceArn": {"Fn::Sub": EXECUTE_API},
                },
            },
        },
        "Outputs": {"PingArn": {"Value": {"Fn::GetAtt": ["PingLambdaFunction", "Arn"]}}},
    }


UNITS = [Unit("FunctionsStack1", ("PingLambdaFunction", "PingLogGroup", "PingHttpPermission"))]


def test_units_move_to_their_nested_stack_and_root_references_become_parameters() -> None:
    packaged = finalize(
        template(), UNITS, artifact_directory="serverless/sdw/dev/1", layer="sdw-layers/k.zip"
    )
    nested = packaged.nested["FunctionsStack1"]
    assert set(nested["Resources"]) == {"PingLambdaFunction", "PingLogGroup", "PingHttpPermission"}
    assert set(nested["Parameters"]) == {
        "ServerlessDeploymentBucket",
        "IamRoleLambdaExecutionArn",
        "SdwRuntimeLayer",
        "HttpApi",
    }
    moved = nested["Resources"]["PingLambdaFunction"]
    assert moved["Properties"]["Role"] == {"Ref": "IamRoleLambdaExecutionArn"}
    assert moved["DependsOn"] == ["PingLogGroup"]  # the root's role is the stack's dependency now
    stack = packaged.root["Resources"]["FunctionsStack1"]
    assert stack["Properties"]["Parameters"]["IamRoleLambdaExecutionArn"] == {
        "Fn::GetAtt": ["IamRoleLambdaExecution", "Arn"]
    }
    assert "DependsOn" not in stack  # referenced through its parameters already (W3005)
    url = stack["Properties"]["TemplateURL"]["Fn::Join"][1]
    assert (
        url[1] == BUCKET
        and url[-1] == "/serverless/sdw/dev/1/cloudformation-template-nested-FunctionsStack1.json"
    )


def test_a_root_reference_to_a_moved_resource_goes_through_a_stack_output() -> None:
    packaged = finalize(template(), UNITS, artifact_directory="d", layer="k")
    assert packaged.root["Outputs"]["PingArn"]["Value"] == {
        "Fn::GetAtt": ["FunctionsStack1", "Outputs.PingLambdaFunctionArn"]
    }
    outputs = packaged.nested["FunctionsStack1"]["Outputs"]
    assert outputs["PingLambdaFunctionArn"]["Value"] == {"Fn::GetAtt": ["PingLambdaFunction", "Arn"]}


def test_a_sub_reference_to_the_root_keeps_its_name_as_a_parameter() -> None:
    packaged = finalize(template(), UNITS, artifact_directory="d", layer="k")
    permission = packaged.nested["FunctionsStack1"]["Resources"]["PingHttpPermission"]["Properties"]
    assert permission["SourceArn"] == {
        "Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}/*"
    }


def test_the_layer_points_at_its_content_keyed_zip_in_the_deployment_bucket() -> None:
    packaged = finalize(template(), [], artifact_directory="d", layer=layer_key("sdw", "dev", "ab" * 32))
    content = packaged.root["Resources"]["SdwRuntimeLayer"]["Properties"]["Content"]
    assert content == {"S3Bucket": BUCKET, "S3Key": "sdw-layers/sdw/dev/runtime-abababababababab.zip"}
    assert packaged.nested == {}


def test_a_reference_between_two_nested_stacks_is_refused() -> None:
    units = [
        Unit("FunctionsStack1", ("PingLambdaFunction",)),
        Unit("FunctionsStack2", ("PingLogGroup", "PingHttpPermission")),
    ]
    with pytest.raises(DeployError, match=r"nested stacks may refer only to the root|another nested stack"):
        finalize(template(), units, artifact_directory="d", layer="k")


def test_a_unit_naming_a_resource_osls_did_not_make_is_refused() -> None:
    with pytest.raises(DeployError, match="PongLambdaFunction is not in the packaged template"):
        finalize(
            template(), [Unit("FunctionsStack1", ("PongLambdaFunction",))], artifact_directory="d", layer="k"
        )


def test_a_template_over_500_resources_is_refused_with_the_count() -> None:
    big = template()
    for i in range(500):
        big["Resources"][f"Group{i}"] = {"Type": "AWS::Logs::LogGroup", "Properties": {}}
    with pytest.raises(StackLimitError, match="the root template has 507 resources"):
        finalize(big, [], artifact_directory="d", layer="k")


def test_redundant_depends_on_entries_are_dropped() -> None:
    resources = {
        "Resources": {
            "A": {
                "Type": "X",
                "Properties": {"B": {"Ref": "B"}, "C": {"Fn::Sub": "${C.Arn}"}},
                "DependsOn": ["B", "C", "D"],
            },
            "E": {"Type": "X", "Properties": {"B": {"Fn::GetAtt": "B.Arn"}}, "DependsOn": "B"},
        }
    }
    drop_redundant_depends_on(resources)
    assert resources["Resources"]["A"]["DependsOn"] == ["D"]
    assert "DependsOn" not in resources["Resources"]["E"]


def test_references_ignore_pseudo_parameters_and_sub_variables() -> None:
    value = {"Fn::Sub": ["${AWS::Region}/${X}/${Y.Arn}/${!Literal}", {"X": {"Ref": "Z"}}]}
    assert references(value) == {"Y", "Z"}
