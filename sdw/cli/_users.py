"""``sdw users``: the admin side of the user pool, local or a deployed stage's, from a terminal.

    sdw users create --email E [--password P]   a confirmed user; without --password, a
                                                strong one is generated and printed once
    sdw users token  --email E [--password P]   InitiateAuth: Cognito's AuthenticationResult as JSON
                     [--duration-value N --duration-unit minutes|hours|days|months]
    sdw users add-to-group --email E --group G  AdminAddUserToGroup (remove-from-group undoes it)
    sdw users list [--json]
    sdw users delete --email E
    sdw users dev-password                      the dev user's password (only when asked)

``token`` takes the password from --password, else the ``PASSWORD`` environment variable
(as the seed's get_user_token.py does), else asks for it when run in a terminal; without
any of them it says so and exits 1 rather than wait on a pipe. ``--duration-value N
--duration-unit U`` asks for tokens living that long, within Cognito's limits per token
type (``sdw.system.requested_lifetime``): ID and access tokens at most a day, refresh
tokens at least an hour; what had to be capped is said on stderr. A month is 30 days.

Each command takes --project-dir/--state-dir/--host/--port (or SDW_PROJECT_DIR,
SDW_STATE_DIR, SDW_HOST, SDW_PORT): the pool lives in the state folder, and its issuer is
built from host and port, so a token made here verifies on ``sdw dev`` started with the
same settings. admin_tools/create_user.py and get_user_token.py call these same commands.

With ``--stage S`` (and ``--service``, default sdw; ``--region``) create, token, list and
delete work on the deployed stage's Cognito pool instead, found through the outputs of the
stack ``<service>-<S>`` (UserPoolId, UserPoolClientId, ToolsClientId), with the AWS
credentials of the environment: AdminCreateUser with a permanent password, InitiateAuth
USER_PASSWORD_AUTH through the app client, ListUsers, AdminDeleteUser. A stack that does
not exist, missing credentials or a refused call is one line and exit status 1.

Errors are one line on stderr and exit status 1: a wrong password says so as Cognito does
("Incorrect username or password."), a password that breaks the policy lists the rules it
breaks. No traceback reaches the terminal, whatever fails.
"""

from __future__ import annotations

import json
import sys

import click

from sdw.cli._common import (
    Stage,
    create_user_pool,
    open_user_directory,
    reports_errors,
    stage_options,
    with_config,
)
from sdw.cli._config import Config
from sdw.local import DEV_USER_EMAIL, dev_user_password, generate_password
from sdw.system import RequestedLifetime, TokenLifetime, requested_lifetime

UNITS = ("minutes", "hours", "days", "months")


@click.group()
def users() -> None:
    """Users of the local user pool (sign-in for `sdw dev`), or with --stage of a deployed stage's."""


@users.command()
@click.option("--email", required=True, help="The user's email, their sign-in name.")
@click.option("--password", help="Their password (Cognito's policy applies); generated if omitted.")
@with_config
@stage_options
@reports_errors
def create(email: str, password: str | None, config: Config, stage: Stage | None) -> None:
    """Create a confirmed user."""
    chosen = generate_password() if password is None else password
    with open_user_directory(config, stage) as directory:
        user = directory.create_user(email, chosen)
    click.echo(f"Created user {user.email} (sub {user.sub}).")
    if password is None:
        click.echo(f"Password (generated, shown only this once): {chosen}")


@users.command()
@click.option("--email", required=True, help="The user's email.")
@click.option("--password", envvar="PASSWORD", show_envvar=True,
              help="Their password; else $PASSWORD; else asked for in a terminal.")
@click.option("--duration-value", type=int, help="How long the tokens live, with --duration-unit.")
@click.option("--duration-unit", type=click.Choice(UNITS), help="The unit of --duration-value.")
@with_config
@stage_options
@reports_errors
def token(
    email: str,
    password: str | None,
    duration_value: int | None,
    duration_unit: str | None,
    config: Config,
    stage: Stage | None,
) -> None:
    """Sign in and print the tokens, as Cognito's AuthenticationResult (JSON)."""
    lifetime = _lifetime(duration_value, duration_unit)
    if password is None:
        if not sys.stdin.isatty():
            raise click.ClickException("no password: give --password, set PASSWORD, or run in a terminal")
        password = click.prompt("Password", hide_input=True, err=True)
    with open_user_directory(config, stage) as directory:
        tokens = directory.authenticate(email, password, lifetime=lifetime)
    click.echo(json.dumps(tokens.as_cognito(), indent=2))


def _lifetime(value: int | None, unit: str | None) -> TokenLifetime | None:
    """The lifetime asked for (None: the pool's default), with a note on stderr for each cap."""
    if value is None and unit is None:
        return None
    if value is None or unit is None:
        raise click.ClickException("--duration-value and --duration-unit go together: give both or neither")
    requested = requested_lifetime(value, unit)
    note = capped_note(requested)
    if note:
        click.echo(note, err=True)
    return requested.lifetime


def capped_note(requested: RequestedLifetime) -> str:
    """What Cognito's limits changed in the lifetime asked for, or "" when nothing.

    >>> capped_note(requested_lifetime(7, "days"))
    'Note: ID and access tokens live at most 1 day (Cognito's limit); the refresh token lives 7 days.'
    """
    lifetime = requested.lifetime
    notes = []
    if "id" in requested.capped:
        notes.append(
            f"ID and access tokens live at most {_duration(lifetime.id_token)} (Cognito's limit); "
            f"the refresh token lives {_duration(lifetime.refresh_token)}"
        )
    if "refresh" in requested.capped:
        notes.append(
            f"the refresh token lives at least {_duration(lifetime.refresh_token)} (Cognito's limit); "
            f"the ID and access tokens live {_duration(lifetime.id_token)}"
        )
    return " ".join(f"Note: {note[0].upper()}{note[1:]}." for note in notes)


def _duration(seconds: int) -> str:
    """``86400`` -> ``1 day``; ``5400`` -> ``90 minutes``."""
    for size, name in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds % size == 0:
            count = seconds // size
            return f"{count} {name}" + ("" if count == 1 else "s")
    return f"{seconds} seconds"


def _group_command(name: str, member: bool, summary: str, done: str) -> None:
    """``sdw users <name> --email E --group G``: AdminAddUserToGroup or AdminRemoveUserFromGroup."""

    @users.command(name=name, help=summary)
    @click.option("--email", required=True, help="The user's email.")
    @click.option("--group", required=True, help="The group, e.g. admin (may read anyone's usage).")
    @with_config
    @reports_errors
    def command(email: str, group: str, config: Config) -> None:
        with create_user_pool(config) as pool:
            if member:
                pool.add_user_to_group(email, group)
            else:
                pool.remove_user_from_group(email, group)
        click.echo(done.format(email=email, group=group))


_group_command("add-to-group", True, "Put a user in a group: their next tokens carry it in cognito:groups.",
               "Added {email} to group {group}; it is in their next tokens.")
_group_command("remove-from-group", False,
               "Take a user out of a group; tokens already issued keep it until they expire.",
               "Removed {email} from group {group}.")


@users.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of a table.")
@with_config
@stage_options
@reports_errors
def list_users(as_json: bool, config: Config, stage: Stage | None) -> None:
    """List the users."""
    with open_user_directory(config, stage) as directory:
        found = directory.list_users()
    if as_json:
        rows = [
            {"email": u.email, "sub": u.sub, "createdAt": u.created_at, "enabled": u.enabled} for u in found
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    if not found:
        click.echo("No users.")
        return
    width = max(len("EMAIL"), *(len(u.email) for u in found))
    click.echo(f"{'EMAIL':<{width}}  {'SUB':<36}  CREATED")
    for user in found:
        click.echo(f"{user.email:<{width}}  {user.sub:<36}  {user.created_at}")


@users.command()
@click.option("--email", required=True, help="The user's email.")
@with_config
@stage_options
@reports_errors
def delete(email: str, config: Config, stage: Stage | None) -> None:
    """Delete a user. Tokens already issued stay valid until they expire, as on AWS."""
    with open_user_directory(config, stage) as directory:
        directory.delete_user(email)
    click.echo(f"Deleted user {email}.")


@users.command(name="dev-password")
@with_config
@reports_errors
def dev_password(config: Config) -> None:
    """Print the email and password of the dev user `sdw dev` signs in as."""
    with create_user_pool(config) as pool:
        password = dev_user_password(pool)
    click.echo(f"{DEV_USER_EMAIL}\t{password}")
