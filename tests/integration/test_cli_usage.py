"""``sdw usage`` and ``admin_tools/get_user_usage.py`` as a user runs them, on the local usage table.

The counts are put straight into the state folder's table (what decorated calls and
``POST /run`` write, tested in tests/functional/local/test_usage_counting.py); the
commands run as subprocesses, as from a terminal.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sdw.local import create_local_usage_store
from sdw.system import year_month
from tests.integration.test_cli_users import PASSWORD, ROOT, SDW, environment, one_line_error, run


def sdw_usage(state: Path, *args: str, tool: bool = False) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, str(ROOT / "admin_tools" / "get_user_usage.py")] if tool else [str(SDW), "usage"]
    result = subprocess.run(
        [*argv, *args],
        env=environment(state),
        cwd=state.parent,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "Traceback" not in result.stdout + result.stderr
    return result


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / ".sdw"


def months_ago(count: int) -> str:
    now = datetime.now(UTC)
    index = now.year * 12 + now.month - 1 - count
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@pytest.fixture
def ada(state: Path) -> str:
    """Ada's sub; she made 3 calls this month, 2 last month and 1 the month before (rows older
    than 90 days past their month's end are gone, as DynamoDB's TTL deletes them)."""
    created = run("--email", "ada@example.com", "--password", PASSWORD, state=state, command="create")
    sub = created.stdout.split("(sub ")[1].split(")")[0]
    month = year_month(datetime.now(UTC))
    with create_local_usage_store(state) as store:
        for when in [months_ago(2), months_ago(1), months_ago(1), month, month, month]:
            store.record_call(sub, when)
        store.record_call("someone-else", month)
    return sub


def test_usage_by_email_lists_each_month_and_the_total(state: Path, ada: str) -> None:
    result = sdw_usage(state, "--email", "ada@example.com")
    assert result.returncode == 0, result.stderr
    month = year_month(datetime.now(UTC))
    assert result.stdout.splitlines() == [
        f"API calls of ada@example.com (sub {ada}):",
        f"  {months_ago(2)}           1",
        f"  {months_ago(1)}           2",
        f"  {month}           3",
        "  total             6",
    ]


def test_usage_by_user_id_as_json_for_the_last_months(state: Path, ada: str) -> None:
    result = sdw_usage(state, "--user-id", ada, "--months", "1", "--json")
    assert result.returncode == 0, result.stderr
    month = year_month(datetime.now(UTC))
    assert json.loads(result.stdout) == {
        "userId": ada,
        "usage": [{"yearMonth": month, "apiCalls": 3}],
        "total": 3,
    }


def test_the_seeds_admin_tool_takes_the_same_options(state: Path, ada: str) -> None:
    result = sdw_usage(state, "--email", "ada@example.com", "--months", "2", "--json", tool=True)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert (answer["userId"], answer["email"], answer["total"]) == (ada, "ada@example.com", 5)


def test_a_user_without_calls_has_none(state: Path, ada: str) -> None:
    result = sdw_usage(state, "--user-id", "nobody-sub")
    assert result.stdout.splitlines() == [
        "API calls of nobody-sub:",
        "  (none counted)",
        "  total             0",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "who@example.com"], "Error: no user who@example.com in the local user pool"),
        ([], "Error: give exactly one of --email and --user-id"),
        (
            ["--email", "ada@example.com", "--user-id", "x"],
            "Error: give exactly one of --email and --user-id",
        ),
    ],
)
def test_bad_options_are_one_line_and_exit_1(state: Path, ada: str, args: list[str], message: str) -> None:
    assert one_line_error(sdw_usage(state, *args)) == message


def test_a_month_count_below_one_is_refused_by_the_parser(state: Path) -> None:
    result = sdw_usage(state, "--user-id", "x", "--months", "0")
    assert result.returncode == 2
    assert "Invalid value for '--months': 0 is not in the range 1<=x<=1200." in result.stderr
