"""``sdw secrets ...`` and ``sdw connections ...``: the local encrypted store (sdw.local._secrets).

    sdw secrets put NAME [--value V]          from --value, or stdin (one trailing newline dropped)
    sdw secrets get NAME                      the value on stdout; exit 1 when there is none
    sdw secrets list [--json]                 names and SSM paths, never values
    sdw secrets delete NAME

    sdw connections put NAME --type TYPE [--value JSON]   JSON from --value, or from stdin
    sdw connections get NAME                  {"type": ..., "value": ...}
    sdw connections list [--json]             names, types and paths
    sdw connections delete NAME

Names are checked by the rules function.yml uses (a secret is an environment variable's
name), and the paths printed are the SSM parameters the same names read on AWS:
``/<service>/<stage>/<NAME>`` and ``/<service>/<stage>/connections/<NAME>``, with
config.json's service and the stage ``local``. The store is the state folder's, so these
work with or without a running ``sdw dev``; a function reads its secrets when it loads
(save its handler.py or restart ``sdw dev`` after a change) and a connection at each call.

``--value`` puts the secret in the shell's history and in ``ps``; stdin does not:
``sdw secrets put API_KEY < key.txt``.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from sdw.cli._common import reports_errors, with_config
from sdw.cli._config import Config
from sdw.local import LocalSecretStore, StateDir, StoredParameter
from sdw.project import check_connection_name, check_connection_type, check_secret_name, read_service


def open_store(config: Config) -> LocalSecretStore:
    """The state folder's store, for config.json's service and the stage ``local``."""
    return LocalSecretStore(StateDir(config.state_dir), service=read_service(config.project_root))


def _check(reason: str | None) -> None:
    if reason:
        raise click.ClickException(reason)


def _value_from(value: str | None, what: str) -> str:
    if value is not None:
        return value
    if sys.stdin.isatty():
        click.echo(f"Type the {what}, then Ctrl-D:", err=True)
    text = sys.stdin.read()
    return text[:-1] if text.endswith("\n") else text


def _print_listing(rows: list[StoredParameter], as_json: bool, kind: str) -> None:
    if as_json:
        listed = [{"name": r.name, "path": r.path, "updated": r.updated,
                   **({"type": r.type} if kind == "connection" else {})} for r in rows]
        click.echo(json.dumps(listed, indent=2))
        return
    if not rows:
        typed = " --type TYPE" if kind == "connection" else ""
        click.echo(f"No {kind}s. Add one: sdw {kind}s put NAME{typed}")
        return
    for row in rows:
        kind_text = f"  {row.type}" if row.type else ""
        click.echo(f"{row.name}{kind_text}  {row.path}  (updated {row.updated})")


@click.group()
def secrets() -> None:
    """Secrets functions read as environment variables (function.yml `secrets:`), stored encrypted."""


@secrets.command(name="put")
@click.argument("name")
@click.option("--value", help="The value (else read from stdin, which keeps it out of the shell history).")
@with_config
@reports_errors
def put_secret(name: str, value: str | None, config: Config) -> None:
    """Store secret NAME (replacing it)."""
    _check(check_secret_name(name))
    with open_store(config) as store:
        path = store.put_secret(name, _value_from(value, "value"))
    click.echo(f"{name}: stored as {path}", err=True)


@secrets.command(name="get")
@click.argument("name")
@with_config
@reports_errors
def get_secret(name: str, config: Config) -> None:
    """Print secret NAME's value."""
    _check(check_secret_name(name))
    with open_store(config) as store:
        value = store.get_secret(name)
        if value is None:
            path = store.secret_path(name)
            raise click.ClickException(f"no secret {name!r} ({path}): sdw secrets put {name}")
    click.echo(value)


@secrets.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_config
@reports_errors
def list_secrets(as_json: bool, config: Config) -> None:
    """List the stored secrets (names and paths, never values)."""
    with open_store(config) as store:
        _print_listing(store.list_secrets(), as_json, "secret")


@secrets.command(name="delete")
@click.argument("name")
@with_config
@reports_errors
def delete_secret(name: str, config: Config) -> None:
    """Delete secret NAME."""
    _check(check_secret_name(name))
    with open_store(config) as store:
        if not store.delete_secret(name):
            raise click.ClickException(f"no secret {name!r} ({store.secret_path(name)})")
    click.echo(f"{name}: deleted", err=True)


@click.group()
def connections() -> None:
    """Typed credentials handed to functions by reference: {{connection:NAME}}."""


@connections.command(name="put")
@click.argument("name")
@click.option("--type", "kind", required=True, help="Its type; a function declares the type it takes.")
@click.option("--value", help="The value as JSON (else read from stdin).")
@with_config
@reports_errors
def put_connection(name: str, kind: str, value: str | None, config: Config) -> None:
    """Store connection NAME of type TYPE (replacing it)."""
    _check(check_connection_name(name) or check_connection_type(kind))
    text = _value_from(value, "value as JSON")
    try:
        parsed: Any = json.loads(text)
    except ValueError as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise click.ClickException(f"the value is not JSON{where}: {getattr(exc, 'msg', exc)}") from None
    with open_store(config) as store:
        path = store.put_connection(name, kind, parsed)
    click.echo(f"{name} ({kind}): stored as {path}", err=True)


@connections.command(name="get")
@click.argument("name")
@with_config
@reports_errors
def get_connection(name: str, config: Config) -> None:
    """Print connection NAME as {"type": ..., "value": ...}."""
    _check(check_connection_name(name))
    with open_store(config) as store:
        found = store.get_connection(name)
        if found is None:
            raise click.ClickException(f"no connection {name!r} ({store.connection_path(name)})")
    click.echo(json.dumps({"type": found.type, "value": found.value}, indent=2, ensure_ascii=False))


@connections.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_config
@reports_errors
def list_connections(as_json: bool, config: Config) -> None:
    """List the stored connections (names, types and paths, never values)."""
    with open_store(config) as store:
        _print_listing(store.list_connections(), as_json, "connection")


@connections.command(name="delete")
@click.argument("name")
@with_config
@reports_errors
def delete_connection(name: str, config: Config) -> None:
    """Delete connection NAME."""
    _check(check_connection_name(name))
    with open_store(config) as store:
        if not store.delete_connection(name):
            raise click.ClickException(f"no connection {name!r} ({store.connection_path(name)})")
    click.echo(f"{name}: deleted", err=True)
