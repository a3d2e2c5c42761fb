"""botocore's errors become sdw's once, at the adapter: ServiceErrors by code, else AwsCallError."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError, NoRegionError

from sdw.aws import AwsCallError
from sdw.aws._errors import translated
from sdw.system import ExecutionNotFoundError


def client_error(code: str, message: str = "it went wrong") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "DescribeExecution")


def test_a_mapped_code_becomes_its_service_error_without_the_botocore_chain() -> None:
    with (
        pytest.raises(ExecutionNotFoundError) as raised,
        translated("DescribeExecution", {"ExecutionDoesNotExist": lambda _m: ExecutionNotFoundError("e1")}),
    ):
        raise client_error("ExecutionDoesNotExist")
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_an_unmapped_code_is_an_aws_call_error_naming_the_operation() -> None:
    with (
        pytest.raises(AwsCallError, match=r"^AWS StartExecution failed: User is not authorized$") as raised,
        translated("StartExecution"),
    ):
        raise client_error("AccessDeniedException", "User is not authorized")
    assert raised.value.code == "AccessDeniedException"
    assert isinstance(raised.value.__cause__, ClientError)  # kept for the log


@pytest.mark.parametrize(
    ("error", "text"),
    [
        (NoCredentialsError(), "no AWS credentials were found"),
        (NoRegionError(), "no AWS region is set"),
        (EndpointConnectionError(endpoint_url="http://127.0.0.1:9"), "cannot reach http://127.0.0.1:9"),
    ],
)
def test_a_botocore_failure_says_what_to_fix(error: Exception, text: str) -> None:
    with pytest.raises(AwsCallError, match=text), translated("DescribeStacks"):
        raise error


def test_other_errors_pass_through() -> None:
    with pytest.raises(KeyError), translated("DescribeStacks"):
        raise KeyError("not botocore's")
