"""``sdw users``: the admin side of the user pool, local or a deployed stage's, from a terminal.

    sdw users create --email E [--password P]   a confirmed user; without --password, a
                                                strong one is generated and printed once
    sdw users token  --email E --password P     InitiateAuth: Cognito's AuthenticationResult as JSON
    sdw users list [--json]
    sdw users delete --email E
    sdw users dev-password                      the dev user's password (only when asked)

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
@click.option("--password", prompt=True, hide_input=True, help="Their password (asked for if omitted).")
@with_config
@stage_options
@reports_errors
def token(email: str, password: str, config: Config, stage: Stage | None) -> None:
    """Sign in and print the tokens, as Cognito's AuthenticationResult (JSON)."""
    with open_user_directory(config, stage) as directory:
        tokens = directory.authenticate(email, password)
    click.echo(json.dumps(tokens.as_cognito(), indent=2))


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
