"""Errors of the system endpoints and of the ports they are written against.

    ServiceError                base: a port refused an operation, for a reason the caller sees
    ├── NotAuthorizedError      wrong password, unknown user, bad refresh token
    ├── UserExistsError         an account with that email already exists
    ├── UserNotFoundError       no user with that email
    ├── InvalidPasswordError    the password breaks the pool's password policy
    ├── InvalidParameterError   a malformed argument (an email that is not one)
    ├── FlowNotFoundError       no such flow (StateMachineDoesNotExist, 404)
    ├── ExecutionNotFoundError  no such execution, or not the caller's (ExecutionDoesNotExist, 404)
    ├── ExecutionExistsError    a reused execution name with other input (ExecutionAlreadyExists, 409)
    ├── InvalidTokenError       a pagination token that is not one of ours (InvalidToken, 400)
    └── UsageNotFoundError      another user's usage, asked for by a non-admin (UserNotFoundException, 404)

Each carries ``code``, the name of the exception Cognito or Step Functions raises in the
same case (``NotAuthorizedException``, ``ExecutionAlreadyExists``...), and ``status``, the
HTTP status the system endpoints answer with. The local adapters and the AWS ones raise
the same classes, so ``sdw.system`` and the CLI handle one set.
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


class FlowNotFoundError(ServiceError):
    code = "StateMachineDoesNotExist"
    status = 404

    def __init__(self, flow: str) -> None:
        super().__init__(f"Flow {flow!r} does not exist.")
        self.flow = flow


class ExecutionNotFoundError(ServiceError):
    # Also the answer for another user's execution: a 404 never reveals that it exists.
    code = "ExecutionDoesNotExist"
    status = 404

    def __init__(self, execution: str) -> None:
        super().__init__(f"Execution {execution!r} does not exist.")
        self.execution = execution


class ExecutionExistsError(ServiceError):
    code = "ExecutionAlreadyExists"
    status = 409

    def __init__(self, name: str, *, closed: bool = False) -> None:
        # StartExecution: a name is idempotent only while its execution is open with the same
        # input; once that execution has closed, the name is refused whatever the input.
        reason = "has already run" if closed else "was started with other input"
        super().__init__(f"Execution already exists: {name!r} {reason}.")
        self.name = name
        self.closed = closed


class InvalidTokenError(ServiceError):
    code = "InvalidToken"

    def __init__(self) -> None:
        super().__init__("Invalid pagination token.")


class UsageNotFoundError(ServiceError):
    # Another user's usage, for a caller who may not see it: answered as an unknown user
    # would be, so the 404 tells nothing of whether that user exists or has usage.
    code = "UserNotFoundException"
    status = 404

    def __init__(self, user_id: str) -> None:
        super().__init__(f"User {user_id!r} does not exist.")
        self.user_id = user_id
