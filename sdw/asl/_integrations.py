"""Task resources: what a Task state asks the outside world to do, and how AWS shapes the answer.

The interpreter never calls anything itself. A Task becomes a :class:`TaskRequest`
(an *effect*) that the host runs through a :class:`TaskInvoker`; the host then hands back
the result or the failure. :class:`ServiceInvoker` is the invoker for the integrations
sdw supports, over two narrower ports a host provides:

* Lambda (:class:`LambdaPort`): a function ARN as ``Resource`` (the result is the
  function's payload; a failure's cause is the raw error payload), or
  ``arn:aws:states:::lambda:invoke`` with ``FunctionName`` (the result wraps the payload
  as Step Functions' Lambda integration does: ``ExecutedVersion``, ``Payload``,
  ``SdkHttpMetadata``, ``SdkResponseMetadata``, ``StatusCode``, and ``LogResult`` (with
  its ``X-Amz-Log-Result`` header) when the parameters ask for ``LogType: Tail``; a
  failure's cause is the error document re-serialised compactly);
* Step Functions (:class:`ExecutionPort`): ``arn:aws:states:::states:startExecution``
  starts a child execution and returns ``ExecutionArn``/``StartDate``; ``.sync`` waits
  for it and returns the DescribeExecution shape with ``Input``/``Output`` as JSON
  strings, ``.sync:2`` with them as JSON values.

``.waitForTaskToken`` on either makes the state wait, after the call, for the host to
report the token's outcome (``$$.Task.Token``); that is the interpreter's business, the
invoker only makes the call.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any, Protocol

from sdw.asl._errors import ErrorName, StatesError
from sdw.asl._lambda import LambdaResponse, LambdaServiceError

__all__ = [
    "ExecutionPort",
    "Integration",
    "LambdaPort",
    "ServiceInvoker",
    "TaskInvoker",
    "TaskRequest",
    "parse_resource",
]

_LAMBDA_ARN = re.compile(r"arn:[a-z-]+:lambda:[^:]+:\d{12}:function:[^:]+(?::[^:]+)?")
_SERVICE = re.compile(
    r"arn:[a-z-]+:states:[^:]*:[^:]*:(?P<service>[A-Za-z0-9-]+):(?P<action>[A-Za-z0-9]+)(?P<suffix>\.[A-Za-z:0-9]+)?"
)
_PATTERNS = {None: "request_response", ".sync": "sync", ".sync:2": "sync2", ".waitForTaskToken": "token"}
# The service integrations sdw runs, with the patterns AWS offers for each.
_SUPPORTED = {
    ("lambda", "invoke"): {"request_response", "token"},
    ("states", "startExecution"): {"request_response", "sync", "sync2", "token"},
}


@dataclass(frozen=True, slots=True)
class Integration:
    """A parsed ``Resource``: ``service`` (lambda, states), ``action`` and the pattern.

    ``legacy_lambda`` is a bare function ARN; ``pattern`` is ``request_response``,
    ``sync``, ``sync2`` or ``token``.
    """

    service: str
    action: str
    pattern: str = "request_response"
    legacy_lambda: bool = False

    @property
    def resource_name(self) -> str:
        """The ``resource`` of task events: ``invoke``, ``startExecution.sync``..."""
        suffix = {"request_response": "", "sync": ".sync", "sync2": ".sync:2", "token": ".waitForTaskToken"}
        return self.action + suffix[self.pattern]


def parse_resource(resource: str) -> Integration:
    """Parse a Task ``Resource``; raises ValueError for an integration sdw does not run."""
    if _LAMBDA_ARN.fullmatch(resource):
        return Integration("lambda", "invoke", legacy_lambda=True)
    match = _SERVICE.fullmatch(resource)
    if match and match.group("suffix") in _PATTERNS:
        integration = Integration(
            match.group("service"), match.group("action"), _PATTERNS[match.group("suffix")]
        )
        if integration.pattern in _SUPPORTED.get((integration.service, integration.action), ()):
            return integration
    raise ValueError(f"The resource '{resource}' is not an integration sdw can run locally.")


@dataclass(frozen=True)
class TaskRequest:
    """An effect: run this task. ``task_id`` identifies it when its outcome is reported."""

    task_id: str
    state_name: str
    resource: str
    integration: Integration
    parameters: Any
    timeout_seconds: float | None = None
    heartbeat_seconds: float | None = None
    task_token: str | None = None
    execution_arn: str = ""


class TaskInvoker(Protocol):
    """Runs a task and returns its result as the state sees it, or raises StatesError."""

    def invoke(self, request: TaskRequest) -> Any: ...


class LambdaPort(Protocol):
    def invoke(
        self, function_name: str, payload: bytes, *, timeout: float | None = None, log_type: str | None = None
    ) -> LambdaResponse:
        """Invoke a function; raises LambdaServiceError when Lambda refuses the call.

        ``log_type`` is Invoke's ``LogType`` (``"Tail"``: the response carries ``log_result``).
        """
        ...


class ExecutionPort(Protocol):
    def start_execution(
        self, state_machine_arn: str, input: Any, name: str | None, parent_arn: str
    ) -> dict[str, Any]:
        """Start a child execution; returns at least ``executionArn`` and ``startDate``."""
        ...

    def wait_for_execution(self, execution_arn: str) -> dict[str, Any]:
        """Block until the execution ends; returns DescribeExecution's fields (camelCase)."""
        ...


class ServiceInvoker:
    """The :class:`TaskInvoker` for Lambda and Step Functions, over the host's ports."""

    def __init__(self, lambdas: LambdaPort | None = None, executions: ExecutionPort | None = None) -> None:
        self.lambdas = lambdas
        self.executions = executions

    def invoke(self, request: TaskRequest) -> Any:
        integration = request.integration
        if integration.service == "lambda":
            return self._lambda(request)
        if integration.service == "states":
            return self._start_execution(request)
        raise StatesError(ErrorName.RUNTIME, f"The resource '{request.resource}' is not supported.")

    # ------------------------------------------------------------------ Lambda
    def _lambda(self, request: TaskRequest) -> Any:
        if self.lambdas is None:
            raise StatesError(
                "Lambda.ServiceException", "No Lambda functions are available to this execution."
            )
        legacy = request.integration.legacy_lambda
        params = request.parameters
        if legacy:
            function_name, payload = request.resource, params
        else:
            if not isinstance(params, Mapping) or not isinstance(params.get("FunctionName"), str):
                raise StatesError(
                    ErrorName.RUNTIME,
                    "The lambda:invoke integration needs a FunctionName string in its parameters.",
                )
            function_name = params["FunctionName"]
            payload = params.get("Payload")
        log_type = None if legacy or not isinstance(params, Mapping) else params.get("LogType")
        # AWS sends a string Payload as it is (its text is the JSON), anything else serialised.
        if payload is None:
            body = b"{}"
        elif isinstance(payload, str) and not legacy:
            body = payload.encode()
        else:
            body = _payload_bytes(payload)
        try:
            response = self.lambdas.invoke(function_name, body, timeout=request.timeout_seconds,
                                           log_type=log_type if isinstance(log_type, str) else None)
        except LambdaServiceError as exc:
            raise StatesError(
                f"Lambda.{exc.code}",
                f"{exc.message} (Service: AWSLambda; Status Code: {exc.status}; Error Code: {exc.code}; "
                f"Request ID: {exc.request_id}; Proxy: null)",
            ) from None
        return shape_lambda_response(response, legacy=legacy)

    # ------------------------------------------------------------------ Step Functions
    def _start_execution(self, request: TaskRequest) -> Any:
        if self.executions is None:
            raise StatesError("StepFunctions.ServiceException", "This host cannot start child executions.")
        params = request.parameters if isinstance(request.parameters, Mapping) else {}
        raw_input = params.get("Input", {})
        child_input = json.loads(raw_input) if isinstance(raw_input, str) else raw_input
        started = self.executions.start_execution(
            params["StateMachineArn"], child_input, params.get("Name"), request.execution_arn
        )
        pattern = request.integration.pattern
        if pattern in ("request_response", "token"):
            return {"ExecutionArn": started["executionArn"], "StartDate": started["startDate"]}
        described = self.executions.wait_for_execution(started["executionArn"])
        return shape_describe_execution(described, parsed=pattern == "sync2")


def _payload_bytes(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def shape_lambda_response(response: LambdaResponse, *, legacy: bool) -> Any:
    """The task result for a Lambda response, or the StatesError AWS reports for it."""
    text = response.payload.decode("utf-8", errors="replace")
    if response.function_error:
        try:
            document = json.loads(text)
        except ValueError:
            document = None
        error = document.get("errorType") if isinstance(document, dict) else None
        if legacy:
            raise StatesError(error or "Lambda.Unknown", text)
        cause = (
            json.dumps(document, separators=(",", ":"), ensure_ascii=False) if document is not None else text
        )
        raise StatesError(error or "Lambda.Unknown", cause)
    try:
        payload = json.loads(text) if text.strip() else None
    except ValueError:
        # Step Functions passes a non-JSON payload through as a string.
        payload = text
    if legacy:
        return payload
    shaped: dict[str, Any] = {"ExecutedVersion": response.executed_version}
    # LogType Tail: AWS adds LogResult (as recorded in LocalStack's test_invoke_unsupported_param)
    if response.log_result is not None:
        shaped["LogResult"] = response.log_result
    shaped.update(
        Payload=payload,
        SdkHttpMetadata=_http_metadata(response),
        SdkResponseMetadata={"RequestId": response.request_id},
        StatusCode=response.status_code,
    )
    return shaped


def _http_metadata(response: LambdaResponse) -> dict[str, Any]:
    date = format_datetime(datetime.now(UTC), usegmt=True)
    trace = f"Root=1-{int(datetime.now(UTC).timestamp()):08x}-{uuid.uuid4().hex[:24]};Sampled=0"
    headers = {
        "Connection": "keep-alive",
        "Content-Length": str(len(response.payload)),
        "Content-Type": "application/json",
        "Date": date,
        "X-Amz-Executed-Version": response.executed_version,
        **({"X-Amz-Log-Result": response.log_result} if response.log_result is not None else {}),
        "x-amzn-Remapped-Content-Length": "0",
        "x-amzn-RequestId": response.request_id,
        "X-Amzn-Trace-Id": trace,
    }
    return {
        "AllHttpHeaders": {key: [value] for key, value in headers.items()},
        "HttpHeaders": headers,
        "HttpStatusCode": response.status_code,
    }


_REDRIVABLE = ("FAILED", "TIMED_OUT", "ABORTED")


def child_execution_fields(
    *,
    execution_arn: str,
    state_machine_arn: str,
    name: str,
    status: str,
    input_text: str,
    output_text: str | None,
    error: str | None,
    cause: str | None,
    start_ms: int,
    stop_ms: int | None,
    express: bool,
) -> dict[str, Any]:
    """What a ``.sync`` task learns of a child execution that ended, in the order AWS sends it.

    A STANDARD child is read with DescribeExecution: ``executionArn, input, inputDetails,
    name, output, outputDetails, redriveCount, redriveStatus, redriveStatusReason,
    startDate, stateMachineArn, status, stopDate`` (AWS's recording of a ``.sync`` child in
    LocalStack's test_cross_account_states_start_sync_execution; a failed, timed-out or
    aborted one is ``REDRIVABLE`` with no reason, as its DescribeExecution recordings show,
    and carries ``error``/``cause``). An EXPRESS child has no DescribeExecution (Step
    Functions keeps no record of it): it runs as StartSyncExecution runs one, and answers
    that API's fields, ``billingDetails`` instead of the redrive ones (billed by the 100 ms
    and by 64 MB, as Express workflows are). ``shape_describe_execution`` makes them the
    task's result.
    """
    fields: dict[str, Any] = {
        "executionArn": execution_arn, "input": input_text, "inputDetails": {"Included": True}, "name": name,
    }
    if output_text is not None:
        fields["output"] = output_text
        fields["outputDetails"] = {"Included": True}
    if express:
        duration = 0 if stop_ms is None else max(stop_ms - start_ms, 0)
        fields["billingDetails"] = {
            "BilledDurationInMilliseconds": max(100, -(-duration // 100) * 100),
            "BilledMemoryUsedInMB": 64,
        }
    else:
        fields["redriveCount"] = 0
        fields["redriveStatus"] = "REDRIVABLE" if status in _REDRIVABLE else "NOT_REDRIVABLE"
        if status not in _REDRIVABLE:
            fields["redriveStatusReason"] = f"Execution is {status} and cannot be redriven"
    fields["startDate"] = start_ms
    fields["stateMachineArn"] = state_machine_arn
    fields["status"] = status
    if stop_ms is not None:
        fields["stopDate"] = stop_ms
    if error is not None:
        fields["error"] = error
    if cause is not None:
        fields["cause"] = cause
    return fields


def shape_describe_execution(described: Mapping[str, Any], *, parsed: bool) -> dict[str, Any]:
    """``.sync`` / ``.sync:2`` result from DescribeExecution's fields; a failed child is a TaskFailed."""
    out: dict[str, Any] = {}
    for key, value in described.items():
        name = key[0].upper() + key[1:]
        if name in ("Input", "Output") and parsed and isinstance(value, str):
            value = json.loads(value)
        elif name in ("Input", "Output") and not parsed and not isinstance(value, str):
            value = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        out[name] = value
    status = out.get("Status")
    if status not in (None, "SUCCEEDED"):
        raise StatesError(ErrorName.TASK_FAILED, json.dumps(out, default=str, separators=(",", ":")))
    return out
