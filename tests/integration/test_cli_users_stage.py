"""``sdw users --stage`` and the admin_tools wrappers as a user runs them, where no AWS answers:
one line on stderr, exit status 1, never a traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.test_cli_users import one_line_error

SDW = Path(sys.executable).parent / "sdw"
ROOT = Path(__file__).resolve().parents[2]
CREDENTIALS = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ENDPOINT_URL",
)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # nothing listens on it once the socket is closed


def run(argv: list[str], tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in CREDENTIALS}
    env.update(
        AWS_CONFIG_FILE=str(tmp_path / "no-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        AWS_REGION="us-east-1",
        AWS_MAX_ATTEMPTS="1",
        SDW_STATE_DIR=str(tmp_path / ".sdw"),
        **extra,
    )
    result = subprocess.run(
        argv, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False
    )
    assert "Traceback" not in result.stdout + result.stderr
    return result


def test_without_credentials_the_stage_commands_say_so(tmp_path: Path) -> None:
    result = run([str(SDW), "users", "list", "--stage", "dev"], tmp_path)
    assert one_line_error(result) == (
        "Error: AWS DescribeStacks failed: no AWS credentials were found "
        "(set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)"
    )


def test_an_unreachable_aws_is_one_line(tmp_path: Path) -> None:
    endpoint = f"http://127.0.0.1:{closed_port()}"
    result = run(
        [str(SDW), "users", "create", "--email", "ada@example.com", "--stage", "dev"],
        tmp_path,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_ENDPOINT_URL=endpoint,
    )
    assert one_line_error(result) == f"Error: AWS DescribeStacks failed: cannot reach {endpoint}/"


@pytest.mark.parametrize("tool", ["create_user.py", "get_user_token.py"])
def test_the_admin_tools_take_the_stage_too(tmp_path: Path, tool: str) -> None:
    argv = [
        sys.executable,
        str(ROOT / "admin_tools" / tool),
        "--email",
        "ada@example.com",
        "--password",
        "Corr3ct-horse",
        "--stage",
        "dev",
    ]
    assert "no AWS credentials were found" in one_line_error(run(argv, tmp_path))
