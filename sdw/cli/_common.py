"""What the ``sdw`` command modules share: settings, one-line errors, the pool and the client.

    load_config         the Config of the options given; a bad setting is one line, exit 1
    with_config         --project-dir/--state-dir/--host/--port on a command, which gets ``config``
    reports_errors      every failure as one line on stderr and exit status 1, never a traceback
    server_base_url     where the Config's ``sdw dev`` is: the running one's address, else host and port
    create_user_pool    the local user pool of a Config (its issuer: server_base_url + the pool id)
    stage_options       --stage/--service/--region: a deployed stage instead of the local pool
    open_user_directory the local pool, or with a stage its Cognito pool (found by the stack's outputs)
    token_option        --token / SDW_TOKEN, for the commands that call a running ``sdw dev``
    create_flow_client  a client of that ``sdw dev``, as --token's user or the dev user
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

import click

from sdw.cli._config import Config, create_config
from sdw.cli._flow_client import FlowClient, FlowClientError
from sdw.local import (
    LocalError,
    LocalUserPool,
    create_local_user_pool,
    ensure_dev_user,
    local_base_url,
    running_server_url,
)
from sdw.project import DEFAULT_SERVICE, ProjectError, read_service
from sdw.runtime import SdwRuntimeError
from sdw.system import ServiceError, UserDirectory

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")


def load_config(
    *,
    project_dir: str | None = None,
    state_dir: str | None = None,
    host: str | None = None,
    port: int | None = None,
) -> Config:
    """``create_config``, with a setting it cannot use (``SDW_PORT=abc``) as a one-line error."""
    try:
        return create_config(project_dir=project_dir, state_dir=state_dir, host=host, port=port)
    except ValueError as exc:
        raise click.ClickException(f"bad configuration: {exc}") from None


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn every failure into one line on stderr and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except (click.ClickException, click.Abort, click.exceptions.Exit):
            raise
        except BrokenPipeError:  # `sdw ... | head` closed the pipe: stop quietly, as cat does
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # so that the final flush at exit cannot fail again
            raise click.exceptions.Exit(1) from None
        except (ServiceError, LocalError, FlowClientError, ProjectError, SdwRuntimeError) as exc:
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


def with_config(command: Callable[..., R]) -> Callable[..., R]:
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
        config = load_config(project_dir=project_dir, state_dir=state_dir, host=host, port=port)
        return command(*args, config=config, **kwargs)

    decorated: Callable[..., R] = wrapper
    for option in reversed(_CONFIG_OPTIONS):
        decorated = option(decorated)
    return decorated


def server_base_url(config: Config) -> str:
    """Where ``sdw dev`` is reached: the address a running one recorded in the state folder,
    unless a host or port was given; else the configured host and port."""
    if not config.address_given:
        running = running_server_url(config.state_dir)
        if running is not None:
            return running
    return local_base_url(config.host, config.port)


def create_user_pool(config: Config, *, clock: Callable[[], float] = time.time) -> LocalUserPool:
    """The local user pool of ``config``: kept in its state folder, its issuer the server's."""
    return create_local_user_pool(
        config.state_dir,
        base_url=server_base_url(config),
        region=config.region,
        clock=clock,
    )


_STAGE_OPTIONS = [
    click.option(
        "--stage",
        help="A deployed stage (the stack <service>-<stage>) instead of the local runtime: its Cognito "
        "pool, usage table or SSM parameters.",
    ),
    click.option(
        "--service", envvar="SDW_SERVICE",
        help="The service name the stage was deployed under [SDW_SERVICE]; default: config.json's, or sdw.",
    ),
    click.option(
        "--region", envvar=["AWS_REGION", "AWS_DEFAULT_REGION"],
        help="The stage's AWS region [AWS_REGION, AWS_DEFAULT_REGION]; default: the AWS profile's.",
    ),
]


def stage_options(command: Callable[..., R]) -> Callable[..., R]:
    """Add --stage, --service and --region to ``command``, which receives them as ``stage``."""

    @functools.wraps(command)
    def wrapper(*args: Any, stage: str | None, service: str | None, region: str | None, **kwargs: Any) -> R:
        if stage and not service:  # as serverless.yml names the stack: config.json's service, or sdw
            config = kwargs.get("config")
            try:
                service = read_service(config.project_root) if isinstance(config, Config) else DEFAULT_SERVICE
            except ProjectError as exc:
                raise click.ClickException(str(exc)) from None
        chosen = Stage(stage, service or DEFAULT_SERVICE, region) if stage else None
        return command(*args, stage=chosen, **kwargs)

    decorated: Callable[..., R] = wrapper
    for option in reversed(_STAGE_OPTIONS):
        decorated = option(decorated)
    return decorated


@dataclass(frozen=True)
class Stage:
    """A deployed stage as the options name it: the stack ``<service>-<name>`` in ``region``."""

    name: str
    service: str
    region: str | None


@contextlib.contextmanager
def open_user_directory(config: Config, stage: Stage | None) -> Iterator[UserDirectory]:
    """The users of the local pool, or of ``stage``'s Cognito pool when one is named.

    The stage's pool is found by its stack's outputs (sdw.aws); a boto3 session may be
    injected through the click context's ``obj["aws_session"]`` (tests do). Every AWS
    failure, there or in the command's calls, is one line.
    """
    if stage is None:
        with create_user_pool(config) as pool:
            yield pool
        return
    from sdw.aws import create_stage_directory  # boto3's import cost only when asked for

    with stage_adapter(stage, create_stage_directory) as directory:
        yield directory


@contextlib.contextmanager
def stage_adapter(stage: Stage, create: Callable[..., T]) -> Iterator[T]:
    """``create(stage, service=, region=, session=)``: one of sdw.aws's adapters of a deployed stage.

    A boto3 session may be injected through the click context's ``obj["aws_session"]``
    (tests do). Every AWS failure, in ``create`` or in the command's calls, is one line.
    """
    from sdw.aws import AwsError

    context = click.get_current_context(silent=True)
    session = (context.obj or {}).get("aws_session") if context is not None else None
    try:
        yield create(stage.name, service=stage.service, region=stage.region, session=session)
    except AwsError as exc:
        raise click.ClickException(str(exc)) from None


token_option = click.option(
    "--token", envvar="SDW_TOKEN", help="A user's ID token [SDW_TOKEN]; default: the dev user's."
)


def create_flow_client(config: Config, token: str | None) -> FlowClient:
    """A client of ``sdw dev`` at the configured host and port, as ``token``'s user or the dev user."""
    if token is None:
        with create_user_pool(config) as pool:
            token = ensure_dev_user(pool).id_token
    return FlowClient(server_base_url(config), token)
