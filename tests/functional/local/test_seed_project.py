"""A project in the shape of the seed, served as it is, used as the seed's client scripts use it.

tests/fixtures/seed_project (see its README) is copied to a tmp folder and served by
``sdw dev``'s runtime on a free port; the client is given only ``API_URL`` and ``TOKEN``
and checks the fields the seed's scripts read: ``status == "SUCCESS"`` and ``message``
from ``POST /run``, ``SUCCEEDED`` by polling the URL-encoded ARN, ``count`` and each
``name`` from ``GET /runs``, ``count`` and ``created`` from ``GET /flows``, ``GET /usage``,
and ``error`` with ``status: "ERROR"`` in error bodies.
"""

from __future__ import annotations

import re
import shutil
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
from sdw.system import year_month

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "seed_project"
ISO_MILLIS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


@dataclass
class Client:
    """The seed's client: ``API_URL``, a ``TOKEN`` and JSON requests."""

    api_url: str
    token: str
    sub: str

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        return httpx.request(method, f"{self.api_url}{path}", headers=headers, timeout=10, **kwargs)

    def flow_result(self, flow: str, execution_arn: str, max_wait: float = 30) -> dict[str, Any]:
        """Poll ``GET /run/{flow}/{arn}`` until it is no longer RUNNING, as the seed's get_flow_result."""
        deadline = time.monotonic() + max_wait
        while time.monotonic() < deadline:
            result: dict[str, Any] = self.request("GET", f"/run/{flow}/{quote(execution_arn)}").json()
            if result["status"] != "RUNNING":
                return result
            time.sleep(0.02)
        raise TimeoutError(f"{flow} still running after {max_wait} s")


@dataclass
class Seed:
    runtime: LocalRuntime
    ada: Client
    admin: Client


def sign_in(runtime: LocalRuntime, email: str, *groups: str) -> Client:
    password = generate_password()
    user = runtime.pool.create_user(email, password)
    for group in groups:
        runtime.pool.add_user_to_group(email, group)
    tokens = runtime.pool.authenticate(email, password)
    return Client(runtime.base_url, tokens.id_token, user.sub)


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seed]:
    root = tmp_path_factory.mktemp("seed") / "project"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("__pycache__"))
    runtime = create_local_runtime(root, tmp_path_factory.mktemp("state"), port=0)
    try:
        runtime.server.start()
        ada, admin = sign_in(runtime, "ada@example.com"), sign_in(runtime, "root@example.com", "admin")
        yield Seed(runtime, ada, admin)
    finally:
        runtime.close()


def assert_error_body(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["status"] == "ERROR" and body["error"] == body["message"] and body["code"] == code
    return body


def test_the_seed_shaped_tree_loads_without_a_problem(seed: Seed) -> None:
    assert seed.runtime.load.problems == ()
    composite = seed.runtime.project.flow("compositeFlow")
    assert composite is not None
    assert set(composite.placeholders) == {"helloWorldFlow", "dummy2StepFlow"}  # referred to by name


def test_every_function_imports_the_usage_decorator_from_functions_base(seed: Seed) -> None:
    response = seed.ada.request("POST", "/lib/ping")
    assert (response.status_code, response.text) == (200, "I am alive")


def test_two_functions_each_use_their_own_utils_module(seed: Seed) -> None:
    for _ in range(2):  # warm instances: still each its own
        hello = seed.ada.request("POST", "/lib/hello_world", json={"name": "Ada"})
        check = seed.ada.request("POST", "/lib/dummy_check", json={"value": 1})
        assert hello.json() == {"message": "Hello, Ada!"}
        assert check.json() == {"checked": True, "value": 2}


def test_the_composite_flow_starts_with_the_seeds_answer_and_succeeds(seed: Seed) -> None:
    response = seed.ada.request("POST", "/run/compositeFlow", json={"message": "Testing composite flow"})
    started = response.json()
    assert response.status_code == 200
    assert started["status"] == "SUCCESS" and started["message"] == "Started compositeFlow"
    result = seed.ada.flow_result("compositeFlow", started["executionArn"])
    assert result["status"] == "SUCCEEDED", result
    output = result["output"]
    assert output["parallel"][0] == {"message": "Hello, World!"}
    assert output["parallel"][1]["ExecutionArn"].startswith(
        "arn:aws:states:us-east-1:000000000000:execution:helloWorldFlow:"
    )
    assert output["flow3"] == {"output": {"checked": True, "value": 3}}


def test_the_runs_listing_has_the_seeds_count_and_names(seed: Seed) -> None:
    started = seed.ada.request("POST", "/run/helloWorldFlow", json={"name": "Bo"}).json()
    done = seed.ada.flow_result("helloWorldFlow", started["executionArn"])
    assert done["output"] == {"message": "Hello, Bo!"}
    data = seed.ada.request("GET", "/runs").json()
    assert data["count"] == len(data["executions"]) >= 1
    for execution in data["executions"]:
        assert {"executionArn", "status", "startDate", "stopDate", "name"} <= set(execution)
    mine = next(e for e in data["executions"] if e["executionArn"] == started["executionArn"])
    assert mine["name"] == started["executionId"]


def test_the_flow_listing_has_the_seeds_count_and_created(seed: Seed) -> None:
    data = seed.ada.request("GET", "/flows").json()
    assert data["count"] == 3
    assert {flow["name"] for flow in data["flows"]} == {"compositeFlow", "dummy2StepFlow", "helloWorldFlow"}
    for flow in data["flows"]:
        assert ISO_MILLIS.fullmatch(flow["created"]), flow["created"]
        assert {"name", "created", "definition", "description"} <= set(flow)


def test_decorated_calls_and_runs_are_counted_and_an_admin_may_read_anyones(seed: Seed) -> None:
    carol = sign_in(seed.runtime, "carol@example.com")  # a user of this test alone: exact counts
    month = year_month(datetime.now(UTC))
    seed.runtime.usage.record_call(carol.sub, "2024-03")  # an older month, straight into the table
    for _ in range(3):
        assert carol.request("POST", "/lib/ping").status_code == 200
    started = carol.request("POST", "/run/helloWorldFlow", json={"name": "Cy"}).json()
    assert carol.flow_result("helloWorldFlow", started["executionArn"])["status"] == "SUCCEEDED"
    assert carol.request("POST", "/run/noSuchFlow").status_code == 404  # an authorized call all the same
    # 3 decorated calls + 2 runs; the flow's Task (hello_world, decorated too) is no request of carol's
    own = carol.request("GET", "/usage").json()
    assert own == {
        "userId": carol.sub,
        "usage": [{"yearMonth": "2024-03", "apiCalls": 1}, {"yearMonth": month, "apiCalls": 5}],
        "total": 6,
    }
    ranged = carol.request("GET", f"/usage/{carol.sub}?startDate=2024-01&endDate=2024-12").json()
    assert ranged["usage"] == [{"yearMonth": "2024-03", "apiCalls": 1}] and ranged["total"] == 1
    assert seed.admin.request("GET", f"/usage/{carol.sub}").json() == own
    assert_error_body(carol.request("GET", f"/usage/{seed.admin.sub}"), 404, "UserNotFoundException")
    assert carol.request("GET", "/usage").json() == own  # reading usage is not counted


def test_error_bodies_carry_the_seeds_error_and_status(seed: Seed) -> None:
    missing = assert_error_body(seed.ada.request("POST", "/run/noSuchFlow"), 404, "StateMachineDoesNotExist")
    assert missing["error"] == "Flow 'noSuchFlow' does not exist."
    bad_month = assert_error_body(seed.ada.request("GET", "/usage?startDate=2024-13"), 400,
                                  "InvalidParameterException")
    assert "?startDate='2024-13'" in bad_month["error"]
    unknown = assert_error_body(seed.ada.request("GET", "/usage?months=3"), 400, "InvalidParameterException")
    assert unknown["error"] == "Unknown query parameter 'months'; this endpoint accepts: startDate, endDate."
