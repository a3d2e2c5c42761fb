"""``sdw asl validate`` run as a user runs it: a subprocess, real files, exit status."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SDW = Path(sys.executable).parent / "sdw"

VALID = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}

BAD_YAML = """\
StartAt: Start
States:
  Start:
    Type: Task
    Resource: ${helloArn}
    Next: Route
  Route:
    Type: Choice
    Choices:
      - Variable: $.x
        StringEquals: 1
        Next: Nowhere
    Default: Done
  Done:
    Type: Succeed
"""

FLOW = """\
name: hello
description: a flow file holds its definition under one key
definition:
  StartAt: A
  States:
    A:
      Type: Pass
      Parameters:
        x.$: hello
      End: true
"""


def _run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SDW), "asl", "validate", *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=60
    )


def test_a_valid_json_definition_prints_ok_and_exits_zero(tmp_path: Path) -> None:
    (tmp_path / "ok.json").write_text(json.dumps(VALID))
    result = _run("ok.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ok.json: OK (1 top-level state)\n"


def test_yaml_errors_print_file_line_column_pointer_and_message(tmp_path: Path) -> None:
    (tmp_path / "bad.yml").write_text(BAD_YAML)
    result = _run("bad.yml", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 3, lines
    assert lines[0].startswith(
        "bad.yml:5:5: /States/Start/Resource: The Task Resource '${helloArn}' contains"
    )
    assert lines[1].startswith("bad.yml:11:9: /States/Route/Choices/0/StringEquals: "), lines
    assert lines[2].startswith("bad.yml:12:9: /States/Route/Choices/0/Next: "), lines
    assert "Traceback" not in result.stderr


def test_a_flow_file_is_validated_under_its_definition_key(tmp_path: Path) -> None:
    (tmp_path / "flow.yml").write_text(FLOW)
    result = _run("flow.yml", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith("flow.yml:9:9: /States/A/Parameters/x.$: ")


def test_the_example_flow_files_validate_with_their_placeholders_standing_in_for_arns(tmp_path: Path) -> None:
    # issue 10: `sdw asl validate flows/x.yml` failed on every ${...Arn} though its help takes flow files
    flows = sorted((Path(__file__).resolve().parents[2] / "flows").glob("*.yml"))
    result = _run(*flows, cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    assert len(lines) == len(flows) and all(": OK (" in line for line in lines)
    assert all("stood in for an ARN: `sdw flows validate` checks them against the project" in line
               for line in lines)


def test_a_flow_files_placeholders_stand_in_by_kind_and_an_unknown_kind_is_reported(tmp_path: Path) -> None:
    (tmp_path / "flow.yml").write_text(
        "name: f\n"
        "definition:\n"
        "  StartAt: Call\n"
        "  States:\n"
        "    Call: {Type: Task, Resource: '${sayHelloArn}', Next: Child}\n"
        "    Child:\n"
        "      Type: Task\n"
        "      Resource: arn:aws:states:::states:startExecution.sync:2\n"
        "      Parameters: {StateMachineArn: '${otherFlowStateMachine}'}\n"
        "      Next: Odd\n"
        "    Odd: {Type: Task, Resource: '${somethingElse}', End: true}\n"
    )
    result = _run("flow.yml", cwd=tmp_path)
    assert result.returncode == 1
    (line,) = result.stdout.splitlines()  # the two placeholders of known kinds stood in
    assert line.startswith("flow.yml:11:23: /States/Odd/Resource: The Task Resource '${somethingElse}'")


def test_json_errors_print_the_pointer(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text(json.dumps({"StartAt": "B", "States": VALID["States"]}))
    result = _run("bad.json", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == "bad.json: /StartAt: 'StartAt' names the state 'B', which is not in 'States'.\n"


def test_files_that_do_not_parse_are_errors_with_a_location_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text('{"StartAt": "A",\n "States": {')
    (tmp_path / "broken.yml").write_text("a: [1, 2\nb: 3\n")
    (tmp_path / "empty.yml").write_text("")
    result = _run("broken.json", "broken.yml", "empty.yml", "missing.json", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("broken.json:2:13: not valid JSON: ")
    assert lines[1].startswith("broken.yml:2:2: ")
    assert lines[2] == "empty.yml:1:1: the file is empty; expected a state machine definition"
    assert lines[3].startswith("missing.json: cannot read the file: ")
    assert "Traceback" not in result.stderr


def test_json_nested_too_deeply_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    result = _run("deep.json", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (1, "deep.json: the JSON is nested too deeply to read\n")
    ran = subprocess.run(
        [str(SDW), "asl", "run", "deep.json"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert ran.returncode == 1
    assert ran.stderr == "Error: deep.json: cannot load the definition: it is nested too deeply\n"


def test_a_repeated_json_key_is_reported(tmp_path: Path) -> None:
    text = '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}, "A": {"Type": "Succeed"}}}'
    (tmp_path / "dup.json").write_text(text)
    result = _run("dup.json", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == "dup.json: the key 'A' appears more than once in one object\n"


def test_one_invalid_file_among_valid_ones_fails_the_run(tmp_path: Path) -> None:
    (tmp_path / "ok.json").write_text(json.dumps(VALID))
    (tmp_path / "bad.json").write_text(json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass"}}}))
    result = _run("ok.json", "bad.json", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == "ok.json: OK (1 top-level state)"
    assert "bad.json: /States/A: The Pass state has neither 'Next' nor" in result.stdout


def test_validate_needs_at_least_one_file(tmp_path: Path) -> None:
    result = _run(cwd=tmp_path)
    assert result.returncode == 2
    assert "Missing argument" in result.stderr
