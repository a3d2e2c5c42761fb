"""Placeholders become ARN text for Fn::Sub; any other ``${`` is escaped."""

from __future__ import annotations

import pytest

from sdw.deploy import DeployError, Names
from sdw.deploy._arns import cfn_value, sub_text, sub_tree


def test_a_placeholder_becomes_its_arn_and_keeps_what_follows() -> None:
    names = Names("sdw", "dev")
    arns = {"helloArn": names.function_arn("hello")}
    assert sub_text("${helloArn}:live", arns) == (
        "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:sdw-dev-hello:live"
    )


def test_a_literal_dollar_brace_is_escaped_in_strings_and_keys() -> None:
    assert sub_tree({"${a": ["x ${"]}, {}) == {"${!a": ["x ${!"]}


def test_an_unknown_placeholder_is_an_error_that_says_where() -> None:
    with pytest.raises(DeployError, match=r"flows/a.yml: placeholder \$\{nope\} stands for nothing"):
        sub_text("${nope}", {}, "flows/a.yml")


def test_plain_text_needs_no_fn_sub() -> None:
    assert cfn_value("arn:aws:s3:::bucket") == "arn:aws:s3:::bucket"
    assert cfn_value("cost ${!x}") == "cost ${x}"
    assert cfn_value("arn:${AWS::Partition}:s3:::b") == {"Fn::Sub": "arn:${AWS::Partition}:s3:::b"}


def test_the_stage_names_every_resource() -> None:
    names = Names("shop", "prod")
    assert (names.stack, names.prefix, names.usage_table, names.executions_table) == (
        "shop-prod",
        "shop-prod-",
        "shop-prod-usage",
        "shop-prod-executions",
    )
    assert names.state_machine_arn("nightly").endswith(":stateMachine:shop-prod-nightly")
    assert names.executions_arn("nightly").endswith(":execution:shop-prod-nightly:*")
