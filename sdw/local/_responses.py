"""Map a Lambda result to an HTTP response as API Gateway HTTP API does (format 2.0).

The rules, from the API Gateway developer guide ("Lambda function response for format
2.0") and what HTTP API does where the guide is silent:

* A result that is not an object with ``statusCode`` is taken as the body: status 200,
  ``content-type: application/json``, the result serialized as JSON (a string result
  ``"hi"`` is sent with its quotes, ``null`` as ``null``).
* With ``statusCode``: ``headers`` (values as text), ``cookies`` (each one a
  ``set-cookie`` header), ``body`` and ``isBase64Encoded`` (the body is decoded).
  ``multiValueHeaders`` belongs to format 1.0 and is ignored.
* A ``body`` that is not a string (``{"statusCode": 200, "body": {...}}``) is refused:
  HTTP API answers 500 ``Internal Server Error`` and its access log's
  ``integrationErrorMessage`` says the body has the wrong type (seen on AWS and reported by
  the Lambda team in aws/aws-lambda-go#373). Return ``json.dumps(...)`` as the body, or
  return the object itself without ``statusCode``. With no content-type header a response
  with ``statusCode`` is ``text/plain``.
* A result of the wrong shape (statusCode not a number, headers not an object, a base64
  body that does not decode) is a malformed response: 500 ``Internal Server Error``; so is
  an informational status (1xx), which cannot end a request.
* A status HTTP sends without content (204 No Content, 205 Reset Content, 304 Not
  Modified: RFC 9110, sections 15.3.5, 15.3.6 and 15.4.5) goes out with its headers and
  no body, whatever body the function gave: AWS does not document this case, and a body
  there would break the HTTP exchange (the server could not send it), so sdw sends what
  HTTP allows and logs that the body was dropped.

Every gateway error has the body HTTP API gives: ``{"message":"<reason phrase>"}``.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("sdw.gateway")

JSON_TYPE = "application/json"
NO_CONTENT_STATUSES = frozenset({204, 205, 304})
DEFAULT_STRUCTURED_TYPE = "text/plain; charset=utf-8"


@dataclass(slots=True)
class GatewayResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        name = name.lower()
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None


class MalformedResponseError(ValueError):
    """The function returned something HTTP API cannot turn into a response (a 500)."""


def error_response(status: int, message: str) -> GatewayResponse:
    """HTTP API's own error: ``{"message":"Not Found"}``, compact as AWS sends it."""
    body = json.dumps({"message": message}, separators=(",", ":")).encode()
    return GatewayResponse(status, [("content-type", JSON_TYPE)], body)


NOT_FOUND = ("Not Found", 404)
UNAUTHORIZED = ("Unauthorized", 401)
INTERNAL = ("Internal Server Error", 500)
UNAVAILABLE = ("Service Unavailable", 503)
TOO_LARGE = ("Request Entity Too Large", 413)


def json_response(status: int, body: Any, headers: list[tuple[str, str]] | None = None) -> GatewayResponse:
    data = json.dumps(body, separators=(",", ":")).encode()
    return GatewayResponse(status, [("content-type", JSON_TYPE), *(headers or [])], data)


def map_lambda_result(result: Any) -> GatewayResponse:
    """The HTTP response for a function's (JSON) result; MalformedResponseError if it has none."""
    if not isinstance(result, dict) or "statusCode" not in result:
        # "If your Lambda function returns valid JSON and doesn't return a statusCode, API
        # Gateway assumes: isBase64Encoded false, statusCode 200, content-type application/json,
        # body is the function's response."
        return GatewayResponse(200, [("content-type", JSON_TYPE)], json.dumps(result).encode())
    status = result["statusCode"]
    if isinstance(status, bool) or not isinstance(status, int) or not 200 <= status <= 599:
        raise MalformedResponseError(f"statusCode must be an HTTP status from 200 to 599, not {status!r}")
    headers = _headers(result.get("headers"))
    cookies = result.get("cookies")
    if cookies is not None:
        if not isinstance(cookies, list) or not all(isinstance(c, str) for c in cookies):
            raise MalformedResponseError("cookies must be a list of strings")
        headers.extend(("set-cookie", cookie) for cookie in cookies)
    body = _body(result.get("body"), result.get("isBase64Encoded", False))
    if not any(name.lower() == "content-type" for name, _ in headers):
        headers.append(("content-type", DEFAULT_STRUCTURED_TYPE))
    if status in NO_CONTENT_STATUSES:
        if body:
            log.warning("a %d response has no content (RFC 9110): the function's %d-byte body was dropped",
                        status, len(body))
        return GatewayResponse(status, [h for h in headers if h[0].lower() != "content-length"], b"")
    return GatewayResponse(status, headers, body)


def _headers(raw: Any) -> list[tuple[str, str]]:
    if raw is None:
        return []
    if not isinstance(raw, dict):
        raise MalformedResponseError("headers must be an object")
    headers: list[tuple[str, str]] = []
    for name, value in raw.items():
        if value is None:
            continue
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, str | int | float):
            text = str(value)
        else:
            raise MalformedResponseError(f"header {name!r} must be text, not {type(value).__name__}")
        if "\n" in text or "\r" in text:
            raise MalformedResponseError(f"header {name!r} has a line break")
        headers.append((str(name), text))
    return headers


def _body(body: Any, is_base64: Any) -> bytes:
    if body is None:
        return b""
    if not isinstance(body, str):
        raise MalformedResponseError(
            f"body must be a string, not {_json_type(body)}: HTTP API answers 500 to such a response; "
            "return json.dumps(...) as the body, or the object alone without statusCode"
        )
    if is_base64 is True:
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError) as exc:
            message = f"isBase64Encoded is true but the body is not base64: {exc}"
            raise MalformedResponseError(message) from None
    return body.encode("utf-8")


def _json_type(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, bool):
        return "a boolean"
    return "a number" if isinstance(value, int | float) else type(value).__name__
