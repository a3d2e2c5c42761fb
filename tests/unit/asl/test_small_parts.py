"""Clock, history, timestamps, retriers and variable limits: the small parts."""

from __future__ import annotations

import math
from typing import Any

import pytest

from sdw.asl import Branch, ErrorName, History, StatesError, SystemClock, compile_definition
from sdw.asl._retry import Retrier, error_matches
from sdw.asl._timestamps import format_timestamp, parse_timestamp, timestamp_seconds
from sdw.asl._variables import MAX_VARIABLE_BYTES, check_assignment

from .helpers import chain, pass_end


def test_the_system_clock_reads_wall_time() -> None:
    import time

    assert abs(SystemClock().now() - time.time()) < 5


def test_history_renders_events_in_get_execution_history_shape() -> None:
    history = History()
    history.add("ExecutionStarted", 0, 0.0, {"input": "{}", "roleArn": "r"})
    history.add("MapStateStarted", 1, 1.5, {"length": 2})
    history.add("ParallelStateStarted", 2, 2.0)
    first, second, third = history.events()
    assert first["executionStartedEventDetails"] == {
        "input": "{}",
        "inputDetails": {"truncated": False},
        "roleArn": "r",
    }
    assert second["mapStateStartedEventDetails"] == {"length": 2}
    assert second["timestamp"].timestamp() == 1.5
    assert "parallelStateStartedEventDetails" not in third
    assert [e["id"] for e in history.events(since=1)] == [2, 3]
    assert len(history) == 3
    assert [e["id"] for e in history] == [1, 2, 3]


def test_a_history_that_does_not_record_still_counts() -> None:
    history = History(recording=False, count=10)
    assert history.add("PassStateEntered", 10, 0.0) == 11
    assert history.events() == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1970-01-01T00:00:00Z", (0, 0)),
        ("1970-01-01T01:00:00+01:00", (0, 0)),
        ("2016-03-05T21:29:29.243167252Z", (1457213369, 243167252)),
        ("2016-03-14T01:59Z", (1457920740, 0)),
        ("2016-12-05T21:29:29", None),
        ("2016-12-05 21:29:29Z", None),
        ("2016-13-05T21:29:29Z", None),
        ("2016-12-05T25:29:29Z", None),
        ("2016-12-05T21:29:29+19:00", None),
        (12, None),
    ],
)
def test_timestamps_parse_as_iso_offset_date_times(text: Any, expected: Any) -> None:
    assert parse_timestamp(text) == expected


def test_timestamps_format_with_milliseconds_in_utc() -> None:
    assert format_timestamp(1.5) == "1970-01-01T00:00:01.500Z"
    assert timestamp_seconds("1970-01-01T00:00:01.5Z") == 1.5
    assert timestamp_seconds("nope") is None


@pytest.mark.parametrize(
    ("errors", "name", "matches"),
    [
        ({"States.ALL"}, "Anything", True),
        ({"States.ALL"}, "States.DataLimitExceeded", True),
        ({"States.ALL"}, "States.Runtime", False),
        ({"States.Runtime"}, "States.Runtime", False),
        ({"States.TaskFailed"}, "Lambda.Unknown", True),
        ({"States.TaskFailed"}, "States.Timeout", False),
        ({"States.Timeout"}, "States.Timeout", True),
        ({"Custom"}, "custom", False),
        ({"States.ALL"}, None, True),
        ({"Custom"}, None, False),
    ],
)
def test_error_equals_matching_follows_aws(errors: set[str], name: str | None, matches: bool) -> None:
    assert error_matches(frozenset(errors), name) is matches


def test_retrier_defaults_and_delays() -> None:
    retrier = Retrier.from_definition({"ErrorEquals": ["E"]})
    assert (retrier.interval_seconds, retrier.max_attempts, retrier.backoff_rate) == (1, 3, 2.0)
    assert [retrier.delay(n) for n in range(3)] == [1.0, 2.0, 4.0]
    capped = Retrier.from_definition({"ErrorEquals": ["E"], "IntervalSeconds": 10, "MaxDelaySeconds": 15})
    assert capped.delay(3) == 15.0


def test_a_back_off_past_the_largest_double_waits_for_ever_or_the_max_delay() -> None:
    steep = Retrier.from_definition({"ErrorEquals": ["E"], "BackoffRate": 1e308})
    assert steep.delay(2) == math.inf
    capped = Retrier.from_definition({"ErrorEquals": ["E"], "BackoffRate": 1e308, "MaxDelaySeconds": 60})
    assert capped.delay(2) == 60.0


def branch() -> Branch:
    machine = compile_definition(chain(("A", pass_end())))
    return Branch("", machine, {})


def test_variables_over_aws_limits_are_data_limit_exceeded() -> None:
    big = "x" * MAX_VARIABLE_BYTES
    with pytest.raises(StatesError) as one:
        check_assignment({"v": big}, branch())
    assert one.value.name == ErrorName.DATA_LIMIT_EXCEEDED
    with pytest.raises(StatesError):
        check_assignment({"a": "x" * 200_000, "b": "y" * 200_000}, branch())
    many = branch()
    many.variables = {f"v{i}": "z" * 250_000 for i in range(42)}
    with pytest.raises(StatesError):
        check_assignment({"new": "q" * 200_000}, many)
    check_assignment({"small": 1}, branch())
