"""The system endpoints' routes, and which ``functions/base`` Lambda serves each on AWS.

One table for both targets: the local runtime adds these routes to its gateway, and the
deploy compiler emits one httpApi route per entry, integrated with the Lambda
``functions/base/<function>/handler.py``. Routes of one area share a Lambda (the handler
dispatches on the event's ``routeKey``), which keeps the stack's resource count small:
a stack holds at most 500 resources and each Lambda costs several.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SystemRoute:
    method: str
    path: str  # HTTP API's syntax: "/run/{flow}"
    function: str  # functions/base/<function>/handler.py serves it on AWS
    authorized: bool  # behind the JWT authorizer

    @property
    def key(self) -> str:
        """HTTP API's ``routeKey``: ``GET /flows``."""
        return f"{self.method} {self.path}"


SYSTEM_ROUTES: tuple[SystemRoute, ...] = (
    SystemRoute("GET", "/flows", "flows", authorized=True),
    SystemRoute("POST", "/run/{flow}", "flows", authorized=True),
    SystemRoute("GET", "/run/{flow}/{execution}", "flows", authorized=True),
    SystemRoute("GET", "/run/{flow}/{execution}/history", "flows", authorized=True),
    SystemRoute("POST", "/run/{flow}/{execution}/stop", "flows", authorized=True),
    SystemRoute("GET", "/runs", "flows", authorized=True),
    SystemRoute("GET", "/auth/config", "auth", authorized=False),
    SystemRoute("GET", "/auth/verify", "auth", authorized=True),
    SystemRoute("GET", "/usage", "api_usage", authorized=True),
    SystemRoute("GET", "/usage/{user_id}", "api_usage", authorized=True),
)
