"""Errors of the system endpoints and of the ports they are written against.

    ServiceError                base: a port refused an operation, for a reason the caller sees
    ├── NotAuthorizedError      wrong password, unknown user, bad refresh token
    ├── UserExistsError         an account with that email already exists
    ├── UserNotFoundError       no user with that email
    ├── InvalidPasswordError    the password breaks the pool's password policy
    └── InvalidParameterError   a malformed argument (an email that is not one)

Each carries ``code``, the name of the exception Cognito raises in the same case
(``NotAuthorizedException``...), and ``status``, the HTTP status Cognito answers with (400
for all of these). The local user pool and the Cognito adapter raise the same classes, so
``sdw.system`` and the CLI handle one set.
"""

from __future__ import annotations


class ServiceError(Exception):
    """Base class of the errors ports raise; ``str(error)`` is safe to show a user."""

    code = "ServiceError"
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAuthorizedError(ServiceError):
    # Cognito InitiateAuth answers a wrong password and (with user-existence errors
    # prevented, the default for new pools) an unknown user with the same
    # NotAuthorizedException "Incorrect username or password.".
    code = "NotAuthorizedException"
    DEFAULT_MESSAGE = "Incorrect username or password."

    def __init__(self, message: str = DEFAULT_MESSAGE) -> None:
        super().__init__(message)


class UserExistsError(ServiceError):
    code = "UsernameExistsException"

    def __init__(self, email: str) -> None:
        super().__init__("An account with the given email already exists.")
        self.email = email


class UserNotFoundError(ServiceError):
    code = "UserNotFoundException"

    def __init__(self, email: str) -> None:
        super().__init__("User does not exist.")
        self.email = email


class InvalidPasswordError(ServiceError):
    """``reasons`` lists every rule the password breaks, in Cognito's words."""

    code = "InvalidPasswordException"

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("Password did not conform with policy: " + "; ".join(reasons))
        self.reasons = reasons


class InvalidParameterError(ServiceError):
    code = "InvalidParameterException"

    def __init__(self, message: str, parameter: str) -> None:
        super().__init__(message)
        self.parameter = parameter
