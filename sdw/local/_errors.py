"""Errors of the one-machine adapters.

    LocalError              base of everything sdw.local raises
    ├── StateError          the local state folder (.sdw/) or a file in it cannot be read or
    │                       written: a permission, a full disk, a corrupt database. Carries
    │                       the path and the operation; wraps the OSError/sqlite3.Error once.
    └── TokenRejectedError  the JWT authorizer refused a token; ``description`` says why, as
                            API Gateway's ``www-authenticate`` header does, ``detail`` the
                            values behind it (for the server's log only)

Errors that belong to a port (a wrong password, an unknown user) are not here: they are
``sdw.system`` errors, raised the same way by the local adapter and the AWS one.
"""

from __future__ import annotations

from pathlib import Path


class LocalError(Exception):
    """Base class of every error sdw.local raises."""


class StateError(LocalError):
    """A file in the local state folder could not be used."""

    def __init__(self, path: Path, operation: str, reason: str) -> None:
        super().__init__(f"cannot {operation} {path}: {reason}")
        self.path = path
        self.operation = operation
        self.reason = reason


class TokenRejectedError(LocalError):
    """Why the JWT authorizer refused a request's token (the request gets a 401).

    API Gateway answers every such request with 401 ``{"message":"Unauthorized"}`` and puts
    a short reason in the ``www-authenticate`` header, e.g. ``Bearer scope="" error="invalid_token"
    error_description="the token does not have a valid audience"`` (AWS doc: "Troubleshooting
    issues with HTTP API JWT authorizers"); ``description`` is that reason. ``detail`` holds the
    values that explain it (the issuer the token names and this server's, the kid...), which the
    gateway writes to its log and never to the client.
    """

    def __init__(self, description: str, detail: str = "") -> None:
        super().__init__(f"{description} ({detail})" if detail else description)
        self.description = description
        self.detail = detail

    def www_authenticate(self) -> str:
        """The ``www-authenticate`` header value API Gateway sends with the 401."""
        return f'Bearer scope="" error="invalid_token" error_description="{self.description}"'
