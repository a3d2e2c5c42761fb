"""A config.json ``git+`` plugin deploys with the tree, as the seed's users deploy theirs.

``osls package`` of a project whose config.json names a plugin in a local bare repository
(``git+file://``, never the network): ``sdw deploy render`` checks it out under
``.sdw/plugins/<name>`` of the project, the package holds its functions and flows (never
its ``.git``), the template has its Lambda and route, and the package, unpacked as Lambda
unpacks it, serves the plugin's function and lists the plugin's flow.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from sdw.aws import create_flows_lambda
from tests.deploy_support import copy_project, missing_tools, run_deployed, run_osls, unpack
from tests.integration.test_cli_run import sdw
from tests.plugin_support import published_plugin

pytestmark = pytest.mark.xdist_group("deploy-git-plugin")


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    problem = missing_tools()
    if problem:
        pytest.fail(problem)
    work = tmp_path_factory.mktemp("git-plugin")
    bare = published_plugin("greeter", work)
    project = copy_project(work / "project")
    (project / "config.json").write_text(json.dumps({"plugins": [f"git+file://{bare}#main"]}))
    done = run_osls(project, "package", "--stage", "dev", "--region", "us-east-1")
    assert done.returncode == 0, f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return project


def _resources(project: Path) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for path in (project / ".serverless").glob("cloudformation-template-*.json"):
        found.update(json.loads(path.read_text())["Resources"])
    return found


def test_the_package_holds_the_plugins_functions_and_flows_and_never_its_git_folder(packaged: Path) -> None:
    with zipfile.ZipFile(packaged / ".serverless" / "sdw.zip") as archive:
        names = archive.namelist()
    plugin = [name for name in names if name.startswith(".sdw/")]
    assert ".sdw/plugins/greeter/functions/lib/hello/handler.py" in plugin
    assert ".sdw/plugins/greeter/flows/helloFlow.yml" in plugin
    assert not [name for name in plugin if "/.git/" in name or name.endswith(".sdw-source")]
    assert not [name for name in plugin if "/tests/" in name]


def test_the_template_has_the_plugins_lambda_and_route(packaged: Path) -> None:
    resources = _resources(packaged)
    (function,) = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::Function"
                   and r["Properties"].get("FunctionName") == "sdw-dev-greeter-hello"]
    assert function["Handler"] == "sdw.runtime.handler"
    assert function["Environment"]["Variables"]["SDW_PACKAGE_ROOT"] == ".sdw/plugins/greeter"
    routes = {
        r["Properties"]["RouteKey"] for r in resources.values() if r["Type"] == "AWS::ApiGatewayV2::Route"
    }
    assert "POST /lib/greeter/hello" in routes
    machines = [r["Properties"]["StateMachineName"] for r in resources.values()
                if r["Type"] == "AWS::StepFunctions::StateMachine"]
    assert any(name.startswith("sdw-dev-greeter") for name in machines), machines


def test_the_unpacked_package_serves_the_plugins_function_and_lists_its_flow(
    packaged: Path, tmp_path: Path
) -> None:
    task_root = unpack(packaged / ".serverless" / "sdw.zip", tmp_path / "task")
    function = {"SDW_HANDLER": "functions/lib/hello/handler.handler",
                "SDW_PACKAGE_ROOT": ".sdw/plugins/greeter", "SDW_SERVICE": "sdw", "SDW_STAGE": "dev",
                "AWS_REGION": "us-east-1"}
    done = run_deployed(task_root, function, {"name": "Ada"})
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout) == {"message": "Hello, Ada!"}
    environ = {"LAMBDA_TASK_ROOT": str(task_root), "AWS_REGION": "us-east-1",
               "SDW_ACCOUNT_ID": "123456789012", "SDW_SERVICE": "sdw", "SDW_STAGE": "dev",
               "SDW_EXECUTIONS_TABLE": "sdw-dev-executions", "SDW_USAGE_TABLE": "sdw-dev-usage"}
    event = {"version": "2.0", "routeKey": "GET /flows", "rawPath": "/flows", "headers": {},
             "requestContext": {"http": {"method": "GET", "path": "/flows"},
                                "authorizer": {"jwt": {"claims": {"sub": "ada-sub"}, "scopes": None}}}}
    answer = create_flows_lambda(environ)(event, None)
    assert answer["statusCode"] == 200
    assert "greeter/helloFlow" in [flow["name"] for flow in json.loads(answer["body"])["flows"]]


def test_a_git_plugin_that_cannot_be_fetched_renders_nothing_and_says_why(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    (project / "config.json").write_text(json.dumps({"plugins": [f"git+file://{tmp_path}/none.git#main"]}))
    done = sdw("deploy", "render", "--stage", "dev", "--project-dir", str(project), cwd=project)
    assert done.returncode != 0 and done.stdout == ""
    assert "config.json:1" in done.stderr and "the plugin is not loaded" in done.stderr
    assert "Traceback" not in done.stderr
