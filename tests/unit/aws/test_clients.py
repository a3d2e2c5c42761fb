"""Lazy clients and the system Lambdas' environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from sdw.aws import AwsConfigError, LambdaSettings, LazyClient


class Client:
    def describe(self) -> str:
        return "described"


def test_a_lazy_client_is_made_at_its_first_use_and_kept() -> None:
    made: list[Client] = []

    def make() -> Client:
        made.append(Client())
        return made[-1]

    client = LazyClient(make)
    assert made == []
    assert client.describe() == "described"
    assert client.describe() == "described"
    assert len(made) == 1


def test_settings_name_every_missing_variable() -> None:
    settings = LambdaSettings({"SDW_SERVICE": "sdw", "SDW_STAGE": ""})
    with pytest.raises(AwsConfigError, match="lacks SDW_STAGE, AWS_REGION;"):
        settings.require("SDW_SERVICE", "SDW_STAGE", "AWS_REGION")


def test_settings_give_the_name_prefix_region_and_package_root() -> None:
    settings = LambdaSettings(
        {
            "SDW_SERVICE": "billing",
            "SDW_STAGE": "prod",
            "AWS_REGION": "eu-west-1",
            "LAMBDA_TASK_ROOT": "/var/task",
        }
    )
    assert (settings.name_prefix, settings.region, settings.task_root) == (
        "billing-prod-",
        "eu-west-1",
        Path("/var/task"),
    )
