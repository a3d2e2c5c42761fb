"""``sdw users`` and the admin_tools wrappers, run as a user runs them: subprocesses, a real
state folder, exit statuses, and never a traceback on the terminal."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from sdw.local import create_jwt_authorizer, create_local_user_pool, ensure_dev_user, local_base_url

SDW = Path(sys.executable).parent / "sdw"
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Corr3ct-horse"


def run(
    *args: str, state: Path, port: int = 3000, tool: Path | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "SDW_STATE_DIR": str(state),
        "SDW_PROJECT_DIR": str(state.parent),
        "SDW_HOST": "127.0.0.1",
        "SDW_PORT": str(port),
    }
    argv = [str(tool), *args] if tool else [str(SDW), "users", *args]
    result = subprocess.run(
        argv,
        env=env,
        cwd=state.parent if state.parent.is_dir() else state.parent.parent,
        capture_output=True,
        text=True,
        timeout=60,
        input=stdin,
        check=False,
    )
    assert "Traceback" not in result.stdout + result.stderr
    return result


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / ".sdw"


def test_creates_a_user_with_a_generated_password_and_signs_in_with_it(state: Path) -> None:
    created = run("create", "--email", "alice@example.com", state=state)
    assert created.returncode == 0, created.stderr
    match = re.search(r"Password \(generated, shown only this once\): (\S+)", created.stdout)
    assert match, created.stdout
    signed_in = run("token", "--email", "alice@example.com", "--password", match.group(1), state=state)
    assert signed_in.returncode == 0, signed_in.stderr
    result = json.loads(signed_in.stdout)
    assert set(result) == {"IdToken", "AccessToken", "RefreshToken", "ExpiresIn", "TokenType"}
    assert (result["ExpiresIn"], result["TokenType"]) == (3600, "Bearer")


def test_tokens_from_the_cli_verify_on_a_server_with_the_same_config(state: Path) -> None:
    assert run("create", "--email", "alice@example.com", "--password", PASSWORD, state=state).returncode == 0
    tokens = json.loads(
        run("token", "--email", "alice@example.com", "--password", PASSWORD, state=state).stdout
    )
    with create_local_user_pool(state, base_url=local_base_url("127.0.0.1", 3000)) as pool:
        authorizer = create_jwt_authorizer(pool)
        for name in ("IdToken", "AccessToken"):
            principal = authorizer.authorize(f"Bearer {tokens[name]}")
            assert principal is not None, name
    with create_local_user_pool(state, base_url=local_base_url("127.0.0.1", 3001)) as other_port:
        assert create_jwt_authorizer(other_port).authorize(tokens["IdToken"]) is None


def test_a_wrong_password_is_one_clear_line_and_exit_1(state: Path) -> None:
    run("create", "--email", "alice@example.com", "--password", PASSWORD, state=state)
    wrong = run("token", "--email", "alice@example.com", "--password", PASSWORD + "x", state=state)
    unknown = run("token", "--email", "bob@example.com", "--password", PASSWORD, state=state)
    assert one_line_error(wrong) == one_line_error(unknown) == "Error: Incorrect username or password."


def test_a_password_that_breaks_the_policy_says_which_rules(state: Path) -> None:
    result = run("create", "--email", "alice@example.com", "--password", "password", state=state)
    assert one_line_error(result) == (
        "Error: Password did not conform with policy: Password must have uppercase characters; "
        "Password must have numeric characters; Password must have symbol characters"
    )
    assert run("list", state=state).stdout == "No users.\n"


def test_a_duplicate_email_whatever_its_case_is_refused(state: Path) -> None:
    run("create", "--email", "alice@example.com", "--password", PASSWORD, state=state)
    result = run("create", "--email", "ALICE@example.com", "--password", PASSWORD, state=state)
    assert one_line_error(result) == "Error: An account with the given email already exists."


def test_an_invalid_email_is_refused(state: Path) -> None:
    result = run("create", "--email", "not-an-email", "--password", PASSWORD, state=state)
    assert one_line_error(result) == "Error: Invalid email address format."


def test_lists_and_deletes_users(state: Path) -> None:
    for email in ("alice@example.com", "bob@example.com"):
        assert run("create", "--email", email, "--password", PASSWORD, state=state).returncode == 0
    table = run("list", state=state).stdout.splitlines()
    assert table[0].split() == ["EMAIL", "SUB", "CREATED"]
    assert [line.split()[0] for line in table[1:]] == ["alice@example.com", "bob@example.com"]
    as_json = json.loads(run("list", "--json", state=state).stdout)
    assert [u["email"] for u in as_json] == ["alice@example.com", "bob@example.com"]
    assert set(as_json[0]) == {"email", "sub", "createdAt", "enabled"}
    deleted = run("delete", "--email", "alice@example.com", state=state)
    assert (deleted.returncode, deleted.stdout) == (0, "Deleted user alice@example.com.\n")
    assert [u["email"] for u in json.loads(run("list", "--json", state=state).stdout)] == ["bob@example.com"]
    assert (
        one_line_error(run("delete", "--email", "alice@example.com", state=state))
        == "Error: User does not exist."
    )


def test_the_state_folder_is_0700_and_its_files_0600(state: Path) -> None:
    run("create", "--email", "alice@example.com", "--password", PASSWORD, state=state)
    run("token", "--email", "alice@example.com", "--password", PASSWORD, state=state)
    run("dev-password", state=state)
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    files = {p.name: stat.S_IMODE(p.stat().st_mode) for p in state.iterdir()}
    assert {"userpool.db", "userpool-signing-key.pem", "dev-user-password"} <= set(files)
    assert all(mode == 0o600 for mode in files.values()), files


def test_the_dev_password_is_printed_only_when_asked_and_works(state: Path) -> None:
    result = run("dev-password", state=state)
    email, password = result.stdout.strip().split("\t")
    assert email == "dev@sdw.local"
    assert run("dev-password", state=state).stdout == result.stdout
    with create_local_user_pool(state, base_url=local_base_url("127.0.0.1", 3000)) as pool:
        ensure_dev_user(pool)
        assert pool.authenticate(email, password).id_token


def test_the_password_is_asked_for_when_not_given(state: Path) -> None:
    run("create", "--email", "alice@example.com", "--password", PASSWORD, state=state)
    result = run("token", "--email", "alice@example.com", state=state, stdin=PASSWORD + "\n")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout[result.stdout.index("{") :])["IdToken"]


def test_a_state_folder_that_cannot_be_made_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = run("list", state=blocker / ".sdw")
    assert one_line_error(result).startswith(f"Error: cannot create the state folder {blocker / '.sdw'}")


def test_a_bad_port_setting_is_one_line(state: Path) -> None:
    result = subprocess.run(
        [str(SDW), "users", "list"],
        env={**os.environ, "SDW_STATE_DIR": str(state), "SDW_PORT": "abc"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "Traceback" not in result.stderr
    assert one_line_error(result).startswith("Error: bad configuration")


def test_a_missing_email_is_a_usage_error(state: Path) -> None:
    result = run("create", state=state)
    assert result.returncode == 2
    assert "Missing option '--email'" in result.stderr


def test_the_admin_tools_are_executable_wrappers_over_the_same_commands(state: Path) -> None:
    create_user = ROOT / "admin_tools" / "create_user.py"
    get_user_token = ROOT / "admin_tools" / "get_user_token.py"
    for tool in (create_user, get_user_token):
        assert os.access(tool, os.X_OK), tool
        assert tool.read_text().startswith("#!/usr/bin/env python3\n")
    created = run("--email", "alice@example.com", "--password", PASSWORD, state=state, tool=create_user)
    assert created.returncode == 0, created.stderr
    tokens = run("--email", "alice@example.com", "--password", PASSWORD, state=state, tool=get_user_token)
    assert json.loads(tokens.stdout)["AccessToken"]
    wrong = run(
        "--email", "alice@example.com", "--password", "Wr0ng-password", state=state, tool=get_user_token
    )
    assert one_line_error(wrong) == "Error: Incorrect username or password."
