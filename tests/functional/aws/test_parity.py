"""One table of requests, sent to the local runtime (HTTP, a real server) and to the AWS flows
Lambda (a 2.0 event, on moto): the same status and the same body from both.

The two sides serve the same project (support.FLOWS) and start the same executions for the
same two users; the AWS claims carry the local pool's ``sub``s, so even the ``__user_id``
in an input is the same. What legitimately differs is only where things live: the account
and the ``<service>-<stage>-`` prefix in ARNs, and the dates, which ``same_shape`` evens out.
Express flows are left out: AWS cannot describe them (test_flow_engine.py says how).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from moto import mock_aws

from sdw.aws import create_flows_lambda
from sdw.local import LocalRuntime, create_local_runtime, generate_password
from sdw.system import LambdaHandler, encode_token
from tests.functional.aws.support import (
    ACCOUNT,
    MOTO_CONFIG,
    PREFIX,
    answer,
    api_event,
    claims,
    deploy_stage,
    wait_for,
    write_project,
)


@dataclass(frozen=True)
class Case:
    route: str
    path: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)
    body: str | None = None
    caller: str | None = "ada"


AGO = "2026-11-25T10:00:00.000Z"
CASES = {
    "bad JSON": Case("POST /run/{flow}", {"flow": "passFlow"}, body='{"a": 1,}'),
    "input not an object": Case("POST /run/{flow}", {"flow": "passFlow"}, body="[1, 2]"),
    "unknown flow": Case("POST /run/{flow}", {"flow": "noSuchFlow"}, body="{}"),
    "bad execution name": Case("POST /run/{flow}", {"flow": "passFlow"}, {"name": "a b"}, body="{}"),
    "name taken with other input": Case(
        "POST /run/{flow}", {"flow": "waitFlow"}, {"name": "adas"}, '{"o": 1}'
    ),
    "name of an ended run": Case("POST /run/{flow}", {"flow": "passFlow"}, {"name": "done"}, body='{"x": 1}'),
    "name of an ended run, other input": Case(
        "POST /run/{flow}", {"flow": "passFlow"}, {"name": "done"}, "{}"
    ),
    "unknown query parameter": Case("GET /runs", query={"Status": "RUNNING"}),
    "bad status": Case("GET /runs", query={"status": "DONE"}),
    "bad limit": Case("GET /runs", query={"limit": "1001"}),
    "garbage token": Case("GET /runs", query={"next_token": "abc"}),
    "token of another listing": Case("GET /runs", query={"next_token": encode_token("elsewhere", 1)}),
    "no token at all": Case("GET /runs", caller=None),
    "no token to start": Case("POST /run/{flow}", {"flow": "passFlow"}, body="{}", caller=None),
    "unknown execution": Case("GET /run/{flow}/{execution}", {"flow": "waitFlow", "execution": "nope"}),
    "execution of another flow": Case(
        "GET /run/{flow}/{execution}", {"flow": "passFlow", "execution": "adas"}
    ),
    "another user's execution": Case(
        "GET /run/{flow}/{execution}", {"flow": "waitFlow", "execution": "adas"}, caller="bob"
    ),
    "another user's history": Case(
        "GET /run/{flow}/{execution}/history", {"flow": "waitFlow", "execution": "adas"}, caller="bob"
    ),
    "another user's stop": Case(
        "POST /run/{flow}/{execution}/stop", {"flow": "waitFlow", "execution": "adas"}, caller="bob"
    ),
    "a bad ARN": Case("GET /run/{flow}/{execution}", {"flow": "waitFlow", "execution": "arn:aws:nope"}),
    "bad stop body": Case(
        "POST /run/{flow}/{execution}/stop", {"flow": "waitFlow", "execution": "adas"}, body='{"reason": "x"}'
    ),
    "bad history limit": Case(
        "GET /run/{flow}/{execution}/history", {"flow": "waitFlow", "execution": "adas"}, {"limit": "x"}
    ),
    "query on GET /flows": Case("GET /flows", query={"all": "1"}),
    "own running execution": Case("GET /run/{flow}/{execution}", {"flow": "waitFlow", "execution": "adas"}),
    "own ended execution": Case("GET /run/{flow}/{execution}", {"flow": "passFlow", "execution": "done"}),
    "own executions": Case("GET /runs"),
    "own executions of a flow": Case("GET /runs", query={"flow": "passFlow", "status": "SUCCEEDED"}),
    "bob has none": Case("GET /runs", caller="bob"),
    "idempotent start": Case("POST /run/{flow}", {"flow": "waitFlow"}, {"name": "adas"}, body="{}"),
}


class LocalSide:
    """The local runtime over HTTP, with Ada and Bob signed in."""

    def __init__(self, runtime: LocalRuntime) -> None:
        self.runtime = runtime
        self.client = httpx.Client(base_url=runtime.base_url, timeout=30)
        self.tokens: dict[str, str] = {}
        self.subs: dict[str, str] = {}
        for name in ("ada", "bob"):
            password = generate_password()
            user = runtime.pool.create_user(f"{name}@example.com", password)
            self.tokens[name] = runtime.pool.authenticate(f"{name}@example.com", password).id_token
            self.subs[name] = user.sub

    def send(self, case: Case) -> tuple[int, Any]:
        method, template = case.route.split(" ", 1)
        url = template
        for key, value in case.path.items():
            url = url.replace("{" + key + "}", quote(value, safe=""))
        headers = {"content-type": "application/json"}
        if case.caller is not None:
            headers["authorization"] = f"Bearer {self.tokens[case.caller]}"
        response = self.client.request(
            method, url, params=dict(case.query), content=case.body, headers=headers
        )
        return response.status_code, response.json()


class AwsSide:
    """The flows Lambda on an emulated stage, its callers' claims carrying the local subs."""

    def __init__(self, handler: LambdaHandler, subs: Mapping[str, str]) -> None:
        self.handler = handler
        self.claims = {name: claims(sub, f"{name}@example.com") for name, sub in subs.items()}

    def send(self, case: Case) -> tuple[int, Any]:
        caller = None if case.caller is None else self.claims[case.caller]
        event = api_event(case.route, path=case.path, query=case.query, body=case.body, caller=caller)
        return answer(self.handler(event, None))


@dataclass
class Sides:
    local: LocalSide
    aws: AwsSide


def prepare(side: LocalSide | AwsSide) -> None:
    """The same executions on both sides: Ada's running ``adas`` and ended ``done``."""
    for case in (
        Case("POST /run/{flow}", {"flow": "waitFlow"}, {"name": "adas"}, body="{}"),
        Case("POST /run/{flow}", {"flow": "passFlow"}, {"name": "done"}, body='{"x": 1}'),
    ):
        assert side.send(case)[0] == 200
    done = Case("GET /run/{flow}/{execution}", {"flow": "passFlow", "execution": "done"})
    wait_for(lambda: side.send(done)[1], lambda body: body.get("status") != "RUNNING")


@pytest.fixture(scope="module")
def sides(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sides]:
    root = tmp_path_factory.mktemp("parity") / "project"
    write_project(root)
    runtime = create_local_runtime(root, tmp_path_factory.mktemp("state"), port=0)
    try:
        runtime.server.start()
        local = LocalSide(runtime)
        with mock_aws(config=MOTO_CONFIG):
            stage = deploy_stage(root)
            aws = AwsSide(create_flows_lambda(stage.environ, session=stage.session), local.subs)
            prepare(local)
            prepare(aws)
            yield Sides(local, aws)
        local.client.close()
    finally:
        runtime.close()


_DATE = re.compile(r'"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"')


def same_shape(body: Any) -> Any:
    """``body`` with AWS's account and stage prefix in ARNs made the local ones, and dates blanked."""
    text = json.dumps(body, sort_keys=True)
    text = text.replace(f":{ACCOUNT}:", ":000000000000:").replace(f":{PREFIX}", ":")
    return json.loads(_DATE.sub(f'"{AGO}"', text))


@pytest.mark.parametrize("name", list(CASES))
def test_the_local_runtime_and_the_aws_lambda_answer_alike(sides: Sides, name: str) -> None:
    case = CASES[name]
    local_status, local_body = sides.local.send(case)
    aws_status, aws_body = sides.aws.send(case)
    assert aws_status == local_status, (aws_body, local_body)
    assert same_shape(aws_body) == same_shape(local_body)


def test_the_table_covers_every_status_the_flow_routes_answer(sides: Sides) -> None:
    statuses = {sides.local.send(case)[0] for case in CASES.values()}
    assert statuses == {200, 400, 401, 404, 409}
