"""add_one: a step of flows/dummy2StepFlow.yml and scheduleMapFlow.yml; also POST /lib/add_one.

    {"value": 1}  ->  {"value": 2}
"""

from __future__ import annotations

import json
from typing import Any


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    # a flow's Task passes its state input as the event; POST /lib/... passes an HTTP API event
    data = json.loads(event.get("body") or "{}") if "requestContext" in event else event
    return {"value": int(data.get("value", 0)) + 1}
