"""``sdw executions``: the caller's executions on the running ``sdw dev``, and one's history.

    sdw executions list [--flow F] [--status S] [--limit N] [--owner schedule] [--json]   newest first
    sdw executions show ID [--flow F] [--json]                          the history as a timeline

Both call the endpoints over HTTP as the dev user (or ``--token``), like ``sdw run``
(sdw/cli/_flow_client.py says why). ``list`` is ``GET /runs``: one page of at most
``--limit`` rows; when there are more, it says how to get the next page. Scheduled runs
belong to the principal ``schedule``, not to you: ``--flow F`` lists F's scheduled runs
beside yours (the first page of each, merged newest first, marked ``schedule``),
``--owner schedule`` lists only them (and pages through them), and ``show`` finds them too.

``show`` takes an execution id, its ARN, or the ``--name`` it was started with (the id a
given name became: see sdw/system/_flows.py). The endpoint needs the flow too: an ARN
names it, ``--flow`` gives it, and otherwise the caller's executions are searched for that
id (an id used by two flows asks for ``--flow``). It prints the execution (status, dates,
duration), every event with the time since the start and since the event before (where
the time went), then the output, or the error and cause; an EXPRESS execution has no
history (Step Functions keeps none), so it shows the execution and its result alone. Exit
status 1 when the execution or its flow does not exist; the execution's own status does
not change it.
"""

from __future__ import annotations

import json
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sdw.cli._common import create_flow_client, reports_errors, token_option, with_config
from sdw.cli._config import Config
from sdw.cli._flow_client import FlowClient, FlowClientError
from sdw.cli._timeline import (
    format_duration,
    format_run_time,
    format_time,
    is_express,
    parse_time,
    timeline,
)
from sdw.system import SCHEDULE_OWNER, ExecutionStatus, owned_execution_name

STATUS_COLOURS = {"RUNNING": "cyan", "SUCCEEDED": "green", "FAILED": "red", "TIMED_OUT": "red",
                  "ABORTED": "yellow"}
SEARCH_PAGE = 1000  # ListExecutions' largest page
PIPE_WIDTH = 200


@click.group()
def executions() -> None:
    """Executions of the project's flows on the running `sdw dev` (yours only)."""


@executions.command(name="list")
@click.option("--flow", help="Only this flow's executions.")
@click.option("--status", type=click.Choice(ExecutionStatus.ALL, case_sensitive=False),
              help="Only executions with this status.")
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True,
              help="At most this many rows (1-1000).")
@click.option("--next-token", help="The page after the one that printed this token.")
@click.option("--owner", type=click.Choice([SCHEDULE_OWNER]),
              help="List the scheduled runs (owner 'schedule') instead of yours.")
@click.option("--json", "as_json", is_flag=True, help="Print the page as JSON instead of a table.")
@token_option
@with_config
@reports_errors
def list_executions(flow: str | None, status: str | None, limit: int, next_token: str | None,
                    owner: str | None, as_json: bool, token: str | None, config: Config) -> None:
    """List your executions (or, with --owner schedule, the scheduled ones), newest first."""
    client = create_flow_client(config, token)
    wanted = status.upper() if status else None
    page = client.runs(flow=flow, status=wanted, limit=limit, next_token=next_token, owner=owner)
    scheduled: dict[str, Any] = {"executions": []}
    if flow and owner is None and next_token is None:  # a flow's scheduled runs are part of its story
        scheduled = client.runs(flow=flow, status=wanted, limit=limit, owner=SCHEDULE_OWNER)
    rows = _newest_first([{**row, "scheduled": owner == SCHEDULE_OWNER} for row in page["executions"]]
                         + [{**row, "scheduled": True} for row in scheduled["executions"]])
    if as_json:
        merged = {**page, "executions": rows}
        if scheduled.get("nextToken"):
            merged["scheduledNextToken"] = scheduled["nextToken"]
        click.echo(json.dumps(merged, indent=2))
        return
    console = _console()
    if not rows:
        filtered = flow or status or next_token
        console.print("No executions." + ("" if filtered else " Start one: sdw run <flow>"))
        return
    table = Table(title="Executions", title_justify="left")
    for column in ("ID", "Flow", "Status", "Started (UTC)", "Duration", "Owner"):
        table.add_column(column, no_wrap=True, min_width=36 if column == "ID" else None)
    for row in rows:
        table.add_row(
            escape(str(row["executionId"])),
            escape(str(row["flow"])),
            _status(str(row["status"])),
            escape(str(row.get("startDate") or "-")),
            format_run_time(row),
            SCHEDULE_OWNER if row["scheduled"] else "you",
        )
    console.print(table)
    if scheduled.get("nextToken"):
        again = [f"--flow {flow}", f"--owner {SCHEDULE_OWNER}", f"--limit {limit}",
                 *([f"--status {wanted}"] if wanted else []), f"--next-token {scheduled['nextToken']}"]
        console.print(escape("More scheduled runs: sdw executions list " + " ".join(again)))
    if page.get("nextToken"):
        again = [f"--limit {limit}", *([f"--flow {flow}"] if flow else []),
                 *([f"--owner {owner}"] if owner else []),
                 *([f"--status {status.upper()}"] if status else []), f"--next-token {page['nextToken']}"]
        console.print(escape("More: sdw executions list " + " ".join(again)))


def _newest_first(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda row: parse_time(row.get("startDate")) or 0.0, reverse=True)


@executions.command()
@click.argument("execution")
@click.option("--flow", help="The execution's flow (needed only when two flows use this id).")
@click.option("--json", "as_json", is_flag=True, help="Print the description and the events as JSON.")
@token_option
@with_config
@reports_errors
def show(execution: str, flow: str | None, as_json: bool, token: str | None, config: Config) -> None:
    """Show one execution (ID or ARN) and its history as a timeline."""
    client = create_flow_client(config, token)
    flow = flow or find_flow(client, execution)
    described = client.describe(flow, execution)
    express = is_express(described)  # Step Functions keeps no history of an EXPRESS execution
    events = [] if express else list(client.history(flow, execution))
    if as_json:
        click.echo(json.dumps({"execution": described, "events": events}, indent=2, ensure_ascii=False))
        return
    console = _console()
    _print_header(console, described)
    if express:
        console.print("An EXPRESS execution keeps no history (Step Functions sends its events to CloudWatch "
                      "Logs only).")
        _print_result(console, described)
        return
    table = Table(box=None, pad_edge=False)
    for column, justify in (("#", "right"), ("Time (UTC)", "left"), ("Since start", "right"),
                            ("Step", "right"), ("Event", "left"), ("Detail", "left")):
        table.add_column(column, justify=justify, no_wrap=column != "Detail")  # type: ignore[arg-type]
    for row in timeline(events, parse_time(described.get("startDate"))):
        failed = row.type.endswith(("Failed", "TimedOut", "Aborted"))
        table.add_row(str(row.event_id), format_time(row.at), format_duration(row.since_start),
                      format_duration(row.since_previous),
                      f"[red]{escape(row.type)}[/]" if failed else escape(row.type), escape(row.detail))
    console.print(table)
    _print_result(console, described)


def find_flow(client: FlowClient, execution: str) -> str:
    """The flow of ``execution``: from its ARN, or by searching the caller's executions for the id."""
    if execution.startswith("arn:"):
        parts = execution.split(":")  # ...:execution:<machine>:<name> or ...:express:<machine>:<name>:<run>
        if (len(parts), parts[5:6]) in ((8, ["execution"]), (9, ["express"])):
            return parts[6]  # the state machine's name, which the endpoints accept for the flow
        raise FlowClientError(f"{execution!r} is not an execution ARN (arn:aws:states:...:execution:FLOW:ID)")
    flows = _flows_with(client, {execution}) + _flows_with(client, {execution}, owner=SCHEDULE_OWNER)
    if not flows:  # the name given at the start, which the execution's id is derived from
        flows = _flows_with(client, {owned_execution_name(client.caller_id(), execution)})
    if not flows:
        raise FlowClientError(f"Execution {execution!r} does not exist.")
    if len(flows) > 1:
        raise FlowClientError(
            f"{len(flows)} flows have an execution {execution!r} ({', '.join(sorted(flows))}): add --flow"
        )
    return flows[0]


def _flows_with(client: FlowClient, ids: set[str], owner: str | None = None) -> list[str]:
    """The flows of the caller's (or ``owner``'s, e.g. the schedules') executions whose id is in ``ids``."""
    flows: list[str] = []
    token: str | None = None
    while True:
        page = client.runs(limit=SEARCH_PAGE, next_token=token, owner=owner)
        flows += [str(row["flow"]) for row in page["executions"] if row["executionId"] in ids]
        token = page.get("nextToken")
        if not token:
            return flows


def _console() -> Console:
    """stdout; when it is not a terminal, wide enough that ids and ARNs are never cut."""
    console = Console(highlight=False)
    return console if console.is_terminal else Console(highlight=False, width=PIPE_WIDTH)


def _status(status: str) -> str:
    return f"[{STATUS_COLOURS.get(status, 'white')}]{escape(status)}[/]"


def _print_header(console: Console, described: dict[str, Any]) -> None:
    took = format_run_time(described)
    console.print(f"[bold]{escape(str(described['flow']))}[/] {escape(str(described['executionId']))}  "
                  f"{_status(str(described['status']))}")
    console.print(f"  ARN      {escape(str(described['executionArn']))}")
    console.print(f"  Started  {escape(str(described.get('startDate') or '-'))}")
    console.print(f"  Stopped  {escape(str(described.get('stopDate') or '-'))}  ({took})")
    console.print("")


def _print_result(console: Console, described: dict[str, Any]) -> None:
    console.print("")
    status = described.get("status")
    if status == "SUCCEEDED":
        console.print("Output:")
        console.print(escape(json.dumps(described.get("output"), indent=2, ensure_ascii=False)))
    elif status != "RUNNING":
        console.print(f"Error:  {escape(str(described.get('error') or '-'))}")
        console.print(f"Cause:  {escape(str(described.get('cause') or '-'))}")
