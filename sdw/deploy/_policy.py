"""The deployer's least-privilege IAM policy (policy.json): what running ``osls deploy`` needs.

Without a CloudFormation service role, CloudFormation calls each resource type's handlers
with the deployer's own credentials, so the deployer needs, per resource type in the
templates, the actions those handlers call - for the features sdw uses. ``RESOURCE_ACTIONS``
is that table. Each entry is a subset of the type's handler permissions in AWS's resource
provider schema (tests check it against the schemas cfn-lint ships); what the schema lists
and the table leaves out is a feature sdw does not use (KMS keys, VPCs, code signing,
replicas, bucket analytics...), listed with its reason in the test. ``OSLS_ACTIONS`` are the
calls osls and scripts/serverless/plugin.js make themselves (stack and change-set calls,
the deployment bucket's objects, ``lambda:GetFunction`` to skip an unchanged deploy).

Resources are scoped to the service's names (``sdw-*``: the stacks, functions, roles,
machines, tables, rules, log groups and deployment bucket of every stage). Where AWS
cannot scope an action to a name it is said in ``UNSCOPED`` and granted on the narrowest
resource AWS offers: the HTTP API and Cognito pool ids are random (``/apis/*``,
``userpool/*`` in the account and region), and a few actions take only ``*``.
"""

from __future__ import annotations

from typing import Any

_APIGATEWAY = ("apigateway:POST", "apigateway:GET", "apigateway:PATCH", "apigateway:DELETE")

RESOURCE_ACTIONS: dict[str, tuple[str, ...]] = {
    "AWS::ApiGatewayV2::Api": (*_APIGATEWAY, "apigateway:PUT"),
    "AWS::ApiGatewayV2::Stage": _APIGATEWAY,
    "AWS::ApiGatewayV2::Authorizer": (*_APIGATEWAY, "apigateway:PUT"),
    "AWS::ApiGatewayV2::Integration": (*_APIGATEWAY, "apigateway:PUT"),
    "AWS::ApiGatewayV2::Route": (*_APIGATEWAY, "apigateway:PUT"),
    "AWS::CloudFormation::Stack": (
        "cloudformation:CreateStack",
        "cloudformation:UpdateStack",
        "cloudformation:DeleteStack",
        "cloudformation:DescribeStacks",
        "cloudformation:GetTemplate",
        "cloudformation:GetStackPolicy",
    ),
    "AWS::Cognito::UserPool": (
        "cognito-idp:CreateUserPool",
        "cognito-idp:UpdateUserPool",
        "cognito-idp:DeleteUserPool",
        "cognito-idp:DescribeUserPool",
        "cognito-idp:GetUserPoolMfaConfig",
        "cognito-idp:SetUserPoolMfaConfig",
    ),
    "AWS::Cognito::UserPoolClient": (
        "cognito-idp:CreateUserPoolClient",
        "cognito-idp:UpdateUserPoolClient",
        "cognito-idp:DeleteUserPoolClient",
        "cognito-idp:DescribeUserPoolClient",
        "cognito-idp:ListUserPoolClientSecrets",
    ),
    "AWS::DynamoDB::Table": (
        "dynamodb:CreateTable",
        "dynamodb:UpdateTable",
        "dynamodb:DeleteTable",
        "dynamodb:DescribeTable",
        "dynamodb:UpdateTimeToLive",
        "dynamodb:DescribeTimeToLive",
        "dynamodb:DescribeContinuousBackups",
        "dynamodb:DescribeContributorInsights",
        "dynamodb:DescribeKinesisStreamingDestination",
        "dynamodb:ListTagsOfResource",
        "dynamodb:GetResourcePolicy",
    ),
    "AWS::Events::Rule": (
        "events:PutRule",
        "events:DeleteRule",
        "events:DescribeRule",
        "events:PutTargets",
        "events:RemoveTargets",
        "events:ListTargetsByRule",
        "events:ListTagsForResource",
        "iam:PassRole",
    ),
    "AWS::IAM::Role": (
        "iam:CreateRole",
        "iam:DeleteRole",
        "iam:GetRole",
        "iam:UpdateRole",
        "iam:PutRolePolicy",
        "iam:GetRolePolicy",
        "iam:DeleteRolePolicy",
        "iam:ListRolePolicies",
        "iam:ListAttachedRolePolicies",
        "iam:UpdateAssumeRolePolicy",
        "iam:TagRole",
        "iam:UntagRole",
    ),
    "AWS::Lambda::Function": (
        "lambda:CreateFunction",
        "lambda:DeleteFunction",
        "lambda:GetFunction",
        "lambda:UpdateFunctionCode",
        "lambda:UpdateFunctionConfiguration",
        "lambda:GetLayerVersion",
        "lambda:GetRuntimeManagementConfig",
        "lambda:GetFunctionCodeSigningConfig",
        "lambda:GetFunctionRecursionConfig",
        "lambda:GetFunctionScalingConfig",
        "lambda:TagResource",
        "lambda:UntagResource",
        "iam:PassRole",
        "s3:GetObject",
        "s3:GetObjectVersion",
    ),
    "AWS::Lambda::LayerVersion": (
        "lambda:PublishLayerVersion",
        "lambda:DeleteLayerVersion",
        "lambda:GetLayerVersion",
        "s3:GetObject",
        "s3:GetObjectVersion",
    ),
    "AWS::Lambda::Permission": ("lambda:AddPermission", "lambda:RemovePermission", "lambda:GetPolicy"),
    "AWS::Logs::LogGroup": (
        "logs:CreateLogGroup",
        "logs:DeleteLogGroup",
        "logs:DescribeLogGroups",
        "logs:PutRetentionPolicy",
        "logs:DeleteRetentionPolicy",
        "logs:ListTagsForResource",
        "logs:TagResource",
        "logs:UntagResource",
        "logs:GetDataProtectionPolicy",
        "logs:DescribeIndexPolicies",
        "logs:DescribeResourcePolicies",
    ),
    "AWS::S3::Bucket": (
        "s3:CreateBucket",
        "s3:DeleteBucket",
        "s3:PutEncryptionConfiguration",
        "s3:ListBucket",
        "s3:GetAccelerateConfiguration",
        "s3:GetLifecycleConfiguration",
        "s3:GetBucketPublicAccessBlock",
        "s3:GetAnalyticsConfiguration",
        "s3:GetBucketCORS",
        "s3:GetEncryptionConfiguration",
        "s3:GetInventoryConfiguration",
        "s3:GetBucketLogging",
        "s3:GetMetricsConfiguration",
        "s3:GetBucketNotification",
        "s3:GetBucketVersioning",
        "s3:GetReplicationConfiguration",
        "s3:GetBucketWebsite",
        "s3:GetBucketObjectLockConfiguration",
        "s3:GetBucketTagging",
        "s3:ListTagsForResource",
        "s3:GetBucketAbac",
        "s3:GetBucketOwnershipControls",
        "s3:GetIntelligentTieringConfiguration",
        "s3:GetBucketMetadataTableConfiguration",
    ),
    "AWS::S3::BucketPolicy": ("s3:PutBucketPolicy", "s3:GetBucketPolicy", "s3:DeleteBucketPolicy"),
    "AWS::StepFunctions::StateMachine": (
        "states:CreateStateMachine",
        "states:UpdateStateMachine",
        "states:DeleteStateMachine",
        "states:DescribeStateMachine",
        "states:ListTagsForResource",
        "iam:PassRole",
    ),
}

OSLS_ACTIONS: tuple[str, ...] = (
    "cloudformation:CreateStack",
    "cloudformation:UpdateStack",
    "cloudformation:DeleteStack",
    "cloudformation:DescribeStacks",
    "cloudformation:DescribeStackEvents",
    "cloudformation:DescribeStackResource",
    "cloudformation:DescribeStackResources",
    "cloudformation:ListStackResources",
    "cloudformation:GetTemplate",
    "cloudformation:ValidateTemplate",
    "cloudformation:CreateChangeSet",
    "cloudformation:DescribeChangeSet",
    "cloudformation:ExecuteChangeSet",
    "cloudformation:DeleteChangeSet",
    "s3:ListBucket",
    "s3:ListBucketVersions",
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "lambda:GetFunction",
)

_REGION = "${region}:${account-id}"

UNSCOPED: dict[str, tuple[str, str]] = {
    # action: (the narrowest resource AWS accepts for it, why)
    "cloudformation:ValidateTemplate": ("*", "AWS supports only Resource '*' for it"),
    "cognito-idp:CreateUserPool": (
        "*",
        "AWS supports only Resource '*' for it: the pool id does not exist yet",
    ),
    "logs:DescribeLogGroups": (
        "arn:aws:logs:${region}:${account-id}:log-group:*",
        "it lists the log groups of the account and region before it filters them",
    ),
}


def scopes(service: str = "sdw") -> dict[str, tuple[str, ...]]:
    """The resources each service's actions are granted on: this service's names only."""
    name = f"{service}-*"
    return {
        "cloudformation": (f"arn:aws:cloudformation:{_REGION}:stack/{name}/*",),
        "s3": (
            f"arn:aws:s3:::{service}-*-serverlessdeploymentbucket-*",
            f"arn:aws:s3:::{service}-*-serverlessdeploymentbucket-*/*",
        ),
        "lambda": (
            f"arn:aws:lambda:{_REGION}:function:{name}",
            f"arn:aws:lambda:{_REGION}:layer:{name}",
            f"arn:aws:lambda:{_REGION}:layer:{name}:*",
        ),
        "logs": (
            f"arn:aws:logs:{_REGION}:log-group:/aws/lambda/{name}",
            f"arn:aws:logs:{_REGION}:log-group:/aws/lambda/{name}:*",
        ),
        "iam": (f"arn:aws:iam::${{account-id}}:role/{name}",),
        "states": (f"arn:aws:states:{_REGION}:stateMachine:{name}",),
        "events": (f"arn:aws:events:{_REGION}:rule/{name}",),
        "dynamodb": (f"arn:aws:dynamodb:{_REGION}:table/{name}",),
        "cognito-idp": (f"arn:aws:cognito-idp:{_REGION}:userpool/*",),
        "apigateway": ("arn:aws:apigateway:${region}::/apis", "arn:aws:apigateway:${region}::/apis/*"),
    }


def needed_actions(resource_types: set[str] | None = None) -> set[str]:
    """What deploying templates of ``resource_types`` (default: every type sdw makes) needs."""
    types = set(RESOURCE_ACTIONS) if resource_types is None else resource_types
    unknown = types - set(RESOURCE_ACTIONS)
    if unknown:
        raise KeyError(f"no deployer actions known for {', '.join(sorted(unknown))}")
    return {a for t in types for a in RESOURCE_ACTIONS[t]} | set(OSLS_ACTIONS)


def deployer_policy(service: str = "sdw") -> dict[str, Any]:
    """policy.json: one statement per service, ``${region}``/``${account-id}`` left for the reader."""
    by_service: dict[str, list[str]] = {}
    for action in sorted(needed_actions() - set(UNSCOPED)):
        by_service.setdefault(action.split(":")[0], []).append(action)
    areas = scopes(service)
    statements: list[dict[str, Any]] = [
        {
            "Sid": prefix.replace("-", "").title() + "ThisServiceOnly",
            "Effect": "Allow",
            "Action": actions,
            "Resource": list(areas[prefix]),
        }
        for prefix, actions in sorted(by_service.items())
    ]
    for action, (resource, _why) in sorted(UNSCOPED.items()):
        sid = action.split(":")[1] + "NarrowestResource"
        statements.append({"Sid": sid, "Effect": "Allow", "Action": [action], "Resource": resource})
    return {"Version": "2012-10-17", "Statement": statements}
