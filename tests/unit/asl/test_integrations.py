"""Task resources and how Step Functions shapes what the services return."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from sdw.asl import (
    LambdaFunctions,
    LambdaResponse,
    LambdaServiceError,
    ServiceInvoker,
    StatesError,
    TaskRequest,
    lambda_log_result,
)
from sdw.asl._integrations import Integration, parse_resource, shape_describe_execution, shape_lambda_response


class FakeLambda:
    def __init__(
        self, response: LambdaResponse | None = None, error: LambdaServiceError | None = None
    ) -> None:
        self.response = response or LambdaResponse(b'{"ok":1}', "req-1")
        self.error = error
        self.calls: list[tuple[str, bytes]] = []
        self.log_types: list[str | None] = []

    def invoke(
        self, function_name: str, payload: bytes, *, timeout: float | None = None, log_type: str | None = None
    ) -> LambdaResponse:
        self.calls.append((function_name, payload))
        self.log_types.append(log_type)
        if self.error is not None:
            raise self.error
        return self.response


class FakeExecutions:
    def __init__(self, status: str = "SUCCEEDED") -> None:
        self.status = status
        self.started: list[tuple[str, Any, str | None, str]] = []

    def start_execution(
        self, state_machine_arn: str, input: Any, name: str | None, parent_arn: str
    ) -> dict[str, Any]:
        self.started.append((state_machine_arn, input, name, parent_arn))
        return {"executionArn": "arn:child", "startDate": "2024-01-01T00:00:00Z"}

    def wait_for_execution(self, execution_arn: str) -> dict[str, Any]:
        return {"executionArn": execution_arn, "status": self.status, "input": '{"i":1}', "output": '{"o":2}'}


def request(resource: str, parameters: Any) -> TaskRequest:
    return TaskRequest("t1", "S", resource, parse_resource(resource), parameters, execution_arn="arn:parent")


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        (
            "arn:aws:lambda:us-east-1:123456789012:function:f",
            Integration("lambda", "invoke", legacy_lambda=True),
        ),
        (
            "arn:aws:lambda:us-east-1:123456789012:function:f:2",
            Integration("lambda", "invoke", legacy_lambda=True),
        ),
        ("arn:aws:states:::lambda:invoke", Integration("lambda", "invoke")),
        ("arn:aws:states:::lambda:invoke.waitForTaskToken", Integration("lambda", "invoke", "token")),
        ("arn:aws:states:::states:startExecution.sync", Integration("states", "startExecution", "sync")),
        ("arn:aws:states:::states:startExecution.sync:2", Integration("states", "startExecution", "sync2")),
    ],
)
def test_resources_parse_into_integrations(resource: str, expected: Integration) -> None:
    assert parse_resource(resource) == expected


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:states:::sqs:sendMessage",
        "arn:aws:states:::aws-sdk:s3:getObject",
        "nonsense",
        "arn:aws:states:::lambda:invoke.sync",
    ],
)
def test_other_resources_are_refused(resource: str) -> None:
    with pytest.raises(ValueError, match="not an integration"):
        parse_resource(resource)


def test_a_function_arn_task_passes_its_input_and_returns_the_payload() -> None:
    lam = FakeLambda()
    fn = "arn:aws:lambda:us-east-1:123456789012:function:f"
    assert ServiceInvoker(lam).invoke(request(fn, {"a": "é"})) == {"ok": 1}
    assert lam.calls == [(fn, '{"a":"é"}'.encode())]


def test_lambda_invoke_wraps_the_payload_as_the_integration_does() -> None:
    lam = FakeLambda(LambdaResponse(b'"hi"', "req-9"))
    result = ServiceInvoker(lam).invoke(request("arn:aws:states:::lambda:invoke", {"FunctionName": "f"}))
    assert lam.calls == [("f", b"{}")]
    assert result["Payload"] == "hi"
    assert result["StatusCode"] == 200 and result["ExecutedVersion"] == "$LATEST"
    assert result["SdkResponseMetadata"] == {"RequestId": "req-9"}
    headers = result["SdkHttpMetadata"]["HttpHeaders"]
    assert headers["Content-Length"] == "4" and headers["x-amzn-RequestId"] == "req-9"
    assert result["SdkHttpMetadata"]["AllHttpHeaders"]["Content-Length"] == ["4"]


def test_a_string_payload_is_sent_as_it_is() -> None:
    lam = FakeLambda()
    ServiceInvoker(lam).invoke(
        request("arn:aws:states:::lambda:invoke", {"FunctionName": "f", "Payload": "[1]"})
    )
    assert lam.calls == [("f", b"[1]")]


def test_a_function_error_becomes_the_error_type_with_the_document_as_cause() -> None:
    doc = {"errorMessage": "m", "errorType": "Bad", "requestId": "r", "stackTrace": []}
    response = LambdaResponse(json.dumps(doc).encode(), "r", function_error="Unhandled")
    with pytest.raises(StatesError) as legacy:
        shape_lambda_response(response, legacy=True)
    assert (legacy.value.name, legacy.value.cause) == ("Bad", json.dumps(doc))
    with pytest.raises(StatesError) as service:
        shape_lambda_response(response, legacy=False)
    assert (service.value.name, service.value.cause) == ("Bad", json.dumps(doc, separators=(",", ":")))
    with pytest.raises(StatesError) as unknown:
        shape_lambda_response(LambdaResponse(b"oops", "r", function_error="Unhandled"), legacy=True)
    assert unknown.value.name == "Lambda.Unknown"


def test_a_non_json_payload_is_passed_through_as_a_string() -> None:
    assert shape_lambda_response(LambdaResponse(b"plain", "r"), legacy=True) == "plain"
    assert shape_lambda_response(LambdaResponse(b"", "r"), legacy=True) is None


def test_lambda_service_errors_are_named_lambda_dot_code() -> None:
    lam = FakeLambda(
        error=LambdaServiceError("ResourceNotFoundException", "Function not found: x", 404, "rid")
    )
    with pytest.raises(StatesError) as info:
        ServiceInvoker(lam).invoke(request("arn:aws:states:::lambda:invoke", {"FunctionName": "x"}))
    assert info.value.name == "Lambda.ResourceNotFoundException"
    assert info.value.cause == (
        "Function not found: x (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; "
        "Request ID: rid; Proxy: null)"
    )


def test_missing_ports_and_bad_parameters_are_errors_not_crashes() -> None:
    with pytest.raises(StatesError):
        ServiceInvoker().invoke(request("arn:aws:states:::lambda:invoke", {"FunctionName": "f"}))
    with pytest.raises(StatesError):
        ServiceInvoker(FakeLambda()).invoke(request("arn:aws:states:::lambda:invoke", {"Payload": 1}))
    with pytest.raises(StatesError):
        ServiceInvoker().invoke(request("arn:aws:states:::states:startExecution", {"StateMachineArn": "a"}))


@pytest.mark.parametrize(
    ("suffix", "expected"),
    [
        ("", {"ExecutionArn": "arn:child", "StartDate": "2024-01-01T00:00:00Z"}),
        (
            ".sync",
            {"ExecutionArn": "arn:child", "Status": "SUCCEEDED", "Input": '{"i":1}', "Output": '{"o":2}'},
        ),
        (
            ".sync:2",
            {"ExecutionArn": "arn:child", "Status": "SUCCEEDED", "Input": {"i": 1}, "Output": {"o": 2}},
        ),
    ],
)
def test_start_execution_returns_aws_shapes(suffix: str, expected: dict[str, Any]) -> None:
    executions = FakeExecutions()
    invoker = ServiceInvoker(executions=executions)
    params = {"StateMachineArn": "arn:sm", "Input": '{"x":1}', "Name": "n"}
    assert invoker.invoke(request("arn:aws:states:::states:startExecution" + suffix, params)) == expected
    assert executions.started == [("arn:sm", {"x": 1}, "n", "arn:parent")]


def test_a_failed_child_fails_a_sync_task_with_task_failed() -> None:
    invoker = ServiceInvoker(executions=FakeExecutions(status="FAILED"))
    with pytest.raises(StatesError) as info:
        invoker.invoke(request("arn:aws:states:::states:startExecution.sync", {"StateMachineArn": "a"}))
    assert info.value.name == "States.TaskFailed"
    assert json.loads(info.value.cause or "")["Status"] == "FAILED"


def test_describe_shapes_serialise_values_for_sync() -> None:
    assert shape_describe_execution({"input": {"a": 1}}, parsed=False) == {"Input": '{"a":1}'}


def test_lambda_invoke_with_log_type_tail_returns_the_log_result_and_its_header() -> None:
    # Recorded by AWS (LocalStack's test_invoke_unsupported_param): with LogType Tail the
    # result holds LogResult, and the same value in the X-Amz-Log-Result header.
    tail = lambda_log_result("req-1", "hello\n", duration_ms=1.2, memory_mb=128, max_memory_mb=40)
    lambdas = FakeLambda(LambdaResponse(b"{}", "req-1", log_result=tail))
    request = TaskRequest("t1", "S", "arn:aws:states:::lambda:invoke", parse_resource(
        "arn:aws:states:::lambda:invoke"), {"FunctionName": "f", "Payload": None, "LogType": "Tail"})
    result = ServiceInvoker(lambdas=lambdas).invoke(request)
    assert lambdas.log_types == ["Tail"]
    assert result["LogResult"] == tail
    assert result["SdkHttpMetadata"]["HttpHeaders"]["X-Amz-Log-Result"] == tail
    assert result["SdkHttpMetadata"]["AllHttpHeaders"]["X-Amz-Log-Result"] == [tail]
    log = base64.b64decode(tail).decode()
    assert log.startswith("START RequestId: req-1 Version: $LATEST\nhello\nEND RequestId: req-1\n")
    assert "REPORT RequestId: req-1\tDuration: 1.20 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\t" in log


def test_without_log_type_tail_there_is_no_log_result() -> None:
    request = TaskRequest("t1", "S", "arn:aws:states:::lambda:invoke", parse_resource(
        "arn:aws:states:::lambda:invoke"), {"FunctionName": "f", "LogType": "None"})
    result = ServiceInvoker(lambdas=FakeLambda()).invoke(request)
    assert "LogResult" not in result and "X-Amz-Log-Result" not in result["SdkHttpMetadata"]["HttpHeaders"]


def test_the_log_result_keeps_only_the_last_4_kb() -> None:
    tail = lambda_log_result("r", "x" * 10_000 + "\n", duration_ms=1, memory_mb=128, max_memory_mb=1)
    assert len(base64.b64decode(tail)) == 4096


def test_lambda_functions_answer_log_type_tail_in_process() -> None:
    response = LambdaFunctions({"f": lambda event, context: {"ok": True}}).invoke("f", b"{}", log_type="Tail")
    assert response.log_result is not None
    assert base64.b64decode(response.log_result).decode().startswith(
        f"START RequestId: {response.request_id} Version: $LATEST\nEND RequestId: {response.request_id}\n"
    )
