"""``sdw deploy render|finalize|policy`` run as the serverless.yml bridge runs them (a subprocess).

A bad project, lambda-permissions.yml or config.json stops the render with one line per
problem on stderr (file:line:column where there is one) and exit status 1, never a
traceback; osls then prints that message.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SDW = Path(sys.executable).parent / "sdw"
HANDLER = "def handler(event, context):\n    return 'ok'\n"


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SDW), "deploy", *args], capture_output=True, text=True, input=stdin, timeout=120
    )


def project(
    root: Path, *, flow: str | None = None, permissions: str | None = None, config: str | None = None
) -> Path:
    (root / "functions" / "lib" / "ping").mkdir(parents=True)
    (root / "functions" / "lib" / "ping" / "handler.py").write_text(HANDLER)
    if flow is not None:
        (root / "flows").mkdir()
        (root / "flows" / "a.yml").write_text(flow)
    if permissions is not None:
        (root / "lambda-permissions.yml").write_text(permissions)
    if config is not None:
        (root / "config.json").write_text(config)
    return root


def test_render_prints_the_sections_of_the_stage(tmp_path: Path) -> None:
    done = run(
        "render", "--stage", "prod", "--project-dir", str(project(tmp_path, config='{"service": "shop"}'))
    )
    assert done.returncode == 0, done.stderr
    sections = json.loads(done.stdout)
    assert sections["service"] == "shop"
    assert sections["functions"]["ping"]["name"] == "shop-prod-ping"
    assert "functions/base/flows/handler.py: warning: does not exist" in done.stderr


def test_a_flow_with_an_error_stops_the_render_and_says_where(tmp_path: Path) -> None:
    flow = (
        "name: a\ndefinition:\n  StartAt: A\n  States:\n    A:\n      Type: Task\n"
        "      Resource: ${nopeArn}\n      End: true\n"
    )
    done = run("render", "--stage", "dev", "--project-dir", str(project(tmp_path, flow=flow)))
    assert done.returncode == 1
    assert "flows/a.yml:7:7: error: unknown placeholder ${nopeArn}" in done.stderr
    assert "nothing is rendered" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_a_flow_whose_role_cannot_be_scoped_stops_the_render(tmp_path: Path) -> None:
    flow = (
        "name: a\ndefinition:\n  StartAt: A\n  States:\n    A:\n      Type: Task\n"
        "      Resource: arn:aws:states:::lambda:invoke\n"
        "      Parameters: {FunctionName.$: $.fn, Payload.$: $}\n"
        "      End: true\n"
    )
    done = run("render", "--stage", "dev", "--project-dir", str(project(tmp_path, flow=flow)))
    assert done.returncode == 1
    assert (
        "flows/a.yml: /States/A/Parameters/FunctionName: FunctionName is computed at run time" in done.stderr
    )
    assert "Traceback" not in done.stderr


def test_bad_lambda_permissions_stop_the_render_at_their_line(tmp_path: Path) -> None:
    permissions = "iamRoleStatements:\n  - Effect: Allow\n    Action: '*'\n    Resource: '*'\n"
    done = run("render", "--stage", "dev", "--project-dir", str(project(tmp_path, permissions=permissions)))
    assert done.returncode == 1
    assert "lambda-permissions.yml:3:5: error: Action '*' grants every action" in done.stderr


def test_a_bad_config_or_stage_is_one_line(tmp_path: Path) -> None:
    root = project(tmp_path, config='{"functionStacks": 0}')
    done = run("render", "--stage", "dev", "--project-dir", str(root))
    assert (done.returncode, done.stderr.strip().splitlines()[-1]) == (
        1,
        'Error: config.json: "functionStacks" must be a whole number from 1 to 50',
    )
    (root / "config.json").write_text("{}")
    done = run("render", "--stage", "Dev!", "--project-dir", str(root))
    assert done.returncode == 1 and "the stage name 'Dev!' must be" in done.stderr


def test_finalize_refuses_a_bad_request_in_one_line(tmp_path: Path) -> None:
    layer = tmp_path / "layer.zip"
    layer.write_bytes(b"PK\x05\x06" + b"\0" * 18)
    done = run(
        "finalize",
        "--out",
        str(tmp_path / "out"),
        "--layer-zip",
        str(layer),
        "--project-dir",
        str(tmp_path),
        stdin="{}",
    )
    assert done.returncode == 1
    assert "finalize: bad request on stdin" in done.stderr and "Traceback" not in done.stderr


def test_policy_prints_the_deployer_policy_of_the_service(tmp_path: Path) -> None:
    done = run("policy", "--project-dir", str(project(tmp_path, config='{"service": "shop"}')))
    assert done.returncode == 0, done.stderr
    resources = [
        r
        for s in json.loads(done.stdout)["Statement"]
        for r in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])
    ]
    assert "arn:aws:dynamodb:${region}:${account-id}:table/shop-*" in resources
