"""Schedule expressions: what EventBridge accepts passes, what it refuses fails with the reason."""

from __future__ import annotations

import pytest

from sdw.project import Schedule, ScheduleError, parse_schedule

VALID_RATES = [
    ("rate(1 minute)", 60),
    ("rate(5 minutes)", 300),
    ("rate(1 hour)", 3600),
    ("rate(12 hours)", 43200),
    ("rate(1 day)", 86400),
    ("rate(7 days)", 604800),
]

VALID_CRONS = [
    "cron(0 12 * * ? *)",  # every day at noon
    "cron(15 10 ? * MON-FRI *)",  # weekdays
    "cron(0/15 8-17 ? * MON-FRI *)",  # every 15 minutes in office hours
    "cron(*/5 * * * ? *)",
    "cron(0 9 L * ? 2030)",  # last day of the month
    "cron(0 9 LW * ? *)",  # last weekday of the month
    "cron(0 9 15W * ? *)",  # weekday nearest the 15th
    "cron(0 0 ? * 6#3 *)",  # third Friday
    "cron(0 0 ? * FRI#1 *)",
    "cron(0 0 ? * 6L *)",  # last Friday
    "cron(0 0 ? * L *)",
    "cron(0 18 ? * SUN,SAT *)",
    "cron(0 0 1 JAN-MAR,JUL ? 2025-2030)",
    "cron(10-50/5 0 1,15 * ? *)",
    "cron(0 0 * * ? 1970/10)",
    "cron(59 23 31 12 ? 2199)",
]

INVALID = [
    ("rate(1 minutes)", "a value of 1 takes the singular unit: rate(1 minute)"),
    ("rate(5 minute)", "a value above 1 takes the plural unit: rate(5 minutes)"),
    ("rate(1 hours)", "rate(1 hour)"),
    ("rate(2 day)", "rate(2 days)"),
    ("rate(0 minutes)", "must be a positive whole number"),
    ("rate(-1 minutes)", "must be a positive whole number"),
    ("rate(1.5 hours)", "must be a positive whole number"),
    ("rate(5 seconds)", "the unit 'seconds' must be minute(s), hour(s) or day(s)"),
    ("rate(5 Minutes)", "the unit 'Minutes'"),
    ("rate(5)", "a rate has two fields"),
    ("rate(5 minutes later)", "a rate has two fields"),
    ("rate()", "a rate has two fields"),
    ("every 5 minutes", "must be rate(value unit) or cron("),
    ("Rate(5 minutes)", "must be rate(value unit) or cron("),
    ("cron(0 12 * * ?)", "has 5 fields; a cron needs 6"),
    ("cron(0 12 * * ?)", "is the year missing?"),
    ("cron(0 0 12 * * ? *)", "has 7 fields"),
    ("cron()", "has 0 fields"),
    ("cron(0 12 * * * *)", "day-of-month and day-of-week cannot both be given"),
    ("cron(0 12 ? * ? *)", "put '?' in exactly one of them"),
    ("cron(0 12 1 * MON *)", "cannot both be given"),
    ("cron(60 0 * * ? *)", "minutes '60': 60 is outside 0-59"),
    ("cron(0 24 * * ? *)", "hours '24': 24 is outside 0-23"),
    ("cron(0 0 0 * ? *)", "day-of-month '0': 0 is outside 1-31"),
    ("cron(0 0 32 * ? *)", "32 is outside 1-31"),
    ("cron(0 0 * 13 ? *)", "month '13': 13 is outside 1-12"),
    ("cron(0 0 ? * 8 *)", "day-of-week '8': 8 is outside 1-7"),
    ("cron(0 0 ? * 0 *)", "0 is outside 1-7"),
    ("cron(0 0 * * ? 1969)", "year '1969': 1969 is outside 1970-2199"),
    ("cron(0 0 * * ? 2200)", "2200 is outside 1970-2199"),
    ("cron(0 0 * FOO ? *)", "'FOO' is not a value of this field (1-12 or JAN-DEC)"),
    ("cron(0 0 ? * mon *)", "write 'mon' in capitals: MON"),
    ("cron(0 0 * jan ? *)", "write 'jan' in capitals: JAN"),
    ("cron(? 0 * * ? *)", "minutes '?': '?' is allowed only in day-of-month and day-of-week"),
    ("cron(0 0 ?,1 * ? *)", "'?' stands alone in its field"),
    ("cron(L 0 * * ? *)", "'L' is not a value of this field (0-59)"),
    ("cron(0 0 L,5 * ? *)", "L and W stand alone in their field"),
    ("cron(0 0 15W,1 * ? *)", "L and W stand alone"),
    ("cron(0 0 WL * ? *)", "L and W go alone or after a single day"),
    ("cron(0 0 32W * ? *)", "32 before W is outside 1-31"),
    ("cron(0 0 ? * 9L *)", "9 before L is outside 1-7"),
    ("cron(0 0 ? * 3#1,6#3 *)", "with '#' the field holds one expression only"),
    ("cron(0 0 ? * 3#6 *)", "the week '6' after '#' must be 1 to 5"),
    ("cron(0 0 ? * 3#0 *)", "the week '0' after '#' must be 1 to 5"),
    ("cron(0 0 ? * 8#1 *)", "8 before '#' is outside 1-7"),
    ("cron(0 0 1#2 * ? *)", "'#' is allowed only in day-of-week"),
    ("cron(0 0 ? * */2 *)", "'/' is not allowed in day-of-week"),
    ("cron(0/0 0 * * ? *)", "the increment '0' must be a whole number from 1 to 59"),
    ("cron(0/60 0 * * ? *)", "from 1 to 59"),
    ("cron(0/x 0 * * ? *)", "the increment 'x'"),
    ("cron(0 22-2 * * ? *)", "the range '22-2' runs backwards"),
    ("cron(0 0 ? * FRI-MON *)", "the range 'FRI-MON' runs backwards"),
    ("cron(0 0 1,,2 * ? *)", "an empty value (a stray ',')"),
    ("cron(0 0 1- * ? *)", "'' is not a value of this field"),
    ("cron(0 0 * * ? " + "1," * 130 + "1)", "EventBridge allows 256"),
]


@pytest.mark.parametrize(("expression", "seconds"), VALID_RATES)
def test_accepts_a_rate_and_gives_its_period(expression: str, seconds: int) -> None:
    assert parse_schedule(expression) == Schedule(expression, "rate", interval_seconds=seconds)


@pytest.mark.parametrize("expression", VALID_CRONS)
def test_accepts_a_cron_eventbridge_accepts_and_splits_its_six_fields(expression: str) -> None:
    schedule = parse_schedule(expression)
    assert schedule.kind == "cron" and schedule.interval_seconds is None
    assert schedule.fields == tuple(expression[5:-1].split())
    assert str(schedule) == expression


@pytest.mark.parametrize(("expression", "fragment"), INVALID)
def test_refuses_what_eventbridge_refuses_and_says_why(expression: str, fragment: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(expression)
    assert fragment in caught.value.reason
    assert caught.value.expression == expression
    assert str(caught.value).startswith(repr(expression))
