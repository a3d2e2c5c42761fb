"""GET /usage and GET /usage/{user_id} on AWS, and the seed's import path of the usage decorator.

Seed functions write ``from functions.base.api_usage.handler import track_usage_middleware``;
the decorator itself is ``sdw.runtime.track_usage_middleware``, re-exported here so that
what it does is written once.

``handler`` is this Lambda's: sdw.system's usage endpoints over the stage's usage table
(sdw.aws.create_usage_lambda). It is built at its first call, not at import, because every
decorated user function imports this module: importing it must cost them nothing (no
sdw.aws, no boto3). Locally sdw's gateway serves the same routes with the same logic.
"""

from __future__ import annotations

import os
from typing import Any

from sdw.runtime import track_usage_middleware

__all__ = ["handler", "track_usage_middleware"]

_built: list[Any] = []


def handler(event: Any, context: Any) -> Any:
    """The api_usage Lambda's handler (its table is built once per instance)."""
    if not _built:
        from sdw.aws import create_usage_lambda

        _built.append(create_usage_lambda(os.environ))
    return _built[0](event, context)
