"""The example flows run on the ASL interpreter with their real handlers and give the outputs they promise.

Not the flow engine (no SQLite, no HTTP): ``sdw.asl.execute`` on each loaded flow's
resolved definition, Tasks calling the handlers of ``Flow.functions`` in process, and a
child flow (compositeFlow's ``startExecution.sync:2``) run the same way. Time is virtual,
so the retries of retryCatchFlow do not sleep.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from sdw.asl import ExecutionResult, LambdaFunctions, ServiceInvoker, execute, validate_definition
from sdw.project import Flow, Function, Project, load_project

REPO = Path(__file__).resolve().parents[3]


def import_handler(function: Function) -> Any:
    spec = importlib.util.spec_from_file_location(f"_example_{function.name}", function.handler_file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.handler


class ChildFlows:
    """The ExecutionPort: a child flow runs to its end when it is started."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self.ended: dict[str, dict[str, Any]] = {}
        self.ids = itertools.count()

    def start_execution(
        self, state_machine_arn: str, input: Any, name: str | None, parent_arn: str
    ) -> dict[str, Any]:
        flow = next(f for f in self.runner.project.flows if f.arn == state_machine_arn)
        result = self.runner.run(flow, input)
        arn = f"{state_machine_arn.replace(':stateMachine:', ':execution:')}:{next(self.ids)}"
        self.ended[arn] = {
            "executionArn": arn,
            "stateMachineArn": state_machine_arn,
            "status": result.status,
            "input": json.dumps(input),
            "output": json.dumps(result.output),
            "startDate": "2024-01-01T00:00:00Z",
            "stopDate": "2024-01-01T00:00:01Z",
        }
        return {"executionArn": arn, "startDate": "2024-01-01T00:00:00Z"}

    def wait_for_execution(self, execution_arn: str) -> dict[str, Any]:
        return self.ended[execution_arn]


class Runner:
    def __init__(self, project: Project) -> None:
        self.project = project
        handlers = {arn: import_handler(fn) for flow in project.flows for arn, fn in flow.functions.items()}
        lambdas = LambdaFunctions(handlers, account="000000000000")
        self.invoker = ServiceInvoker(lambdas=lambdas, executions=ChildFlows(self))

    def run(self, flow: Flow, input: Any) -> ExecutionResult:
        return execute(flow.definition, input, invoker=self.invoker, state_machine_type=flow.type.value)


@pytest.fixture(scope="module")
def runner() -> Runner:
    return Runner(load_project(REPO, validate_definition=validate_definition).project)


def run(runner: Runner, name: str, input: Any) -> Any:
    flow = runner.project.flow(name)
    assert flow is not None
    result = runner.run(flow, input)
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    return result.output


def test_hello_world_flow_greets_the_name_in_its_input(runner: Runner) -> None:
    assert run(runner, "helloWorldFlow", {"name": "Ada"}) == {"message": "Hello, Ada!"}


def test_dummy_two_step_flow_passes_the_first_output_to_the_second_task(runner: Runner) -> None:
    assert run(runner, "dummy2StepFlow", {"value": 1}) == {"value": 4}


def test_composite_flow_gathers_the_outputs_of_its_two_child_flows(runner: Runner) -> None:
    assert run(runner, "compositeFlow", {"name": "Ada", "value": 1}) == {
        "greeting": "Hello, Ada!",
        "value": 4,
    }


def test_schedule_flow_runs_on_its_static_input(runner: Runner) -> None:
    flow = runner.project.flow("scheduleFlow")
    assert flow is not None
    assert run(runner, "scheduleFlow", flow.input) == {"message": "Hello, scheduler!"}


def test_schedule_map_flow_adds_one_to_every_item_of_its_static_input(runner: Runner) -> None:
    flow = runner.project.flow("scheduleMapFlow")
    assert flow is not None
    assert run(runner, "scheduleMapFlow", flow.input) == [{"value": 2}, {"value": 3}, {"value": 4}]


def test_retry_catch_flow_succeeds_after_retrying_two_failures(runner: Runner) -> None:
    output = run(runner, "retryCatchFlow", {"failures": 2})
    assert output["result"]["attempts"] == 3 and "error" not in output


def test_retry_catch_flow_catches_a_function_that_keeps_failing(runner: Runner) -> None:
    output = run(runner, "retryCatchFlow", {"failures": 5})
    assert output["recovered"] is True and output["error"]["Error"] == "FlakyError"
    assert "attempt 4 of" in json.loads(output["error"]["Cause"])["errorMessage"]
