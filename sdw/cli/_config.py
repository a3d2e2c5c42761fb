"""The one configuration object of the CLI, built once and passed down.

Precedence, highest first: a command-line option, an ``SDW_*`` environment variable, the
default. Only this module (and sdw/runtime, inside a Lambda) reads ``os.environ``.

    SDW_PROJECT_DIR   the project tree (default: the working directory)
    SDW_STATE_DIR     local state: database, keys (default: <project>/.sdw)
    SDW_REGION        the region the local runtime pretends to be in (default: us-east-1)
    SDW_HOST/SDW_PORT where ``sdw dev`` listens (default: 127.0.0.1:3000)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Config:
    project_root: Path
    state_dir: Path
    region: str = "us-east-1"
    host: str = "127.0.0.1"
    port: int = 3000


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
        port=port if port is not None else int(env.get("SDW_PORT", "3000")),
    )
