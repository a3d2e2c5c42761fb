"""Every example flow of the repository, started and polled over HTTP on the real server.

The repository's own tree is served (flows/ and functions/lib/ as they are), with the
state in a temporary folder. All the runs start at once and are polled together, so the
module takes as long as its slowest flow: retryCatchFlow's retry intervals (1 s, 2 s,
4 s: real time, as on AWS). Expected outputs are those flows/README.md promises (and
tests/functional/project/test_flow_examples_run.py checks on the bare interpreter); each
output also carries the caller's ``__user_id`` where the flow keeps its input.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sdw.local._runtime import create_local_runtime
from tests.functional.local.test_flow_endpoints import FlowApi, sign_in

REPO = Path(__file__).resolve().parents[3]
RUNS: dict[str, tuple[str, Any]] = {  # test key -> (flow, input; None: the flow's static input)
    "hello": ("helloWorldFlow", {"name": "Ada"}),
    "two-steps": ("dummy2StepFlow", {"value": 1}),
    "composite": ("compositeFlow", {"name": "Ada", "value": 1}),
    "schedule": ("scheduleFlow", None),
    "map": ("scheduleMapFlow", None),
    "retried": ("retryCatchFlow", {"failures": 2}),
    "caught": ("retryCatchFlow", {"failures": 5}),
}


class Examples:
    def __init__(
        self, api: FlowApi, flows: dict[str, dict[str, Any]], ended: dict[str, dict[str, Any]]
    ) -> None:
        self.api = api
        self.flows = flows
        self.ended = ended

    def output(self, key: str) -> Any:
        described = self.ended[key]
        assert described["status"] == "SUCCEEDED", (described["error"], described["cause"])
        return described["output"]


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Examples]:
    runtime = create_local_runtime(REPO, tmp_path_factory.mktemp("state"), port=0)
    try:
        runtime.server.start()
        with httpx.Client(base_url=runtime.base_url, timeout=10) as client:
            api = sign_in(runtime, client, "ada@example.com")
            listing = client.get("/flows", headers=api.headers)
            assert listing.status_code == 200, listing.text
            flows = {flow["name"]: flow for flow in listing.json()["flows"]}
            started = {
                key: (flow, api.started(flow, flows[flow]["input"] if body is None else body)["executionId"])
                for key, (flow, body) in RUNS.items()
            }
            ended = {key: api.wait(flow, execution, timeout=60) for key, (flow, execution) in started.items()}
            yield Examples(api, flows, ended)
    finally:
        runtime.close()


def test_the_flow_list_holds_every_example(examples: Examples) -> None:
    assert set(examples.flows) >= {"helloWorldFlow", "dummy2StepFlow", "compositeFlow", "scheduleFlow",
                                   "scheduleMapFlow", "retryCatchFlow"}
    assert examples.flows["scheduleFlow"]["schedule"] == "rate(5 minutes)"
    assert examples.flows["scheduleMapFlow"]["schedule"] == "cron(0 6 * * ? *)"


def test_hello_world_flow_greets_the_name_in_its_input(examples: Examples) -> None:
    assert examples.output("hello") == {"message": "Hello, Ada!"}


def test_dummy_two_step_flow_adds_one_then_doubles(examples: Examples) -> None:
    assert examples.output("two-steps") == {"value": 4}


def test_composite_flow_gathers_the_outputs_of_its_two_child_flows(examples: Examples) -> None:
    assert examples.output("composite") == {"greeting": "Hello, Ada!", "value": 4}


def test_schedule_flow_greets_the_scheduler_on_its_static_input(examples: Examples) -> None:
    assert examples.output("schedule") == {"message": "Hello, scheduler!"}


def test_schedule_map_flow_adds_one_to_every_item(examples: Examples) -> None:
    assert examples.output("map") == [{"value": 2}, {"value": 3}, {"value": 4}]


def test_retry_catch_flow_succeeds_on_the_third_attempt(examples: Examples) -> None:
    output = examples.output("retried")
    execution_arn = examples.ended["retried"]["executionArn"]
    assert output == {"failures": 2, "__user_id": examples.api.sub,
                      "result": {"key": execution_arn, "attempts": 3}}


def test_retry_catch_flow_catches_the_error_when_the_retries_run_out(examples: Examples) -> None:
    output = examples.output("caught")
    assert output["recovered"] is True and output["__user_id"] == examples.api.sub
    assert output["error"]["Error"] == "FlakyError"
    assert "attempt 4 of" in json.loads(output["error"]["Cause"])["errorMessage"]
    events = examples.api.history("retryCatchFlow", examples.ended["caught"]["executionId"]).json()["events"]
    failures = [event for event in events if event["type"] == "LambdaFunctionFailed"]
    assert len(failures) == 4
