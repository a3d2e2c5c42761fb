"""``sdw secrets ...`` and ``sdw connections ...``: the local encrypted store, or a deployed stage's SSM.

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

``--stage S`` (each command) works on a deployed stage instead: the SSM SecureStrings
``/<service>/S/<NAME>`` and ``/<service>/S/connections/<NAME>`` that the stage's functions
read (sdw.aws's ``SsmSecretStore``; the service is config.json's unless ``--service``
says), with the AWS credentials and region of the environment. A secret may be put there
before the stage's first deploy.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from typing import Any, Protocol

import click

from sdw.cli._common import Stage, reports_errors, stage_adapter, stage_options, with_config
from sdw.cli._config import Config
from sdw.local import LocalSecretStore, StateDir
from sdw.project import check_connection_name, check_connection_type, check_secret_name, read_service
from sdw.runtime import Connection
from sdw.system import StoredParameter


class SecretStore(Protocol):
    """What these commands use of a store: sdw.local's LocalSecretStore, or sdw.aws's SsmSecretStore."""

    def secret_path(self, name: str) -> str: ...
    def put_secret(self, name: str, value: str) -> str: ...
    def get_secret(self, name: str) -> str | None: ...
    def list_secrets(self) -> list[StoredParameter]: ...
    def delete_secret(self, name: str) -> bool: ...
    def connection_path(self, name: str) -> str: ...
    def put_connection(self, name: str, kind: str, value: Any) -> str: ...
    def get_connection(self, name: str) -> Connection | None: ...
    def list_connections(self) -> list[StoredParameter]: ...
    def delete_connection(self, name: str) -> bool: ...


@contextlib.contextmanager
def open_store(config: Config, stage: Stage | None = None) -> Iterator[SecretStore]:
    """The state folder's store (config.json's service, the stage ``local``), or ``stage``'s SSM."""
    if stage is None:
        with LocalSecretStore(StateDir(config.state_dir), service=read_service(config.project_root)) as local:
            yield local
        return
    from sdw.aws import create_stage_secret_store  # boto3's import cost only when asked for

    with stage_adapter(stage, create_stage_secret_store) as store:
        yield store


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
@stage_options
@reports_errors
def put_secret(name: str, value: str | None, config: Config, stage: Stage | None) -> None:
    """Store secret NAME (replacing it)."""
    _check(check_secret_name(name))
    with open_store(config, stage) as store:
        path = store.put_secret(name, _value_from(value, "value"))
    click.echo(f"{name}: stored as {path}", err=True)


@secrets.command(name="get")
@click.argument("name")
@with_config
@stage_options
@reports_errors
def get_secret(name: str, config: Config, stage: Stage | None) -> None:
    """Print secret NAME's value."""
    _check(check_secret_name(name))
    with open_store(config, stage) as store:
        value = store.get_secret(name)
        if value is None:
            path = store.secret_path(name)
            raise click.ClickException(f"no secret {name!r} ({path}): sdw secrets put {name}")
    click.echo(value)


@secrets.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_config
@stage_options
@reports_errors
def list_secrets(as_json: bool, config: Config, stage: Stage | None) -> None:
    """List the stored secrets (names and paths, never values)."""
    with open_store(config, stage) as store:
        _print_listing(store.list_secrets(), as_json, "secret")


@secrets.command(name="delete")
@click.argument("name")
@with_config
@stage_options
@reports_errors
def delete_secret(name: str, config: Config, stage: Stage | None) -> None:
    """Delete secret NAME."""
    _check(check_secret_name(name))
    with open_store(config, stage) as store:
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
@stage_options
@reports_errors
def put_connection(name: str, kind: str, value: str | None, config: Config, stage: Stage | None) -> None:
    """Store connection NAME of type TYPE (replacing it)."""
    _check(check_connection_name(name) or check_connection_type(kind))
    text = _value_from(value, "value as JSON")
    try:
        parsed: Any = json.loads(text)
    except ValueError as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise click.ClickException(f"the value is not JSON{where}: {getattr(exc, 'msg', exc)}") from None
    with open_store(config, stage) as store:
        path = store.put_connection(name, kind, parsed)
    click.echo(f"{name} ({kind}): stored as {path}", err=True)


@connections.command(name="get")
@click.argument("name")
@with_config
@stage_options
@reports_errors
def get_connection(name: str, config: Config, stage: Stage | None) -> None:
    """Print connection NAME as {"type": ..., "value": ...}."""
    _check(check_connection_name(name))
    with open_store(config, stage) as store:
        found = store.get_connection(name)
        if found is None:
            raise click.ClickException(f"no connection {name!r} ({store.connection_path(name)})")
    click.echo(json.dumps({"type": found.type, "value": found.value}, indent=2, ensure_ascii=False))


@connections.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_config
@stage_options
@reports_errors
def list_connections(as_json: bool, config: Config, stage: Stage | None) -> None:
    """List the stored connections (names, types and paths, never values)."""
    with open_store(config, stage) as store:
        _print_listing(store.list_connections(), as_json, "connection")


@connections.command(name="delete")
@click.argument("name")
@with_config
@stage_options
@reports_errors
def delete_connection(name: str, config: Config, stage: Stage | None) -> None:
    """Delete connection NAME."""
    _check(check_connection_name(name))
    with open_store(config, stage) as store:
        if not store.delete_connection(name):
            raise click.ClickException(f"no connection {name!r} ({store.connection_path(name)})")
    click.echo(f"{name}: deleted", err=True)
