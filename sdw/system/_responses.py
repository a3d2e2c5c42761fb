"""The answer of a system endpoint, before it is HTTP.

``sdw.system`` computes what an endpoint answers without knowing how it is carried: the
local gateway turns a SystemResponse into its HTTP response, and on AWS the thin Lambda
handlers in functions/base turn it into the ``{"statusCode", "headers", "body"}`` a 2.0
integration returns (``as_lambda_result``). Kept tiny on purpose: a status and a JSON body.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


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
