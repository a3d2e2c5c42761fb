"""Errors raised inside a function's process (a Lambda, or a warm handler of ``sdw dev``).

    SdwRuntimeError                 base of everything sdw.runtime raises
    ├── SecretNotFoundError         a secret the function declares has no value (at cold start)
    ├── ParameterStoreError         the parameter store itself failed (access denied, throttled)
    ├── HandlerConfigError          SDW_HANDLER / SDW_SECRETS / SDW_CONNECTIONS cannot be used
    └── ConnectionFailure           a ``{{connection:NAME}}`` reference cannot be resolved
        ├── sdw.ConnectionNotDeclared   the function's function.yml does not list NAME
        ├── sdw.ConnectionNotFound      no connection NAME is stored
        └── sdw.ConnectionTypeMismatch  the stored connection's type is not the declared one

Lambda reports an uncaught exception with ``errorType`` = the exception class's
``__name__``, and Step Functions turns that into the error a Retry or Catch matches. So
the three connection errors are named ``sdw.ConnectionNotFound`` etc. (their ``__name__``;
the Python names below are for code): a flow can ``Catch: [{ErrorEquals:
[sdw.ConnectionNotFound]}]`` locally and on AWS alike. No message here ever holds a
secret's or a connection's value: only names, types and parameter paths.
"""

from __future__ import annotations

from collections.abc import Sequence


class SdwRuntimeError(Exception):
    """Base class of every error sdw.runtime raises."""


class SecretNotFoundError(SdwRuntimeError):
    """Secrets a function declares (function.yml ``secrets:``) that have no value."""

    def __init__(self, function: str, missing: Sequence[tuple[str, str]], hint: str = "") -> None:
        self.function = function
        self.missing = tuple(missing)  # (name, parameter path)
        listed = ", ".join(f"{name} ({path})" for name, path in self.missing)
        noun = "secret" if len(self.missing) == 1 else "secrets"
        super().__init__(f"function {function!r}: {noun} not set: {listed}{hint}")


class ParameterStoreError(SdwRuntimeError):
    """The parameter store could not be read (not a missing parameter: that is answered as None)."""


class HandlerConfigError(SdwRuntimeError):
    """The environment the deploy gave the function cannot be used (names the variable)."""


class ConnectionFailure(SdwRuntimeError):
    """A ``{{connection:NAME}}`` reference that cannot be resolved; ``error_name`` is what Catch matches."""

    error_name = "sdw.ConnectionFailure"

    def __init__(self, connection: str, message: str) -> None:
        self.connection = connection
        super().__init__(message)


class ConnectionNotDeclaredError(ConnectionFailure):
    error_name = "sdw.ConnectionNotDeclared"


class ConnectionNotFoundError(ConnectionFailure):
    error_name = "sdw.ConnectionNotFound"


class ConnectionTypeMismatchError(ConnectionFailure):
    error_name = "sdw.ConnectionTypeMismatch"


# Lambda's errorType is type(exc).__name__: give each the name a Retry/Catch matches.
_NAMED = (ConnectionFailure, ConnectionNotDeclaredError, ConnectionNotFoundError, ConnectionTypeMismatchError)
for _error in _NAMED:
    _error.__name__ = _error.error_name
