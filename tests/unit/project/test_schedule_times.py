"""Fire times: EventBridge's cron and rate rules, checked on AWS's examples and the edge cases."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta

import pytest

from sdw.project import fire_times, is_fire_time, latest_fire_time, next_fire_time, parse_schedule


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def times(expression: str, start: str, count: int) -> list[str]:
    found = fire_times(parse_schedule(expression), at(start), count)
    return [t.strftime("%Y-%m-%dT%H:%M") for t in found]


CASES = [
    # AWS's own examples ("Cron expressions reference")
    ("cron(0 10 * * ? *)", "2026-03-01T10:00", "2026-03-02T10:00 2026-03-03T10:00"),
    ("cron(15 12 * * ? *)", "2026-03-01T00:00", "2026-03-01T12:15 2026-03-02T12:15"),
    ("cron(0 18 ? * MON-FRI *)", "2026-03-06T18:00", "2026-03-09T18:00 2026-03-10T18:00"),
    ("cron(0 8 1 * ? *)", "2026-03-01T08:00", "2026-04-01T08:00 2026-05-01T08:00"),
    ("cron(0/15 * * * ? *)", "2026-03-01T00:50", "2026-03-01T01:00 2026-03-01T01:15"),
    ("cron(0/10 * ? * MON-FRI *)", "2026-03-06T23:55", "2026-03-09T00:00 2026-03-09T00:10"),
    ("cron(0/5 8-17 ? * MON-FRI *)", "2026-03-09T17:55", "2026-03-10T08:00 2026-03-10T08:05"),
    ("cron(0 9 ? * 2#1 *)", "2026-03-01T00:00", "2026-03-02T09:00 2026-04-06T09:00"),
    # L in day-of-month: the last day, 29 February in a leap year
    ("cron(0 10 L * ? *)", "2024-02-01T00:00", "2024-02-29T10:00 2024-03-31T10:00 2024-04-30T10:00"),
    ("cron(0 10 L 2 ? *)", "2025-03-01T00:00", "2026-02-28T10:00 2027-02-28T10:00 2028-02-29T10:00"),
    # L alone in day-of-week: the week's last day, Saturday; 6L: the month's last Friday
    ("cron(0 10 ? * L *)", "2026-02-01T00:00", "2026-02-07T10:00 2026-02-14T10:00"),
    ("cron(0 10 ? * 6L *)", "2026-02-01T00:00", "2026-02-27T10:00 2026-03-27T10:00"),
    ("cron(0 10 ? * 6L *)", "2026-12-01T00:00", "2026-12-25T10:00 2027-01-29T10:00"),
    # W: the nearest weekday, never crossing the month's edges
    ("cron(0 10 15W * ? *)", "2026-02-01T00:00", "2026-02-16T10:00 2026-03-16T10:00 2026-04-15T10:00"),
    ("cron(0 10 1W * ? *)", "2025-02-01T00:00", "2025-02-03T10:00 2025-03-03T10:00 2025-04-01T10:00"),
    ("cron(0 10 31W * ? *)", "2025-08-01T00:00", "2025-08-29T10:00 2025-10-31T10:00"),
    ("cron(0 10 LW * ? *)", "2026-05-01T00:00", "2026-05-29T10:00 2026-06-30T10:00"),
    ("cron(0 10 14W * ? *)", "2026-02-01T00:00", "2026-02-13T10:00 2026-03-13T10:00"),
    # #: the nth weekday; a month without a fifth Monday is skipped
    ("cron(0 10 ? * 6#3 *)", "2026-01-01T00:00", "2026-01-16T10:00 2026-02-20T10:00"),
    ("cron(0 10 ? * MON#5 *)", "2026-01-01T00:00", "2026-03-30T10:00 2026-06-29T10:00"),
    # the year field: ranges, increments, and an end
    ("cron(0 0 1 1 ? 2030-2032)", "2026-01-01T00:00", "2030-01-01T00:00 2031-01-01T00:00 2032-01-01T00:00"),
    ("cron(0 0 1 1 ? 2030/5)", "2026-01-01T00:00", "2030-01-01T00:00 2035-01-01T00:00"),
    ("cron(59 23 31 12 ? 2199)", "2199-12-31T23:58", "2199-12-31T23:59"),
    # 29 February, and days some months do not have
    ("cron(0 0 29 2 ? *)", "2025-01-01T00:00", "2028-02-29T00:00 2032-02-29T00:00"),
    ("cron(0 0 31 * ? *)", "2026-01-31T00:00", "2026-03-31T00:00 2026-05-31T00:00"),
    ("cron(0 0 30W 2 ? *)", "2026-01-01T00:00", ""),
    # increments, lists, names, Sunday = 1
    ("cron(0 0 1/10 * ? *)", "2026-01-01T00:00", "2026-01-11T00:00 2026-01-21T00:00 2026-01-31T00:00"
                                                 " 2026-02-01T00:00"),
    ("cron(5/20 * * * ? *)", "2026-01-01T00:00", "2026-01-01T00:05 2026-01-01T00:25 2026-01-01T00:45"),
    ("cron(10-50/20 0 1,15 * ? *)", "2026-01-01T00:30", "2026-01-01T00:50 2026-01-15T00:10"),
    ("cron(0 8 ? * 1 *)", "2026-01-01T00:00", "2026-01-04T08:00 2026-01-11T08:00"),
    ("cron(0 18 ? * SUN,SAT *)", "2026-01-01T00:00", "2026-01-03T18:00 2026-01-04T18:00"),
    ("cron(0 0 1 JAN-MAR,JUL ? 2026)", "2026-03-01T00:00", "2026-07-01T00:00"),
]


@pytest.mark.parametrize(("expression", "start", "expected"), CASES)
def test_cron_fires_at_eventbridges_times(expression: str, start: str, expected: str) -> None:
    wanted = expected.split()
    assert times(expression, start, max(len(wanted), 1)) == wanted


def test_a_schedule_past_its_last_year_never_fires_again() -> None:
    schedule = parse_schedule("cron(0 0 1 1 ? 2030-2032)")
    assert next_fire_time(schedule, at("2032-01-01T00:00")) is None
    assert fire_times(schedule, at("2031-06-01T00:00"), 5) == [at("2032-01-01T00:00")]


def test_after_is_strict_and_seconds_do_not_count() -> None:
    schedule = parse_schedule("cron(0 12 * * ? *)")
    assert next_fire_time(schedule, at("2030-01-01T12:00")) == at("2030-01-02T12:00")
    assert next_fire_time(schedule, at("2030-01-01T11:59:59")) == at("2030-01-01T12:00")
    assert is_fire_time(schedule, at("2030-01-01T12:00:30"))
    assert not is_fire_time(schedule, at("2030-01-01T12:01"))


def test_a_time_without_a_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        next_fire_time(parse_schedule("rate(1 minute)"), datetime(2030, 1, 1))


def test_other_time_zones_are_read_as_the_utc_instant_they_are() -> None:
    from datetime import timezone

    paris = timezone(timedelta(hours=1))
    schedule = parse_schedule("cron(0 12 * * ? *)")
    assert next_fire_time(schedule, datetime(2030, 1, 1, 12, 30, tzinfo=paris)) == at("2030-01-01T12:00")


@pytest.mark.parametrize(
    ("expression", "start", "expected"),
    [
        ("rate(5 minutes)", "2030-01-01T00:02", ["2030-01-01T00:05", "2030-01-01T00:10"]),
        ("rate(1 minute)", "2030-01-01T00:00", ["2030-01-01T00:01", "2030-01-01T00:02"]),
        ("rate(1 hour)", "2030-01-01T00:00:01", ["2030-01-01T01:00", "2030-01-01T02:00"]),
        ("rate(1 day)", "2030-01-01T12:00", ["2030-01-02T00:00", "2030-01-03T00:00"]),
        # 1970-01-01 was a Thursday
        ("rate(7 days)", "2030-01-01T00:00", ["2030-01-03T00:00", "2030-01-10T00:00"]),
    ],
)
def test_rates_count_from_the_epoch(expression: str, start: str, expected: list[str]) -> None:
    assert times(expression, start, len(expected)) == expected


def test_the_latest_fire_time_of_a_window() -> None:
    cron, rate = parse_schedule("cron(0 * * * ? *)"), parse_schedule("rate(5 minutes)")
    assert latest_fire_time(cron, at("2030-01-01T00:00"), at("2030-01-01T05:30")) == at("2030-01-01T05:00")
    assert latest_fire_time(cron, at("2030-01-01T05:00"), at("2030-01-01T05:30")) is None
    assert latest_fire_time(rate, at("2030-01-01T00:00"), at("2030-01-01T05:33")) == at("2030-01-01T05:30")
    assert latest_fire_time(rate, at("2030-01-01T00:00"), at("2030-01-01T00:04")) is None


def _naive_matches(fields: list[set[int]], moment: datetime) -> bool:
    minutes, hours, days, months, weekdays = fields
    weekday = (moment.weekday() + 1) % 7 + 1
    return (moment.minute in minutes and moment.hour in hours and moment.month in months
            and (moment.day in days if days else weekday in weekdays))


@pytest.mark.parametrize(
    ("expression", "fields"),
    [
        ("cron(*/7 1-3 * * ? *)", [set(range(0, 60, 7)), {1, 2, 3}, set(range(1, 32)), set(range(1, 13)),
                                   set()]),
        ("cron(30 6,18 ? * MON,WED-FRI *)", [{30}, {6, 18}, set(), set(range(1, 13)), {2, 4, 5, 6}]),
        ("cron(0 0 5-9/2 FEB,MAR ? *)", [{0}, {0}, {5, 7, 9}, {2, 3}, set()]),
    ],
)
def test_plain_fields_agree_with_a_minute_by_minute_check(expression: str, fields: list[set[int]]) -> None:
    schedule = parse_schedule(expression)
    start, end = at("2026-01-01T00:00"), at("2026-03-15T00:00")
    expected = []
    moment = start + timedelta(minutes=1)
    while moment <= end:
        if _naive_matches(fields, moment):
            expected.append(moment)
        moment += timedelta(minutes=1)
    assert fire_times(schedule, start, len(expected)) == expected


def test_last_day_rules_hold_in_every_month_of_a_leap_cycle() -> None:
    last_day = parse_schedule("cron(0 0 L * ? *)")
    last_friday = parse_schedule("cron(0 0 ? * 6L *)")
    for fired in fire_times(last_day, at("2024-01-01T00:00"), 48):
        assert fired.day == calendar.monthrange(fired.year, fired.month)[1]
    for fired in fire_times(last_friday, at("2024-01-01T00:00"), 48):
        assert fired.weekday() == 4 and (fired + timedelta(days=7)).month != fired.month
    assert date(2024, 2, 29) in {t.date() for t in fire_times(last_day, at("2024-01-01T00:00"), 3)}
