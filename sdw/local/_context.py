"""The Lambda context object, as the Python runtime hands it to ``handler(event, context)``.

Same attribute names as the real ``LambdaContext`` (awslambdaric's bootstrap), so code
that logs ``context.aws_request_id`` or budgets work with
``context.get_remaining_time_in_millis()`` behaves the same here. The deadline is computed
from an injected monotonic clock, so a test can move time instead of sleeping.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]  # seconds, monotonic


@dataclass(frozen=True)
class CognitoIdentity:
    cognito_identity_id: str | None = None
    cognito_identity_pool_id: str | None = None


class LambdaContext:
    """What ``context`` is inside a handler; ``function_version`` is ``$LATEST`` as on a fresh deploy."""

    def __init__(
        self,
        *,
        function_name: str,
        memory_limit_in_mb: int,
        aws_request_id: str,
        deadline: float,
        clock: Clock,
        region: str,
        account_id: str,
        log_stream_name: str,
    ) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:{region}:{account_id}:function:{function_name}"
        self.memory_limit_in_mb = memory_limit_in_mb
        self.aws_request_id = aws_request_id
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = log_stream_name
        self.identity = CognitoIdentity()
        self.client_context = None
        self.tenant_id = None
        self._deadline = deadline
        self._clock = clock

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the function's timeout; never negative (as on Lambda)."""
        return max(0, int((self._deadline - self._clock()) * 1000))

    def __repr__(self) -> str:
        return (
            f"LambdaContext(function_name={self.function_name!r}, aws_request_id={self.aws_request_id!r}, "
            f"remaining_ms={self.get_remaining_time_in_millis()})"
        )
