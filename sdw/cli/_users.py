"""``sdw users``: the admin side of the local user pool, from a terminal.

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

Errors are one line on stderr and exit status 1: a wrong password says so as Cognito does
("Incorrect username or password."), a password that breaks the policy lists the rules it
breaks. No traceback reaches the terminal, whatever fails.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import click

from sdw.cli._config import Config, create_config
from sdw.local import (
    DEV_USER_EMAIL,
    LocalError,
    LocalUserPool,
    create_local_user_pool,
    dev_user_password,
    generate_password,
    local_base_url,
)
from sdw.system import ServiceError

P = ParamSpec("P")
R = TypeVar("R")


def create_user_pool(config: Config, *, clock: Callable[[], float] = time.time) -> LocalUserPool:
    """The local user pool of ``config``: kept in its state folder, issuer from its host/port."""
    return create_local_user_pool(
        config.state_dir,
        base_url=local_base_url(config.host, config.port),
        region=config.region,
        clock=clock,
    )


def _reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn every failure into one line on stderr and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except (click.ClickException, click.Abort, click.exceptions.Exit):
            raise
        except (ServiceError, LocalError) as exc:
            raise click.ClickException(str(exc)) from None
        except Exception as exc:  # the promise: no traceback on the terminal
            raise click.ClickException(f"unexpected {type(exc).__name__}: {exc}") from None

    return wrapper


_CONFIG_OPTIONS = [
    click.option(
        "--project-dir", type=click.Path(file_okay=False), help="The project tree [SDW_PROJECT_DIR]."
    ),
    click.option("--state-dir", type=click.Path(file_okay=False), help="Local state [SDW_STATE_DIR]."),
    click.option("--host", help="Where `sdw dev` listens, for the token issuer [SDW_HOST]."),
    click.option("--port", type=int, help="Where `sdw dev` listens, for the token issuer [SDW_PORT]."),
]


def _with_config(command: Callable[..., R]) -> Callable[..., R]:
    """Add the Config options to ``command``, which receives the built ``config`` instead."""

    @functools.wraps(command)
    def wrapper(
        *args: Any,
        project_dir: str | None = None,
        state_dir: str | None = None,
        host: str | None = None,
        port: int | None = None,
        **kwargs: Any,
    ) -> R:
        try:
            config = create_config(project_dir=project_dir, state_dir=state_dir, host=host, port=port)
        except ValueError as exc:  # SDW_PORT=abc
            raise click.ClickException(f"bad configuration: {exc}") from None
        return command(*args, config=config, **kwargs)

    decorated: Callable[..., R] = wrapper
    for option in reversed(_CONFIG_OPTIONS):
        decorated = option(decorated)
    return decorated


@click.group()
def users() -> None:
    """Users of the local user pool (Cognito-style sign-in for `sdw dev`)."""


@users.command()
@click.option("--email", required=True, help="The user's email, their sign-in name.")
@click.option("--password", help="Their password (Cognito's policy applies); generated if omitted.")
@_with_config
@_reports_errors
def create(email: str, password: str | None, config: Config) -> None:
    """Create a confirmed user."""
    chosen = generate_password() if password is None else password
    with create_user_pool(config) as pool:
        user = pool.create_user(email, chosen)
    click.echo(f"Created user {user.email} (sub {user.sub}).")
    if password is None:
        click.echo(f"Password (generated, shown only this once): {chosen}")


@users.command()
@click.option("--email", required=True, help="The user's email.")
@click.option("--password", prompt=True, hide_input=True, help="Their password (asked for if omitted).")
@_with_config
@_reports_errors
def token(email: str, password: str, config: Config) -> None:
    """Sign in and print the tokens, as Cognito's AuthenticationResult (JSON)."""
    with create_user_pool(config) as pool:
        tokens = pool.authenticate(email, password)
    click.echo(json.dumps(tokens.as_cognito(), indent=2))


@users.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of a table.")
@_with_config
@_reports_errors
def list_users(as_json: bool, config: Config) -> None:
    """List the users."""
    with create_user_pool(config) as pool:
        found = pool.list_users()
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
@_with_config
@_reports_errors
def delete(email: str, config: Config) -> None:
    """Delete a user. Tokens already issued stay valid until they expire, as on AWS."""
    with create_user_pool(config) as pool:
        pool.delete_user(email)
    click.echo(f"Deleted user {email}.")


@users.command(name="dev-password")
@_with_config
@_reports_errors
def dev_password(config: Config) -> None:
    """Print the email and password of the dev user `sdw dev` signs in as."""
    with create_user_pool(config) as pool:
        password = dev_user_password(pool)
    click.echo(f"{DEV_USER_EMAIL}\t{password}")
