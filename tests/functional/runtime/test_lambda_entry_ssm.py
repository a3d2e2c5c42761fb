"""sdw.runtime.handler's wrapper against SSM (moto's, in-process): a real handler file, real Powertools."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from moto import mock_aws

from sdw.aws import SsmParameters
from sdw.runtime import Connection, HandlerConfigError, LambdaEntry, ParameterStoreError, SecretNotFoundError

HANDLER = """\
import os

from functions.base.common.shared import WHERE  # anything under the package root, as on Lambda
from . import helper                             # its own helpers, as a package's modules

KEY_AT_IMPORT = os.environ["FEATURES_T_API_KEY"]

def handler(event, context):
    return {"atImport": KEY_AT_IMPORT, "now": os.environ["FEATURES_T_SMTP"], "event": event}
"""
NAMES = ("FEATURES_T_API_KEY", "FEATURES_T_SMTP")


@pytest.fixture
def ssm() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("ssm", region_name="eu-west-1", aws_access_key_id="testing",
                           aws_secret_access_key="testing")


@pytest.fixture
def task_root(tmp_path: Path) -> Path:
    folder = tmp_path / "functions" / "lib" / "report"
    folder.mkdir(parents=True)
    (folder / "handler.py").write_text(HANDLER)
    (folder / "helper.py").write_text("")
    (tmp_path / "functions" / "base" / "common").mkdir(parents=True)
    (tmp_path / "functions" / "base" / "common" / "shared.py").write_text("WHERE = 'project'\n")
    return tmp_path


def entry_for(ssm: Any, task_root: Path, **extra: str) -> LambdaEntry:
    env = {"SDW_HANDLER": "functions/lib/report/handler.handler", "SDW_SERVICE": "sdw", "SDW_STAGE": "prod",
           "SDW_SECRETS": ",".join(NAMES), "LAMBDA_TASK_ROOT": str(task_root), **extra}
    os.environ.update(env)  # the process environment, as in a Lambda: the handler reads os.environ
    return LambdaEntry(os.environ, lambda: SsmParameters(boto3_client=ssm))


@pytest.fixture(autouse=True)
def clean_environment() -> Iterator[None]:
    """Each test is a new Lambda instance: its environment, ``sys.path`` and ``functions`` modules go."""
    before, path = dict(os.environ), list(sys.path)
    yield
    os.environ.clear()
    os.environ.update(before)
    sys.path[:] = path
    for name in [m for m in sys.modules if m == "functions" or m.startswith("functions.")]:
        del sys.modules[name]


def put(ssm: Any, name: str, value: str) -> None:
    ssm.put_parameter(Name=name, Value=value, Type="SecureString")


def test_a_deployed_function_sees_its_secrets_as_environment_variables(ssm: Any, task_root: Path) -> None:
    put(ssm, "/sdw/prod/FEATURES_T_API_KEY", "key-1")
    put(ssm, "/sdw/prod/FEATURES_T_SMTP", "smtp-1")
    result = entry_for(ssm, task_root)({"n": 1}, SimpleNamespace(aws_request_id="r1"))
    assert result == {"atImport": "key-1", "now": "smtp-1", "event": {"n": 1}}


def test_a_missing_secret_is_named_at_cold_start(ssm: Any, task_root: Path) -> None:
    put(ssm, "/sdw/prod/FEATURES_T_API_KEY", "key-1")
    entry = entry_for(ssm, task_root)
    with pytest.raises(SecretNotFoundError, match=r"FEATURES_T_SMTP \(/sdw/prod/FEATURES_T_SMTP\)") as raised:
        entry({}, SimpleNamespace(aws_request_id="r1"))
    assert "key-1" not in str(raised.value)


def test_connections_are_read_from_ssm_per_call_and_logged(
    ssm: Any, task_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    put(ssm, "/sdw/prod/FEATURES_T_API_KEY", "key-1")
    put(ssm, "/sdw/prod/FEATURES_T_SMTP", "smtp-1")
    put(ssm, "/sdw/prod/connections/ai", Connection("openai", {"apiKey": "sk-ssm"}).document())
    entry = entry_for(ssm, task_root, SDW_CONNECTIONS="ai=openai")
    result = entry({"api": "{{connection:ai}}"}, SimpleNamespace(aws_request_id="r2"))
    assert result["event"] == {"api": {"apiKey": "sk-ssm"}}
    out = capsys.readouterr().out
    assert '"connection":"ai"' in out and '"requestId":"r2"' in out and "sk-ssm" not in out


PLUGIN_HANDLER = """\
from functions.base.common.shared import WHERE   # the project's, the plugin has no functions/base
from functions.lib.charge import rates            # the plugin's own module

def handler(event, context):
    return {"where": WHERE, "rate": rates.RATE}
"""


def test_a_plugin_function_imports_its_plugin_first_then_the_project(ssm: Any, task_root: Path) -> None:
    folder = task_root / "plugins" / "billing" / "functions" / "lib" / "charge"
    folder.mkdir(parents=True)
    (folder / "handler.py").write_text(PLUGIN_HANDLER)
    (folder / "rates.py").write_text("RATE = 7\n")
    entry = entry_for(ssm, task_root, SDW_HANDLER="functions/lib/charge/handler.handler",
                      SDW_PACKAGE_ROOT="plugins/billing", SDW_SECRETS="")
    assert entry({}, SimpleNamespace(aws_request_id="r3")) == {"where": "project", "rate": 7}


def test_a_handler_that_is_not_there_is_named_with_where_it_was_looked_for(ssm: Any, task_root: Path) -> None:
    entry = entry_for(ssm, task_root, SDW_HANDLER="functions/lib/nope/handler.handler", SDW_SECRETS="")
    with pytest.raises(HandlerConfigError, match=r"no file functions/lib/nope/handler\.py under"):
        entry({}, SimpleNamespace(aws_request_id="r4"))


def test_ssm_parameters_reads_more_than_ten_names_and_leaves_out_missing_ones(ssm: Any) -> None:
    for index in range(12):
        put(ssm, f"/sdw/prod/S{index}", f"v{index}")
    reader = SsmParameters(boto3_client=ssm)
    paths = [f"/sdw/prod/S{index}" for index in range(12)] + ["/sdw/prod/NOPE"]
    assert reader.get_parameters(paths) == {f"/sdw/prod/S{index}": f"v{index}" for index in range(12)}
    assert reader.get_parameter("/sdw/prod/NOPE") is None


def test_a_failing_parameter_store_is_wrapped_with_the_paths(free_port: int) -> None:
    from botocore.config import Config

    unreachable = boto3.client(  # nothing listens there: the call fails, as an outage would
        "ssm", region_name="eu-west-1", endpoint_url=f"http://127.0.0.1:{free_port}",
        aws_access_key_id="testing", aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 0}, connect_timeout=1),
    )
    with pytest.raises(ParameterStoreError, match="cannot read SSM parameters /sdw/prod/x"):
        SsmParameters(boto3_client=unreachable).get_parameters(["/sdw/prod/x"])
