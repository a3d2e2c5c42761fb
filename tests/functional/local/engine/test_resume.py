"""Durability in one process: an engine closed mid-run; a new one on the same folder resumes its runs."""

from __future__ import annotations

import json
import sqlite3
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sdw.asl import execute
from sdw.local.engine._flow_engine import LocalFlowEngine
from sdw.project import Project
from tests.functional.local.engine.support import (
    OWNER,
    all_events,
    machine_arn,
    open_engine,
    run_to_end,
    task,
    write_project,
)

FN = "functions/lib/{}/handler.handler"
FUNCTIONS = {
    # Appends a line to the file named in the event, then takes its time: a task to kill mid-flight.
    "record": textwrap.dedent(
        """\
        import time

        def handler(event, context):
            with open(event["log"], "a") as log:
                log.write("called\\n")
            time.sleep(event.get("seconds", 0.4))
            return {"log": event["log"], "done": True}
        """
    ),
}


def wait(seconds: int, then: str) -> dict[str, Any]:
    return {"Type": "Wait", "Seconds": seconds, "Next": then}


def flows(version: str = "v1") -> dict[str, Any]:
    return {
        "waits": {
            "definition": {
                "StartAt": "Before",
                "States": {
                    "Before": {"Type": "Pass", "Result": "before", "ResultPath": "$.before", "Next": "W"},
                    "W": wait(1, "After"),
                    "After": {"Type": "Pass", "Result": version, "ResultPath": "$.version", "End": True},
                },
            }
        },
        "records": {
            "functions": [{"name": "record", "handler": FN.format("record")}],
            "definition": {"StartAt": "R", "States": {"R": task("record", End=True)}},
        },
        "child": {
            "definition": {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "End": True}}}
        },
        "parent": {
            "definition": {
                "StartAt": "S",
                "States": {
                    "S": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::states:startExecution.sync:2",
                        "Parameters": {"StateMachineArn": machine_arn("child"), "Input.$": "$"},
                        "OutputPath": "$.Output",
                        "End": True,
                    }
                },
            }
        },
        "quick": {
            "type": "EXPRESS",
            "definition": {
                "StartAt": "W",
                "States": {
                    "W": wait(1, "P"),
                    "P": {"Type": "Pass", "Result": "done", "ResultPath": "$.r", "End": True},
                },
            },
        },
    }


def project_at(root: Path, version: str = "v1") -> Project:
    return write_project(root, flows(version), FUNCTIONS)


def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def has_event(engine: LocalFlowEngine, arn: str, event_type: str) -> bool:
    return any(event["type"] == event_type for event in all_events(engine, arn))


def test_a_resumed_wait_ends_at_its_original_deadline(tmp_path: Path) -> None:
    project = project_at(tmp_path / "project")
    flow = project.flow("waits")
    assert flow is not None
    reference = execute(flow.definition, {"n": 1})  # uninterrupted, in memory, virtual time
    engine = open_engine(project, tmp_path / "state")
    arn = engine.start("waits", {"n": 1}, owner=OWNER).execution_arn
    until(lambda: has_event(engine, arn, "WaitStateEntered"))
    engine.close()
    time.sleep(0.3)  # the engine is down for part of the wait
    resumed = open_engine(project, tmp_path / "state")
    try:
        described = resumed.wait(arn, timeout=5)
        events = all_events(resumed, arn)
    finally:
        resumed.close()
    assert (described.status, described.output) == ("SUCCEEDED", reference.output)
    entered = next(e for e in events if e["type"] == "WaitStateEntered")["timestamp"]
    exited = next(e for e in events if e["type"] == "WaitStateExited")["timestamp"]
    assert 0.95 <= (exited - entered).total_seconds() < 1.3
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    assert [e["type"] for e in events].count("ExecutionStarted") == 1


def test_a_wait_whose_deadline_passed_while_down_ends_at_once(tmp_path: Path) -> None:
    project = project_at(tmp_path / "project")
    engine = open_engine(project, tmp_path / "state")
    arn = engine.start("waits", {}, owner=OWNER).execution_arn
    until(lambda: has_event(engine, arn, "WaitStateEntered"))
    engine.close()
    time.sleep(1.1)
    resumed = open_engine(project, tmp_path / "state")
    try:
        began = time.monotonic()
        assert resumed.wait(arn, timeout=5).status == "SUCCEEDED"
        assert time.monotonic() - began < 0.5
    finally:
        resumed.close()


def test_a_task_in_flight_when_the_engine_stopped_runs_again(tmp_path: Path) -> None:
    project = project_at(tmp_path / "project")
    log = tmp_path / "calls.log"
    engine = open_engine(project, tmp_path / "state")
    arn = engine.start("records", {"log": str(log)}, owner=OWNER).execution_arn
    until(log.exists)
    engine.close()
    resumed = open_engine(project, tmp_path / "state")
    try:
        described = resumed.wait(arn, timeout=5)
        types = [e["type"] for e in all_events(resumed, arn)]
    finally:
        resumed.close()
    assert (described.status, described.output) == ("SUCCEEDED", {"log": str(log), "done": True})
    assert log.read_text().count("called") == 2  # at-least-once, as Step Functions after a failure
    assert types.count("LambdaFunctionScheduled") == 1 and types.count("LambdaFunctionSucceeded") == 1


def test_an_execution_resumes_on_the_definition_it_started_with(tmp_path: Path) -> None:
    root = tmp_path / "project"
    engine = open_engine(project_at(root, "v1"), tmp_path / "state")
    arn = engine.start("waits", {}, owner=OWNER).execution_arn
    until(lambda: has_event(engine, arn, "WaitStateEntered"))
    engine.close()
    edited = project_at(root, "v2")
    resumed = open_engine(edited, tmp_path / "state")
    try:
        assert resumed.wait(arn, timeout=5).output["version"] == "v1"
        assert run_to_end(resumed, "waits", {}).output["version"] == "v2"
    finally:
        resumed.close()


def test_a_parent_and_its_sync_child_resume_and_the_child_is_not_started_twice(tmp_path: Path) -> None:
    project = project_at(tmp_path / "project")
    engine = open_engine(project, tmp_path / "state")
    arn = engine.start("parent", {"k": "v"}, owner=OWNER).execution_arn
    until(lambda: bool(engine.list(owner=OWNER, flow="child").items))
    engine.close()
    resumed = open_engine(project, tmp_path / "state")
    try:
        described = resumed.wait(arn, timeout=5)
        children = resumed.list(owner=OWNER, flow="child").items
    finally:
        resumed.close()
    assert (described.status, described.output) == ("SUCCEEDED", {"k": "v"})
    assert len(children) == 1 and children[0].status == "SUCCEEDED"


def test_a_parent_resumed_after_its_child_ended_gets_the_childs_end(tmp_path: Path) -> None:
    project = project_at(tmp_path / "project")
    engine = open_engine(project, tmp_path / "state")
    arn = engine.start("parent", {"k": 1}, owner=OWNER).execution_arn
    until(lambda: bool(engine.list(owner=OWNER, flow="child").items))
    child = engine.list(owner=OWNER, flow="child").items[0].execution_arn
    engine.close()
    # the child ends while the parent is down: finish it on its own, then resume both
    with sqlite3.connect(tmp_path / "state" / "flows.db") as db:
        db.execute("UPDATE executions SET status = 'PAUSED' WHERE arn = ?", (arn,))
    alone = open_engine(project, tmp_path / "state")
    assert alone.wait(child, timeout=5).status == "SUCCEEDED"
    alone.close()
    with sqlite3.connect(tmp_path / "state" / "flows.db") as db:
        db.execute("UPDATE executions SET status = 'RUNNING' WHERE arn = ?", (arn,))
    resumed = open_engine(project, tmp_path / "state")
    try:
        assert resumed.wait(arn, timeout=5).output == {"k": 1}
    finally:
        resumed.close()


def test_a_running_express_execution_starts_over_after_a_restart(tmp_path: Path) -> None:
    project = project_at(tmp_path / "project")
    engine = open_engine(project, tmp_path / "state")
    arn = engine.start("quick", {"a": 1}, owner=OWNER).execution_arn
    engine.close()
    resumed = open_engine(project, tmp_path / "state")
    try:
        described = resumed.wait(arn, timeout=5)
    finally:
        resumed.close()
    assert (described.status, described.output) == ("SUCCEEDED", {"a": 1, "r": "done"})


def test_an_execution_whose_snapshot_cannot_be_read_fails_instead_of_stopping_the_engine(
    tmp_path: Path,
) -> None:
    project = project_at(tmp_path / "project")
    engine = open_engine(project, tmp_path / "state")
    broken = engine.start("waits", {}, owner=OWNER).execution_arn
    fine = engine.start("waits", {"fine": True}, owner=OWNER).execution_arn
    until(lambda: has_event(engine, broken, "WaitStateEntered"))
    engine.close()
    with sqlite3.connect(tmp_path / "state" / "flows.db") as db:
        (seq,) = db.execute("SELECT seq FROM executions WHERE arn = ?", (broken,)).fetchone()
        db.execute("UPDATE snapshots SET body = ? WHERE execution = ?", (json.dumps({"version": 99}), seq))
    resumed = open_engine(project, tmp_path / "state")
    try:
        failed = resumed.wait(broken, timeout=5)
        assert resumed.wait(fine, timeout=5).status == "SUCCEEDED"
    finally:
        resumed.close()
    assert (failed.status, failed.error) == ("FAILED", "States.Runtime")
    assert "could not be resumed" in (failed.cause or "")


def as_version_1(branch: dict[str, Any]) -> None:
    """Rewrite a branch of today's snapshot the way the code of snapshot version 1 wrote it."""
    task = branch.pop("task") or {}
    history = branch.pop("history")
    branch.update(
        retry_count=sum(branch["attempts"]),
        task_id=task.get("id"),
        task_token=task.get("token"),
        heartbeat_deadline=task.get("heartbeat_deadline"),
        heartbeat_seconds=task.get("heartbeat_seconds"),
        history_count=history and history["count"],
        history_recording=history and history["recording"],
    )
    for child in (branch["fanout"] or {"active": {}})["active"].values():
        as_version_1(child)


def test_an_execution_stored_by_an_older_snapshot_format_resumes_after_an_upgrade(tmp_path: Path) -> None:
    project = project_at(tmp_path / "project")
    engine = open_engine(project, tmp_path / "state")
    arn = engine.start("waits", {"n": 1}, owner=OWNER).execution_arn
    until(lambda: has_event(engine, arn, "WaitStateEntered"))
    engine.close()
    with sqlite3.connect(tmp_path / "state" / "flows.db") as db:
        (seq, body) = db.execute(
            "SELECT execution, body FROM snapshots JOIN executions ON seq = execution WHERE arn = ?", (arn,)
        ).fetchone()
        stored = json.loads(body)
        as_version_1(stored["root"])
        stored["version"] = 1
        db.execute("UPDATE snapshots SET body = ? WHERE execution = ?", (json.dumps(stored), seq))
    resumed = open_engine(project, tmp_path / "state")
    try:
        described = resumed.wait(arn, timeout=5)
    finally:
        resumed.close()
    expected = {"n": 1, "before": "before", "version": "v1"}
    assert (described.status, described.output) == ("SUCCEEDED", expected)


def test_an_execution_started_while_the_runner_resumes_the_others_runs_its_task_once(tmp_path: Path) -> None:
    # The race of issue 10: an execution started after open() but before the runner's thread
    # got to resume the stored ones was both restored from its first snapshot and adopted by
    # its start, and its task ran twice. The hook holds the runner's thread before the resume
    # until the start has committed, the exact interleaving, every time.
    project = project_at(tmp_path / "project")
    log = tmp_path / "calls.log"
    first = open_engine(project, tmp_path / "state")
    waiting = first.start("waits", {}, owner=OWNER).execution_arn
    until(lambda: has_event(first, waiting, "WaitStateEntered"))
    first.close()
    resume_may_run = threading.Event()
    seen: list[str] = []

    def hook(event: str, detail: str) -> None:
        if event == "message" and detail == "call" and not resume_may_run.is_set():
            assert resume_may_run.wait(10)  # the runner's first message is the resume: hold it
        elif event in ("take", "refused"):
            seen.append(f"{event} {detail}")

    engine = open_engine(project, tmp_path / "state", hook=hook)
    try:
        started = engine.start("records", {"log": str(log), "seconds": 0}, owner=OWNER).execution_arn
        resume_may_run.set()
        assert engine.wait(started, timeout=5).status == "SUCCEEDED"
        assert engine.wait(waiting, timeout=5).status == "SUCCEEDED"
    finally:
        engine.close()
    assert log.read_text().count("called") == 1
    assert seen.count(f"take {started}") == 1 and f"refused {started}" not in seen
    assert seen.count(f"take {waiting}") == 1


def test_a_second_engine_on_the_folder_stores_starts_and_stops_for_the_first_to_run(tmp_path: Path) -> None:
    project = project_at(tmp_path / "project")
    runner = open_engine(project, tmp_path / "state")
    other = open_engine(project, tmp_path / "state")
    try:
        assert runner.runs_executions and not other.runs_executions
        done = run_to_end(other, "records", {"log": str(tmp_path / "log"), "seconds": 0})
        assert done.status == "SUCCEEDED" and runner.describe(done.execution_arn).status == "SUCCEEDED"
        waiting = other.start("waits", {}, owner=OWNER).execution_arn
        until(lambda: has_event(runner, waiting, "WaitStateEntered"))
        assert other.stop(waiting, cause="from the other process").status == "ABORTED"
        not_yet_taken = other.start("waits", {"n": 2}, owner=OWNER).execution_arn
        assert runner.stop(not_yet_taken).status == "ABORTED"
    finally:
        other.close()
        runner.close()
