"""Snapshot versions: an execution stored by an older sdw resumes after its format changed."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from sdw.asl import SNAPSHOT_VERSION, Execution, ExecutionStatus, SnapshotVersionError, compile_definition
from sdw.asl._snapshots import MIGRATIONS, upgrade_snapshot

from .helpers import ManualClock, drive, start

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "asl" / "snapshots"


def double(request: Any) -> Any:
    return {"n": request.parameters["n"] * 2}


def load_fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return data


def test_a_snapshot_stored_at_version_1_resumes_and_ends_as_it_would_have() -> None:
    # Written by the code of version 1 mid-run: one Map iteration waiting to retry a failed
    # task, one with its task in flight, a third not started, and a Wait in a parallel branch.
    stored = load_fixture("v1-parallel-map-wait.json")
    assert stored["snapshot"]["version"] == 1 < SNAPSHOT_VERSION
    clock = ManualClock(stored["clock"])
    machine = compile_definition(stored["definition"])
    execution = Execution.restore(machine, stored["snapshot"], clock=clock)
    drive(execution, clock, double)
    assert execution.status == ExecutionStatus.SUCCEEDED
    assert execution.output == stored["expected_output"]


def test_the_task_in_flight_and_the_pending_retry_survive_the_migration() -> None:
    stored = load_fixture("v1-parallel-map-wait.json")
    clock = ManualClock(stored["clock"])
    execution = Execution.restore(compile_definition(stored["definition"]), stored["snapshot"], clock=clock)
    (reissued,) = execution.advance()  # the call in flight at the snapshot is issued again
    assert reissued.parameters == {"n": 2}
    assert reissued.task_id == "task-6"
    assert execution.next_deadline == 1_700_000_001.0  # the retry of item 1 keeps its back-off
    migrated = execution.snapshot()
    assert migrated["version"] == SNAPSHOT_VERSION
    assert "retry_count" not in json.dumps(migrated)


def test_upgrading_leaves_the_stored_snapshot_untouched() -> None:
    stored = load_fixture("v1-parallel-map-wait.json")["snapshot"]
    before = copy.deepcopy(stored)
    upgraded = upgrade_snapshot(stored)
    assert stored == before
    assert upgraded["version"] == SNAPSHOT_VERSION
    assert upgraded["root"]["task"] is None and upgraded["root"]["history"] is None


def test_a_snapshot_of_the_current_version_round_trips_unchanged() -> None:
    execution, _ = start({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 5, "End": True}}})
    execution.advance()
    snapshot = execution.snapshot()
    assert upgrade_snapshot(snapshot) == snapshot


def test_a_future_field_change_is_played_against_a_snapshot_stored_today() -> None:
    # Simulate version N+1 renaming the execution's "counter" field: today's snapshot,
    # stored before that change, is read through the new migration.
    execution, _ = start({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 5, "End": True}}})
    execution.advance()
    stored = json.loads(json.dumps(execution.snapshot()))

    def rename_counter(snapshot: dict[str, Any]) -> dict[str, Any]:
        snapshot["next_task_number"] = snapshot.pop("counter")
        return snapshot

    future = {**MIGRATIONS, SNAPSHOT_VERSION: rename_counter}
    upgraded = upgrade_snapshot(stored, version=SNAPSHOT_VERSION + 1, migrations=future)
    assert upgraded["version"] == SNAPSHOT_VERSION + 1
    assert upgraded["next_task_number"] == stored["counter"]
    assert "counter" not in upgraded and "counter" in stored


@pytest.mark.parametrize("version", [SNAPSHOT_VERSION + 1, 0, None, "2", True])
def test_does_refuse_a_snapshot_newer_than_the_code_or_without_a_known_version(version: Any) -> None:
    stored = load_fixture("v1-parallel-map-wait.json")
    snapshot = {**stored["snapshot"], "version": version}
    with pytest.raises(SnapshotVersionError) as info:
        Execution.restore(compile_definition(stored["definition"]), snapshot)
    assert info.value.version == version
    assert str(SNAPSHOT_VERSION) in str(info.value)


def test_does_refuse_a_version_no_migration_leads_from() -> None:
    snapshot = load_fixture("v1-parallel-map-wait.json")["snapshot"]
    with pytest.raises(SnapshotVersionError):
        upgrade_snapshot(snapshot, migrations={})
