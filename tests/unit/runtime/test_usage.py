"""track_usage_middleware: the seed's decorator counts the caller's call and changes nothing the handler
sees or gives."""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import pytest

import sdw.runtime
from sdw.runtime import UsageMeter, caller_sub, metering, track_usage_middleware
from sdw.runtime._usage import _LambdaMeter


def test_the_wrapped_handler_gets_the_event_and_context_and_its_result_comes_back() -> None:
    seen: list[tuple[Any, Any]] = []

    @track_usage_middleware
    def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
        seen.append((event, context))
        return {"statusCode": 200, "body": "ok"}

    context = object()
    assert handler({"a": 1}, context) == {"statusCode": 200, "body": "ok"}
    assert seen == [({"a": 1}, context)]


def test_keeps_the_handlers_name_docstring_and_signature() -> None:
    def handler(event: dict[str, Any], context: object) -> str:
        """Says hello."""
        return "hello"

    wrapped = track_usage_middleware(handler)
    assert (wrapped.__name__, wrapped.__doc__) == ("handler", "Says hello.")
    assert inspect.signature(wrapped) == inspect.signature(handler)
    assert wrapped.__wrapped__ is handler  # type: ignore[attr-defined]


def test_an_exception_of_the_handler_passes_through_unchanged() -> None:
    @track_usage_middleware
    def handler(event: object, context: object) -> None:
        raise ValueError("bad input")

    with pytest.raises(ValueError, match="bad input"):
        handler({}, None)


def test_the_seeds_import_path_gives_the_same_decorator() -> None:
    module = importlib.import_module("functions.base.api_usage.handler")
    assert module.track_usage_middleware is sdw.runtime.track_usage_middleware


# --------------------------------------------------------------------------- counting


class Table:
    """A UsageRecorder in memory: (user, month) -> calls; ``broken`` makes every write fail."""

    def __init__(self, *, broken: bool = False) -> None:
        self.counts: dict[tuple[str, str], int] = {}
        self.broken = broken

    def record_call(self, user_id: str, year_month: str) -> int:
        if self.broken:
            raise ConnectionError("the table is unreachable")
        key = (user_id, year_month)
        self.counts[key] = self.counts.get(key, 0) + 1
        return self.counts[key]


DEC_31_LATE = 1798761599.0  # 2026-12-31T23:59:59Z
JAN_1 = 1798761600.0  # 2027-01-01T00:00:00Z


def http_event(sub: str | None) -> dict[str, Any]:
    """An HTTP API event behind the JWT authorizer (as sdw dev and API Gateway send it)."""
    claims = {"email": "ada@example.com"} if sub is None else {"sub": sub, "email": "ada@example.com"}
    return {"version": "2.0", "requestContext": {"authorizer": {"jwt": {"claims": claims, "scopes": None}}}}


@track_usage_middleware
def echo(event: Any, context: Any) -> Any:
    return event


def test_an_authorized_request_is_counted_for_its_caller_in_the_utc_month() -> None:
    table = Table()
    clock = [DEC_31_LATE]
    with metering(UsageMeter(table, clock=lambda: clock[0])):
        echo(http_event("ada"), None)
        echo(http_event("ada"), None)
        clock[0] = JAN_1
        echo(http_event("ada"), None)
        echo(http_event("bob"), None)
    assert table.counts == {("ada", "2026-12"): 2, ("ada", "2027-01"): 1, ("bob", "2027-01"): 1}


def test_a_rest_api_cognito_authorizers_claims_count_too() -> None:
    table = Table()
    event = {"requestContext": {"authorizer": {"claims": {"sub": "ada"}}}}
    with metering(UsageMeter(table, clock=lambda: JAN_1)):
        echo(event, None)
    assert table.counts == {("ada", "2027-01"): 1}


@pytest.mark.parametrize(
    "event",
    [
        {"value": 1, "__user_id": "ada"},  # a flow's Task: counted once, at its POST /run
        http_event(None),  # a token without sub
        {"requestContext": {"http": {"method": "POST"}}},  # a route without an authorizer
        {"requestContext": {"authorizer": {"jwt": {"claims": {"sub": ""}}}}},
        {"requestContext": {"authorizer": {"jwt": {"claims": {"sub": 7}}}}},
        {"requestContext": "garbage"},
        ["not", "a", "mapping"],
        None,
    ],
)
def test_what_is_not_an_authorized_request_is_not_counted(event: Any) -> None:
    table = Table()
    with metering(UsageMeter(table, clock=lambda: JAN_1)):
        assert echo(event, None) == event
    assert table.counts == {}


def test_a_failing_table_is_logged_and_the_call_still_answers(caplog: pytest.LogCaptureFixture) -> None:
    with metering(UsageMeter(Table(broken=True), clock=lambda: JAN_1)):
        assert echo(http_event("ada"), None) == http_event("ada")
    assert "a call of user ada in 2027-01 was not counted: the table is unreachable" in caplog.text


def test_a_handler_that_raises_was_counted_all_the_same() -> None:
    table = Table()

    @track_usage_middleware
    def failing(event: Any, context: Any) -> None:
        raise RuntimeError("boom")

    with metering(UsageMeter(table, clock=lambda: JAN_1)), pytest.raises(RuntimeError):
        failing(http_event("ada"), None)
    assert table.counts == {("ada", "2027-01"): 1}


def test_the_meter_is_the_contexts_own_and_ends_with_it() -> None:
    first, second = Table(), Table()
    with metering(UsageMeter(first, clock=lambda: JAN_1)):
        with metering(UsageMeter(second, clock=lambda: JAN_1)):
            echo(http_event("ada"), None)
        echo(http_event("ada"), None)
    assert (first.counts, second.counts) == ({("ada", "2027-01"): 1}, {("ada", "2027-01"): 1})


def test_the_event_may_be_passed_by_keyword() -> None:
    table = Table()
    with metering(UsageMeter(table, clock=lambda: JAN_1)):
        echo(event=http_event("ada"), context=None)
    assert table.counts == {("ada", "2027-01"): 1}


def test_outside_sdw_dev_and_a_deployed_stage_nothing_is_counted_and_it_says_so_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    lambda_meter = _LambdaMeter({})  # no SDW_USAGE_TABLE: a test calling the handler, say
    assert lambda_meter.get() is None
    assert lambda_meter.get() is None
    assert caplog.text.count("calls are not counted: SDW_USAGE_TABLE is not set") == 1


def test_caller_sub_reads_only_the_authorizers_claims() -> None:
    assert caller_sub(http_event("ada")) == "ada"
    assert caller_sub({"sub": "ada"}) is None  # a client's body is no authorizer
