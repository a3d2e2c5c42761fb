"""``sdw usage``: a user's API calls per month, from the local usage table or a deployed stage's.

    sdw usage --email E | --user-id ID [--months N] [--json] [--stage S]

The seed's ``admin_tools/get_user_usage.py`` under its new name (the script calls this
command). ``--email`` is looked up in the user pool (the local one, or with ``--stage`` the
stage's Cognito pool, AdminGetUser) for the user's ``sub``, the usage table's ``userId``;
``--user-id`` is that ``sub`` itself and needs no pool. ``--months N``: the last N months,
the current one included (UTC); without it, every month the table holds (at most the last
90 days past each month's end: the rows' TTL).

The table is the one ``track_usage_middleware`` and ``POST /run`` count into: ``usage.db``
in the state folder, or the stage's DynamoDB table found by its stack's ``UsageTableName``
output. ``--json`` prints ``GET /usage/{user_id}``'s answer (``userId``, ``usage``,
``total``) with ``email`` when one was given. An unknown email is one line, exit 1.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator

import click

from sdw.cli._common import (
    Stage,
    open_user_directory,
    reports_errors,
    stage_adapter,
    stage_options,
    with_config,
)
from sdw.cli._config import Config
from sdw.local import create_local_usage_store
from sdw.system import UsageStore, UserNotFoundError


@click.command()
@click.option("--email", help="The user's email (looked up in the pool for their sub).")
@click.option("--user-id", help="The user's sub, as the usage table keys it.")
@click.option(
    "--months", type=click.IntRange(min=1, max=1200), help="Only the last N months, this one included."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON, as GET /usage/{user_id} answers.")
@with_config
@stage_options
@reports_errors
def usage(
    email: str | None,
    user_id: str | None,
    months: int | None,
    as_json: bool,
    config: Config,
    stage: Stage | None,
) -> None:
    """A user's API calls per month (the usage table: local, or with --stage the deployed one)."""
    if (email is None) == (user_id is None):
        raise click.ClickException("give exactly one of --email and --user-id")
    if email is not None:
        with open_user_directory(config, stage) as directory:
            try:
                user_id = directory.get_user(email).sub
            except UserNotFoundError:
                pool = f"stage {stage.name}'s" if stage is not None else "the local"
                raise click.ClickException(f"no user {email} in {pool} user pool") from None
    assert user_id is not None
    start = None if months is None else first_month(months)
    with open_usage_store(config, stage) as store:
        rows = store.usage(user_id, start=start)
    total = sum(row.api_calls for row in rows)
    if as_json:
        answer: dict[str, object] = {"userId": user_id}
        if email is not None:
            answer["email"] = email
        answer["usage"] = [{"yearMonth": row.year_month, "apiCalls": row.api_calls} for row in rows]
        answer["total"] = total
        click.echo(json.dumps(answer, indent=2))
        return
    who = f"{email} (sub {user_id})" if email is not None else user_id
    since = f" since {start}" if start is not None else ""
    click.echo(f"API calls of {who}{since}:")
    for row in rows:
        click.echo(f"  {row.year_month}  {row.api_calls:>10,}")
    if not rows:
        click.echo("  (none counted)")
    click.echo(f"  total    {total:>10,}")


def first_month(months: int, *, clock: Callable[[], float] = time.time) -> str:
    """The first of the last ``months`` months (UTC), the current one included.

    >>> first_month(3, clock=lambda: 1_796_083_200.0)  # 2026-12-01
    '2026-10'
    """
    now = time.gmtime(clock())
    index = now.tm_year * 12 + (now.tm_mon - 1) - (months - 1)
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@contextlib.contextmanager
def open_usage_store(config: Config, stage: Stage | None) -> Iterator[UsageStore]:
    """The local usage table of ``config``, or ``stage``'s DynamoDB table when one is named."""
    if stage is None:
        with create_local_usage_store(config.state_dir) as store:
            yield store
        return
    from sdw.aws import create_stage_usage_store  # boto3's import cost only when asked for

    with stage_adapter(stage, create_stage_usage_store) as store:
        yield store
