from __future__ import annotations

from sdw.local._context import LambdaContext

from ._doubles import ManualClock


def make(clock: ManualClock) -> LambdaContext:
    return LambdaContext(function_name="ping", memory_limit_in_mb=128, aws_request_id="r-1",
                         deadline=clock.now + 3, clock=clock, region="eu-west-1", account_id="111122223333",
                         log_stream_name="2024/01/01/[$LATEST]abc")


def test_has_the_attributes_of_lambdas_python_context() -> None:
    context = make(ManualClock())
    assert context.function_name == "ping"
    assert context.function_version == "$LATEST"
    assert context.invoked_function_arn == "arn:aws:lambda:eu-west-1:111122223333:function:ping"
    assert context.memory_limit_in_mb == 128
    assert context.aws_request_id == "r-1"
    assert context.log_group_name == "/aws/lambda/ping"
    assert context.log_stream_name == "2024/01/01/[$LATEST]abc"
    assert context.identity.cognito_identity_id is None and context.client_context is None


def test_counts_the_remaining_time_down_to_zero() -> None:
    clock = ManualClock()
    context = make(clock)
    assert context.get_remaining_time_in_millis() == 3000
    clock.now += 1.25
    assert context.get_remaining_time_in_millis() == 1750
    clock.now += 5
    assert context.get_remaining_time_in_millis() == 0
    assert "remaining_ms=0" in repr(context)
