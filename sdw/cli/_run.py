"""``sdw run FLOW``: start a flow on the running ``sdw dev``, and with ``--wait`` follow it to its end.

    sdw run helloWorldFlow --input '{"name": "Ada"}'          start; print the execution's ARN, id, start
    sdw run dummy2StepFlow --input @input.json --wait         follow it step by step, then print the output
    sdw run nightly --name 2027-01-15 --input @- < in.json    a named run (a name is taken once per flow)

It calls ``POST /run/{flow}`` of ``sdw dev`` over HTTP, as the dev user (or ``--token``):
see sdw/cli/_flow_client.py for why the CLI does not open the engine itself. ``--input``
is JSON or ``@FILE`` (``@-`` reads stdin) and must be a JSON object; it is checked here
first, so a typo is reported with its line and column before anything is sent.

With ``--wait`` the events are printed on stderr as they happen (time since the start,
event type, state), under a spinner on a terminal; the output alone goes to stdout, so
``sdw run f --wait > out.json`` keeps it clean. Exit status: 0 when the execution
succeeded; 1 when it failed, timed out or was aborted (its error and cause are printed),
or when the request failed; 2 for a bad ``--input``. Ctrl-C stops following, not the run.
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape

from sdw.cli._common import create_flow_client, reports_errors, token_option, with_config
from sdw.cli._config import Config
from sdw.cli._flow_client import FlowClient
from sdw.cli._timeline import (
    TimelineRow,
    format_duration,
    format_run_time,
    is_express,
    parse_time,
    timeline,
)
from sdw.system import json_kind

POLL_FIRST_S = 0.05  # the examples end within tens of milliseconds
POLL_MAX_S = 0.5
ENDED_BADLY = {"FAILED": "red", "TIMED_OUT": "red", "ABORTED": "yellow"}


class BadInputError(click.ClickException):
    """A bad ``--input``: one line, exit status 2, as for any other bad argument."""

    exit_code = 2


@click.command("run")
@click.argument("flow")
@click.option("--input", "input_text", metavar="JSON|@FILE",
              help="The execution input: a JSON object, or @FILE (@- for stdin). Default: {}.")
@click.option("--name", help="The execution's name (1-80 characters); default: a generated id.")
@click.option("--wait", is_flag=True, help="Follow the execution step by step, then print its output.")
@token_option
@with_config
@reports_errors
def run(flow: str, input_text: str | None, name: str | None, wait: bool, token: str | None,
        config: Config) -> None:
    """Start FLOW on the running `sdw dev` (with --wait: follow it and print its output)."""
    body = read_input(input_text)
    client = create_flow_client(config, token)
    started = client.start(flow, body, name)
    if not wait:
        click.echo(json.dumps(started, indent=2))
        return
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    execution = str(started["executionId"])
    console.print(f"[bold]{escape(flow)}[/] {escape(execution)} started")
    try:
        final = follow(client, flow, execution, console, start=parse_time(started.get("startDate")))
    except KeyboardInterrupt:
        console.print(f"Stopped following; the execution goes on: sdw executions show {execution}")
        raise click.exceptions.Exit(130) from None
    report_end(final, console)


def read_input(text: str | None) -> bytes:
    """The body to send: ``text`` or the file it names, checked to be one JSON object."""
    if text is None:
        return b"{}"
    source = "--input"
    if text.startswith("@"):
        source = f"--input {text}"
        raw = _read_file(text[1:], source)
    else:
        raw = text.encode("utf-8")
    try:
        value = json.loads(raw.decode("utf-8")) if raw.strip() else {}
    except UnicodeDecodeError as exc:
        raise BadInputError(f"{source} is not UTF-8 (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise BadInputError(f"{source} is not valid JSON: {exc.msg} at {where}") from None
    except RecursionError:
        raise BadInputError(f"{source} is nested too deeply to read") from None
    if not isinstance(value, dict):
        raise BadInputError(f"{source} must be a JSON object ({{...}}), not {json_kind(value)}")
    return raw if raw.strip() else b"{}"


def follow(client: FlowClient, flow: str, execution: str, console: Console,
           start: float | None = None) -> dict[str, Any]:
    """Print the execution's events as they come until it ends; its final description.

    An EXPRESS execution has no history to read (Step Functions keeps none: its events go to
    CloudWatch Logs only), so it is followed by its status alone.
    """
    last_seen = 0
    delay = POLL_FIRST_S
    express: bool | None = None
    with _spinner(console, f"{flow} {execution}: running") as update:
        while True:
            # describe before reading events: once it says ended, the events read next hold the end
            described = client.describe(flow, execution)
            if express is None:
                express = is_express(described)
                if express:
                    console.print("  (an EXPRESS execution keeps no history: its status alone is followed)")
            if not express:
                for row in timeline(_events_after(client, flow, execution, last_seen), start):
                    console.print(_line(row))
                    last_seen = max(last_seen, row.event_id)
            if described.get("status") != "RUNNING":
                return described
            elapsed = None if start is None else time.time() - start
            update(f"{flow} {execution}: running {format_duration(elapsed)}")
            time.sleep(delay)
            delay = min(delay * 1.5, POLL_MAX_S)


def report_end(described: dict[str, Any], console: Console) -> None:
    """The output on stdout, or the error and cause on stderr and exit status 1."""
    status = str(described.get("status"))
    took = format_run_time(described)
    if status == "SUCCEEDED":
        console.print(f"[green]SUCCEEDED[/] in {took}")
        click.echo(json.dumps(described.get("output"), indent=2, ensure_ascii=False))
        return
    colour = ENDED_BADLY.get(status, "red")
    console.print(f"[{colour}]{escape(status)}[/] after {took}")
    console.print(f"error: {escape(str(described.get('error') or '-'))}")
    console.print(f"cause: {escape(str(described.get('cause') or '-'))}")
    raise click.exceptions.Exit(1)


def _events_after(client: FlowClient, flow: str, execution: str, last_seen: int) -> list[dict[str, Any]]:
    """The events with an id above ``last_seen``, oldest first: newest pages until a seen one."""
    fresh: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = client.history_page(flow, execution, limit=100, next_token=token, reverse=True)
        for event in page["events"]:
            if int(event.get("id", 0)) <= last_seen:
                return fresh[::-1]
            fresh.append(event)
        token = page.get("nextToken")
        if not token:
            return fresh[::-1]


def _line(row: TimelineRow) -> str:
    colour = "red" if row.type.endswith(("Failed", "TimedOut", "Aborted")) else "cyan"
    return (f"  {format_duration(row.since_start):>10}  [{colour}]{escape(row.type):<28}[/] "
            f"{escape(row.detail)}")


@contextlib.contextmanager
def _spinner(console: Console, text: str) -> Iterator[Callable[[str], None]]:
    """A live status line on a terminal; nothing elsewhere (the event lines are enough there)."""
    if not console.is_terminal:
        yield lambda _text: None
        return
    with console.status(escape(text)) as status:
        yield lambda new: status.update(escape(new))


def _read_file(path: str, source: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise BadInputError(f"{source}: no such file") from None
    except IsADirectoryError:
        raise BadInputError(f"{source}: is a folder, not a file") from None
    except OSError as exc:
        raise BadInputError(f"{source}: cannot read it ({exc.strerror or exc})") from None
