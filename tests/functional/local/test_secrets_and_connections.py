"""Secrets and connections through the real runtime: HTTP calls, flow runs, the state folder."""

from __future__ import annotations

import json
import logging
import stat
import textwrap
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from sdw.local import LocalSecretStore, StateDir, StateError, generate_password
from sdw.local._runtime import LocalRuntime, create_function_environment, create_local_runtime
from sdw.project import load_project

ALPHA, BETA, AI_KEY = "alpha-secret-111", "beta-secret-222", "sk-connection-333"
REPORTER = """\
import os, time
AT_IMPORT = os.environ.get("{own}")

def handler(event, context):
    time.sleep(0.02)
    return {{"atImport": AT_IMPORT, "alpha": os.getenv("ALPHA_KEY"), "beta": os.getenv("BETA_KEY")}}
"""
ECHO = "def handler(event, context):\n    return {'got': event}\n"
FUNCTIONS = {
    "alpha": (REPORTER.format(own="ALPHA_KEY"), "secrets: [ALPHA_KEY]\n"),
    "beta": (REPORTER.format(own="BETA_KEY"), "secrets: [BETA_KEY]\n"),
    "plain": (REPORTER.format(own="ALPHA_KEY"), None),
    "lacking": (REPORTER.format(own="NOT_SET"), "secrets: [NOT_SET, ALPHA_KEY]\n"),
    "ai": (ECHO, "connections:\n  ai: openai\n  gone: openai\n"),
    "ai_wrong": (ECHO, "connections: {ai: anthropic}\n"),
    "echo": (ECHO, None),
}


def flow(name: str, function: str, parameters: dict[str, Any], catch: bool = False) -> str:
    state: dict[str, Any] = {"Type": "Task", "Resource": f"${{{function}Arn}}", "Parameters": parameters,
                             "End": True}
    states: dict[str, Any] = {"Call": state}
    if catch:
        state["Catch"] = [{"ErrorEquals": ["sdw.ConnectionNotFound"], "Next": "Caught",
                           "ResultPath": "$.error"}]
        states["Caught"] = {"Type": "Pass", "End": True}
    return json.dumps({"name": name, "functions": [{"name": function,
                       "handler": f"functions/lib/{function}/handler.handler"}],
                       "definition": {"StartAt": "Call", "States": states}})


FLOWS = {
    "connFlow": flow("connFlow", "ai",
                     {"key": "{{connection:ai}}", "again": ["{{connection:ai}}"], "n.$": "$.n"}),
    "goneFlow": flow("goneFlow", "ai", {"key": "{{connection:gone}}"}, catch=True),
    "wrongFlow": flow("wrongFlow", "ai_wrong", {"key": "{{connection:ai}}"}),
    "undeclaredFlow": flow("undeclaredFlow", "echo", {"key": "{{connection:ai}}"}),
}


@dataclass
class Setup:
    runtime: LocalRuntime
    client: httpx.Client
    token: str
    state: Path

    def call(self, name: str) -> httpx.Response:
        return self.client.post(f"/lib/{name}", headers={"authorization": f"Bearer {self.token}"})

    def run(self, flow_name: str, flow_input: Any) -> tuple[Any, list[dict[str, Any]]]:
        engine = self.runtime.engine
        started = engine.start(flow_name, flow_input, owner="user-1")
        described = engine.wait(started.execution_arn, timeout=20)
        return described, engine.history(started.execution_arn, limit=1000).items


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    root, state = tmp_path_factory.mktemp("project"), tmp_path_factory.mktemp("state")
    for name, (source, config) in FUNCTIONS.items():
        folder = root / "functions" / "lib" / name
        folder.mkdir(parents=True)
        (folder / "handler.py").write_text(source)
        if config:
            (folder / "function.yml").write_text(config)
    (root / "flows").mkdir()
    for name, text in FLOWS.items():
        (root / "flows" / f"{name}.yml").write_text(text)
    with LocalSecretStore(StateDir(state)) as store:
        store.put_secret("ALPHA_KEY", ALPHA)
        store.put_secret("BETA_KEY", BETA)
        store.put_connection("ai", "openai", {"apiKey": AI_KEY})
    runtime = create_local_runtime(root, state, port=0)
    try:
        assert runtime.load.errors == ()
        runtime.server.start()
        password = generate_password()
        runtime.pool.create_user("ada@example.com", password)
        token = runtime.pool.authenticate("ada@example.com", password).id_token
        with httpx.Client(base_url=runtime.base_url, timeout=20) as client:
            yield Setup(runtime, client, token, state)
    finally:
        runtime.close()


def test_a_function_sees_its_own_secrets_at_import_and_at_call(setup: Setup) -> None:
    assert setup.call("alpha").json() == {"atImport": ALPHA, "alpha": ALPHA, "beta": None}
    assert setup.call("beta").json() == {"atImport": BETA, "alpha": None, "beta": BETA}


def test_secrets_stay_with_their_function_under_concurrent_calls(setup: Setup) -> None:
    answers: dict[str, list[Any]] = {"alpha": [], "beta": [], "plain": []}

    def hammer(name: str) -> None:
        for _ in range(15):
            answers[name].append(setup.call(name).json())

    threads = [threading.Thread(target=hammer, args=(name,)) for name in answers for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {json.dumps(a) for a in answers["alpha"]} == {json.dumps({"atImport": ALPHA, "alpha": ALPHA,
                                                                     "beta": None})}
    assert {json.dumps(a) for a in answers["beta"]} == {json.dumps({"atImport": BETA, "alpha": None,
                                                                    "beta": BETA})}
    assert all(a == {"atImport": None, "alpha": None, "beta": None} for a in answers["plain"])


def test_a_missing_secret_is_named_at_start_up_and_fails_each_call(
    setup: Setup, caplog: pytest.LogCaptureFixture
) -> None:
    (message,) = setup.runtime.environment.missing_secrets(setup.runtime.project)
    assert "function 'lacking': secret not set: NOT_SET (/sdw/local/NOT_SET)" in message
    with caplog.at_level(logging.INFO, logger="sdw"):
        response = setup.call("lacking")
    assert response.status_code == 500
    assert "NOT_SET (/sdw/local/NOT_SET)" in caplog.text
    assert ALPHA not in caplog.text and ALPHA not in response.text


def test_a_connection_reaches_the_function_and_the_history_keeps_the_reference(setup: Setup) -> None:
    described, events = setup.run("connFlow", {"n": 7})
    assert described.status == "SUCCEEDED", described
    assert described.output == {"got": {"key": {"apiKey": AI_KEY}, "again": [{"apiKey": AI_KEY}], "n": 7}}
    scheduled = [e for e in events if e["type"] == "LambdaFunctionScheduled"]
    assert "{{connection:ai}}" in scheduled[0]["lambdaFunctionScheduledEventDetails"]["input"]
    carries_output = ("LambdaFunctionSucceeded", "TaskStateExited", "ExecutionSucceeded")  # what it returned
    assert AI_KEY not in json.dumps([e for e in events if e["type"] not in carries_output], default=str)
    log_file = setup.state / "connections-access.log"
    assert stat.S_IMODE(log_file.stat().st_mode) == 0o600
    entries = [json.loads(line) for line in log_file.read_text().splitlines()]
    mine = [e for e in entries if e["execution"] == described.execution_arn]
    assert len(mine) == 1  # one resolution per name per call
    assert mine[0]["who"] == "user-1" and mine[0]["function"] == "ai" and mine[0]["connection"] == "ai"
    assert mine[0]["type"] == "openai" and mine[0]["time"].endswith("Z")
    assert AI_KEY not in log_file.read_text()


@pytest.mark.parametrize(
    ("flow_name", "status", "error", "fragment"),
    [
        ("wrongFlow", "FAILED", "sdw.ConnectionTypeMismatch", "is of type 'openai', but function 'ai_wrong'"),
        ("undeclaredFlow", "FAILED", "sdw.ConnectionNotDeclared", "which its function.yml does not list"),
    ],
)
def test_a_connection_that_cannot_be_resolved_fails_the_state_with_a_named_error(
    setup: Setup, flow_name: str, status: str, error: str, fragment: str
) -> None:
    described, _ = setup.run(flow_name, {})
    assert (described.status, described.error) == (status, error)
    assert fragment in described.cause and AI_KEY not in described.cause


def test_catch_matches_an_unknown_connection_by_its_name(setup: Setup) -> None:
    described, _ = setup.run("goneFlow", {})
    assert described.status == "SUCCEEDED"
    assert described.output["error"]["Error"] == "sdw.ConnectionNotFound"
    assert "connection 'gone' (for function 'ai') is not stored" in described.output["error"]["Cause"]


# --------------------------------------------------------------------------- the store itself


def test_the_store_is_encrypted_at_rest_and_private(tmp_path: Path) -> None:
    state = StateDir(tmp_path / "state")
    with LocalSecretStore(state, service="billing") as store:
        assert store.put_secret("API_KEY", "plain-value-444") == "/billing/local/API_KEY"
        store.put_connection("db", "postgres", {"password": "pw-555"})
        assert store.get_secret("API_KEY") == "plain-value-444"
        assert store.get_connection("db") is not None
        assert [(p.name, p.path) for p in store.list_secrets()] == [("API_KEY", "/billing/local/API_KEY")]
        assert [(p.name, p.type) for p in store.list_connections()] == [("db", "postgres")]
    for name in ("secrets.db", "secrets.key"):
        assert stat.S_IMODE((state.path / name).stat().st_mode) == 0o600
    raw = b"".join(p.read_bytes() for p in state.path.iterdir() if p.name.startswith("secrets.db"))
    assert b"plain-value-444" not in raw and b"pw-555" not in raw
    with LocalSecretStore(state, service="other") as other:  # another service sees none of them
        assert other.get_secret("API_KEY") is None and other.list_secrets() == []
    with LocalSecretStore(state, service="billing") as store:
        assert store.delete_secret("API_KEY") and not store.delete_secret("API_KEY")
        assert store.get_secret("API_KEY") is None


def test_a_replaced_key_is_a_clear_error_without_the_value(tmp_path: Path) -> None:
    from cryptography.fernet import Fernet

    state = StateDir(tmp_path / "state")
    with LocalSecretStore(state) as store:
        store.put_secret("API_KEY", "plain-value-666")
    state.write_private("secrets.key", Fernet.generate_key())
    store = LocalSecretStore(state)
    with store, pytest.raises(StateError, match=r"was secrets\.key replaced") as raised:
        store.get_secret("API_KEY")
    assert "plain-value-666" not in str(raised.value)


def test_start_up_names_no_problem_when_every_secret_is_stored(tmp_path: Path) -> None:
    root = tmp_path / "p"
    (root / "functions" / "lib" / "f").mkdir(parents=True)
    (root / "functions" / "lib" / "f" / "handler.py").write_text(textwrap.dedent(REPORTER.format(own="K")))
    (root / "functions" / "lib" / "f" / "function.yml").write_text("secrets: [K]\n")
    state = StateDir(tmp_path / "s")
    project = load_project(root).project
    environment = create_function_environment(project, state)
    assert len(environment.missing_secrets(project)) == 1
    environment.store.put_secret("K", "v")
    assert environment.missing_secrets(project) == []
    environment.store.close()
