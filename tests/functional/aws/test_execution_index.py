"""The execution_index Lambda: EventBridge "Step Functions Execution Status Change" events
applied to the executions table (moto's DynamoDB).

The events are shaped as the EventBridge reference documents them (``status_event``):
dates in epoch milliseconds, the input as a string, ``stopDate`` null while running.
"""

from __future__ import annotations

import copy
import importlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sdw.aws import (
    AwsConfigError,
    ExecutionIndex,
    apply_status_change,
    create_execution_index_lambda,
)
from sdw.system import ExecutionSummary, LambdaHandler
from tests.functional.aws.support import ACCOUNT, EXECUTIONS_TABLE, PREFIX, REGION, Stage

MACHINE = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{PREFIX}waitFlow"
START = datetime(2026, 11, 25, 10, 0, 0, 123000, tzinfo=UTC)
STOP = START + timedelta(seconds=42, milliseconds=500)


def execution(name: str, flow: str = "waitFlow") -> str:
    return f"arn:aws:states:{REGION}:{ACCOUNT}:execution:{PREFIX}{flow}:{name}"


def status_event(name: str, status: str, *, stop: datetime | None = None) -> dict[str, Any]:
    """A Step Functions Execution Status Change event, as EventBridge delivers it."""
    arn = execution(name)
    return {
        "version": "0",
        "id": "315c1398-40ff-a850-213b-158f73e60175",
        "detail-type": "Step Functions Execution Status Change",
        "source": "aws.states",
        "account": ACCOUNT,
        "time": "2026-11-25T10:00:42Z",
        "region": REGION,
        "resources": [arn],
        "detail": {
            "executionArn": arn,
            "stateMachineArn": MACHINE,
            "name": name,
            "status": status,
            "startDate": int(START.timestamp() * 1000),
            "stopDate": None if stop is None else int(stop.timestamp() * 1000),
            "input": '{"__user_id": "ada-sub"}',
            "inputDetails": {"included": True},
            "output": None if status != "SUCCEEDED" else "{}",
            "outputDetails": None if status != "SUCCEEDED" else {"included": True},
            "error": None,
            "cause": None,
            "redriveCount": 0,
            "redriveStatus": "NOT_REDRIVABLE",
        },
    }


def indexed(index: ExecutionIndex, name: str) -> ExecutionSummary:
    index.record_start(
        ExecutionSummary(
            execution_arn=execution(name),
            execution_id=name,
            flow="waitFlow",
            state_machine_arn=MACHINE,
            owner="ada-sub",
            status="RUNNING",
            start_date="2026-11-25T10:00:00.123Z",
        )
    )
    found = index.get(execution(name))
    assert found is not None
    return found


def raw_item(stage: Stage, name: str, flow: str = "waitFlow") -> dict[str, Any]:
    answer = stage.client("dynamodb").get_item(
        TableName=EXECUTIONS_TABLE, Key={"executionArn": {"S": execution(name, flow)}}
    )
    return {key: next(iter(value.values())) for key, value in answer.get("Item", {}).items()}


def test_a_closing_event_records_the_status_stop_date_and_ttl(stage: Stage) -> None:
    index = stage.index()
    indexed(index, "e1")
    report = apply_status_change(index, status_event("e1", "SUCCEEDED", stop=STOP))
    assert report == {"executionArn": execution("e1"), "status": "SUCCEEDED", "applied": True}
    item = raw_item(stage, "e1")
    assert (item["status"], item["stopDate"], item["startDate"]) == (
        "SUCCEEDED",
        "2026-11-25T10:00:42.623Z",
        "2026-11-25T10:00:00.123Z",
    )
    assert int(item["ttl"]) == int((STOP + timedelta(days=90)).timestamp())
    assert (item["owner"], item["flow"], item["name"]) == ("ada-sub", "waitFlow", "e1")  # the rest kept


def test_a_running_item_expires_a_year_and_ninety_days_after_its_start(stage: Stage) -> None:
    indexed(stage.index(), "e1")
    assert int(raw_item(stage, "e1")["ttl"]) == int((START + timedelta(days=455)).timestamp())


@pytest.mark.parametrize("status", ["FAILED", "TIMED_OUT", "ABORTED"])
def test_every_closed_status_is_recorded(stage: Stage, status: str) -> None:
    index = stage.index()
    indexed(index, "e1")
    assert apply_status_change(index, status_event("e1", status, stop=STOP))["applied"] is True
    assert raw_item(stage, "e1")["status"] == status


def test_a_late_running_event_never_reopens_a_closed_execution(stage: Stage) -> None:
    index = stage.index()
    indexed(index, "e1")
    apply_status_change(index, status_event("e1", "SUCCEEDED", stop=STOP))
    assert apply_status_change(index, status_event("e1", "RUNNING"))["applied"] is False
    item = raw_item(stage, "e1")
    assert (item["status"], item["stopDate"]) == ("SUCCEEDED", "2026-11-25T10:00:42.623Z")


def test_a_running_event_for_a_running_execution_is_harmless(stage: Stage) -> None:
    index = stage.index()
    indexed(index, "e1")
    assert apply_status_change(index, status_event("e1", "RUNNING"))["applied"] is True
    assert raw_item(stage, "e1")["status"] == "RUNNING"


def test_an_execution_sdw_did_not_start_is_not_indexed(stage: Stage) -> None:
    index = stage.index()
    for status in ("RUNNING", "SUCCEEDED"):
        assert apply_status_change(index, status_event("child", status, stop=STOP))["applied"] is False
    assert raw_item(stage, "child") == {}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda event: event.update(source="aws.events"), "not a 'Step Functions Execution Status Change'"),
        (lambda event: event.update({"detail-type": "Scheduled Event"}), "not a 'Step Functions"),
        (lambda event: event.pop("detail"), "no detail object"),
        (lambda event: event["detail"].pop("executionArn"), "detail.executionArn is missing"),
        (lambda event: event["detail"].update(status="PENDING_REDRIVE"), "'PENDING_REDRIVE' is not one"),
        (lambda event: event["detail"].update(stopDate="yesterday"), "not epoch milliseconds"),
        (lambda event: event["detail"].update(startDate=10**20), "out of range"),
    ],
)
def test_an_event_that_is_not_a_status_change_is_ignored_with_the_reason(
    stage: Stage, change: Any, reason: str
) -> None:
    index = stage.index()
    indexed(index, "e1")
    event = copy.deepcopy(status_event("e1", "SUCCEEDED", stop=STOP))
    change(event)
    report = apply_status_change(index, event)
    assert report["applied"] is False and reason in report["ignored"]
    assert raw_item(stage, "e1")["status"] == "RUNNING"


def test_the_lambda_applies_events_with_the_table_of_its_environment(stage: Stage) -> None:
    indexed(stage.index(), "e1")
    handler = create_execution_index_lambda(stage.environ, session=stage.session)
    assert handler(status_event("e1", "ABORTED", stop=STOP), None)["applied"] is True
    assert raw_item(stage, "e1")["status"] == "ABORTED"


def test_the_lambda_without_its_table_says_which_variable_is_missing(stage: Stage) -> None:
    environ = {key: value for key, value in stage.environ.items() if key != "SDW_EXECUTIONS_TABLE"}
    handler = create_execution_index_lambda(environ, session=stage.session)
    with pytest.raises(AwsConfigError, match="SDW_EXECUTIONS_TABLE"):
        handler(status_event("e1", "ABORTED", stop=STOP), None)


def test_the_deployed_handlers_are_the_wired_lambdas() -> None:
    for name in ("flows", "auth"):
        module = importlib.import_module(f"functions.base.{name}.handler")
        assert isinstance(module.handler, LambdaHandler)
    module = importlib.import_module("functions.base.execution_index.handler")
    assert callable(module.handler)


NIGHTLY = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{PREFIX}nightlyFlow"


def scheduled_event(name: str, status: str, **detail: Any) -> dict[str, Any]:
    """A status change of an execution EventBridge's schedule started: the rule's input, no __user_id."""
    event = status_event(name, status, stop=STOP if status != "RUNNING" else None)
    arn = f"arn:aws:states:{REGION}:{ACCOUNT}:execution:{PREFIX}nightlyFlow:{name}"
    event["resources"] = [arn]
    event["detail"].update({"executionArn": arn, "stateMachineArn": NIGHTLY, "input": '{"report": "daily"}',
                            **detail})
    return event


def test_a_scheduled_run_is_indexed_for_the_schedule_principal_and_listed(stage: Stage) -> None:
    handler = create_execution_index_lambda(stage.environ, session=stage.session)
    report = handler(scheduled_event("4b1f0e2c-run", "RUNNING"), None)
    assert (report["applied"], report["owner"]) == (True, "schedule")
    assert handler(scheduled_event("4b1f0e2c-run", "SUCCEEDED"), None)["applied"] is True
    page = stage.engine().list(owner="schedule", flow="nightlyFlow")
    assert [(s.execution_id, s.flow, s.status, s.owner) for s in page.items] == [
        ("4b1f0e2c-run", "nightlyFlow", "SUCCEEDED", "schedule")
    ]
    assert page.items[0].start_date == "2026-11-25T10:00:00.123Z"


def test_a_scheduled_run_whose_closing_event_comes_first_is_indexed_closed(stage: Stage) -> None:
    handler = create_execution_index_lambda(stage.environ, session=stage.session)
    assert handler(scheduled_event("late", "FAILED"), None)["applied"] is True
    assert handler(scheduled_event("late", "RUNNING"), None)["applied"] is False  # never reopened
    assert raw_item(stage, "late", flow="nightlyFlow")["status"] == "FAILED"


@pytest.mark.parametrize(
    ("detail", "why"),
    [
        ({"input": '{"__user_id": "ada-sub", "report": "daily"}'}, "POST /run started it"),
        ({"stateMachineArn": MACHINE}, "a flow without a schedule (a child execution)"),
    ],
)
def test_an_unindexed_execution_is_claimed_only_when_a_schedule_started_it(
    stage: Stage, detail: dict[str, Any], why: str
) -> None:
    handler = create_execution_index_lambda(stage.environ, session=stage.session)
    assert handler(scheduled_event("other", "RUNNING", **detail), None)["applied"] is False, why
    assert raw_item(stage, "other", flow="nightlyFlow") == {}


def test_a_users_run_of_a_scheduled_flow_keeps_its_owner(stage: Stage) -> None:
    started = stage.engine().start("nightlyFlow", {"__user_id": "ada-sub"}, owner="ada-sub")
    handler = create_execution_index_lambda(stage.environ, session=stage.session)
    event = scheduled_event(started.execution_id, "RUNNING", input='{"__user_id": "ada-sub"}')
    assert handler(event, None)["applied"] is True
    assert [s.owner for s in stage.engine().list(owner="ada-sub").items] == ["ada-sub"]
    assert stage.engine().list(owner="schedule").items == []
