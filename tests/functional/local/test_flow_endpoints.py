"""The flow endpoints end to end: a real server on a free port, the durable engine, HTTP only.

A project made for the tests (a Pass flow that echoes its input, a Task flow, a flow that
fails, one that waits an hour, a plugin's flow) and three users: Ada and Bob share the
server to show ownership; Carol's executions are counted by the listing tests alone.
"""

from __future__ import annotations

import contextlib
import json
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from sdw.local import generate_password
from sdw.local._runtime import LocalRuntime, create_local_runtime
from sdw.local.userpool import SigningKey
from sdw.system import Tokens, owned_execution_name

FUNCTIONS = {
    "shout": textwrap.dedent(
        """\
        def handler(event, context):
            return {"shout": event["text"].upper(), "user": event.get("__user_id")}
        """
    ),
    "boom": "def handler(event, context):\n    raise ValueError('bad thing happened')\n",
}
FLOWS = {
    "echoFlow": """\
        name: echoFlow
        description: Gives back its input
        definition:
          StartAt: Echo
          States:
            Echo: {Type: Pass, End: true}
        """,
    "shoutFlow": """\
        name: shoutFlow
        functions:
          - {name: shout, handler: functions/lib/shout/handler.handler}
        definition:
          StartAt: Shout
          States:
            Shout: {Type: Task, Resource: '${shoutArn}', End: true}
        """,
    "failFlow": """\
        name: failFlow
        functions:
          - {name: boom, handler: functions/lib/boom/handler.handler}
        definition:
          StartAt: Boom
          States:
            Boom: {Type: Task, Resource: '${boomArn}', End: true}
        """,
    "waitFlow": """\
        name: waitFlow
        description: Waits an hour (stopped by the tests)
        definition:
          StartAt: Nap
          States:
            Nap: {Type: Wait, Seconds: 3600, End: true}
        """,
}
PLUGIN_FLOW = """\
    name: nightly
    definition:
      StartAt: Done
      States:
        Done: {Type: Pass, Result: {billed: true}, End: true}
    """
MACHINE = "arn:aws:states:us-east-1:000000000000:stateMachine"


class FlowApi:
    """The flow endpoints as one user calls them."""

    def __init__(self, client: httpx.Client, tokens: Tokens, sub: str) -> None:
        self.client = client
        self.sub = sub
        self.headers = {"authorization": f"Bearer {tokens.id_token}"}

    def start(
        self, flow: str, body: Any = None, *, content: bytes | None = None, **query: str
    ) -> httpx.Response:
        sent = content if content is not None else (b"" if body is None else json.dumps(body).encode())
        return self.client.post(f"/run/{flow}", content=sent, params=query, headers=self.headers)

    def started(self, flow: str, body: Any = None, **query: str) -> dict[str, Any]:
        response = self.start(flow, body, **query)
        assert response.status_code == 200, response.text
        started: dict[str, Any] = response.json()
        return started

    def get(self, flow: str, execution: str) -> httpx.Response:
        return self.client.get(f"/run/{flow}/{quote(execution, safe='')}", headers=self.headers)

    def wait(self, flow: str, execution: str, timeout: float = 30) -> dict[str, Any]:
        """Poll until the execution is no longer RUNNING; its description."""
        deadline = time.monotonic() + timeout
        while True:
            response = self.get(flow, execution)
            assert response.status_code == 200, response.text
            described: dict[str, Any] = response.json()
            if described["status"] != "RUNNING":
                return described
            assert time.monotonic() < deadline, f"{flow} {execution} still RUNNING after {timeout} s"
            time.sleep(0.02)

    def run(self, flow: str, body: Any = None, **query: str) -> dict[str, Any]:
        return self.wait(flow, self.started(flow, body, **query)["executionId"])

    def runs(self, **query: str) -> httpx.Response:
        return self.client.get("/runs", params=query, headers=self.headers)

    def history(self, flow: str, execution: str, **query: str) -> httpx.Response:
        return self.client.get(f"/run/{flow}/{quote(execution, safe='')}/history", params=query,
                               headers=self.headers)

    def stop(self, flow: str, execution: str, body: Any = None) -> httpx.Response:
        sent = b"" if body is None else json.dumps(body).encode()
        return self.client.post(f"/run/{flow}/{quote(execution, safe='')}/stop", content=sent,
                                headers=self.headers)


@dataclass
class FlowServer:
    runtime: LocalRuntime
    client: httpx.Client
    ada: FlowApi
    bob: FlowApi
    carol: FlowApi


def write_project(root: Path) -> None:
    for name, source in FUNCTIONS.items():
        folder = root / "functions" / "lib" / name
        folder.mkdir(parents=True)
        (folder / "handler.py").write_text(source)
    (root / "flows").mkdir()
    for name, text in FLOWS.items():
        (root / "flows" / f"{name}.yml").write_text(textwrap.dedent(text))
    plugin = root / "plugins" / "billing" / "flows"
    plugin.mkdir(parents=True)
    (plugin / "nightly.yml").write_text(textwrap.dedent(PLUGIN_FLOW))
    (root / "config.json").write_text('{"plugins": ["./plugins/billing"]}\n')


def sign_in(runtime: LocalRuntime, client: httpx.Client, email: str) -> FlowApi:
    password = generate_password()
    user = runtime.pool.create_user(email, password)
    return FlowApi(client, runtime.pool.authenticate(email, password), user.sub)


@contextlib.contextmanager
def serve_flows(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlowServer]:
    """The test project served on a free port, with Ada, Bob and Carol signed in."""
    root = tmp_path_factory.mktemp("project")
    write_project(root)
    runtime = create_local_runtime(root, tmp_path_factory.mktemp("state"), port=0)
    try:
        runtime.server.start()
        assert not runtime.load.problems, runtime.load.problems
        with httpx.Client(base_url=runtime.base_url, timeout=10) as client:
            users = [sign_in(runtime, client, f"{who}@example.com") for who in ("ada", "bob", "carol")]
            yield FlowServer(runtime, client, *users)
    finally:
        runtime.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlowServer]:
    with serve_flows(tmp_path_factory) as served:
        yield served


def assert_error(response: httpx.Response, status: int, code: str, message: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["code"] == code
    if message is not None:
        assert body["message"] == message


# --------------------------------------------------------------------------- flows and starting


def test_lists_the_projects_flows_and_the_plugins_under_their_namespace(server: FlowServer) -> None:
    response = server.client.get("/flows", headers=server.ada.headers)
    assert response.status_code == 200
    flows = {flow["name"]: flow for flow in response.json()["flows"]}
    assert set(flows) == {"echoFlow", "shoutFlow", "failFlow", "waitFlow", "billing/nightly"}
    assert response.json()["count"] == 5
    modified = (server.runtime.project.root / "flows/waitFlow.yml").stat().st_mtime  # locally: its mtime
    assert flows["waitFlow"]["created"] == datetime.fromtimestamp(modified, UTC).isoformat(
        timespec="milliseconds").replace("+00:00", "Z")
    assert flows["waitFlow"]["description"] == "Waits an hour (stopped by the tests)"
    assert flows["waitFlow"]["stateMachineArn"] == f"{MACHINE}:waitFlow"
    assert flows["waitFlow"]["definition"]["States"]["Nap"] == {"Type": "Wait", "Seconds": 3600, "End": True}
    assert flows["billing/nightly"]["stateMachineName"] == "billing-nightly"


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/flows"), ("POST", "/run/echoFlow"), ("GET", "/run/echoFlow/x"), ("GET", "/runs"),
     ("GET", "/run/echoFlow/x/history"), ("POST", "/run/echoFlow/x/stop")],
)
def test_every_flow_route_wants_a_token(server: FlowServer, method: str, path: str) -> None:
    response = server.client.request(method, path)
    assert (response.status_code, response.json()) == (401, {"message": "Unauthorized"})


def test_a_run_answers_its_arn_id_and_start_date_then_succeeds_with_its_output(server: FlowServer) -> None:
    started = server.ada.started("echoFlow", {"greeting": "hi"})
    assert set(started) == {"executionArn", "executionId", "startDate", "message", "status"}
    assert (started["message"], started["status"]) == ("Started echoFlow", "SUCCESS")  # the seed's fields
    assert started["executionArn"] == f"{MACHINE.replace(':stateMachine', ':execution')}:echoFlow:" + (
        started["executionId"])
    done = server.ada.wait("echoFlow", started["executionId"])
    assert done["status"] == "SUCCEEDED"
    assert done["output"] == {"greeting": "hi", "__user_id": server.ada.sub}
    assert done["error"] is None and done["cause"] is None
    assert done["startDate"] == started["startDate"] and done["stopDate"] >= done["startDate"]


def test_the_callers_sub_replaces_a_user_id_the_client_sent(server: FlowServer) -> None:
    done = server.ada.run("shoutFlow", {"text": "hey", "__user_id": server.bob.sub})
    assert done["output"] == {"shout": "HEY", "user": server.ada.sub}
    assert done["input"]["__user_id"] == server.ada.sub


def test_an_empty_body_is_an_empty_input(server: FlowServer) -> None:
    assert server.ada.run("echoFlow")["output"] == {"__user_id": server.ada.sub}


def test_a_failing_task_fails_the_execution_with_its_error_and_cause(server: FlowServer) -> None:
    done = server.ada.run("failFlow")
    assert (done["status"], done["error"], done["output"]) == ("FAILED", "ValueError", None)
    assert "bad thing happened" in done["cause"]


def test_a_plugins_flow_runs_under_its_state_machine_name(server: FlowServer) -> None:
    done = server.ada.run("billing-nightly")
    assert (done["status"], done["flow"]) == ("SUCCEEDED", "billing/nightly")
    assert done["output"] == {"billed": True}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"a": 1,\n "b": }', "The execution input is not valid JSON: Expecting value at line 2, column 7."),
        (b"[1, 2]", 'The execution input must be a JSON object, not an array; send {"key": value, ...} or an '
                    "empty body for {}."),
        (b'"text"', 'The execution input must be a JSON object, not a string; send {"key": value, ...} or an '
                    "empty body for {}."),
        (b'{"x": NaN}', "The execution input is not valid JSON: NaN is not a JSON value."),
    ],
)
def test_a_body_that_is_not_a_json_object_is_a_400_saying_where(
    server: FlowServer, content: bytes, message: str
) -> None:
    assert_error(server.ada.start("echoFlow", content=content), 400, "InvalidExecutionInput", message)


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b'{"name": "\\ud800"}', "half of a UTF-16 surrogate pair"),
        (b'{"n": ' + b"7" * 5000 + b"}", "an integer of 5,000 digits"),
        (b'{"n": 1e999}', "1e999 is too large for a double"),
    ],
    ids=["lone-surrogate", "5000-digit-integer", "past-a-double"],
)
def test_input_the_engine_could_not_store_is_a_400_not_a_500(
    server: FlowServer, content: bytes, says: str
) -> None:
    response = server.ada.start("echoFlow", content=content)
    assert_error(response, 400, "InvalidExecutionInput")
    assert says in response.json()["message"]


def test_a_signed_token_without_sub_is_a_400_from_the_flow_endpoints(server: FlowServer) -> None:
    pool = server.runtime.pool
    claims = {"iss": pool.config().issuer, "aud": pool.config().client_id, "token_use": "id",
              "exp": int(time.time()) + 300, "email": "nobody@example.com"}
    key = SigningKey.from_pem(pool.state.file("userpool-signing-key.pem").read_bytes())  # the pool's own key
    token = key.sign(claims)
    headers = {"authorization": f"Bearer {token}"}
    response = server.client.post("/run/echoFlow", content=b"{}", headers=headers)
    assert_error(response, 400, "InvalidParameterException")
    assert "'sub'" in response.json()["message"]


def test_an_input_over_256_kib_is_a_400_with_the_limit(server: FlowServer) -> None:
    response = server.ada.start("echoFlow", {"blob": "x" * 262_144})
    assert_error(response, 400, "InvalidExecutionInput")
    assert "at most 262144 bytes (256 KiB)" in response.json()["message"]


def test_starting_an_unknown_flow_is_a_404(server: FlowServer) -> None:
    assert_error(server.ada.start("noSuchFlow", {}), 404, "StateMachineDoesNotExist",
                 "Flow 'noSuchFlow' does not exist.")


@pytest.mark.parametrize("name", ["has space", "x" * 81, "a:b", ""])
def test_a_name_step_functions_refuses_is_a_400(server: FlowServer, name: str) -> None:
    response = server.ada.start("echoFlow", {}, name=name)
    assert_error(response, 400, "InvalidName")
    assert response.json()["message"].startswith("Invalid execution name in ?name=:")


def test_the_same_name_and_input_is_the_same_execution_and_other_input_a_409(server: FlowServer) -> None:
    first = server.ada.started("waitFlow", {"n": 1}, name="nap-once")
    assert first["executionId"] == owned_execution_name(server.ada.sub, "nap-once")
    assert server.ada.started("waitFlow", {"n": 1}, name="nap-once") == first
    assert_error(server.ada.start("waitFlow", {"n": 2}, name="nap-once"), 409, "ExecutionAlreadyExists",
                 "Execution already exists: 'nap-once' was started with other input.")
    # Bob reusing Ada's name learns nothing and takes nothing: he gets an execution of his own
    bobs = server.bob.started("waitFlow", {"n": 1}, name="nap-once")
    assert bobs["executionId"] != first["executionId"]
    assert server.bob.get("waitFlow", first["executionId"]).status_code == 404
    assert server.ada.get("waitFlow", "nap-once").json()["executionId"] == first["executionId"]
    server.ada.stop("waitFlow", "nap-once")
    server.bob.stop("waitFlow", "nap-once")


# --------------------------------------------------------------------------- polling and ownership


def test_an_execution_is_found_by_its_id_its_encoded_arn_and_its_plain_arn(server: FlowServer) -> None:
    started = server.ada.started("echoFlow", {})
    arn = started["executionArn"]
    by_id = server.ada.wait("echoFlow", started["executionId"])
    encoded = server.client.get(f"/run/echoFlow/{quote(arn, safe='')}", headers=server.ada.headers)
    assert "arn%3Aaws%3Astates%3A" in str(encoded.request.url)
    plain = server.client.get(f"/run/echoFlow/{arn}", headers=server.ada.headers)
    assert encoded.json() == plain.json() == by_id


def test_another_users_execution_is_a_404_like_a_missing_one(server: FlowServer) -> None:
    mine = server.ada.started("waitFlow", {}, name="adas-nap")
    try:
        theirs = server.bob.get("waitFlow", "adas-nap")
        missing = server.bob.get("waitFlow", "nobodys-nap")
        assert_error(theirs, 404, "ExecutionDoesNotExist", "Execution 'adas-nap' does not exist.")
        assert missing.json() == {"message": "Execution 'nobodys-nap' does not exist.",
                                  "code": "ExecutionDoesNotExist",
                                  "error": "Execution 'nobodys-nap' does not exist.", "status": "ERROR"}
        by_arn = server.bob.get("waitFlow", mine["executionArn"])
        arn = mine["executionArn"]
        assert_error(by_arn, 404, "ExecutionDoesNotExist", f"Execution {arn!r} does not exist.")
        assert_error(server.bob.history("waitFlow", "adas-nap"), 404, "ExecutionDoesNotExist")
        assert_error(server.bob.stop("waitFlow", "adas-nap"), 404, "ExecutionDoesNotExist")
        assert server.ada.get("waitFlow", "adas-nap").json()["status"] == "RUNNING"
        bobs = server.bob.runs(limit="1000").json()["executions"]
        assert all(row["executionId"] != "adas-nap" for row in bobs)
    finally:
        server.ada.stop("waitFlow", "adas-nap")


def test_an_execution_asked_for_under_another_flow_is_a_404(server: FlowServer) -> None:
    started = server.ada.started("echoFlow", {}, name="echo-elsewhere")
    assert_error(server.ada.get("shoutFlow", "echo-elsewhere"), 404, "ExecutionDoesNotExist")
    assert_error(server.ada.get("shoutFlow", started["executionArn"]), 404, "ExecutionDoesNotExist")
    assert_error(server.ada.get("noSuchFlow", "echo-elsewhere"), 404, "StateMachineDoesNotExist")


def test_an_arn_that_is_not_an_executions_is_a_400(server: FlowServer) -> None:
    assert_error(server.ada.get("echoFlow", f"{MACHINE}:echoFlow"), 400, "InvalidArn")
