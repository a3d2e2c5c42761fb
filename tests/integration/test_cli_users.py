"""``sdw users`` and the admin_tools wrappers, run as a user runs them: subprocesses, a real
state folder, exit statuses, and never a traceback on the terminal."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import stat
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from sdw.local import create_jwt_authorizer, create_local_user_pool, ensure_dev_user, local_base_url
from tests.userpool_fixtures import token_claims

SDW = Path(sys.executable).parent / "sdw"
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Corr3ct-horse"


def environment(state: Path, port: int = 3000, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "PASSWORD"}
    return {
        **env,
        "SDW_STATE_DIR": str(state),
        "SDW_PROJECT_DIR": str(state.parent),
        "SDW_HOST": "127.0.0.1",
        "SDW_PORT": str(port),
        **(extra or {}),
    }


def run(
    *args: str,
    state: Path,
    port: int = 3000,
    tool: Path | None = None,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    command: str | None = None,
) -> subprocess.CompletedProcess[str]:
    argv = [str(tool), *args] if tool else [str(SDW), "users", *([command] if command else []), *args]
    result = subprocess.run(
        argv,
        env=environment(state, port, env),
        cwd=state.parent if state.parent.is_dir() else state.parent.parent,
        capture_output=True,
        text=True,
        timeout=60,
        input=stdin,
        check=False,
    )
    assert "Traceback" not in result.stdout + result.stderr
    return result


def run_in_terminal(
    args: list[str], state: Path, answer: str
) -> tuple[subprocess.CompletedProcess[str], str]:
    """``sdw users <args>`` with a pseudo-terminal as its controlling terminal and stdin.

    Types ``answer`` at the first prompt; returns the result and what the terminal showed.
    """
    master, slave = pty.openpty()

    def take_terminal() -> None:  # in the child: a session of its own, the pty its controlling terminal
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(
        [str(SDW), "users", *args], stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=environment(state), text=True, preexec_fn=take_terminal,
    )
    os.close(slave)
    shown = b""
    try:
        deadline = time.monotonic() + 30
        while b"Password:" not in shown and time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                shown += os.read(master, 1024)
        os.write(master, answer.encode() + b"\n")  # typed only once asked: getpass flushes typeahead
        stdout, stderr = proc.communicate(timeout=30)
        while select.select([master], [], [], 0.1)[0]:
            try:
                shown += os.read(master, 1024)
            except OSError:  # the child has gone and the pty with it
                break
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr), shown.decode()


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


def test_the_password_is_asked_for_in_a_terminal_when_not_given(state: Path) -> None:
    run("create", "--email", "alice@example.com", "--password", PASSWORD, state=state)
    result, terminal = run_in_terminal(["token", "--email", "alice@example.com"], state, PASSWORD)
    assert result.returncode == 0, result.stderr
    assert "Password: " in terminal and PASSWORD not in terminal  # asked for, not echoed
    assert json.loads(result.stdout)["IdToken"]


def test_the_password_comes_from_the_password_variable_as_in_the_seeds_tool(state: Path) -> None:
    run("create", "--email", "alice@example.com", "--password", PASSWORD, state=state)
    for tool in (None, ROOT / "admin_tools" / "get_user_token.py"):
        result = run("--email", "alice@example.com", state=state, tool=tool, env={"PASSWORD": PASSWORD},
                     **({} if tool else {"command": "token"}))
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["AccessToken"]
    given = run("token", "--email", "alice@example.com", "--password", "Wr0ng-password", state=state,
                env={"PASSWORD": PASSWORD})
    assert one_line_error(given) == "Error: Incorrect username or password."  # --password comes first


def test_without_a_password_or_a_terminal_it_says_what_to_give_instead_of_waiting(state: Path) -> None:
    run("create", "--email", "alice@example.com", "--password", PASSWORD, state=state)
    result = run("token", "--email", "alice@example.com", state=state, stdin=PASSWORD + "\n")
    assert one_line_error(result) == "Error: no password: give --password, set PASSWORD, or run in a terminal"


def test_a_duration_sets_the_tokens_lifetime_and_says_what_cognito_caps(state: Path) -> None:
    run("create", "--email", "alice@example.com", "--password", PASSWORD, state=state)
    week = run("token", "--email", "alice@example.com", "--password", PASSWORD,
               "--duration-value", "7", "--duration-unit", "days", state=state)
    assert week.returncode == 0, week.stderr
    tokens = json.loads(week.stdout)
    claims = token_claims(tokens["IdToken"])
    assert tokens["ExpiresIn"] == 86400 and claims["exp"] - claims["iat"] == 86400
    assert week.stderr.strip() == (
        "Note: ID and access tokens live at most 1 day (Cognito's limit); the refresh token lives 7 days."
    )
    short = run("token", "--email", "alice@example.com", "--password", PASSWORD,
                "--duration-value", "10", "--duration-unit", "minutes", state=state)
    assert json.loads(short.stdout)["ExpiresIn"] == 600
    assert short.stderr.strip() == (
        "Note: The refresh token lives at least 1 hour (Cognito's limit); the ID and access tokens live "
        "10 minutes."
    )
    hours = run("token", "--email", "alice@example.com", "--password", PASSWORD,
                "--duration-value", "2", "--duration-unit", "hours", state=state)
    assert (json.loads(hours.stdout)["ExpiresIn"], hours.stderr) == (7200, "")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--duration-value", "2", "--duration-unit", "minutes"),
         "Error: 2 minutes is shorter than Cognito allows: ID and access tokens live at least 5 minutes"),
        (("--duration-value", "122", "--duration-unit", "months"),
         "Error: 122 months is longer than Cognito allows: refresh tokens live at most 3650 days"),
        (("--duration-value", "0", "--duration-unit", "days"),
         "Error: --duration-value must be a positive number, not 0"),
        (("--duration-value", "3",),
         "Error: --duration-value and --duration-unit go together: give both or neither"),
    ],
)  # fmt: skip
def test_a_duration_cognito_cannot_give_is_one_line_naming_the_limit(
    state: Path, args: tuple[str, ...], message: str
) -> None:
    run("create", "--email", "alice@example.com", "--password", PASSWORD, state=state)
    result = run("token", "--email", "alice@example.com", "--password", PASSWORD, *args, state=state)
    assert one_line_error(result) == message


def test_a_unit_that_is_not_one_is_a_usage_error(state: Path) -> None:
    result = run("token", "--email", "a@b.co", "--password", PASSWORD, "--duration-value", "1",
                 "--duration-unit", "weeks", state=state)
    assert result.returncode == 2
    assert "'weeks' is not one of 'minutes', 'hours', 'days', 'months'" in result.stderr


def test_a_user_added_to_the_admin_group_has_it_in_their_next_tokens(state: Path) -> None:
    run("create", "--email", "alice@example.com", "--password", PASSWORD, state=state)
    added = run("add-to-group", "--email", "alice@example.com", "--group", "admin", state=state)
    assert added.stdout.strip() == "Added alice@example.com to group admin; it is in their next tokens."
    tokens = json.loads(run("token", "--email", "alice@example.com", "--password", PASSWORD,
                            state=state).stdout)
    assert token_claims(tokens["IdToken"])["cognito:groups"] == ["admin"]
    run("remove-from-group", "--email", "alice@example.com", "--group", "admin", state=state)
    tokens = json.loads(run("token", "--email", "alice@example.com", "--password", PASSWORD,
                            state=state).stdout)
    assert "cognito:groups" not in token_claims(tokens["IdToken"])
    unknown = run("add-to-group", "--email", "bob@example.com", "--group", "admin", state=state)
    assert one_line_error(unknown) == "Error: User does not exist."
    spaced = run("add-to-group", "--email", "alice@example.com", "--group", "a b", state=state)
    assert one_line_error(spaced) == "Error: Invalid group name 'a b': 1 to 128 characters, no white space."


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
