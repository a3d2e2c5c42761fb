"""The local scheduler on a real engine and schedules.db: once per due time, restarts, missed runs."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sdw.local import (
    LocalFlowEngine,
    LocalInvoker,
    LocalScheduler,
    ScheduleStore,
    StateDir,
    create_flow_engine,
)
from sdw.project import Project, load_project
from sdw.system import SCHEDULE_OWNER, scheduled_execution_name

FLOWS = {
    "hourly": {"schedule": "cron(0 * * * ? *)", "input": {"report": "hourly"}},
    "every5": {"schedule": "rate(5 minutes)"},  # no static input: EventBridge's Scheduled Event
    "newYear": {"schedule": "cron(0 0 1 1 ? *)", "input": {}},
    "quick": {"schedule": "cron(* * * * ? *)", "input": {"q": 1}, "type": "EXPRESS"},
}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def write_flows(root: Path, names: list[str]) -> None:
    (root / "flows").mkdir(parents=True, exist_ok=True)
    for name in names:
        spec = {"name": name, **FLOWS[name],
                "definition": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}
        (root / "flows" / f"{name}.yml").write_text(json.dumps(spec))


class World:
    def __init__(self, tmp_path: Path) -> None:
        self.root, self.state = tmp_path / "project", StateDir(tmp_path / "state")
        write_flows(self.root, ["hourly", "every5", "newYear", "quick"])
        self.project: Project = load_project(self.root).project
        invoker = LocalInvoker(self.project)
        self.engine: LocalFlowEngine = create_flow_engine(self.project, self.state, invoker)
        self.schedulers: list[LocalScheduler] = []

    def scheduler(self, project: Project | None = None) -> LocalScheduler:
        """A scheduler as a fresh ``sdw dev`` makes it: new objects, the same state folder."""
        made = LocalScheduler((project or self.project).flows, ScheduleStore(self.state), self.engine.start)
        self.schedulers.append(made)
        return made

    def scheduled_runs(self, flow: str) -> list[str]:
        page = self.engine.list(owner=SCHEDULE_OWNER, flow=flow, limit=1000)
        return [row.execution_id for row in page.items]

    def close(self) -> None:
        for scheduler in self.schedulers:
            scheduler.store.close()
        self.engine.close()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    made = World(tmp_path)
    yield made
    made.close()


def fired(scheduler: LocalScheduler, when: str, *, advance: bool = False) -> list[tuple[str, str]]:
    done = scheduler.advance(at(when)) if advance else scheduler.tick(at(when))
    return sorted((f.flow, f.due.strftime("%Y-%m-%dT%H:%M")) for f in done)


def test_tick_fires_every_schedule_due_at_that_minute_once(world: World) -> None:
    scheduler = world.scheduler()
    done = scheduler.tick(at("2030-01-01T00:00:30"))  # seconds do not count
    assert sorted(f.flow for f in done) == ["every5", "hourly", "newYear", "quick"]
    line = next(f for f in done if f.flow == "hourly").as_json()
    assert line["executionArn"].endswith(":execution:hourly:schedule-20300101T0000Z")
    assert line["scheduledTime"] == "2030-01-01T00:00:00Z"
    assert fired(scheduler, "2030-01-01T00:00") == []  # the same --at twice starts nothing
    assert fired(world.scheduler(), "2030-01-01T00:00") == []  # nor after a restart
    assert fired(scheduler, "2030-01-01T00:03") == [("quick", "2030-01-01T00:03")]
    assert fired(scheduler, "2030-01-01T00:05") == [("every5", "2030-01-01T00:05"),
                                                    ("quick", "2030-01-01T00:05")]
    assert stat.S_IMODE((world.state.path / "schedules.db").stat().st_mode) == 0o600


def test_a_scheduled_run_is_owned_by_schedule_and_starts_with_the_static_input(world: World) -> None:
    world.scheduler().tick(at("2030-01-01T00:00"))
    (hourly_run,) = world.engine.list(owner=SCHEDULE_OWNER, flow="hourly").items
    hourly = world.engine.wait(hourly_run.execution_arn, timeout=10)
    assert (hourly.owner, hourly.input, hourly.status) == (SCHEDULE_OWNER, {"report": "hourly"}, "SUCCEEDED")
    (every5,) = world.engine.list(owner=SCHEDULE_OWNER, flow="every5").items
    event = world.engine.describe(every5.execution_arn).input
    assert event["detail-type"] == "Scheduled Event" and event["source"] == "aws.events"
    assert event["time"] == "2030-01-01T00:00:00Z" and event["resources"] == [
        "arn:aws:events:us-east-1:000000000000:rule/every5-schedule"]
    assert world.engine.list(owner="someone", limit=10).items == []


def test_the_loop_fires_what_fell_due_since_it_last_looked(world: World) -> None:
    scheduler = world.scheduler()
    assert fired(scheduler, "2030-06-01T10:58", advance=True) == []  # the first look: nothing was missed
    assert fired(scheduler, "2030-06-01T10:59:30", advance=True) == [("quick", "2030-06-01T10:59")]
    assert fired(scheduler, "2030-06-01T11:00:01", advance=True) == [
        ("every5", "2030-06-01T11:00"), ("hourly", "2030-06-01T11:00"), ("quick", "2030-06-01T11:00")]
    assert fired(scheduler, "2030-06-01T11:00:40", advance=True) == []
    assert fired(scheduler, "2030-06-01T11:00", advance=False) == []  # tick and loop share the record


def test_after_a_restart_each_schedule_fires_once_for_the_latest_run_it_missed(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    before = world.scheduler()
    assert fired(before, "2030-06-01T10:00:10", advance=True) == []
    assert fired(before, "2030-06-01T10:01:00", advance=True) == [("quick", "2030-06-01T10:01")]
    # down from 10:01 to 15:32: five hourly runs, 66 of every5, 331 of quick were missed
    after = world.scheduler()
    assert fired(after, "2030-06-01T15:32:00", advance=True) == [
        ("every5", "2030-06-01T15:30"), ("hourly", "2030-06-01T15:00"), ("quick", "2030-06-01T15:32")]
    assert world.scheduled_runs("hourly") == [scheduled_execution_name(at("2030-06-01T15:00"))]
    assert fired(after, "2030-06-01T15:32:30", advance=True) == []
    skipped = [record.getMessage() for record in caplog.records if "skipped" in record.getMessage()]
    assert skipped == [
        "every5: skipped 65 runs missed while sdw dev was down (due 2030-06-01T10:05Z to 2030-06-01T15:25Z);"
        " missed runs are not replayed",
        "hourly: skipped 4 runs missed while sdw dev was down (due 2030-06-01T11:00Z to 2030-06-01T14:00Z);"
        " missed runs are not replayed",
        "quick: skipped 330 runs missed while sdw dev was down (due 2030-06-01T10:02Z to 2030-06-01T15:31Z);"
        " missed runs are not replayed",
    ]


def test_a_run_missed_more_than_a_day_ago_is_not_fired_after_a_restart(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    assert fired(world.scheduler(), "2030-12-31T23:00", advance=True) == []
    after = world.scheduler()
    found = fired(after, "2031-01-02T00:30", advance=True)  # newYear's 2031-01-01T00:00 is 24.5 hours old
    assert "newYear" not in [flow for flow, _ in found]
    assert (
        "newYear: skipped 1 run missed while sdw dev was down (due 2031-01-01T00:00Z to 2031-01-01T00:00Z)"
        in caplog.text
    )
    assert ("hourly", "2031-01-02T00:00") in found


def test_a_schedule_first_seen_after_a_restart_has_missed_nothing(world: World, tmp_path: Path) -> None:
    only_hourly = load_project(world.root).project
    flows = tuple(flow for flow in only_hourly.flows if flow.key == "hourly")
    first = LocalScheduler(flows, ScheduleStore(world.state), world.engine.start)
    world.schedulers.append(first)
    assert fired(first, "2030-06-01T10:00:10", advance=True) == []
    found = fired(world.scheduler(), "2030-06-01T12:10", advance=True)
    assert found == [("hourly", "2030-06-01T12:00")]  # every5, newYear and quick are new: nothing missed


def test_a_run_started_before_a_crash_is_not_started_again(world: World) -> None:
    name = scheduled_execution_name(at("2030-01-01T00:00"))
    # started, and the process died before recording it
    started = world.engine.start("hourly", {"report": "hourly"}, owner=SCHEDULE_OWNER, name=name)
    world.engine.wait(started.execution_arn, timeout=10)
    assert "hourly" not in [f.flow for f in world.scheduler().tick(at("2030-01-01T00:00"))]
    assert world.scheduled_runs("hourly") == [name]


def test_a_changed_expression_is_a_new_schedule(world: World, tmp_path: Path) -> None:
    world.scheduler().tick(at("2030-01-01T00:00"))
    spec = json.loads((world.root / "flows" / "hourly.yml").read_text())
    spec["schedule"] = "cron(0 0 * * ? *)"
    (world.root / "flows" / "hourly.yml").write_text(json.dumps(spec))
    changed = load_project(world.root).project
    assert changed.flow("hourly") is not None
    assert fired(world.scheduler(changed), "2030-01-02T00:00") == [
        ("every5", "2030-01-02T00:00"), ("hourly", "2030-01-02T00:00"), ("quick", "2030-01-02T00:00")]


def test_next_due_follows_the_loop(world: World) -> None:
    scheduler = world.scheduler()
    scheduler.advance(at("2030-06-01T10:00:10"))
    scheduler.advance(at("2030-06-01T10:00:20"))
    assert scheduler.next_due() == at("2030-06-01T10:01")
