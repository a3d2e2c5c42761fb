"""Composite flows: states:startExecution (fire and forget, .sync, .sync:2) runs the project's child flows."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from sdw.asl import StatesError
from sdw.local import EngineExecutions
from sdw.local.engine._flow_engine import LocalFlowEngine
from tests.functional.local.engine.support import (
    OWNER,
    event_types,
    machine_arn,
    run_to_end,
    running_engine,
    task,
    write_project,
)

FN = "functions/lib/{}/handler.handler"


def start_child(flow: str, pattern: str = "", **parameters: Any) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": f"arn:aws:states:::states:startExecution{pattern}",
        "Parameters": {"StateMachineArn": machine_arn(flow), "Input.$": "$", **parameters},
    }


FLOWS: dict[str, Any] = {
    "child": {
        "functions": [{"name": "add_one", "handler": FN.format("add_one")}],
        "definition": {"StartAt": "A", "States": {"A": task("add_one", End=True)}},
    },
    "slowChild": {
        "definition": {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 30, "End": True}}},
    },
    "failingChild": {
        "definition": {
            "StartAt": "F",
            "States": {"F": {"Type": "Fail", "Error": "Nope", "Cause": "child says no"}},
        },
    },
    "expressChild": {
        "type": "EXPRESS",
        "functions": [{"name": "add_one", "handler": FN.format("add_one")}],
        "definition": {"StartAt": "A", "States": {"A": task("add_one", End=True)}},
    },
    "syncExpress": {
        "definition": {"StartAt": "S", "States": {"S": {**start_child("expressChild", ".sync"), "End": True}}}
    },
    "fireAndForget": {"definition": {"StartAt": "S", "States": {"S": {**start_child("child"), "End": True}}}},
    "sync": {"definition": {"StartAt": "S", "States": {"S": {**start_child("child", ".sync"), "End": True}}}},
    "sync2": {
        "definition": {"StartAt": "S", "States": {"S": {**start_child("child", ".sync:2"), "End": True}}}
    },
    "gather": {
        "definition": {
            "StartAt": "P",
            "States": {
                "P": {
                    "Type": "Parallel",
                    "Branches": [
                        {
                            "StartAt": f"C{i}",
                            "States": {
                                f"C{i}": {
                                    **start_child("child", ".sync:2", Input={"value.$": f"$.v{i}"}),
                                    "OutputPath": "$.Output",
                                    "End": True,
                                }
                            },
                        }
                        for i in range(3)
                    ],
                    "End": True,
                }
            },
        }
    },
    "syncFails": {
        "definition": {"StartAt": "S", "States": {"S": {**start_child("failingChild", ".sync"), "End": True}}}
    },
    "named": {
        "definition": {
            "StartAt": "S",
            "States": {"S": {**start_child("child", ".sync:2", Name="fixed"), "End": True}},
        }
    },
    "waitsForSlow": {
        "definition": {"StartAt": "S", "States": {"S": {**start_child("slowChild", ".sync"), "End": True}}}
    },
    "unknownChild": {
        "definition": {"StartAt": "S", "States": {"S": {**start_child("noSuchFlow"), "End": True}}}
    },
}


@pytest.fixture
def engine(tmp_path: Path) -> Any:
    project = write_project(tmp_path / "project", FLOWS)
    with running_engine(project, tmp_path / "state") as running:
        yield running


def child_of(engine: LocalFlowEngine, parent_arn: str) -> str:
    children = [
        s
        for s in engine.list(owner=OWNER, flow="child").items
        if (row := engine.store.get(s.execution_arn)) is not None and row.parent_arn == parent_arn
    ]
    assert len(children) == 1, children
    return children[0].execution_arn


def test_fire_and_forget_answers_with_the_child_arn_and_start_date(engine: LocalFlowEngine) -> None:
    parent = run_to_end(engine, "fireAndForget", {"value": 1})
    assert parent.status == "SUCCEEDED" and set(parent.output) == {"ExecutionArn", "StartDate"}
    assert isinstance(parent.output["StartDate"], int)
    child = engine.wait(parent.output["ExecutionArn"], timeout=5)
    assert (child.status, child.output, child.owner, child.flow) == (
        "SUCCEEDED",
        {"value": 2},
        OWNER,
        "child",
    )
    assert child_of(engine, parent.execution_arn) == child.execution_arn


def test_sync_returns_the_childs_description_with_its_output_as_json_text(engine: LocalFlowEngine) -> None:
    parent = run_to_end(engine, "sync", {"value": 1})
    output = parent.output
    assert parent.status == "SUCCEEDED"
    assert output["Output"] == '{"value":2}' and output["Input"] == '{"value":1}'
    assert output["Status"] == "SUCCEEDED" and output["StateMachineArn"] == machine_arn("child")
    assert output["ExecutionArn"] == child_of(engine, parent.execution_arn)
    assert output["Name"] == output["ExecutionArn"].rsplit(":", 1)[1]
    assert output["StopDate"] >= output["StartDate"]
    assert output["InputDetails"] == output["OutputDetails"] == {"Included": True}


def test_a_standard_childs_sync_result_has_describe_executions_fields(engine: LocalFlowEngine) -> None:
    # AWS's fields, recorded for a .sync child (LocalStack's test_cross_account_states_start_sync_execution)
    output = run_to_end(engine, "sync", {"value": 1}).output
    assert list(output) == [
        "ExecutionArn", "Input", "InputDetails", "Name", "Output", "OutputDetails", "RedriveCount",
        "RedriveStatus", "RedriveStatusReason", "StartDate", "StateMachineArn", "Status", "StopDate",
    ]
    assert (output["RedriveCount"], output["RedriveStatus"]) == (0, "NOT_REDRIVABLE")
    assert output["RedriveStatusReason"] == "Execution is SUCCEEDED and cannot be redriven"


def test_an_express_childs_sync_result_has_start_sync_executions_fields(engine: LocalFlowEngine) -> None:
    # An EXPRESS child has no DescribeExecution: it answers as StartSyncExecution does
    parent = run_to_end(engine, "syncExpress", {"value": 1})
    output = parent.output
    assert parent.status == "SUCCEEDED"
    assert list(output) == [
        "ExecutionArn", "Input", "InputDetails", "Name", "Output", "OutputDetails", "BillingDetails",
        "StartDate", "StateMachineArn", "Status", "StopDate",
    ]
    assert ":express:expressChild:" in output["ExecutionArn"] and output["Output"] == '{"value":2}'
    billing = output["BillingDetails"]
    assert billing["BilledMemoryUsedInMB"] == 64 and billing["BilledDurationInMilliseconds"] % 100 == 0


def test_sync2_returns_the_childs_output_as_json(engine: LocalFlowEngine) -> None:
    parent = run_to_end(engine, "sync2", {"value": 5})
    assert parent.output["Output"] == {"value": 6} and parent.output["Input"] == {"value": 5}


def test_a_parallel_of_child_flows_gathers_their_outputs(engine: LocalFlowEngine) -> None:
    parent = run_to_end(engine, "gather", {"v0": 10, "v1": 20, "v2": 30})
    assert (parent.status, parent.output) == ("SUCCEEDED", [{"value": 11}, {"value": 21}, {"value": 31}])
    assert len(engine.list(owner=OWNER, flow="child").items) == 3


def test_a_failed_child_fails_the_sync_task(engine: LocalFlowEngine) -> None:
    parent = run_to_end(engine, "syncFails", {})
    assert (parent.status, parent.error) == ("FAILED", "States.TaskFailed")
    cause = json.loads(parent.cause or "{}")
    assert (cause["Status"], cause["Error"], cause["Cause"]) == ("FAILED", "Nope", "child says no")
    assert (cause["RedriveStatus"], "RedriveStatusReason" in cause) == ("REDRIVABLE", False)


def test_a_named_child_cannot_be_started_twice(engine: LocalFlowEngine) -> None:
    first = run_to_end(engine, "named", {"value": 1})
    assert first.output["Name"] == "fixed"
    second = run_to_end(engine, "named", {"value": 1})
    assert (second.status, second.error) == ("FAILED", "StepFunctions.ExecutionAlreadyExistsException")


def test_an_unknown_state_machine_fails_the_task(engine: LocalFlowEngine) -> None:
    parent = run_to_end(engine, "unknownChild", {})
    assert parent.error == "StepFunctions.StateMachineDoesNotExistException"


def test_stopping_a_parent_stops_the_child_it_waits_for(engine: LocalFlowEngine) -> None:
    parent = engine.start("waitsForSlow", {}, owner=OWNER).execution_arn
    deadline = time.monotonic() + 5
    while not engine.list(owner=OWNER, flow="slowChild").items and time.monotonic() < deadline:
        time.sleep(0.01)
    child = engine.list(owner=OWNER, flow="slowChild").items[0].execution_arn
    assert engine.stop(parent).status == "ABORTED"
    assert engine.wait(child, timeout=5).status == "ABORTED"
    assert event_types(engine, child)[-1] == "ExecutionAborted"


def test_the_execution_port_starts_durable_children_and_waits_for_them(engine: LocalFlowEngine) -> None:
    parent = engine.start("slowChild", {}, owner=OWNER).execution_arn
    port = EngineExecutions(engine, wait_timeout=5)
    started = port.start_execution(machine_arn("child"), {"value": 41}, None, parent)
    described = port.wait_for_execution(started["executionArn"])
    assert (described["status"], described["output"]) == ("SUCCEEDED", '{"value":42}')
    child = engine.describe(started["executionArn"])
    assert child.owner == OWNER and engine.store.get(child.execution_arn).parent_arn == parent  # type: ignore[union-attr]
    with pytest.raises(StatesError, match="StateMachineDoesNotExist"):
        port.start_execution(machine_arn("nope"), {}, None, parent)
