"""Task states that call the project's functions: the same warm handlers as ``POST /lib``.

A Task's Lambda call goes to :class:`~sdw.local._invoker.LocalInvoker` without blocking
the engine: ``LocalInvoker.start`` runs the handler on its warm pool and calls back with
the :class:`Invocation`; the result is shaped here exactly as sdw.asl's Lambda integration
shapes a Lambda response (the payload for a function ARN resource; ``ExecutedVersion``,
``Payload``, ``StatusCode``... for ``arn:aws:states:::lambda:invoke``, with ``LogResult``
when the parameters ask for ``LogType: Tail``: what the handler wrote, between Lambda's
START, END and REPORT lines), and a Lambda error
document becomes the ``StatesError`` Step Functions reports (``errorType`` as the error,
the document as the cause), by the same ``shape_lambda_response``.

What the handler gets is what Lambda gives a function Step Functions invokes: the state's
effective input as the raw event (not an API Gateway event), and a context with the
function's own timeout. The function timeout is the invoker's to enforce but the
caller's to watch (``LocalInvoker.start``): a heap of deadlines here, checked by the
engine's thread, answers an overdue call with Lambda's ``Sandbox.Timedout`` error.

Functions are found as Lambda finds ``FunctionName``: a full or partial ARN, or a name,
with an optional qualifier; the name is the project function's deployed name.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import json
import threading
import uuid
from collections.abc import Callable
from typing import Any

from sdw.asl import LambdaResponse, StatesError, TaskRequest, shape_lambda_response
from sdw.local._invoker import Invocation, LocalInvoker, Pending, ThrottledError, UnknownFunctionError
from sdw.project import Project

__all__ = ["LambdaTasks", "Outcome"]

Outcome = tuple[str, str, bool, Any, str | None, str | None]
"""``(execution ARN, task id, succeeded, result, error, cause)``, what the engine feeds back."""


class LambdaTasks:
    """Starts Lambda tasks on the invoker; ``report(outcome)`` gets each outcome, once."""

    def __init__(
        self,
        project: Project,
        invoker: LocalInvoker,
        report: Callable[[Outcome], None],
        *,
        monotonic: Callable[[], float],
    ) -> None:
        self._invoker = invoker
        self._report = report
        self._monotonic = monotonic
        self._keys = {fn.deployed_name: fn.key for fn in project.functions}
        self._keys.update((fn.key, fn.key) for fn in project.functions)
        self._deadlines: list[tuple[float, int, Pending, str, str, bool]] = []
        self._seq = itertools.count()
        self._lock = threading.Lock()

    def call(self, execution_arn: str, request: TaskRequest) -> None:
        """Start the function call ``request`` asks for (from the engine's thread)."""
        legacy = request.integration.legacy_lambda
        params = request.parameters
        if legacy:
            function_name, event = request.resource, params
        else:
            if not isinstance(params, dict) or not isinstance(params.get("FunctionName"), str):
                self._report((execution_arn, request.task_id, False, None, "States.Runtime",
                              "The lambda:invoke integration needs a FunctionName string in its parameters."))
                return
            function_name, event = params["FunctionName"], params.get("Payload")
            if isinstance(event, str):  # a string Payload is the JSON text itself, as Lambda reads it
                with contextlib.suppress(ValueError):
                    event = json.loads(event)
            elif event is None:
                event = {}
        key = self._keys.get(_function_name(function_name))
        task_id = request.task_id
        log_tail = not legacy and isinstance(params, dict) and params.get("LogType") == "Tail"

        def done(invocation: Invocation) -> None:
            self._report(_outcome(execution_arn, task_id, invocation, legacy))

        try:
            if key is None:
                raise UnknownFunctionError(function_name)
            pending = self._invoker.start(key, event, done, log_tail=log_tail)
        except UnknownFunctionError:
            self._report((execution_arn, task_id, False, None, *_not_found(function_name)))
            return
        except ThrottledError:
            self._report((execution_arn, task_id, False, None, *_throttled()))
            return
        with self._lock:
            heapq.heappush(self._deadlines, (pending.deadline, next(self._seq), pending, execution_arn,
                                             task_id, legacy))

    def next_deadline(self) -> float | None:
        """When (on the monotonic clock) the next running call times out, if one is running."""
        with self._lock:
            while self._deadlines and self._deadlines[0][2].result is not None:
                heapq.heappop(self._deadlines)
            return self._deadlines[0][0] if self._deadlines else None

    def expire(self) -> None:
        """Answer every call past its function timeout with Lambda's timeout error."""
        now = self._monotonic()
        overdue = []
        with self._lock:
            while self._deadlines and self._deadlines[0][0] <= now:
                overdue.append(heapq.heappop(self._deadlines))
        for _, _, pending, execution_arn, task_id, legacy in overdue:
            if pending.result is None:
                invocation = self._invoker.time_out(pending)
                if invocation.timed_out:
                    self._report(_outcome(execution_arn, task_id, invocation, legacy))


def _function_name(function_name: str) -> str:
    """The function's name in a name, a full ARN or a partial ARN, without its qualifier."""
    if ":function:" in function_name:
        return function_name.split(":function:", 1)[1].split(":", 1)[0]
    return function_name.split(":", 1)[0]


def _outcome(execution_arn: str, task_id: str, invocation: Invocation, legacy: bool) -> Outcome:
    if invocation.error is None and legacy:
        return (execution_arn, task_id, True, invocation.payload, None, None)
    if invocation.error is None:
        body = json.dumps(invocation.payload).encode()  # Lambda's Python runtime: json.dumps defaults
        response = LambdaResponse(body, invocation.request_id, log_result=invocation.log_result)
    else:
        body = json.dumps(invocation.error.document()).encode()
        response = LambdaResponse(body, invocation.request_id, function_error="Unhandled")
    try:
        return (execution_arn, task_id, True, shape_lambda_response(response, legacy=legacy), None, None)
    except StatesError as exc:
        return (execution_arn, task_id, False, None, exc.name, exc.cause)


def _throttled() -> tuple[str, str]:
    # Lambda: 429 TooManyRequestsException "Rate Exceeded.", which Step Functions reports as
    # Lambda.TooManyRequestsException (its developer guide's Retry example for Lambda tasks
    # retries it), the cause in the same SDK form as the other Lambda service errors.
    return (
        "Lambda.TooManyRequestsException",
        f"{ThrottledError.MESSAGE} (Service: AWSLambda; Status Code: 429; "
        f"Error Code: TooManyRequestsException; Request ID: {uuid.uuid4()}; Proxy: null)",
    )


def _not_found(function_name: str) -> tuple[str, str]:
    # Lambda: 404 ResourceNotFoundException "Function not found: <unqualified ARN>:$LATEST",
    # as Step Functions reports it in the task's cause.
    request_id = str(uuid.uuid4())
    return (
        "Lambda.ResourceNotFoundException",
        f"Function not found: {function_name}:$LATEST (Service: AWSLambda; Status Code: 404; "
        f"Error Code: ResourceNotFoundException; Request ID: {request_id}; Proxy: null)",
    )
