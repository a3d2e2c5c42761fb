"""hello_world: greets the caller by the email in their token (the authorizer's claims)."""

from __future__ import annotations

from typing import Any


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    claims = event["requestContext"].get("authorizer", {}).get("jwt", {}).get("claims", {})
    who = claims.get("email") or claims.get("username") or "world"
    # this project's style: a dict body, which HTTP API sends as JSON
    return {"statusCode": 200, "body": {"message": f"Hello, {who}!", "function": context.function_name}}
