"""The errors of sdw.aws, and the one place botocore's errors are turned into sdw's.

    AwsError              base: AWS could not do what was asked, for a reason an operator fixes
    ├── AwsConfigError    a setting is missing or points nowhere: an environment variable of
    │                     a system Lambda, the stack of a stage, one of its outputs
    └── AwsCallError      a call failed with an error no ServiceError stands for: no
                          credentials, no region, access denied, throttled, unreachable

What a *caller* did wrong (a wrong password, an unknown execution, a reused name) is not an
AwsError: each adapter maps those error codes to sdw.system's ServiceErrors, which the
endpoints answer with their status (``translated``'s ``mapping``). An AwsError is the
deployment's fault: the system endpoints answer it 500 and log it with the botocore error
chained, and the CLI prints it as one line.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
)

from sdw.system import ServiceError

ErrorMapping = Mapping[str, Callable[[str], ServiceError]]


class AwsError(Exception):
    """Base class of sdw.aws's errors; ``str(error)`` says what failed and what to do."""


class AwsConfigError(AwsError):
    pass


class AwsCallError(AwsError):
    """``operation`` (``StartExecution``) failed with ``code`` (``AccessDeniedException``)."""

    def __init__(self, operation: str, code: str, message: str) -> None:
        super().__init__(
            f"AWS {operation} failed: {message}" if message else f"AWS {operation} failed: {code}"
        )
        self.operation = operation
        self.code = code


def error_code(exc: ClientError) -> str:
    """The AWS error code of a ClientError (``ExecutionDoesNotExist``)."""
    return str(exc.response.get("Error", {}).get("Code", ""))


def error_message(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Message", "")) or error_code(exc)


@contextlib.contextmanager
def translated(operation: str, mapping: ErrorMapping | None = None) -> Iterator[None]:
    """Run an AWS call, turning each botocore error into a ServiceError (by code) or an AwsCallError.

    ``mapping`` maps an AWS error code to a function of its message that makes the
    ServiceError to raise instead; any other error is an AwsCallError naming ``operation``.
    """
    try:
        yield
    except ClientError as exc:
        code = error_code(exc)
        make = (mapping or {}).get(code)
        if make is not None:
            raise make(error_message(exc)) from None
        raise AwsCallError(operation, code, error_message(exc)) from exc
    except NoCredentialsError as exc:
        raise AwsCallError(
            operation,
            "NoCredentials",
            "no AWS credentials were found (set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)",
        ) from exc
    except NoRegionError as exc:
        raise AwsCallError(
            operation, "NoRegion", "no AWS region is set (pass --region or set AWS_REGION)"
        ) from exc
    except EndpointConnectionError as exc:
        raise AwsCallError(
            operation, "EndpointConnectionError", f"cannot reach {exc.kwargs.get('endpoint_url')}"
        ) from exc
    except BotoCoreError as exc:
        raise AwsCallError(operation, type(exc).__name__, str(exc)) from exc
