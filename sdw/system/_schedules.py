"""What a scheduled run is, the same locally and on AWS: its owner, its name, its input.

EventBridge starts a scheduled flow with no user behind it, so its executions belong to a
principal of their own, ``schedule``: ``GET /runs?owner=schedule`` lists them for any
signed-in user (a schedule's runs belong to the project, not to whoever asks), and so
does the executions index on AWS, whose ``owner`` for them is the same string.

Its input is the flow's static ``input`` when there is one (the rule target's ``Input``);
without one EventBridge hands the target the event itself, a "Scheduled Event", and so
does ``sdw dev`` (:func:`scheduled_event`).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

SCHEDULE_OWNER = "schedule"


def scheduled_execution_name(due: datetime) -> str:
    """The local execution name of the run due at ``due``: ``schedule-20300101T1200Z``.

    One name per due time makes a start idempotent (StartExecution's rule: the same name and
    input while it runs is the same execution; once ended, ExecutionAlreadyExists), so a
    scheduler that crashes between starting a run and recording it never starts it twice.
    """
    return f"schedule-{due.astimezone(UTC):%Y%m%dT%H%MZ}"


def schedule_rule_name(state_machine_name: str) -> str:
    """The EventBridge rule of a scheduled flow: ``<state machine>-schedule`` (after the deploy's prefix)."""
    return f"{state_machine_name}-schedule"


def scheduled_event(rule_arn: str, due: datetime, *, region: str, account: str) -> dict[str, Any]:
    """The event EventBridge sends a rule's target when the rule has no ``Input``."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account,
        "time": due.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [rule_arn],
        "detail": {},
    }
