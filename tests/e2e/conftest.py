"""The e2e fixture: the examples deployed by ``osls deploy`` to a moto server (tests/e2e/moto_server.py).

One deploy per test session (about 20-30 s): the project files are copied to a tmp folder
(node_modules, sdw and the built layer linked), osls runs there with fake credentials,
``AWS_ENDPOINT_URL`` pointing at the server on a free loopback port and
``SDW_DEPLOYMENT_METHOD=direct``. The tests then look at what moto holds, with boto3.
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STAGE = "e2e"
REGION = "us-east-1"
COPIED = (
    "functions",
    "flows",
    "scripts/serverless",
    "config.json",
    "lambda-permissions.yml",
    "serverless.yml",
    "package.json",
)


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


def _copy_project(target: Path) -> None:
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target / name)
    for name in ("node_modules", "sdw"):
        (target / name).symlink_to(ROOT / name)
    (target / "build").mkdir()
    (target / "build" / "layer.zip").symlink_to(ROOT / "build" / "layer.zip")


@pytest.fixture(scope="session")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    for needed, how in (
        (ROOT / "node_modules" / ".bin" / "osls", "make setup"),
        (ROOT / "build" / "layer.zip", "make layer"),
    ):
        if not needed.exists():
            pytest.fail(f"{needed} is missing: run `{how}` (make test and make e2e do)")
    project = tmp_path_factory.mktemp("e2e-project")
    _copy_project(project)
    server, port = _start_server()
    endpoint = f"http://127.0.0.1:{port}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SLS_"))},
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": REGION,
        "AWS_ENDPOINT_URL": endpoint,
        "SDW_DEPLOYMENT_METHOD": "direct",
        "SDW_PYTHON": sys.executable,
        "SLS_TELEMETRY_DISABLED": "1",
        "SLS_NOTIFICATIONS_MODE": "off",
    }
    try:
        done = subprocess.run(
            [str(project / "node_modules" / ".bin" / "osls"), "deploy", "--stage", STAGE, "--region", REGION],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
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
