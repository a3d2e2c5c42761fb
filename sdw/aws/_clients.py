"""boto3 clients made when first used, and the settings a deployed system Lambda reads.

Why lazily: importing boto3 and building a client costs a cold start several hundred
milliseconds (bench/coldstart.py), and several system routes need no AWS call at all:
``GET /flows`` answers from the project model, ``GET /auth/config`` from the pool's ids,
``GET /auth/verify`` from the event. So the adapters get a ``LazyClient``, which imports
boto3 and builds the real client at the first method call, and a Lambda that only lists
flows never imports boto3.

``LambdaSettings`` is the environment the deploy compiler gives every system Lambda (the
names are the BRIEF's contract), read once per cold start from the mapping the handler
passes in (``os.environ`` there; a dict in tests). A missing variable is an
AwsConfigError that names every missing one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sdw.aws._errors import AwsConfigError, translated


class LazyClient:
    """A boto3 client built on first attribute access (``client.start_execution``, ``client.meta``)."""

    def __init__(self, factory: Callable[[], Any]) -> None:
        self._factory = factory
        self._client: Any = None
        self._lock = threading.Lock()  # boto3 makes clients thread-unsafely; a client is then shared

    def __getattr__(self, name: str) -> Any:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = self._factory()
        return getattr(self._client, name)


def lazy_client(service: str, *, region: str | None = None, session: Any = None) -> LazyClient:
    """A LazyClient of ``service`` in ``region`` (None: boto3's own default), from ``session`` if given."""

    def create() -> Any:
        with translated(f"{service} client setup"):
            if session is not None:
                return session.client(service, region_name=region)
            import boto3  # here, not at the top: see the module docstring

            return boto3.client(service, region_name=region)

    return LazyClient(create)


@dataclass(frozen=True)
class LambdaSettings:
    """Where a deployed system Lambda runs and what it talks to (its environment)."""

    environ: Mapping[str, str]

    def require(self, *names: str) -> dict[str, str]:
        """The values of ``names``; AwsConfigError naming every one that is unset or empty."""
        missing = [name for name in names if not self.environ.get(name)]
        if missing:
            raise AwsConfigError(
                f"the Lambda's environment lacks {', '.join(missing)}; the deploy sets them on every "
                "system Lambda (is this function deployed by sdw's serverless.yml?)"
            )
        return {name: self.environ[name] for name in names}

    @property
    def region(self) -> str:
        return self.require("AWS_REGION")["AWS_REGION"]

    @property
    def name_prefix(self) -> str:
        """``<service>-<stage>-``, before every deployed name (sdw.project's ArnNaming prefix)."""
        found = self.require("SDW_SERVICE", "SDW_STAGE")
        return f"{found['SDW_SERVICE']}-{found['SDW_STAGE']}-"

    @property
    def task_root(self) -> Path:
        """The package root, where Lambda unpacked the project tree (``/var/task``)."""
        return Path(self.require("LAMBDA_TASK_ROOT")["LAMBDA_TASK_ROOT"])
