"""Python callables run the way AWS Lambda's Python runtime runs a handler.

:class:`LambdaFunctions` is the Lambda side of a task invoker built from plain
``handler(event, context)`` callables (what ``execute(tasks=...)`` takes). It imitates
what a Step Functions task sees of Lambda:

* the event is the JSON payload decoded (``{}`` when the payload is empty);
* the return value is serialised as the Python runtime does (``json.dumps`` with its
  default separators); ``bytes`` are taken as the raw JSON payload;
* an exception becomes the runtime's error document, ``{"errorMessage", "errorType",
  "requestId", "stackTrace"}``, serialised the same way, with ``FunctionError:
  "Unhandled"``; ``errorMessage`` is ``str(exception)`` (empty for a bare user class) and
  ``stackTrace`` the handler's frames formatted by ``traceback.format_list``, as
  awslambdaric's ``build_fault_result`` does;
* a result that ``json.dumps`` refuses is ``Runtime.MarshalError``;
* an unknown function is Lambda's ``ResourceNotFoundException`` (404);
* ``LogType: Tail`` returns ``LogResult``, the base64 of the invocation log's last 4 KB
  (:func:`lambda_log_result`): the ``START``, ``END`` and ``REPORT`` lines Lambda writes around
  the function's output. In-process the handler's own prints are not captured (they go
  to this process's stdout); the local engine's invoker adds them.

Function names resolve as Lambda resolves ``FunctionName``: a name, a full ARN or a
partial ARN (``123456789012:function:name``), each with an optional ``:qualifier``.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import math
import re
import resource
import sys
import time
import traceback
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "LambdaContext",
    "LambdaFunctions",
    "LambdaResponse",
    "LambdaServiceError",
    "lambda_log_result",
    "max_memory_used_mb",
    "parse_function_name",
]

LOG_TAIL_BYTES = 4096  # Invoke with LogType Tail: "the last 4 KB of the execution log"

Handler = Callable[[Any, Any], Any]

_ARN = re.compile(
    r"(?:arn:(?P<partition>[^:]+):lambda:(?P<region>[^:]+):)?(?:(?P<account>\d{12}):)?"
    r"(?:function:)?(?P<name>[A-Za-z0-9_\-.]+)(?::(?P<qualifier>[A-Za-z0-9_$\-]+))?"
)


def parse_function_name(function_name: str) -> tuple[str, str | None]:
    """``(name, qualifier)`` of a function name, full ARN or partial ARN.

    >>> parse_function_name("arn:aws:lambda:us-east-1:123456789012:function:f:prod")
    ('f', 'prod')
    >>> parse_function_name("123456789012:function:f")
    ('f', None)
    """
    match = _ARN.fullmatch(function_name)
    if not match:
        return function_name, None
    return match.group("name"), match.group("qualifier")


@dataclass(frozen=True)
class LambdaResponse:
    """What Lambda's Invoke API returns: the payload bytes and whether the function failed."""

    payload: bytes
    request_id: str
    function_error: str | None = None
    executed_version: str = "$LATEST"
    status_code: int = 200
    log_result: str | None = None  # with LogType Tail: base64 of the log's last 4 KB


def max_memory_used_mb() -> int:
    """This process's peak resident memory in MB: one process serves every function here,
    so it stands for REPORT's ``Max Memory Used`` (Lambda measures one instance)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux, bytes on macOS
    return int(peak / (1024 * 1024 if sys.platform == "darwin" else 1024))


def lambda_log_result(
    request_id: str, output: str, *, duration_ms: float, memory_mb: int, max_memory_mb: int
) -> str:
    """``LogResult`` of an Invoke with ``LogType: Tail``: base64 of the last 4 KB of the log.

    Lambda's log of one invocation is its ``START`` line, what the function wrote, its
    ``END`` line and its ``REPORT`` line (tab-separated, billed to the millisecond).
    """
    text = (
        f"START RequestId: {request_id} Version: $LATEST\n{output}"
        f"END RequestId: {request_id}\n"
        f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\t"
        f"Billed Duration: {max(1, math.ceil(duration_ms))} ms\tMemory Size: {memory_mb} MB\t"
        f"Max Memory Used: {max_memory_mb} MB\t\n"
    )
    return base64.b64encode(text.encode("utf-8")[-LOG_TAIL_BYTES:]).decode("ascii")

class LambdaServiceError(Exception):
    """Lambda refused the call itself (no such function...): ``code`` is Lambda's error code."""

    def __init__(self, code: str, message: str, status: int, request_id: str) -> None:
        self.code = code
        self.message = message
        self.status = status
        self.request_id = request_id
        super().__init__(f"{code}: {message}")


@dataclass
class LambdaContext:
    """The ``context`` a handler receives (the attributes awslambdaric's context has)."""

    function_name: str
    invoked_function_arn: str
    aws_request_id: str
    function_version: str = "$LATEST"
    memory_limit_in_mb: str = "128"
    log_group_name: str = ""
    log_stream_name: str = ""
    deadline: float = field(default=0.0)

    def get_remaining_time_in_millis(self) -> int:
        if not self.deadline:
            return 0
        return max(0, int((self.deadline - time.monotonic()) * 1000))


class LambdaFunctions:
    """Lambda functions backed by in-process callables, keyed by name and/or ARN."""

    def __init__(
        self, handlers: Mapping[str, Handler], *, region: str = "us-east-1", account: str = "111111111111"
    ) -> None:
        self._handlers = dict(handlers)
        # A function registered by ARN is also found by its name, as Lambda finds it.
        self._by_name = {parse_function_name(key)[0]: handler for key, handler in handlers.items()}
        self.region = region
        self.account = account

    def function_arn(self, function_name: str) -> str:
        """The full unqualified ARN Lambda would report for ``function_name``."""
        if function_name.startswith("arn:"):
            name, _ = parse_function_name(function_name)
            return function_name.rsplit(":function:", 1)[0] + ":function:" + name
        name, _ = parse_function_name(function_name)
        return f"arn:aws:lambda:{self.region}:{self.account}:function:{name}"

    def resolve(self, function_name: str) -> Handler | None:
        handler = self._handlers.get(function_name)
        if handler is None:
            name, qualifier = parse_function_name(function_name)
            handler = self._handlers.get(name)
            if handler is None and qualifier is not None:
                handler = self._handlers.get(function_name.rsplit(":", 1)[0])
            if handler is None:
                handler = self._by_name.get(name)
        return handler

    MEMORY_MB = 128  # Lambda's default memory size for a new function

    def invoke(
        self, function_name: str, payload: bytes, *, timeout: float | None = None, log_type: str | None = None
    ) -> LambdaResponse:
        """Run the function on ``payload``; raises LambdaServiceError when there is no such function."""
        started = time.monotonic()
        response = self._invoke(function_name, payload, timeout)
        if log_type != "Tail":
            return response
        duration_ms = (time.monotonic() - started) * 1000
        tail = lambda_log_result(response.request_id, "", duration_ms=duration_ms, memory_mb=self.MEMORY_MB,
                          max_memory_mb=max_memory_used_mb())
        return dataclasses.replace(response, log_result=tail)

    def _invoke(self, function_name: str, payload: bytes, timeout: float | None) -> LambdaResponse:
        request_id = str(uuid.uuid4())
        handler = self.resolve(function_name)
        if handler is None:
            name, qualifier = parse_function_name(function_name)
            arn = self.function_arn(function_name) + ":" + (qualifier or "$LATEST")
            raise LambdaServiceError(
                "ResourceNotFoundException", f"Function not found: {arn}", 404, request_id
            )
        name, _ = parse_function_name(function_name)
        context = LambdaContext(
            function_name=name,
            invoked_function_arn=self.function_arn(function_name),
            aws_request_id=request_id,
            log_group_name=f"/aws/lambda/{name}",
            deadline=time.monotonic() + timeout if timeout else 0.0,
        )
        event = json.loads(payload) if payload.strip() else {}
        try:
            result = handler(event, context)
        except Exception as exc:  # the runtime turns any exception into the error document
            return self._error_response(exc, request_id)
        if isinstance(result, bytes | bytearray):
            return LambdaResponse(bytes(result), request_id)
        try:
            body = json.dumps(result)
        except (TypeError, ValueError) as exc:
            document = _error_document(
                f"Unable to marshal response: {exc}", "Runtime.MarshalError", request_id, []
            )
            return LambdaResponse(json.dumps(document).encode(), request_id, "Unhandled")
        return LambdaResponse(body.encode(), request_id)

    @staticmethod
    def _error_response(exc: Exception, request_id: str) -> LambdaResponse:
        # awslambdaric drops its own bootstrap frames; here the first frame is invoke()'s.
        frames = traceback.extract_tb(exc.__traceback__)[1:]
        document = _error_document(str(exc), type(exc).__name__, request_id, traceback.format_list(frames))
        return LambdaResponse(json.dumps(document).encode(), request_id, "Unhandled")


def _error_document(message: str, error_type: str, request_id: str, stack: list[str]) -> dict[str, Any]:
    return {"errorMessage": message, "errorType": error_type, "requestId": request_id, "stackTrace": stack}
