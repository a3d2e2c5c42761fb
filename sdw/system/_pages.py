"""Page tokens of the FlowEngine adapters: opaque to callers, checked when they come back.

An adapter continues a listing from a position of its own: the AWS one from a DynamoDB key
(``GET /runs``) or Step Functions' ``nextToken`` (``GET .../history``). None goes out bare:
a token is ``[version, scope digest, position]`` as JSON, plus a checksum, in base64url.
The scope names the listing that produced it (the owner and filters, or the execution and
order), so a token altered, truncated, or sent with other filters or for another execution
is an InvalidTokenError (400 InvalidToken), as Step Functions answers a token not its own.

The checksum is not a secret, so a caller could forge a well-formed token: an adapter
checks what a position holds (sdw.aws's ExecutionIndex: string keys, the caller as
owner), so a forged token can only move the page within the caller's own executions.
(sdw.local's engine has an older copy of this codec for integer positions.)
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

from sdw.system._errors import InvalidTokenError

_VERSION = 1
_MAX_TOKEN = 8192  # Step Functions' own nextToken is up to 3,096 characters, wrapped here


def encode_token(scope: str, position: Any) -> str:
    """A token that continues the listing ``scope`` from ``position`` (any JSON value)."""
    body = json.dumps([_VERSION, _digest(scope), position], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(body + _checksum(body)).decode().rstrip("=")


def decode_token(token: str | None, scope: str) -> Any:
    """The position ``token`` continues from; None for no token; InvalidTokenError when it is not ours.

    >>> decode_token(encode_token("runs", {"k": "v"}), "runs")
    {'k': 'v'}
    """
    if token is None:
        return None
    if not token or len(token) > _MAX_TOKEN:
        raise InvalidTokenError()
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise InvalidTokenError() from None
    body, checksum = raw[:-8], raw[-8:]
    if len(raw) <= 8 or _checksum(body) != checksum:
        raise InvalidTokenError()
    try:
        version, digest, position = json.loads(body)
    except (ValueError, TypeError):
        raise InvalidTokenError() from None
    if version != _VERSION or digest != _digest(scope) or position is None:
        raise InvalidTokenError()
    return position


def _digest(scope: str) -> str:
    return hashlib.sha256(scope.encode()).hexdigest()[:16]


def _checksum(body: bytes) -> bytes:
    return hashlib.blake2b(body, digest_size=8, person=b"sdw-page-token").digest()
