"""The e2e fixture: the examples deployed by ``osls deploy`` to a moto server (tests/e2e/moto_server.py).

One deploy per test session (about 20-30 s): the project files are copied to a tmp folder
(node_modules, sdw and the built layer linked), osls runs there with fake credentials,
``AWS_ENDPOINT_URL`` pointing at the server on a free loopback port and
``SDW_DEPLOYMENT_METHOD=direct``. The tests then look at what moto holds, with boto3.
"""

from __future__ import annotations

import select
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.deploy_support import (
    ROOT,
    SECRET_FUNCTION,
    add_secret_function,
    copy_project,
    missing_tools,
    run_osls,
)

STAGE = "e2e"
__all__ = ["SECRET_FUNCTION", "Deployment"]
REGION = "us-east-1"


@dataclass(frozen=True)
class Deployment:
    endpoint: str
    project: Path  # the tmp copy osls deployed from; .serverless/ holds its templates

    def client(self, service: str):  # type: ignore[no-untyped-def]
        import boto3

        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )


def _start_server() -> tuple[subprocess.Popen[str], int]:
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.e2e.moto_server"],
        cwd=ROOT,
        text=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert server.stdout is not None
    ready, _, _ = select.select([server.stdout], [], [], 60)
    line = server.stdout.readline() if ready else ""
    if not line.startswith("PORT "):
        server.kill()
        raise RuntimeError(f"the moto server did not start (said {line!r})")
    return server, int(line.split()[1])


@pytest.fixture(scope="session")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    problem = missing_tools()
    if problem:
        pytest.fail(problem)
    project = tmp_path_factory.mktemp("e2e-project")
    copy_project(project)
    add_secret_function(project)
    server, port = _start_server()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        done = run_osls(
            project,
            "deploy",
            "--stage",
            STAGE,
            "--region",
            REGION,
            AWS_ENDPOINT_URL=endpoint,
            SDW_DEPLOYMENT_METHOD="direct",
        )
        if done.returncode != 0:
            pytest.fail(
                f"osls deploy failed ({done.returncode}):\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
            )
        yield Deployment(endpoint, project)
    finally:
        assert server.stdin is not None and server.stdout is not None
        server.stdin.close()
        server.stdout.close()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
