"""EventBridge's "Step Functions Execution Status Change" events, applied to the executions table.

The execution_index Lambda is the target of a rule on these events (source ``aws.states``).
Step Functions sends one for each status an execution of a STANDARD state machine takes
(none for EXPRESS ones), best effort and in no guaranteed order. The event, as documented
(EventBridge reference, "AWS Step Functions events"):

    {"version": "0", "id": "...", "detail-type": "Step Functions Execution Status Change",
     "source": "aws.states", "account": "123456789012", "time": "2019-02-26T19:42:21Z",
     "region": "us-east-1", "resources": ["<execution ARN>"],
     "detail": {"executionArn": "...", "stateMachineArn": "...", "name": "...",
                "status": "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED"
                          | "PENDING_REDRIVE",
                "startDate": 1551225271984, "stopDate": null | <epoch ms>,
                "input": "{...}", "output": null | "...", "inputDetails": {...},
                "error": ..., "cause": ..., "redriveCount": 0, ...}}

``apply_status_change`` records the status, start and stop dates (and so the ttl) with
ExecutionIndex.record_status: only for an execution sdw indexed, never a closed status
back to RUNNING.

Scheduled runs are the exception: EventBridge starts them, so nothing indexed them at the
start. An event for an execution the index lacks is claimed for the principal
``schedule`` (owner ``schedule``, as ``sdw dev`` owns its scheduled runs) when its state
machine is a scheduled flow's (``scheduled_flow``) and its input carries no ``__user_id``:
every execution ``POST /run`` starts carries its caller's, so a user's run whose first
event beats the flows Lambda's index write is never claimed. The item is written only if
still absent, then the status applied; ``GET /runs?owner=schedule`` lists it.

An event that is not one of these, or is malformed, changes nothing and says why: raising
would only make Lambda retry it in vain. PENDING_REDRIVE, and the RUNNING of a redriven
execution, are not reflected: the index keeps the status the execution first closed with
(DescribeExecution, and so ``GET /run/...``, tells the truth).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from sdw.aws._executions import ExecutionIndex, iso_date
from sdw.project import Flow
from sdw.system import SCHEDULE_OWNER, USER_ID_KEY, ExecutionStatus, ExecutionSummary

ScheduledFlow = Callable[[str], Flow | None]  # state machine ARN -> its flow, when it has a schedule

log = logging.getLogger("sdw.flows")

DETAIL_TYPE = "Step Functions Execution Status Change"


def apply_status_change(
    index: ExecutionIndex, event: Mapping[str, Any], scheduled_flow: ScheduledFlow | None = None
) -> dict[str, Any]:
    """Apply one status-change event; a small report of what it did (for the log)."""
    if not isinstance(event, Mapping):
        return _ignored(event, "the event is not a JSON object")
    detail = event.get("detail")
    if event.get("source") != "aws.states" or event.get("detail-type") != DETAIL_TYPE:
        return _ignored(event, f"not a {DETAIL_TYPE!r} event from aws.states")
    if not isinstance(detail, Mapping):
        return _ignored(event, "the event has no detail object")
    arn, status = detail.get("executionArn"), detail.get("status")
    if not isinstance(arn, str) or not arn:
        return _ignored(event, "detail.executionArn is missing")
    if status not in ExecutionStatus.ALL:
        return _ignored(event, f"detail.status {status!r} is not one the index records")
    try:
        start = _moment(detail.get("startDate"))
        stop = _moment(detail.get("stopDate"))
    except ValueError as exc:
        return _ignored(event, str(exc))
    applied = index.record_status(arn, status, start=start, stop=stop)
    if not applied and scheduled_flow is not None and _claim_scheduled(index, detail, scheduled_flow):
        applied = index.record_status(arn, status, start=start, stop=stop)
        return {"executionArn": arn, "status": status, "applied": applied, "owner": SCHEDULE_OWNER}
    return {"executionArn": arn, "status": status, "applied": applied}


def _claim_scheduled(index: ExecutionIndex, detail: Mapping[str, Any], scheduled_flow: ScheduledFlow) -> bool:
    """Index an execution an EventBridge schedule started, for the principal ``schedule``."""
    machine, name, start = detail.get("stateMachineArn"), detail.get("name"), detail.get("startDate")
    if not isinstance(machine, str) or not isinstance(name, str) or not isinstance(start, int | float):
        return False
    try:
        execution_input = json.loads(detail.get("input") or "null")
    except (TypeError, ValueError):
        execution_input = None
    if isinstance(execution_input, Mapping) and USER_ID_KEY in execution_input:
        return False  # POST /run started it (its caller's id is in the input): the flows Lambda indexes it
    flow = scheduled_flow(machine)
    if flow is None:
        return False
    started = ExecutionSummary(
        execution_arn=str(detail["executionArn"]),
        execution_id=name,
        flow=flow.key,
        state_machine_arn=machine,
        owner=SCHEDULE_OWNER,
        status=ExecutionStatus.RUNNING,
        start_date=iso_date(datetime.fromtimestamp(start / 1000, UTC)),
    )
    return index.record_start(started)  # False: someone indexed it meanwhile


def _moment(value: Any) -> datetime | None:
    """An event's date (epoch milliseconds) as a datetime; None for null."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"a date in the event is {value!r}, not epoch milliseconds")
    try:
        return datetime.fromtimestamp(value / 1000, UTC)
    except (OverflowError, OSError):
        raise ValueError(f"a date in the event, {value!r}, is out of range") from None


def _ignored(event: Any, reason: str) -> dict[str, Any]:
    event_id = event.get("id") if isinstance(event, Mapping) else None
    log.warning("ignored event %s: %s", event_id, reason)
    return {"applied": False, "ignored": reason}
