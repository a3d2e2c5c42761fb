"""The answer of a system endpoint, before it is HTTP, and the error handling every endpoint shares.

``sdw.system`` computes what an endpoint answers without knowing how it is carried: the
local gateway turns a SystemResponse into its HTTP response, and on AWS the thin Lambda
handlers in functions/base turn it into the ``{"statusCode", "headers", "body"}`` a 2.0
integration returns (``as_lambda_result``). Kept tiny on purpose: a status and a JSON body.

Error bodies. A system endpoint's error is ``{"message", "code", "error", "status"}``:
``message`` and ``code`` as Step Functions' and Cognito's APIs name them (``code`` being
the exception name, ``ExecutionDoesNotExist``), ``error`` (the message again) and
``status: "ERROR"`` as the seed project's clients read them. ``endpoint`` wraps each
endpoint method so that it answers 401 without a caller (API Gateway's own
``{"message": "Unauthorized"}``, which never reaches a Lambda), a ServiceError as its
status with that body, and anything else as a logged 500 whose body says nothing of it.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Concatenate, ParamSpec, TypeVar

from sdw.system._errors import InvalidParameterError, ServiceError
from sdw.system._ports import Principal

log = logging.getLogger("sdw.system")

ERROR_STATUS = "ERROR"
INTERNAL_ERROR = "Internal Server Error"
INTERNAL_CODE = "InternalFailure"  # AWS's common error for a 500
NO_SUB = "The token has no 'sub' claim: the system endpoints need it to know whose runs and counts are whose."


@dataclass(frozen=True)
class SystemResponse:
    status: int
    body: Any  # JSON-serialisable

    def as_lambda_result(self) -> dict[str, Any]:
        """The Lambda proxy result (payload 2.0) that makes API Gateway send this response."""
        return {
            "statusCode": self.status,
            "headers": {"content-type": "application/json"},
            "body": json.dumps(self.body, separators=(",", ":")),
        }


def unauthorized() -> SystemResponse:
    """API Gateway's own answer when its JWT authorizer refuses a request."""
    return SystemResponse(401, {"message": "Unauthorized"})


def error_response(status: int, message: str, code: str) -> SystemResponse:
    """A system endpoint's error: ``{"message", "code", "error", "status": "ERROR"}``."""
    body = {"message": message, "code": code, "error": message, "status": ERROR_STATUS}
    return SystemResponse(status, body)


def internal_error() -> SystemResponse:
    """A system endpoint's 500, whatever failed: the error shape, and no detail (it is logged)."""
    return error_response(500, INTERNAL_ERROR, INTERNAL_CODE)


S = TypeVar("S")
P = ParamSpec("P")


def endpoint(
    method: Callable[Concatenate[S, Principal, P], SystemResponse],
) -> Callable[Concatenate[S, Principal | None, P], SystemResponse]:
    """401 without a principal; ServiceErrors as their status; anything else a logged 500."""

    @functools.wraps(method)
    def answer(self: S, principal: Principal | None, /, *args: P.args, **kwargs: P.kwargs) -> SystemResponse:
        if principal is None:
            return unauthorized()
        if not principal.claims.get("sub"):
            # The endpoints answer for the caller: without a sub there is nobody to own a run
            # or a count. (API Gateway's JWT authorizer passes a signed token without sub;
            # Cognito never signs one, so only a token made by hand gets here.)
            return error_response(400, NO_SUB, InvalidParameterError.code)
        try:
            return method(self, principal, *args, **kwargs)
        except ServiceError as exc:
            return error_response(exc.status, exc.message, exc.code)
        except Exception:
            log.exception("%s failed", method.__qualname__)
            return internal_error()

    return answer
