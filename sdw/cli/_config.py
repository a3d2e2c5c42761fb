"""The one configuration object of the CLI, built once and passed down.

Precedence, highest first: a command-line option, an ``SDW_*`` environment variable, the
default. Only this module (and sdw/runtime, inside a Lambda) reads ``os.environ``.

    SDW_PROJECT_DIR   the project tree (default: the working directory)
    SDW_STATE_DIR     local state: database, keys (default: <project>/.sdw)
    SDW_REGION        the region the local runtime pretends to be in (default: us-east-1)
    SDW_HOST/SDW_PORT where ``sdw dev`` listens (default: 127.0.0.1:3000)

For the commands that sign a token or call ``sdw dev`` (``sdw users``, ``sdw run``,
``sdw executions``), where a running ``sdw dev`` says it listens (``dev-server.json`` in
the state folder) comes before the default host and port: an option or a variable still
wins. ``address_given`` records whether one did.

A value that cannot be used (``SDW_PORT=abc``, a port past 65535) is a ``ValueError``
whose message names the setting; the commands print it as one line.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

MAX_PORT = 65_535


@dataclass(frozen=True)
class Config:
    project_root: Path
    state_dir: Path
    region: str = "us-east-1"
    host: str = "127.0.0.1"
    port: int = 3000
    address_given: bool = False  # host or port came from an option or SDW_HOST/SDW_PORT


def create_config(
    *,
    project_dir: str | None = None,
    state_dir: str | None = None,
    host: str | None = None,
    port: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> Config:
    env = os.environ if environ is None else environ
    root = Path(project_dir or env.get("SDW_PROJECT_DIR") or os.getcwd()).resolve()
    state = Path(state_dir or env.get("SDW_STATE_DIR") or root / ".sdw").resolve()
    return Config(
        project_root=root,
        state_dir=state,
        region=env.get("SDW_REGION", "us-east-1"),
        host=host or env.get("SDW_HOST", "127.0.0.1"),
        port=_port(port) if port is not None else _port(env.get("SDW_PORT", "3000"), "SDW_PORT"),
        address_given=bool(host or port is not None or env.get("SDW_HOST") or env.get("SDW_PORT")),
    )


def _port(value: int | str, name: str = "--port") -> int:
    """A TCP port number (0: any free port), else ValueError naming the setting."""
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"{name} must be a port number, not {value!r}") from None
    if not 0 <= number <= MAX_PORT:
        raise ValueError(f"{name} must be from 0 to {MAX_PORT}, not {number}")
    return number
