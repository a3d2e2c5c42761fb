"""ping: the smallest function there is; ``sdw dev`` prints a curl for it."""

from __future__ import annotations

from typing import Any


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"statusCode": 200, "body": "I am alive"}
