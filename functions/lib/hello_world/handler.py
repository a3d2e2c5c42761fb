"""hello_world: greets the caller by the email in their token (the authorizer's claims)."""

from __future__ import annotations

import json
from typing import Any


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    claims = event["requestContext"].get("authorizer", {}).get("jwt", {}).get("claims", {})
    who = claims.get("email") or claims.get("username") or "world"
    body = {"message": f"Hello, {who}!", "function": context.function_name}
    # the body must be a string: HTTP API answers 500 to {"statusCode": 200, "body": {...}}
    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": json.dumps(body)}
