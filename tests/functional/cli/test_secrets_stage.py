"""``sdw secrets|connections ... --stage S``: a deployed stage's SSM SecureStrings (moto), the very
parameters its functions' ``sdw.runtime.handler`` reads."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import click
import pytest
from click.testing import CliRunner, Result

from sdw.aws import SsmParameters
from sdw.cli._secrets import connections, secrets
from sdw.runtime import LambdaEntry
from tests.functional.aws.support import REGION, Stage


def run(stage: Stage, group: click.Group, *args: str, stdin: str | None = None,
        service: tuple[str, ...] = ()) -> Result:
    project = Path(stage.environ["LAMBDA_TASK_ROOT"])
    return CliRunner().invoke(
        group,
        [*args, "--stage", "prod", "--region", REGION, *service, "--project-dir", str(project),
         "--state-dir", str(project.parent / ".sdw")],
        obj={"aws_session": stage.session}, input=stdin,
    )


def ssm_value(stage: Stage, path: str) -> dict[str, str]:
    found = stage.client("ssm").get_parameter(Name=path, WithDecryption=True)["Parameter"]
    return {"Type": found["Type"], "Value": found["Value"]}


def test_a_secret_put_from_stdin_is_a_securestring_the_deployed_function_reads(stage: Stage) -> None:
    put = run(stage, secrets, "put", "API_KEY", stdin="k-123\n")
    assert put.exit_code == 0, put.output
    assert "stored as /sdw/prod/API_KEY" in put.output and "k-123" not in put.output
    assert ssm_value(stage, "/sdw/prod/API_KEY") == {"Type": "SecureString", "Value": "k-123"}
    got = run(stage, secrets, "get", "API_KEY")
    assert (got.exit_code, got.output) == (0, "k-123\n")
    environ = {"SDW_HANDLER": "functions/lib/x/handler.handler", "SDW_SERVICE": "sdw", "SDW_STAGE": "prod",
               "SDW_SECRETS": "API_KEY"}
    entry = LambdaEntry(environ, lambda: SsmParameters(boto3_client=stage.client("ssm")),
                        import_handler=lambda spec, roots: lambda event, context: None)
    entry({}, SimpleNamespace(aws_request_id="r1"))
    assert environ["API_KEY"] == "k-123"  # what the stage's function gets at cold start


def test_listing_shows_names_paths_and_connection_types_never_values(stage: Stage) -> None:
    run(stage, secrets, "put", "SMTP_PASSWORD", "--value", "pw-1")
    run(stage, secrets, "put", "API_KEY", "--value", "k-1")
    added = run(stage, connections, "put", "crm", "--type", "http", "--value", '{"token": "t-1"}')
    assert added.exit_code == 0, added.output
    listed = run(stage, secrets, "list", "--json")
    rows = json.loads(listed.output)
    assert [(r["name"], r["path"]) for r in rows] == [
        ("API_KEY", "/sdw/prod/API_KEY"), ("SMTP_PASSWORD", "/sdw/prod/SMTP_PASSWORD")
    ]  # one level: the connections folder is not a secret
    table = run(stage, connections, "list")
    assert table.exit_code == 0 and "crm  http  /sdw/prod/connections/crm" in table.output
    everything = listed.output + table.output
    assert not [v for v in ("pw-1", "k-1", "t-1") if v in everything]
    got = run(stage, connections, "get", "crm")
    assert json.loads(got.output) == {"type": "http", "value": {"token": "t-1"}}


def test_delete_and_a_missing_name_are_one_line_each(stage: Stage) -> None:
    run(stage, secrets, "put", "API_KEY", "--value", "k-1")
    assert run(stage, secrets, "delete", "API_KEY").exit_code == 0
    gone = run(stage, secrets, "get", "API_KEY")
    assert (gone.exit_code, gone.output) == (
        1, "Error: no secret 'API_KEY' (/sdw/prod/API_KEY): sdw secrets put API_KEY\n"
    )
    again = run(stage, secrets, "delete", "API_KEY")
    assert (again.exit_code, again.output) == (1, "Error: no secret 'API_KEY' (/sdw/prod/API_KEY)\n")
    bad = run(stage, secrets, "put", "/sdw/prod/X", "--value", "v")
    assert bad.exit_code == 1 and "is a path; write the name only (X)" in bad.output


def test_the_service_is_config_jsons_unless_given(stage: Stage) -> None:
    project = Path(stage.environ["LAMBDA_TASK_ROOT"])
    (project / "config.json").write_text(json.dumps({"service": "billing", "plugins": []}))
    assert run(stage, secrets, "put", "API_KEY", "--value", "k-1").exit_code == 0
    assert ssm_value(stage, "/billing/prod/API_KEY")["Value"] == "k-1"
    other = run(stage, secrets, "put", "API_KEY", "--value", "k-2", service=("--service", "other"))
    assert other.exit_code == 0
    assert ssm_value(stage, "/other/prod/API_KEY")["Value"] == "k-2"
    (project / "config.json").write_text("{not json")
    broken = run(stage, secrets, "list")
    assert broken.exit_code == 1 and "config.json" in broken.output and "Traceback" not in broken.output


def test_an_unreachable_parameter_store_is_one_line(
    tmp_path: Path, free_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    unreachable = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                   "AWS_ENDPOINT_URL_SSM": f"http://127.0.0.1:{free_port}", "AWS_MAX_ATTEMPTS": "1"}
    for name, value in unreachable.items():
        monkeypatch.setenv(name, value)  # nothing listens there: the call fails, as an outage would
    result = CliRunner().invoke(secrets, ["list", "--stage", "prod", "--region", REGION,
                                          "--project-dir", str(tmp_path), "--state-dir", str(tmp_path / "s")])
    assert result.exit_code == 1
    (line,) = result.output.splitlines()
    assert line.startswith("Error: AWS DescribeParameters failed") and "Traceback" not in result.output
