"""greet: validates a JSON body and answers 400 with a message when it is wrong.

    POST /lib/greet  {"name": "Ada", "language": "en"}  ->  200 {"greeting": "Hello, Ada!"}
    POST /lib/greet  {"name": ""}                       ->  400 {"message": "..."}
"""

from __future__ import annotations

import base64
import json
from typing import Any

GREETINGS = {"en": "Hello", "fr": "Bonjour", "de": "Hallo", "es": "Hola"}


def _bad_request(message: str) -> dict[str, Any]:
    headers = {"content-type": "application/json"}
    return {"statusCode": 400, "headers": headers, "body": json.dumps({"message": message})}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    raw = event.get("body") or ""
    if event.get("isBase64Encoded"):
        raw = base64.b64decode(raw).decode("utf-8", errors="replace")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        return _bad_request(f"the body must be JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
    if not isinstance(data, dict):
        return _bad_request('the body must be a JSON object such as {"name": "Ada"}')
    unknown = sorted(set(data) - {"name", "language"})
    if unknown:
        return _bad_request(f"unknown field(s): {', '.join(unknown)}")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        return _bad_request("name: a non-empty string is required")
    if len(name) > 100:
        return _bad_request("name: at most 100 characters")
    language = data.get("language", "en")
    if language not in GREETINGS:
        return _bad_request(f"language: one of {', '.join(sorted(GREETINGS))}")
    greeting = f"{GREETINGS[language]}, {name.strip()}!"
    headers = {"content-type": "application/json"}
    return {"statusCode": 200, "headers": headers, "body": json.dumps({"greeting": greeting})}
