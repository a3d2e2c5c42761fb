"""``sdw users ... --stage S``: the commands on a deployed stage's Cognito pool (moto), found
through the stage's stack outputs. Run in-process (click's runner) so that the emulated
account and a session can be handed to the command through its context object; the
subprocess tests of tests/integration/test_cli_users_stage.py cover what needs no AWS.
"""

from __future__ import annotations

import json
from pathlib import Path

import jwt
import pytest
from click.testing import CliRunner, Result

from sdw.cli._users import users
from tests.functional.aws.support import (
    REGION,
    Stack,
    Stage,
    stage_outputs,
)

PASSWORD = "Corr3ct-horse"


def sdw_users(stage: Stage, *args: str, stack: str = "sdw-dev", deployed: bool = True) -> Result:
    session = Stack(stage.session, stack, stage_outputs(stage) if deployed else None)
    state = Path(stage.environ["LAMBDA_TASK_ROOT"]).parent / ".sdw"
    return CliRunner().invoke(
        users, [*args, "--region", REGION, "--state-dir", str(state)], obj={"aws_session": session}
    )


def test_a_user_is_created_listed_signed_in_and_deleted_on_the_stage(stage: Stage) -> None:
    created = sdw_users(
        stage, "create", "--email", "ada@example.com", "--password", PASSWORD, "--stage", "dev"
    )
    assert created.exit_code == 0, created.output
    assert created.output.startswith("Created user ada@example.com (sub ")
    listed = sdw_users(stage, "list", "--json", "--stage", "dev")
    assert [row["email"] for row in json.loads(listed.output)] == ["ada@example.com"]
    signed_in = sdw_users(
        stage, "token", "--email", "ada@example.com", "--password", PASSWORD, "--stage", "dev"
    )
    assert signed_in.exit_code == 0, signed_in.output
    id_token = json.loads(signed_in.output)["IdToken"]
    claims = jwt.decode(id_token, options={"verify_signature": False})
    assert (claims["aud"], claims["iss"]) == (
        stage.pool.client_id,
        f"https://cognito-idp.{REGION}.amazonaws.com/{stage.pool.user_pool_id}",
    )
    deleted = sdw_users(stage, "delete", "--email", "ada@example.com", "--stage", "dev")
    assert deleted.output == "Deleted user ada@example.com.\n"
    assert sdw_users(stage, "list", "--stage", "dev").output == "No users.\n"


def test_the_local_pool_is_left_alone(stage: Stage) -> None:
    sdw_users(stage, "create", "--email", "ada@example.com", "--password", PASSWORD, "--stage", "dev")
    assert sdw_users(stage, "list").output == "No users.\n"


def test_a_generated_password_works_on_the_stage(stage: Stage) -> None:
    created = sdw_users(stage, "create", "--email", "bob@example.com", "--stage", "dev")
    password = created.output.split("shown only this once): ")[1].strip()
    signed_in = sdw_users(
        stage, "token", "--email", "bob@example.com", "--password", password, "--stage", "dev"
    )
    assert signed_in.exit_code == 0, signed_in.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("token", "--email", "ada@example.com", "--password", "Wr0ng-horse"),
            "Incorrect username or password.",
        ),
        (("delete", "--email", "nobody@example.com"), "User does not exist."),
        (("create", "--email", "ada@example.com", "--password", PASSWORD), "already exists"),
        (("create", "--email", "eve@example.com", "--password", "weak"), "Password did not conform"),
    ],
)
def test_a_refusal_is_one_line_and_exit_status_1(stage: Stage, args: tuple[str, ...], message: str) -> None:
    sdw_users(stage, "create", "--email", "ada@example.com", "--password", PASSWORD, "--stage", "dev")
    result = sdw_users(stage, *args, "--stage", "dev")
    assert result.exit_code == 1
    assert message in result.output and len(result.output.strip().splitlines()) == 1


def test_a_stage_that_was_never_deployed_is_one_line(stage: Stage) -> None:
    result = sdw_users(
        stage, "list", "--stage", "qa", "--service", "billing", stack="billing-qa", deployed=False
    )
    assert result.exit_code == 1
    assert result.output == (
        "Error: there is no stack 'billing-qa' in us-east-1: deploy the stage first (make deploy STAGE=...), "
        "or check --stage, --service and --region\n"
    )
