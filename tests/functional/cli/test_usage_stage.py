"""``sdw usage --stage S``: a user's calls from a deployed stage's usage table, the email looked up
in its Cognito pool (moto), both found through the stage's stack outputs."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner, Result

from sdw.cli._usage import usage
from sdw.system import year_month
from tests.functional.aws.support import (
    REGION,
    USAGE_TABLE,
    Stack,
    Stage,
    stage_outputs,
)

PASSWORD = "Corr3ct-horse"


def sdw_usage(stage: Stage, *args: str, deployed: bool = True) -> Result:
    outputs = {**stage_outputs(stage), "UsageTableName": USAGE_TABLE}
    session = Stack(stage.session, "sdw-dev", outputs if deployed else None)
    state = Path(stage.environ["LAMBDA_TASK_ROOT"]).parent / ".sdw"
    return CliRunner().invoke(
        usage,
        [*args, "--stage", "dev", "--region", REGION, "--state-dir", str(state)],
        obj={"aws_session": session},
    )


def test_the_email_is_found_in_the_stages_pool_and_the_counts_in_its_table(stage: Stage) -> None:
    ada = stage.directory().create_user("ada@example.com", PASSWORD)
    month = year_month(datetime.now(UTC))
    for _ in range(3):
        stage.usage().record_call(ada.sub, month)
    result = sdw_usage(stage, "--email", "ada@example.com", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "userId": ada.sub,
        "email": "ada@example.com",
        "usage": [{"yearMonth": month, "apiCalls": 3}],
        "total": 3,
    }


def test_an_email_the_stages_pool_lacks_is_one_line(stage: Stage) -> None:
    result = sdw_usage(stage, "--email", "who@example.com")
    assert (result.exit_code, result.output) == (
        1,
        "Error: no user who@example.com in stage dev's user pool\n",
    )


def test_a_stage_that_is_not_deployed_says_so(stage: Stage) -> None:
    result = sdw_usage(stage, "--user-id", "ada-sub", deployed=False)
    assert result.exit_code == 1
    assert result.output.startswith("Error: there is no stack 'sdw-dev' in us-east-1: deploy the stage first")
