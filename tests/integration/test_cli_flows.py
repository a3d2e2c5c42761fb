"""``sdw flows validate`` and ``sdw flows list`` run as a user runs them: subprocesses, real trees."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SDW = Path(sys.executable).parent / "sdw"
REPO = Path(__file__).resolve().parents[2]
EXAMPLES = [
    "compositeFlow",
    "dummy2StepFlow",
    "helloWorldFlow",
    "retryCatchFlow",
    "scheduleFlow",
    "scheduleMapFlow",
]

GOOD = """\
name: good
description: Works
schedule: rate(1 day)
input: {x: 1}
definition:
  StartAt: A
  States:
    A:
      Type: Succeed
"""

BAD = """\
name: bad
definition:
  StartAt: A
  States:
    A:
      Type: Pass
      Next: Nowhere
    B:
      Type: Succeed
"""


def sdw(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": str(SDW.parent), "HOME": str(cwd), "LANG": "C.UTF-8"}
    return subprocess.run(
        [str(SDW), "flows", *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=60, env=env
    )


def project(tmp_path: Path, **flows: str) -> Path:
    (tmp_path / "flows").mkdir()
    for name, text in flows.items():
        (tmp_path / "flows" / f"{name}.yml").write_text(text)
    return tmp_path


def test_validates_the_repository_examples_with_no_problem() -> None:
    result = sdw("validate", cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [f"flows/{name}.yml: OK ({name})" for name in EXAMPLES]


def test_prints_each_error_with_file_line_column_and_exits_one(tmp_path: Path) -> None:
    root = project(tmp_path, good=GOOD, bad=BAD)
    result = sdw("validate", cwd=root)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "flows/bad.yml:7:7: error: /States/A/Next: 'Next' names the state 'Nowhere', "
        "which does not exist in this state machine.",
        "flows/bad.yml:8:5: error: /States/B: The state 'B' is not reachable: "
        "no transition leads to it from 'A'.",
        "flows/good.yml: OK (good)",
    ]
    assert "1 of 2 flow files have errors" in result.stderr
    assert "Traceback" not in result.stderr


def test_checks_only_the_files_given_and_exits_zero_when_they_are_valid(tmp_path: Path) -> None:
    root = project(tmp_path, good=GOOD, bad=BAD)
    result = sdw("validate", "flows/good.yml", cwd=root)
    assert result.returncode == 0, result.stdout
    assert result.stdout == "flows/good.yml: OK (good)\n"


def test_checks_a_file_outside_flows_against_the_project(tmp_path: Path) -> None:
    root = project(tmp_path, good=GOOD)
    (root / "draft.yml").write_text(GOOD)  # the same name as flows/good.yml
    result = sdw("validate", "draft.yml", cwd=root)
    assert result.returncode == 1
    assert result.stdout.startswith(
        "draft.yml:1:1: error: the flow name 'good' is already taken by flows/good.yml:1:1"
    )


def test_prints_warnings_but_exits_zero(tmp_path: Path) -> None:
    root = project(
        tmp_path, warned=GOOD.replace("name: good", "name: warned").replace("schedule: rate(1 day)\n", "")
    )
    result = sdw("validate", "--project-dir", root, cwd=tmp_path.parent)
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        "flows/warned.yml:3:1: warning: 'input' is used only by scheduled runs, "
        "and this flow has no 'schedule'",
        "flows/warned.yml: OK (warned)",
    ]


def test_says_so_when_there_is_no_flow(tmp_path: Path) -> None:
    result = sdw("validate", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (
        0,
        "No flows to validate: the project has no flows/*.yml.\n",
    )


def test_reports_a_missing_project_folder_in_one_line(tmp_path: Path) -> None:
    result = sdw("validate", "--project-dir", tmp_path / "nope", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().endswith("no such project folder") and "Traceback" not in result.stderr


def test_lists_every_flow_with_type_schedule_description_file_and_status(tmp_path: Path) -> None:
    root = project(tmp_path, good=GOOD, bad=BAD)
    result = sdw("list", cwd=root)
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if "flows/" in line]
    assert len(rows) == 2
    bad_row, good_row = rows
    for cell in ("bad", "STANDARD", "flows/bad.yml", "invalid"):
        assert cell in bad_row
    for cell in ("good", "STANDARD", "rate(1 day)", "Works", "flows/good.yml", "OK"):
        assert cell in good_row
    assert "1 invalid: `sdw flows validate` shows why." in result.stdout


def test_lists_the_flows_as_json(tmp_path: Path) -> None:
    root = project(tmp_path, good=GOOD, bad=BAD)
    result = sdw("list", "--json", cwd=root)
    assert result.returncode == 0
    assert json.loads(result.stdout) == [
        {"name": "bad", "type": "STANDARD", "schedule": None, "description": "", "file": "flows/bad.yml",
         "status": "invalid"},
        {"name": "good", "type": "STANDARD", "schedule": "rate(1 day)", "description": "Works",
         "file": "flows/good.yml", "status": "OK"},
    ]  # fmt: skip


def test_lists_the_repository_examples_as_loaded() -> None:
    result = sdw("list", "--json", cwd=REPO)
    assert result.returncode == 0
    rows = json.loads(result.stdout)
    assert [row["name"] for row in rows] == EXAMPLES
    assert {row["status"] for row in rows} == {"OK"}
    assert {row["name"]: row["schedule"] for row in rows if row["schedule"]} == {
        "scheduleFlow": "rate(5 minutes)",
        "scheduleMapFlow": "cron(0 6 * * ? *)",
    }
