"""What a caller sends the flow endpoints, checked before anything reaches the engine.

Each function turns one raw request part (a body, a query value, a path segment) into a
plain value or raises a ServiceError whose message says what is wrong and where. The
checks are Step Functions' own, so a request refused here would be refused on AWS too:

    execution input   a JSON object of at most 256 KiB (StartExecution's ``input``; AWS
                      answers InvalidExecutionInput, or a ValidationException past the size)
    execution name    1-80 characters, none of StartExecution's refused ones (InvalidName)
    limit             1-1000 (ListExecutions / GetExecutionHistory ``maxResults``)
    status            RUNNING, SUCCEEDED, FAILED, TIMED_OUT or ABORTED (``statusFilter``)
    stop error/cause  at most 256 / 32,768 characters (StopExecution)
    execution ARN     arn:aws:states:<region>:<account>:execution:<state machine>:<name> (InvalidArn)

The errors this module adds to ``sdw.system._errors``' tree, each a 400:

    ServiceError
    ├── InvalidExecutionInputError  InvalidExecutionInput: the body is not a JSON object, or too big
    ├── InvalidNameError            InvalidName: an execution name Step Functions refuses
    └── InvalidArnError             InvalidArn: an ARN that is not an execution's
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sdw.project import refused_character
from sdw.system._errors import InvalidParameterError, ServiceError
from sdw.system._ports import ExecutionStatus

MAX_INPUT_BYTES = 256 * 1024  # "Maximum input or output size: 256 KiB of data as a UTF-8 encoded string"
MAX_NAME = 80  # StartExecution: name, 1-80 characters
MAX_RESULTS = 1000  # ListExecutions / GetExecutionHistory: maxResults at most 1000
DEFAULT_LIMIT = 100  # both list 100 when maxResults is 0 or absent
MAX_STOP_ERROR = 256  # StopExecution: error, 0-256 characters
MAX_STOP_CAUSE = 32768  # StopExecution: cause, 0-32768 characters
USER_ID_KEY = "__user_id"
_OWNER_DIGITS = 16  # hex digits of the caller's part of a given name (64 bits)

_EXECUTION_ARN = re.compile(
    r"arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:(?:execution:(?P<machine>[^:]+):(?P<name>[^:]+)"
    r"|express:(?P<express_machine>[^:]+):(?P<express_name>[^:]+):(?P<run>[^:]+))"
)
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no", ""}


class InvalidExecutionInputError(ServiceError):
    code = "InvalidExecutionInput"


class InvalidNameError(ServiceError):
    code = "InvalidName"


class InvalidArnError(ServiceError):
    code = "InvalidArn"


def parse_execution_input(body: str | bytes | None, user_id: str) -> dict[str, Any]:
    """The execution input of ``POST /run/{flow}``: the body's JSON object, owner injected.

    An empty body is ``{}``. ``__user_id`` is always the caller's ``sub``: a value the
    client put there is overwritten, so a flow can trust it. The size limit applies to the
    input as StartExecution receives it, compact and with ``__user_id`` added.

    >>> parse_execution_input(b'{"name": "Ada", "__user_id": "me"}', "sub-1")
    {'name': 'Ada', '__user_id': 'sub-1'}
    """
    raw = _body_bytes(body)
    if len(raw) > MAX_INPUT_BYTES:
        raise InvalidExecutionInputError(_too_big("The request body", len(raw)))
    value = decode_json_body(raw, "The execution input") if raw.strip() else {}
    if not isinstance(value, dict):
        raise InvalidExecutionInputError(
            f"The execution input must be a JSON object, not {json_kind(value)}; "
            'send {"key": value, ...} or an empty body for {}.'
        )
    value[USER_ID_KEY] = user_id
    size = len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())
    if size > MAX_INPUT_BYTES:
        raise InvalidExecutionInputError(_too_big(f"The execution input (with {USER_ID_KEY} added)", size))
    return value


def decode_json_body(
    raw: bytes, what: str, error: Callable[[str], ServiceError] = InvalidExecutionInputError
) -> Any:
    """``raw`` as JSON, or ``error(message)`` naming the line and column at fault."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        byte = raw[exc.start]
        raise error(f"{what} is not UTF-8: byte {exc.start} ({byte:#04x}) starts no character.") from None
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_int=_parse_int,
                           parse_float=_parse_float)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise error(f"{what} is not valid JSON: {exc.msg} at {where}.") from None
    except _NotJsonError as exc:
        raise error(f"{what} is not valid JSON: {exc.constant} is not a JSON value.") from None
    except _UnreadableNumberError as exc:
        raise error(f"{what} has a number sdw cannot hold: {exc.reason}.") from None
    except RecursionError:
        raise error(f"{what} is nested too deeply to read.") from None
    if "\\u" in text and _has_lone_surrogate(value):
        raise error(
            f"{what} is not valid JSON text: it escapes half of a UTF-16 surrogate pair (such as \\ud800) "
            "without the other half, which encodes no character."
        )
    return value


def parse_execution_name(value: str | None) -> str | None:
    """The optional ``?name=`` of ``POST /run/{flow}``, checked as StartExecution checks ``name``."""
    if value is None:
        return None
    if not value:
        raise InvalidNameError("Invalid execution name in ?name=: it is empty; leave it out to get an id.")
    if len(value) > MAX_NAME:
        raise InvalidNameError(
            f"Invalid execution name in ?name=: it has {len(value)} characters; at most {MAX_NAME} are."
        )
    bad = refused_character(value)
    if bad:
        raise InvalidNameError(
            f"Invalid execution name in ?name=: {bad!r} is not allowed (no white space, brackets, "
            "wildcards, control characters or any of \" # % \\ ^ | ~ ` $ & , ; : /)."
        )
    return value


def parse_given_name(value: str) -> str | None:
    """``value`` if it could be a name a caller gave (see ``parse_execution_name``), else None."""
    return value if _is_name(value) else None


def owned_execution_name(owner: str, name: str) -> str:
    """The execution name that ``name``, given by ``owner``, becomes: unique to that caller.

    Step Functions' names are per state machine; the callers of ``/run`` are many. The name
    keeps what the caller wrote (cut to fit 80 characters) and ends with 16 hex digits of
    SHA-256 over the caller's sub and the whole name, so two callers' names never meet.

    >>> owned_execution_name("sub-1", "nightly-2027-01-15")
    'nightly-2027-01-15-b1b58da9572d9d5c'
    """
    digest = hashlib.sha256(f"{owner}\n{name}".encode()).hexdigest()[:_OWNER_DIGITS]
    return f"{name[: MAX_NAME - _OWNER_DIGITS - 1]}-{digest}"


def parse_stop_body(body: str | bytes | None) -> tuple[str | None, str | None]:
    """``(error, cause)`` from the optional ``{"error": ..., "cause": ...}`` of a stop request."""
    raw = _body_bytes(body)
    if not raw.strip():
        return None, None
    value = decode_json_body(raw, "The request body", _body_error)
    if not isinstance(value, dict):
        raise InvalidParameterError(
            f'The request body must be a JSON object such as {{"error": ..., "cause": ...}}, '
            f"not {json_kind(value)}.",
            "body",
        )
    unknown = sorted(set(value) - {"error", "cause"})
    if unknown:
        raise InvalidParameterError(
            f"Unknown key {unknown[0]!r} in the request body; only 'error' and 'cause' are accepted.", "body"
        )
    error = _optional_text(value, "error", MAX_STOP_ERROR)
    cause = _optional_text(value, "cause", MAX_STOP_CAUSE)
    return error, cause


def check_query(query: Mapping[str, str], allowed: Iterable[str]) -> None:
    """Refuse a query parameter the endpoint does not know (a typo would otherwise go unseen)."""
    known = list(allowed)
    for key in query:
        if key not in known:
            expected = ", ".join(known) if known else "none"
            raise InvalidParameterError(
                f"Unknown query parameter {key!r}; this endpoint accepts: {expected}.", key
            )


def parse_limit(value: str | None) -> int:
    """``?limit=``: 1-1000, as ``maxResults``; absent means 100."""
    if value is None:
        return DEFAULT_LIMIT
    try:
        limit = int(value)
    except ValueError:
        raise InvalidParameterError(
            f"Invalid ?limit={value!r}: it must be a whole number from 1 to {MAX_RESULTS}.", "limit"
        ) from None
    if not 1 <= limit <= MAX_RESULTS:
        raise InvalidParameterError(
            f"Invalid ?limit={limit}: it must be from 1 to {MAX_RESULTS}.", "limit"
        )
    return limit


def parse_status(value: str | None) -> str | None:
    """``?status=``: one of ListExecutions' ``statusFilter`` values (any case), or None."""
    if value is None:
        return None
    status = value.upper()
    if status not in ExecutionStatus.ALL:
        raise InvalidParameterError(
            f"Invalid ?status={value!r}: it must be one of {', '.join(ExecutionStatus.ALL)}.", "status"
        )
    return status


def parse_reverse(value: str | None) -> bool:
    """``?reverse=``: true or false (GetExecutionHistory's ``reverseOrder``)."""
    if value is None:
        return False
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise InvalidParameterError(f"Invalid ?reverse={value!r}: it must be true or false.", "reverse")


def parse_next_token(value: str | None) -> str | None:
    """``?next_token=``: opaque to us; empty is the same as absent."""
    return value or None


def execution_arn(state_machine_arn: str, name: str, run_id: str | None = None) -> str:
    """The ARN Step Functions gives execution ``name`` of a state machine.

    A standard execution's is ``...:execution:<machine>:<name>``; an express one's
    ``...:express:<machine>:<name>:<run id>``, its id being ``<name>:<run id>``.

    >>> execution_arn("arn:aws:states:us-east-1:000000000000:stateMachine:hello", "run-1")
    'arn:aws:states:us-east-1:000000000000:execution:hello:run-1'
    """
    prefix, machine = state_machine_arn.split(":stateMachine:", 1)
    if run_id is None:
        return f"{prefix}:execution:{machine}:{name}"
    return f"{prefix}:express:{machine}:{name}:{run_id}"


def resolve_execution(state_machine_arn: str, reference: str, *, express: bool = False) -> str | None:
    """The execution ARN a path segment names within a flow, or None when it cannot be one.

    The segment is an execution id or a whole execution ARN. The id is the execution's
    name, or ``<name>:<run id>`` for an EXPRESS flow's execution (``express``). None means
    "no such execution of this flow": an id Step Functions could never have given, or
    the ARN of an execution of another state machine (both answered 404, like a missing
    one). A segment that starts ``arn:`` but is not an execution ARN is a 400.
    """
    if reference.startswith("arn:"):
        found = _EXECUTION_ARN.fullmatch(reference)
        if found is None:
            raise InvalidArnError(
                f"Invalid execution ARN {reference!r}: expected "
                "arn:aws:states:<region>:<account>:execution:<state machine>:<execution id>."
            )
        name = found["name"] or found["express_name"]
        expected = execution_arn(state_machine_arn, name, found["run"])
        return reference if expected == reference else None
    name, colon, run_id = reference.partition(":")
    if express != bool(colon) or not _is_name(name) or (colon and not _is_name(run_id)):
        return None
    return execution_arn(state_machine_arn, name, run_id if colon else None)


def _is_name(value: str) -> bool:
    return 0 < len(value) <= MAX_NAME and refused_character(value) is None


class _NotJsonError(ValueError):
    def __init__(self, constant: str) -> None:
        super().__init__(constant)
        self.constant = constant


class _UnreadableNumberError(ValueError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _parse_int(text: str) -> int:
    # Python refuses to read an integer of more digits than sys.get_int_max_str_digits()
    # (4,300) with a ValueError of its own: say so as a bad request, not a crash.
    digits = len(text) - text.startswith("-")
    limit = sys.get_int_max_str_digits()
    if limit and digits > limit:
        raise _UnreadableNumberError(f"an integer of {digits:,} digits (at most {limit:,} are read)")
    return int(text)


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999: JSON has no infinity, and the engine could not store it
        shown = text if len(text) <= 24 else text[:21] + "..."
        raise _UnreadableNumberError(f"{shown} is too large for a double")
    return value


def _has_lone_surrogate(value: Any) -> bool:
    """Whether a decoded JSON value holds a string (or key) with an unpaired surrogate."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _refuse_constant(constant: str) -> Any:
    # Python's json reads NaN and Infinity; JSON (and Step Functions) does not.
    raise _NotJsonError(constant)


def _body_error(message: str) -> ServiceError:
    return InvalidParameterError(message, "body")


def _body_bytes(body: str | bytes | None) -> bytes:
    if body is None:
        return b""
    return body.encode("utf-8") if isinstance(body, str) else body


def _too_big(what: str, size: int) -> str:
    return (
        f"{what} is {size} bytes; Step Functions accepts at most {MAX_INPUT_BYTES} bytes (256 KiB) "
        "of execution input."
    )


def json_kind(value: Any) -> str:
    """How a message names a decoded JSON value that is not an object: ``an array``, ``null``..."""
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    return "a number"


def _optional_text(body: Mapping[str, Any], key: str, limit: int) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidParameterError(f"{key!r} in the request body must be a string, not {json_kind(value)}.",
                                    key)
    if len(value) > limit:
        raise InvalidParameterError(
            f"{key!r} in the request body is {len(value)} characters; StopExecution accepts at most {limit}.",
            key,
        )
    return value
