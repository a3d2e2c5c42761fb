"""Errors of the ASL interpreter.

    ASLError                      base of everything sdw.asl raises
    ├── DefinitionError           the definition is invalid; carries every Diagnostic found
    ├── IntrinsicSyntaxError      an intrinsic function call that does not parse
    ├── JsonPathSyntaxError       a JSONPath that does not parse
    ├── JsonataSyntaxError        a {% %} JSONata template that does not parse
    ├── PathNotFoundError         a definite JSONPath that does not resolve in a document
                                  (states turn it into the States.* error AWS raises there)
    └── StatesError               a run-time failure, named as Step Functions names it
                                  (``name`` is what Retry/Catch ErrorEquals match)

``StatesError.name`` is the exact error string (``States.TaskFailed``, a user's own
``CustomError``...); ``cause`` the text AWS would put in the event's ``cause``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ErrorName(StrEnum):
    """The predefined error names of Step Functions (AWS doc: "Error names")."""

    ALL = "States.ALL"
    HEARTBEAT_TIMEOUT = "States.HeartbeatTimeout"
    TIMEOUT = "States.Timeout"
    TASK_FAILED = "States.TaskFailed"
    PERMISSIONS = "States.Permissions"
    RESULT_PATH_MATCH_FAILURE = "States.ResultPathMatchFailure"
    PARAMETER_PATH_FAILURE = "States.ParameterPathFailure"
    QUERY_EVALUATION_ERROR = "States.QueryEvaluationError"
    BRANCH_FAILED = "States.BranchFailed"
    NO_CHOICE_MATCHED = "States.NoChoiceMatched"
    INTRINSIC_FAILURE = "States.IntrinsicFailure"
    EXCEED_TOLERATED_FAILURE_THRESHOLD = "States.ExceedToleratedFailureThreshold"
    ITEM_READER_FAILED = "States.ItemReaderFailed"
    RESULT_WRITER_FAILED = "States.ResultWriterFailed"
    DATA_LIMIT_EXCEEDED = "States.DataLimitExceeded"
    RUNTIME = "States.Runtime"


class ASLError(Exception):
    """Base class of every error sdw.asl raises."""


@dataclass(frozen=True)
class Diagnostic:
    """One problem in a definition: where (a JSON pointer such as ``/States/Route/Next``) and what."""

    path: str
    message: str
    code: str = "SCHEMA_VALIDATION_FAILED"

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class DefinitionError(ASLError):
    """The definition is invalid. ``diagnostics`` holds every problem, not only the first."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = list(diagnostics)
        lines = "\n".join(f"  {d}" for d in self.diagnostics)
        super().__init__(f"{len(self.diagnostics)} error(s) in the state machine definition:\n{lines}")


class _SyntaxError(ASLError):
    """An expression that does not parse; ``text`` is the expression, ``position`` an offset or None."""

    def __init__(self, message: str, text: str, position: int | None = None) -> None:
        self.text = text
        self.position = position
        super().__init__(message)


class IntrinsicSyntaxError(_SyntaxError):
    """An intrinsic function call (``States.Format(...)``) that does not parse."""


class JsonPathSyntaxError(_SyntaxError):
    """A JSONPath (``$.a.b[0]``) that does not parse."""


class JsonataSyntaxError(_SyntaxError):
    """A JSONata template (``{% ... %}``) that does not parse."""


class PathNotFoundError(ASLError):
    """A definite path that does not resolve.

    ``detail`` is Jayway's text (``No results for path: $['a']``), which AWS quotes in its causes.
    """

    def __init__(self, path: str, detail: str) -> None:
        self.path = path
        self.detail = detail
        super().__init__(f"Invalid path '{path}' : {detail}")


class StatesError(ASLError):
    """A run-time failure with the name Retry and Catch match on, and AWS's cause text."""

    def __init__(self, name: str, cause: str | None = None) -> None:
        self.name = str(name)
        self.cause = cause
        super().__init__(f"{self.name}: {cause}" if cause else self.name)
