"""The features as a user runs them: sdw secrets/connections/schedules, a scaffolded git plugin, sdw dev."""

from __future__ import annotations

import json
import re
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.integration.test_cli_dev import DevProcess
from tests.integration.test_cli_run import one_error_line, sdw
from tests.plugin_support import published_plugin

REPO = Path(__file__).resolve().parents[2]
SHOW = """\
import os

def handler(event, context):
    return {"key": os.environ.get("API_KEY"), "event": event}
"""
NIGHTLY = """\
name: nightly
schedule: cron(0 12 * * ? *)
input: {api: "{{connection:ai}}"}
functions:
  - {name: show, handler: functions/lib/show/handler.handler}
definition:
  StartAt: Show
  States:
    Show: {Type: Task, Resource: '${showArn}', End: true}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project with a secret-reading function, a scheduled flow and a scaffolded plugin in git."""
    root = tmp_path / "project"
    (root / "functions" / "lib" / "show").mkdir(parents=True)
    (root / "functions" / "lib" / "show" / "handler.py").write_text(SHOW)
    config = "secrets: [API_KEY]\nconnections: {ai: openai}\n"
    (root / "functions" / "lib" / "show" / "function.yml").write_text(config)
    (root / "flows").mkdir()
    (root / "flows" / "nightly.yml").write_text(NIGHTLY)
    bare = published_plugin("greeter", tmp_path)
    plugins = [f"git+file://{bare}#main", f"git+file://{bare}#no-such-branch"]
    entries = [plugins[0], {"path": plugins[1], "name": "broken"}]
    (root / "config.json").write_text(json.dumps({"plugins": entries}))
    return root


def run(project: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return sdw(*args, "--state-dir", str(project.parent / "state"), cwd=project, stdin=stdin)


def test_secrets_and_connections_round_trip_through_the_cli(project: Path) -> None:
    assert run(project, "secrets", "put", "API_KEY", "--value", "k-1").returncode == 0
    assert run(project, "secrets", "put", "FROM_STDIN", stdin="s-2\n").returncode == 0
    assert run(project, "secrets", "get", "FROM_STDIN").stdout == "s-2\n"
    listed = json.loads(run(project, "secrets", "list", "--json").stdout)
    assert [(s["name"], s["path"]) for s in listed] == [("API_KEY", "/sdw/local/API_KEY"),
                                                        ("FROM_STDIN", "/sdw/local/FROM_STDIN")]
    assert "k-1" not in run(project, "secrets", "list").stdout
    assert run(project, "secrets", "delete", "FROM_STDIN").returncode == 0
    missing = run(project, "secrets", "get", "FROM_STDIN")
    assert missing.returncode == 1
    assert "no secret 'FROM_STDIN' (/sdw/local/FROM_STDIN)" in one_error_line(missing)
    bad = run(project, "secrets", "put", "/sdw/x/API_KEY", "--value", "v")
    assert bad.returncode == 1 and "is a path; write the name only (API_KEY)" in one_error_line(bad)
    put = run(project, "connections", "put", "ai", "--type", "openai", "--value", '{"apiKey": "sk-1"}')
    assert put.returncode == 0, put.stderr
    assert json.loads(run(project, "connections", "get", "ai").stdout) == {"type": "openai",
                                                                           "value": {"apiKey": "sk-1"}}
    not_json = run(project, "connections", "put", "ai", "--type", "openai", "--value", "{nope")
    assert not_json.returncode == 1 and "the value is not JSON (line 1, column 2)" in one_error_line(not_json)


def test_schedules_list_shows_the_next_five_times_and_tick_fires_once(project: Path) -> None:
    listed = run(project, "schedules", "list", "--json", "--from", "2030-01-01T13:00:00Z")
    assert listed.returncode == 0, listed.stderr
    (row,) = json.loads(listed.stdout)["schedules"]
    assert row["next"] == [f"2030-01-0{d}T12:00:00Z" for d in range(2, 7)]
    first = run(project, "schedules", "tick", "--at", "2030-01-01T12:00:00Z")
    assert first.returncode == 0, first.stderr
    (line,) = [json.loads(text) for text in first.stdout.splitlines()]
    assert line["executionArn"].endswith(":execution:nightly:schedule-20300101T1200Z")
    again = run(project, "schedules", "tick", "--at", "2030-01-01T12:00:00Z")
    assert (again.returncode, again.stdout) == (0, "")
    assert run(project, "schedules", "tick", "--at", "2030-01-01T12:01:00Z").stdout == ""
    naive = run(project, "schedules", "tick", "--at", "2030-01-01T12:00")
    assert naive.returncode == 2 and "has no time zone" in naive.stderr


def test_sdw_dev_serves_a_git_plugin_runs_scheduled_flows_and_names_what_is_wrong(
    project: Path, free_port: int
) -> None:
    run(project, "connections", "put", "ai", "--type", "openai", "--value", '{"apiKey": "sk-1"}')
    state = str(project.parent / "state")
    dev = DevProcess(["--port", str(free_port), "--project-dir", str(project), "--state-dir", state])
    try:
        token = dev.wait_for(r"Authorization: Bearer ([\w.-]+)").group(1)
        dev.wait_for(r"Listening on")
        output = "".join(dev.output)
        assert "error: function 'show': secret not set: API_KEY (/sdw/local/API_KEY)" in output
        assert "no-such-branch" in output and "the plugin is not loaded" in output
        request = urllib.request.Request(
            f"http://127.0.0.1:{free_port}/lib/greeter/hello", data=b'{"name": "Ada"}', method="POST",
            headers={"authorization": f"Bearer {token}", "content-type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert json.loads(response.read()) == {"message": "Hello, Ada!"}
        ticked = run(project, "schedules", "tick", "--at", "2031-06-01T12:00:00Z", "--port", str(free_port))
        assert ticked.returncode == 0 and "schedule-20310601T1200Z" in ticked.stdout
        deadline = time.monotonic() + 20
        while True:  # the running sdw dev picks the stored run up and runs it
            listed = run(project, "executions", "list", "--flow", "nightly", "--json",
                         "--port", str(free_port))
            rows = json.loads(listed.stdout)["executions"]  # the flow's scheduled runs beside the caller's
            if (rows and rows[0]["status"] != "RUNNING") or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert [(r["executionId"], r["status"], r["scheduled"]) for r in rows] == [
            ("schedule-20310601T1200Z", "FAILED", True)
        ]
        table = run(project, "executions", "list", "--flow", "nightly", "--port", str(free_port)).stdout
        assert re.search(r"schedule-20310601T1200Z.*FAILED.*schedule", table)
        only = run(project, "executions", "list", "--owner", "schedule", "--json", "--port", str(free_port))
        assert [r["scheduled"] for r in json.loads(only.stdout)["executions"]] == [True]
        shown = run(project, "executions", "show", "schedule-20310601T1200Z", "--json",
                    "--port", str(free_port))
        described = json.loads(shown.stdout)["execution"]
        assert "API_KEY (/sdw/local/API_KEY)" in described["cause"]  # its secret is missing: named
        assert not re.search(r"sk-1", shown.stdout)
    finally:
        dev.stop()
