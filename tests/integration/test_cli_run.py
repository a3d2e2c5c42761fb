"""``sdw run`` and ``sdw executions`` as a user runs them: subprocesses against a real ``sdw dev``.

One ``sdw dev`` (a subprocess on a free port, state in a temporary folder) serves a small
project for the whole module; every command runs as its own process with ``--port`` and
``--state-dir``, signing in as the dev user as a user's terminal would.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.integration.test_cli_dev import DevProcess

FLOWS = {
    "shoutFlow": """\
        name: shoutFlow
        functions:
          - {name: shout, handler: functions/lib/shout/handler.handler}
        definition:
          StartAt: Shout
          States:
            Shout: {Type: Task, Resource: '${shoutArn}', Next: Done}
            Done: {Type: Pass, End: true}
        """,
    "failFlow": """\
        name: failFlow
        definition:
          StartAt: Check
          States:
            Check: {Type: Pass, Next: Give up}
            Give up: {Type: Fail, Error: Out.Of.Coffee, Cause: The pot is empty}
        """,
}
FLOWS["quickFlow"] = (  # shoutFlow as an EXPRESS flow
    FLOWS["shoutFlow"].replace("name: shoutFlow", "name: quickFlow\n        type: EXPRESS")
    .replace("Next: Done}", "End: true}").replace("            Done: {Type: Pass, End: true}\n", "")
)
SHOUT = "def handler(event, context):\n    return {'shout': event.get('text', '').upper()}\n"


@dataclass
class Dev:
    project: Path
    state: Path
    port: int

    def sdw(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        where = ("--port", str(self.port), "--state-dir", str(self.state))
        return sdw(*args, *where, cwd=self.project, stdin=stdin)


def sdw(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from sdw.cli import main; main()", *args],
        cwd=cwd, input=stdin, capture_output=True, text=True, timeout=60, check=False,
    )


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dev]:
    root = tmp_path_factory.mktemp("project")
    (root / "functions" / "lib" / "shout").mkdir(parents=True)
    (root / "functions" / "lib" / "shout" / "handler.py").write_text(SHOUT)
    (root / "flows").mkdir()
    for name, text in FLOWS.items():
        (root / "flows" / f"{name}.yml").write_text(textwrap.dedent(text))
    state = tmp_path_factory.mktemp("state")
    process = DevProcess(["--port", "0", "--project-dir", str(root), "--state-dir", str(state), "--quiet"])
    try:
        port = int(process.wait_for(r"Listening on http://127\.0\.0\.1:(\d+)").group(1))
        yield Dev(root, state, port)
    finally:
        process.stop()


def test_run_wait_shows_each_step_then_prints_the_output_alone_on_stdout(dev: Dev) -> None:
    result = dev.sdw("run", "shoutFlow", "--input", '{"text": "hey"}', "--wait")
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert output["shout"] == "HEY"
    lines = result.stderr.splitlines()
    assert re.fullmatch(r"shoutFlow \S+ started", lines[0])
    steps = [line.split()[2:] for line in lines[1:-1]]
    assert ["TaskStateEntered", "Shout"] in steps and ["PassStateExited", "Done"] in steps
    assert steps[0] == ["ExecutionStarted"] and steps[-1] == ["ExecutionSucceeded"]
    assert re.fullmatch(r"SUCCEEDED in [\d.]+ m?s", lines[-1])


def test_run_reads_the_input_from_a_file_or_stdin(dev: Dev) -> None:
    (dev.project / "input.json").write_text('{\n  "text": "from a file"\n}\n')
    from_file = dev.sdw("run", "shoutFlow", "--input", "@input.json", "--wait")
    assert json.loads(from_file.stdout)["shout"] == "FROM A FILE"
    from_stdin = dev.sdw("run", "shoutFlow", "--input", "@-", "--wait", stdin='{"text": "piped"}')
    assert json.loads(from_stdin.stdout)["shout"] == "PIPED"


def test_run_wait_exits_1_with_the_error_and_cause_of_a_failed_execution(dev: Dev) -> None:
    result = dev.sdw("run", "failFlow", "--wait")
    assert result.returncode == 1 and result.stdout == ""
    assert "Traceback" not in result.stderr
    tail = result.stderr.splitlines()[-3:]
    assert re.fullmatch(r"FAILED after [\d.]+ m?s", tail[0])
    assert tail[1:] == ["error: Out.Of.Coffee", "cause: The pot is empty"]
    assert any(line.split()[2:] == ["ExecutionFailed", "Out.Of.Coffee:", "The", "pot", "is", "empty"]
               for line in result.stderr.splitlines())


def test_run_without_wait_prints_the_execution_and_a_name_makes_it_idempotent(dev: Dev) -> None:
    result = dev.sdw("run", "shoutFlow", "--input", '{"text": "a"}', "--name", "named-run")
    assert result.returncode == 0, result.stderr
    started = json.loads(result.stdout)
    assert set(started) == {"executionArn", "executionId", "startDate", "message", "status"}
    assert re.fullmatch(r"named-run-[0-9a-f]{16}", started["executionId"])  # the name, keyed to its caller
    prefix = "arn:aws:states:us-east-1:000000000000:execution:shoutFlow:"
    assert started["executionArn"] == prefix + started["executionId"]
    again = dev.sdw("run", "shoutFlow", "--input", '{"text": "b"}', "--name", "named-run")
    assert again.returncode == 1
    expected = "Error: Execution already exists: 'named-run' was started with other input."
    assert one_error_line(again) == expected


def test_executions_list_shows_the_runs_newest_first_and_filters(dev: Dev) -> None:
    first = json.loads(dev.sdw("run", "shoutFlow", "--input", '{"text": "x"}', "--name", "list-1").stdout)
    failed = dev.sdw("run", "failFlow", "--name", "list-2", "--wait")
    assert failed.returncode == 1
    table = dev.sdw("executions", "list")
    assert table.returncode == 0, table.stderr
    assert table.stdout.index("list-2") < table.stdout.index("list-1")
    row = next(line for line in table.stdout.splitlines() if "list-2" in line)
    assert "failFlow" in row and "FAILED" in row
    only_failed = json.loads(dev.sdw("executions", "list", "--status", "failed", "--json").stdout)
    assert {row["status"] for row in only_failed["executions"]} == {"FAILED"}
    shouts = json.loads(dev.sdw("executions", "list", "--flow", "shoutFlow", "--json").stdout)
    assert first["executionId"] in [row["executionId"] for row in shouts["executions"]]
    assert {row["flow"] for row in shouts["executions"]} == {"shoutFlow"}


def test_executions_list_pages_with_the_command_it_prints(dev: Dev) -> None:
    for n in range(3):
        dev.sdw("run", "shoutFlow", "--name", f"page-{n}")
    page = dev.sdw("executions", "list", "--flow", "shoutFlow", "--limit", "2")
    more = page.stdout.strip().splitlines()[-1]
    assert more.startswith("More: sdw executions list --limit 2 --flow shoutFlow --next-token ")
    following = dev.sdw(*more.removeprefix("More: sdw ").split())
    assert following.returncode == 0, following.stderr
    assert "page-0" in following.stdout and "page-2" not in following.stdout


def test_executions_show_prints_the_timeline_with_durations_and_the_output(dev: Dev) -> None:
    dev.sdw("run", "shoutFlow", "--input", '{"text": "show me"}', "--name", "shown", "--wait")
    result = dev.sdw("executions", "show", "shown")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    flow, shown, status = text.splitlines()[0].split()
    assert (flow, status) == ("shoutFlow", "SUCCEEDED") and re.fullmatch(r"shown-[0-9a-f]{16}", shown)
    assert f"arn:aws:states:us-east-1:000000000000:execution:shoutFlow:{shown}" in text
    event_line = re.compile(r"\s*\d+\s+\d\d:\d\d:\d\d\.\d{3}\s")
    events = [line.split() for line in text.splitlines() if event_line.match(line)]
    assert [event[0] for event in events] == [str(n) for n in range(1, len(events) + 1)]
    assert any(event[-2:] == ["TaskStateEntered", "Shout"] for event in events)
    assert all(re.fullmatch(r"[\d.]+", event[2]) and event[3] in ("ms", "s") for event in events)
    assert text.rstrip().endswith('Output:\n{\n  "shout": "SHOW ME"\n}')
    arn = f"arn:aws:states:us-east-1:000000000000:execution:shoutFlow:{shown}"
    by_arn = dev.sdw("executions", "show", arn, "--json")
    assert json.loads(by_arn.stdout)["execution"]["output"]["shout"] == "SHOW ME"


def test_run_wait_and_executions_show_exit_0_on_an_express_success(dev: Dev) -> None:
    # Step Functions keeps no history of an EXPRESS execution: the CLI follows its status.
    result = dev.sdw("run", "quickFlow", "--input", '{"text": "fast"}', "--wait")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"shout": "FAST"}
    assert "keeps no history" in result.stderr and "SUCCEEDED" in result.stderr.splitlines()[-1]
    execution = result.stderr.splitlines()[0].split()[1]
    assert execution.count(":") == 1  # an express execution's id: <name>:<run id>
    shown = dev.sdw("executions", "show", execution)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[0].split() == ["quickFlow", execution, "SUCCEEDED"]
    assert "keeps no history" in shown.stdout and shown.stdout.rstrip().endswith('"shout": "FAST"\n}')
    as_json = json.loads(dev.sdw("executions", "show", execution, "--json").stdout)
    assert as_json["events"] == [] and as_json["execution"]["status"] == "SUCCEEDED"


def test_executions_show_of_a_failed_run_prints_its_error_and_cause(dev: Dev) -> None:
    dev.sdw("run", "failFlow", "--name", "show-failed", "--wait")
    text = dev.sdw("executions", "show", "show-failed").stdout
    assert "Error:  Out.Of.Coffee" in text and "Cause:  The pot is empty" in text


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (["run", "shoutFlow", "--input", '{"text": '], 2,
         "Error: --input is not valid JSON: Expecting value at line 1, column 10"),
        (["run", "shoutFlow", "--input", "[1]"], 2,
         "Error: --input must be a JSON object ({...}), not an array"),
        (["run", "shoutFlow", "--input", "@missing.json"], 2, "Error: --input @missing.json: no such file"),
        (["run", "shoutFlow", "--input", "[" * 20_000 + "]" * 20_000], 2,
         "Error: --input is nested too deeply to read"),
        (["run", "noSuchFlow"], 1, "Error: Flow 'noSuchFlow' does not exist."),
        (["run", "shoutFlow", "--name", "bad name"], 1,
         "Error: Invalid execution name in ?name=: ' ' is not allowed (no white space, brackets, wildcards, "
         "control characters or any of \" # % \\ ^ | ~ ` $ & , ; : /)."),
        (["executions", "show", "never-ran"], 1, "Error: Execution 'never-ran' does not exist."),
        (["executions", "show", "never-ran", "--flow", "shoutFlow"], 1,
         "Error: Execution 'never-ran' does not exist."),
        (["executions", "show", "arn:aws:states:nope"], 1,
         "Error: 'arn:aws:states:nope' is not an execution ARN (arn:aws:states:...:execution:FLOW:ID)"),
        (["executions", "list", "--token", "not-a-token"], 1,
         "Error: Unauthorized: the token was refused (expired, or made for another host, port or state "
         "folder than this sdw dev's)"),
    ],
)
def test_bad_input_is_one_clear_line(dev: Dev, args: list[str], status: int, message: str) -> None:
    result = dev.sdw(*args)
    assert result.returncode == status
    assert one_error_line(result) == message


def test_without_a_running_sdw_dev_the_commands_say_so(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # bound, not listening: nothing answers there
        result = sdw("run", "shoutFlow", "--port", str(port), "--state-dir", str(tmp_path / "state"),
                     cwd=tmp_path)
    assert result.returncode == 1
    assert one_error_line(result).startswith(f"Error: no sdw dev answering at http://127.0.0.1:{port} (")
