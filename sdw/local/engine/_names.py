"""Names, ARNs, dates and page tokens of the local flow engine: pure functions, no I/O.

They are apart from the engine so that the rules Step Functions applies to what a caller
sends (an execution name, a pagination token) are written and tested once, without a
database or a thread.

The limits (names of 1-80 characters, pages of 1-1000) and ``execution_arn`` are
sdw.system's, which checks the same requests at the endpoints; which characters a name may
not hold is sdw.project's ``refused_character``, the rule state machine names share.

Execution ARNs are Step Functions' two shapes (``execution_id`` reads the id back):

    STANDARD  arn:aws:states:<region>:<account>:execution:<state machine>:<name>
    EXPRESS   arn:aws:states:<region>:<account>:express:<state machine>:<name>:<run id>

A standard execution's name is unique per state machine (that is what makes a repeated
StartExecution idempotent), so its id is the name. Express executions may share a name
(AWS starts one workflow per attempt), so the ARN carries a run id of its own, and the id
the engine hands out is ``<name>:<run id>``.

Page tokens are opaque to callers and checked here: a token is the position of the last
item of the previous page plus a digest of the query it belongs to, in base64url, with a
checksum. A token that was altered, truncated, or used with other filters than the ones
that produced it is an ``InvalidTokenError``, as Step Functions answers InvalidToken.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from sdw.project import refused_character
from sdw.system import DEFAULT_LIMIT, MAX_NAME, MAX_RESULTS, InvalidParameterError, InvalidTokenError

_CHILD_NAMESPACE = uuid.UUID("0b5c7d0e-8a47-4f7e-9d7e-5d1f0c6a2f31")
_TOKEN_VERSION = 1


def check_execution_name(name: Any) -> str:
    """``name`` when Step Functions would accept it for an execution, else InvalidParameterError.

    >>> check_execution_name("nightly-2026-11-25")
    'nightly-2026-11-25'
    """
    if not isinstance(name, str):
        raise InvalidParameterError("The execution name must be a string.", "name")
    if not name:
        raise InvalidParameterError("The execution name is empty; it needs 1 to 80 characters.", "name")
    if len(name) > MAX_NAME:
        raise InvalidParameterError(
            f"The execution name is {len(name)} characters long; Step Functions accepts at most {MAX_NAME}.",
            "name",
        )
    bad = refused_character(name)
    if bad:
        raise InvalidParameterError(
            f"The execution name {name!r} contains {bad!r}; a name cannot contain white space, "
            "brackets, wildcards, control characters or any of \" # % \\ ^ | ~ ` $ & , ; : /.",
            "name",
        )
    return name


def check_limit(limit: Any) -> int:
    """A page size of 1-1000 (Step Functions' maxResults); 0 means the default, 100."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 0 <= limit <= MAX_RESULTS:
        raise InvalidParameterError(
            f"The page size must be a whole number from 1 to {MAX_RESULTS}, not {limit!r}.", "limit"
        )
    return limit or DEFAULT_LIMIT


def execution_id(arn: str) -> str:
    """The id a caller uses for an execution: the name, or ``<name>:<run id>`` for an express one.

    >>> execution_id("arn:aws:states:us-east-1:000000000000:express:hello:n:2d1f")
    'n:2d1f'
    """
    parts = arn.split(":")
    return ":".join(parts[7:])


def child_execution_name(parent_arn: str, task_id: str) -> str:
    """The name of the child a parent's task starts when its parameters give none.

    Step Functions gives such a child a fresh UUID. Here the UUID is derived from the
    parent and the task, so that a task issued again after a restart (at-least-once)
    finds the child it started before instead of starting a second one.
    """
    return str(uuid.uuid5(_CHILD_NAMESPACE, f"{parent_arn}\n{task_id}"))


def canonical_json(value: Any) -> str:
    """The compact, key-sorted JSON text two equal inputs share (for idempotent starts)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(value: Any) -> str:
    """The SHA-256 of a JSON value's canonical text: a definition's key, an input's fingerprint."""
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()


def format_date(seconds: float) -> str:
    """Epoch seconds as ISO-8601 UTC with milliseconds, as the port's dates are.

    >>> format_date(1795600800.1234)
    '2026-11-25T10:00:00.123Z'
    """
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def epoch_millis(seconds: float) -> int:
    """Epoch seconds as the integer milliseconds Step Functions' integrations return dates in."""
    return round(seconds * 1000)


def encode_token(scope: str, position: int) -> str:
    """A page token: continue after ``position`` in the listing that ``scope`` names."""
    body = json.dumps([_TOKEN_VERSION, _scope_digest(scope), position], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(body + _checksum(body)).decode().rstrip("=")


def decode_token(token: str | None, scope: str) -> int | None:
    """The position a token continues after; None for no token. InvalidTokenError when it is not one of ours.

    >>> decode_token(encode_token("list:me", 42), "list:me")
    42
    """
    if token is None:
        return None
    if not isinstance(token, str) or not token or len(token) > 1024:
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
    if version != _TOKEN_VERSION or digest != _scope_digest(scope):
        raise InvalidTokenError()
    if isinstance(position, bool) or not isinstance(position, int) or position < 0:
        raise InvalidTokenError()
    return position


def _scope_digest(scope: str) -> str:
    return hashlib.sha256(scope.encode()).hexdigest()[:16]


def _checksum(body: bytes) -> bytes:
    return hashlib.blake2b(body, digest_size=8, person=b"sdw-page").digest()
