"""Each test gets a fresh emulated stage (moto in-process) with the project of support.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from moto import mock_aws

from tests.functional.aws.support import MOTO_CONFIG, Stage, deploy_stage, write_project


@pytest.fixture
def project_root(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    write_project(root)
    return root


@pytest.fixture
def stage(project_root: Path) -> Iterator[Stage]:
    with mock_aws(config=MOTO_CONFIG):
        yield deploy_stage(project_root)


@pytest.fixture
def pooled_stage(project_root: Path) -> Iterator[Stage]:
    """A stage with its Cognito pool and two app clients too."""
    with mock_aws(config=MOTO_CONFIG):
        yield deploy_stage(project_root, with_pool=True)
