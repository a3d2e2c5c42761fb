"""echo: returns the event it got, to show what API Gateway (HTTP API, format 2.0) sends."""

from __future__ import annotations

import json
from typing import Any


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json"},
        # HTTP API wants the body as a string: a dict body is answered with a 500, as on AWS
        "body": json.dumps({
            "event": event,
            "context": {
                "function_name": context.function_name,
                "function_version": context.function_version,
                "invoked_function_arn": context.invoked_function_arn,
                "memory_limit_in_mb": context.memory_limit_in_mb,
                "aws_request_id": context.aws_request_id,
                "log_group_name": context.log_group_name,
                "log_stream_name": context.log_stream_name,
                "remaining_time_in_millis": context.get_remaining_time_in_millis(),
            },
        }),
    }
