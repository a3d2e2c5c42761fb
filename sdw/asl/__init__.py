"""sdw.asl: an Amazon States Language interpreter that behaves like AWS Step Functions.

Two ways in:

* :func:`execute` runs a definition to its end in this process and returns an
  :class:`ExecutionResult` (status, output, error, cause, history). Tasks are Python
  callables keyed by Lambda function name or ARN; time is virtual by default.
* :class:`Execution` is the steppable core for hosts that persist executions: it never
  blocks, hands out task effects (:class:`TaskRequest`), takes their outcomes back, and
  snapshots to plain JSON between transitions (:meth:`Execution.snapshot`,
  :meth:`Execution.restore`). The snapshot format has a version
  (:data:`SNAPSHOT_VERSION`); a snapshot of an older one is migrated when restored.

Definitions are validated first (:func:`validate_definition`, every problem with its
JSON pointer) and compiled once (:func:`compile_definition`). Errors are in
:mod:`sdw.asl._errors`: :class:`ASLError` and its subclasses; run-time failures carry
the ``States.*`` name Retry and Catch match.
"""

from __future__ import annotations

from sdw.asl._branch import Branch, Phase
from sdw.asl._clock import Clock, SystemClock, VirtualClock, to_datetime
from sdw.asl._driver import ExecutionResult, Interpreter, compile_definition, execute
from sdw.asl._errors import (
    ASLError,
    DefinitionError,
    Diagnostic,
    ErrorName,
    IntrinsicSyntaxError,
    JsonataSyntaxError,
    JsonPathSyntaxError,
    PathNotFoundError,
    StatesError,
)
from sdw.asl._execution import Execution, ExecutionStatus
from sdw.asl._history import History
from sdw.asl._integrations import (
    ExecutionPort,
    Integration,
    LambdaPort,
    ServiceInvoker,
    TaskInvoker,
    TaskRequest,
    child_execution_fields,
    shape_describe_execution,
    shape_lambda_response,
)
from sdw.asl._lambda import (
    LambdaContext,
    LambdaFunctions,
    LambdaResponse,
    LambdaServiceError,
    lambda_log_result,
    max_memory_used_mb,
)
from sdw.asl._map_io import LocalObjectStore, ObjectStore
from sdw.asl._nodes import Machine
from sdw.asl._snapshots import SNAPSHOT_VERSION, SnapshotVersionError
from sdw.asl.validate import validate_definition

__all__ = [
    "SNAPSHOT_VERSION",
    "ASLError",
    "Branch",
    "Clock",
    "DefinitionError",
    "Diagnostic",
    "ErrorName",
    "Execution",
    "ExecutionPort",
    "ExecutionResult",
    "ExecutionStatus",
    "History",
    "Integration",
    "Interpreter",
    "IntrinsicSyntaxError",
    "JsonPathSyntaxError",
    "JsonataSyntaxError",
    "LambdaContext",
    "LambdaFunctions",
    "LambdaPort",
    "LambdaResponse",
    "LambdaServiceError",
    "LocalObjectStore",
    "Machine",
    "ObjectStore",
    "PathNotFoundError",
    "Phase",
    "ServiceInvoker",
    "SnapshotVersionError",
    "StatesError",
    "SystemClock",
    "TaskInvoker",
    "TaskRequest",
    "VirtualClock",
    "child_execution_fields",
    "compile_definition",
    "execute",
    "lambda_log_result",
    "max_memory_used_mb",
    "shape_describe_execution",
    "shape_lambda_response",
    "to_datetime",
    "validate_definition",
]
