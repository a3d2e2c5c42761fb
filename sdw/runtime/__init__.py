"""sdw.runtime: what runs inside a function's process, on Lambda and under ``sdw dev``.

    handler                  Lambda's handler of every deployed user function (sdw.runtime._lambda)
    resolve_connections      {{connection:NAME}} -> the stored value, for one call (sdw.runtime._connections)
    track_usage_middleware   counts the caller's call (sdw.runtime._usage); functions import it
    UsageMeter, metering     where it counts: the local runtime's table, or the Lambda's DynamoDB table

Small and stable: functions import these names, so they do not move. See DESIGN.md.
Importing this package does no I/O; ``handler`` reads SSM on its first call.
"""

from __future__ import annotations

from sdw.runtime._connections import (
    REFERENCE,
    Connection,
    ConnectionSource,
    Resolution,
    connection_parameter,
    has_references,
    parse_connection,
    resolve_connections,
    secret_parameter,
)
from sdw.runtime._errors import (
    ConnectionFailure,
    ConnectionNotDeclaredError,
    ConnectionNotFoundError,
    ConnectionTypeMismatchError,
    HandlerConfigError,
    ParameterStoreError,
    SdwRuntimeError,
    SecretNotFoundError,
)
from sdw.runtime._lambda import (
    LambdaEntry,
    ParameterReader,
    create_lambda_entry,
    handler,
    import_user_handler,
    parse_connections_variable,
)
from sdw.runtime._usage import (
    UsageMeter,
    UsageRecorder,
    caller_sub,
    create_lambda_meter,
    current_meter,
    metering,
    track_usage_middleware,
)

__all__ = [
    "REFERENCE",
    "Connection",
    "ConnectionFailure",
    "ConnectionNotDeclaredError",
    "ConnectionNotFoundError",
    "ConnectionSource",
    "ConnectionTypeMismatchError",
    "HandlerConfigError",
    "LambdaEntry",
    "ParameterReader",
    "ParameterStoreError",
    "Resolution",
    "SdwRuntimeError",
    "SecretNotFoundError",
    "UsageMeter",
    "UsageRecorder",
    "caller_sub",
    "connection_parameter",
    "create_lambda_entry",
    "create_lambda_meter",
    "current_meter",
    "handler",
    "has_references",
    "import_user_handler",
    "metering",
    "parse_connection",
    "parse_connections_variable",
    "resolve_connections",
    "secret_parameter",
    "track_usage_middleware",
]
