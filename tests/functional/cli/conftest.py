"""The CLI's stage commands run against an emulated stage (moto in-process) with its Cognito pool."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from moto import mock_aws

from tests.functional.aws.support import MOTO_CONFIG, Stage, deploy_stage, write_project


@pytest.fixture
def stage(tmp_path: Path) -> Iterator[Stage]:
    root = tmp_path / "project"
    write_project(root)
    with mock_aws(config=MOTO_CONFIG):
        yield deploy_stage(root, with_pool=True)
