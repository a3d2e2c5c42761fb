"""``sdw schedules ...``: the project's scheduled flows, and firing them by hand at a given time.

    sdw schedules list [--json] [--from ISO-TIME]   each schedule and its next 5 fire times (UTC)
    sdw schedules tick --at ISO-TIME                fire every schedule due at that minute, once

``tick`` opens the state folder's engine itself, in store-only mode: it records the
scheduled executions (owner ``schedule``) and the fires, and the process that runs
executions runs them: a running ``sdw dev`` at once (it is nudged), or the next one to
start. So it works with or without a server, never runs user code in the CLI's process,
and never races ``sdw dev``'s own scheduler: both record each (schedule, due time) once,
so the same ``--at`` twice starts nothing the second time. It prints one JSON line per
started execution (``executionArn``, ``executionId``, ``flow``, ``scheduledTime``,
``startDate``). Git plugins are used as ``sdw dev`` last fetched them (no network here).
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from typing import Any

import click

from sdw.cli._common import reports_errors, with_config
from sdw.cli._config import Config
from sdw.local import (
    LocalInvoker,
    LocalScheduler,
    ScheduleStore,
    StateDir,
    create_flow_engine,
    create_git_plugin_fetcher,
    schedule_key,
)
from sdw.project import LoadResult, fire_times, load_project

NEXT_TIMES = 5


def parse_moment(text: str, option: str) -> datetime:
    """An ISO-8601 time with a zone (``2030-01-01T12:00:00Z``), else a one-line error naming ``option``."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not an ISO-8601 time such as 2030-01-01T12:00:00Z",
                                 param_hint=option) from None
    if moment.tzinfo is None:
        raise click.BadParameter(f"{text!r} has no time zone: add Z for UTC (schedules run in UTC)",
                                 param_hint=option)
    return moment.astimezone(UTC)


def _load(config: Config) -> LoadResult:
    from sdw.asl import validate_definition

    fetcher = create_git_plugin_fetcher(config.state_dir, os.environ, offline=True)
    return load_project(config.project_root, validate_definition=validate_definition, region=config.region,
                        fetch_plugin=fetcher)


@click.group()
def schedules() -> None:
    """Scheduled flows (a flow's `schedule:`), as EventBridge fires them."""


@schedules.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--from", "start", help="Count the fire times from this ISO-8601 time (default: now).")
@with_config
@reports_errors
def list_schedules(as_json: bool, start: str | None, config: Config) -> None:
    """Each schedule with its next 5 fire times, and its last fire."""
    after = parse_moment(start, "--from") if start else datetime.now(UTC)
    project = _load(config).project
    store = ScheduleStore(StateDir(config.state_dir)) if config.state_dir.is_dir() else None
    rows: list[dict[str, Any]] = []
    for flow in project.flows:
        if flow.schedule is None:
            continue
        last = store.last_fire(schedule_key(flow)) if store is not None else None
        rows.append({
            "flow": flow.key,
            "schedule": str(flow.schedule),
            "input": flow.input,
            "next": [t.strftime("%Y-%m-%dT%H:%M:%SZ") for t in fire_times(flow.schedule, after, NEXT_TIMES)],
            "lastFire": None if last is None else {"scheduledTime": last[0], "executionArn": last[1]},
        })
    if store is not None:
        store.close()
    if as_json:
        click.echo(json.dumps({"schedules": rows}, indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("No scheduled flows. Give a flow a schedule: rate(5 minutes) or cron(0 12 * * ? *)")
        return
    for row in rows:
        last_fire = row["lastFire"]
        fired = f"  last fired for {last_fire['scheduledTime']}" if last_fire else ""
        click.echo(f"{row['flow']}  {row['schedule']}{fired}")
        for moment in row["next"] or ["(never again)"]:
            click.echo(f"    {moment}")


@schedules.command()
@click.option("--at", "at", required=True, help="The moment, ISO-8601 with a zone: 2030-01-01T12:00:00Z.")
@with_config
@reports_errors
def tick(at: str, config: Config) -> None:
    """Fire, once, every schedule due at that minute; print each started execution as a JSON line."""
    moment = parse_moment(at, "--at")
    load = _load(config)
    project = load.project
    if not any(flow.schedule is not None for flow in project.flows):
        return
    state = StateDir(config.state_dir)
    engine = create_flow_engine(project, state, LocalInvoker(project), region=config.region,
                                run_executions=False)
    scheduler = LocalScheduler(project.flows, ScheduleStore(state), engine.start, region=config.region)
    try:
        for fired in scheduler.tick(moment):
            click.echo(json.dumps(fired.as_json()))
    finally:
        scheduler.store.close()
        engine.close()
