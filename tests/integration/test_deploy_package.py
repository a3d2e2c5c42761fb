"""``osls package`` of the examples, offline, then cfn-lint and the deployer's policy on its output.

The real packaging path: serverless.yml -> scripts/serverless (the bridge and the plugin)
-> ``sdw deploy render``/``finalize`` -> templates under .serverless/. cfn-lint must find
nothing (no errors, no warnings); policy.json must grant what every resource type in the
templates needs, per the table in sdw/deploy/_policy.py, and nothing else - and that
table must hold only actions AWS's own resource schemas list for the type.
"""

from __future__ import annotations

import importlib.resources
import json
import subprocess
import sys
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest

from sdw.deploy import OSLS_ACTIONS, RESOURCE_ACTIONS, UNSCOPED, deployer_policy, needed_actions
from sdw.project import load_project
from sdw.system import SYSTEM_ROUTES
from tests.deploy_support import ROOT, add_secret_function, copy_project, missing_tools, run_osls

pytestmark = pytest.mark.xdist_group("deploy-package")  # one osls package for the module under -n 2

# What AWS's schema lists for a type and the table leaves out: features sdw does not use.
NOT_USED = {
    "kms:*": "no customer-managed KMS key",
    "ec2:*": "no VPC",
    "elasticfilesystem:*": "no EFS",
    "s3files:*": "no S3 Files mounts",
    "kinesis:*": "no Kinesis streaming of DynamoDB changes",
    "firehose:*": "no log delivery to Firehose",
    "s3tables:*": "no S3 tables",
    "iam:CreateServiceLinkedRole": "no DynamoDB replicas, Cognito SMS or email through SES",
    "lambda:*CodeSigning*": "no code signing",
    "lambda:*Concurrency": "no reserved concurrency",
    "lambda:PutFunctionScalingConfig": "no scaling config",
    "lambda:PutFunctionRecursionConfig": "recursion detection left at its default",
    "lambda:PutRuntimeManagementConfig": "runtime updates left at their default",
    "lambda:PublishVersion": "versionFunctions: false",
    "lambda:PassCapacityProvider": "no capacity provider",
    "lambda:AssociateRuntimeAlias": "no runtime alias",
    "dynamodb:*Replica*": "no global tables",
    "dynamodb:*Kinesis*": "no Kinesis streaming",
    "dynamodb:*Import*": "no table import",
    "dynamodb:UpdateContinuousBackups": "no point-in-time recovery",
    "dynamodb:UpdateContributorInsights": "no contributor insights",
    "dynamodb:*ResourcePolicy": "no table resource policy",
    "dynamodb:*ag*Resource": "no tags",
    "dynamodb:UpdateItem": "no table import",
    "dynamodb:BatchWriteItem": "no table import",
    "dynamodb:PutItem": "no table import",
    "dynamodb:DeleteItem": "no table import",
    "dynamodb:GetItem": "no table import",
    "dynamodb:Query": "no table import",
    "dynamodb:Scan": "no table import",
    "logs:*": "only for a DynamoDB import, or log group features sdw does not use (see below)",
    "s3:GetObjectMetadata": "no table import",
    "cognito-idp:AddCustomAttributes": "no custom attributes",
    "cognito-idp:*ag*Resource": "no tags",
    "iam:PutRolePolicy": "no Cognito analytics role",
    "iam:DeleteRolePolicy": "no Cognito analytics role",
    "iam:PassRole": "no role passed (API Gateway credentials, Cognito SMS, nested stack role)",
    "cloudformation:*StackPolicy": "no stack policy",
    "cloudformation:UpdateTerminationProtection": "no termination protection",
    "apigateway:*Resource": "no tags",
    "s3:getObject": "no OpenAPI body from S3",
    "events:*agResource": "no tags",
    "iam:*PermissionsBoundary": "no permissions boundary",
    "iam:AttachRolePolicy": "no managed policies",
    "iam:DetachRolePolicy": "no managed policies",
    "iam:UpdateRoleDescription": "no role description",
    "states:TagResource": "no tags",
    "states:UntagResource": "no tags",
    "s3:GetObject": "no definition from S3",
    "s3:GetObjectVersion": "no definition from S3",
    "s3:*": "optional bucket features osls's deployment bucket does not use (CORS, lifecycle, ...)",
}
LOG_GROUP_FEATURES_NOT_USED = {"logs:CreateLogDelivery", "logs:Put*", "logs:Delete*", "logs:*KmsKey"}


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    problem = missing_tools()
    if problem:
        pytest.fail(problem)
    project = copy_project(tmp_path_factory.mktemp("package"))
    add_secret_function(project)  # a role of its own in a nested stack, linted too
    done = run_osls(project, "package", "--stage", "dev", "--region", "us-east-1")
    assert done.returncode == 0, f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return project / ".serverless"


def _templates(folder: Path) -> dict[str, dict[str, Any]]:
    return {
        path.name: json.loads(path.read_text())
        for path in sorted(folder.glob("cloudformation-template-*.json"))
    }


def test_the_packaged_templates_are_cfn_lint_clean(packaged: Path) -> None:
    files = sorted(str(p) for p in packaged.glob("cloudformation-template-*.json"))
    assert len(files) > 3  # the create and update templates and some nested ones
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    lint = subprocess.run([str(cfn_lint), *files], capture_output=True, text=True, timeout=300)
    assert (lint.returncode, lint.stdout + lint.stderr) == (0, "")


def test_every_function_gets_the_runtime_layer_and_the_nested_stacks_are_within_limits(
    packaged: Path,
) -> None:
    functions = 0
    for name, template in _templates(packaged).items():
        assert len(template["Resources"]) <= 500, name
        for resource in template["Resources"].values():
            if resource["Type"] == "AWS::Lambda::Function":
                functions += 1
                assert resource["Properties"]["Layers"] == [{"Ref": "SdwRuntimeLayer"}]
    system = {route.function for route in SYSTEM_ROUTES} | {"execution_index"}
    assert functions == len(load_project(packaged.parent).project.functions) + len(system)


def test_policy_json_is_the_rendered_deployer_policy() -> None:
    assert json.loads((ROOT / "policy.json").read_text()) == deployer_policy(), (
        "run: sdw deploy policy > policy.json"
    )


def test_policy_json_grants_what_every_resource_type_in_the_templates_needs_and_nothing_else(
    packaged: Path,
) -> None:
    types = {r["Type"] for t in _templates(packaged).values() for r in t["Resources"].values()}
    assert types <= set(RESOURCE_ACTIONS), f"add deployer actions for {types - set(RESOURCE_ACTIONS)}"
    policy = json.loads((ROOT / "policy.json").read_text())
    granted: dict[str, list[str]] = {}
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        resources = (
            statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        )
        for action in statement["Action"]:
            assert "*" not in action, action
            granted.setdefault(action, []).extend(resources)
    assert set(granted) == needed_actions(types), "policy.json grants more or less than the template needs"
    for action, resources in granted.items():
        service = action.split(":")[0]
        if action in UNSCOPED:
            assert resources == [UNSCOPED[action][0]]
            continue
        for resource in resources:
            assert resource != "*", action
            if service == "s3":
                assert resource.startswith("arn:aws:s3:::sdw-"), (action, resource)
            elif service not in ("apigateway", "cognito-idp"):  # random ids: see sdw/deploy/_policy.py
                assert resource.startswith(f"arn:aws:{service}:"), (action, resource)
                assert ":sdw-*" in resource or "/sdw-*" in resource, (action, resource)


def test_the_deployer_table_holds_only_actions_aws_lists_for_each_type() -> None:
    schemas = importlib.resources.files("cfnlint") / "data" / "schemas"
    providers = json.loads((schemas / "providers" / "us-east-1.json").read_text())
    for kind, actions in RESOURCE_ACTIONS.items():
        schema = json.loads((schemas / "resources" / f"{providers[kind]}.json").read_text())
        handlers = [schema["handlers"].get(h, {}) for h in ("create", "read", "update", "delete")]  # not list
        listed = {a for handler in handlers for a in handler.get("permissions", [])}
        assert set(actions) <= listed, f"{kind}: {set(actions) - listed} are not in AWS's schema"
        # reads of what sdw does not use: a KMS key, an OpenAPI body in S3
        read = set(schema["handlers"]["read"]["permissions"]) - {
            "kms:Decrypt",
            "kms:DescribeKey",
            "s3:getObject",
        }
        assert read <= set(actions), f"{kind}: CloudFormation reads with {read - set(actions)}"
        for action in listed - set(actions):
            reasons = [why for pattern, why in NOT_USED.items() if fnmatchcase(action, pattern)]
            if action.startswith("logs:") and kind == "AWS::Logs::LogGroup":
                assert any(fnmatchcase(action, p) for p in LOG_GROUP_FEATURES_NOT_USED), f"{kind}: {action}"
                continue
            assert reasons, f"{kind}: {action} is neither granted nor explained"
    assert set(OSLS_ACTIONS) <= needed_actions()
