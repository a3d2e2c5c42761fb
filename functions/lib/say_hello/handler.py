"""say_hello: the one task of flows/helloWorldFlow.yml; also POST /lib/say_hello.

    {"name": "Ada"}  ->  {"message": "Hello, Ada!"}
"""

from __future__ import annotations

import json
from typing import Any


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    # a flow's Task passes its state input as the event; POST /lib/... passes an HTTP API event
    data = json.loads(event.get("body") or "{}") if "requestContext" in event else event
    name = data.get("name") or "world"
    return {"message": f"Hello, {name}!"}
