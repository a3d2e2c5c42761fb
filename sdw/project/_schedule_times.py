"""When a schedule fires: EventBridge's cron and rate rules as next-fire-time arithmetic.

``sdw dev`` fires a flow's ``schedule`` itself, so it needs the times EventBridge would
fire it at. Two libraries claim AWS's cron dialect (pyawscron 1.0.7, aws-croniter 2.1.1);
checked against AWS's documented examples both were wrong where it matters (``L`` alone
in day-of-week, ``LW``, a year increment, 29 February: an exception or no time at all),
and croniter speaks the Unix dialect (no year, no ``W``, ``L``, ``#`` as AWS means them).
So the evaluator is here, pure, on the already validated :class:`Schedule`.

The rules (AWS "Cron expressions reference", with Quartz's meaning where AWS is terse):

* Times are UTC and whole minutes; "after" is strict: the fire time after 12:00 is never 12:00.
* Day-of-week numbers run 1 (SUN) to 7 (SAT). Exactly one of the day fields is ``?``;
  the other one alone decides the days.
* ``L`` in day-of-month is the month's last day; ``LW`` its last weekday (Monday-Friday).
  ``15W`` is the weekday nearest the 15th, never crossing into another month: a Saturday
  1st moves to Monday the 3rd, a Sunday 31st to Friday the 29th. A day the month does not
  have (``30`` or ``30W`` in February) does not fire that month.
* ``L`` alone in day-of-week is the last day of the week, Saturday; ``6L`` the month's
  last Friday; ``6#3`` its third Friday (no fifth Monday: no fire that month).
* ``a/n`` counts from ``a`` in steps of ``n`` up to the field's largest value; ``*/n`` from
  its smallest. Years run 1970-2199: a schedule past its last year never fires again.
* A rate fires every period. EventBridge counts a rate from the moment the rule is
  created, so its phase on AWS is whatever the deploy time was; sdw counts from
  1970-01-01T00:00Z instead (``rate(5 minutes)`` at :00, :05, ...; ``rate(1 day)`` at
  midnight UTC), so every machine and every test sees the same times.
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sdw.project._schedule import Schedule

_MINUTE = timedelta(minutes=1)
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
FIRST_YEAR, LAST_YEAR = 1970, 2199


def next_fire_time(schedule: Schedule, after: datetime) -> datetime | None:
    """The first time ``schedule`` fires strictly after ``after`` (UTC), or None if it never will.

    >>> from sdw.project import parse_schedule
    >>> next_fire_time(parse_schedule("cron(0 12 * * ? *)"), datetime(2030, 1, 1, 12, tzinfo=UTC))
    datetime.datetime(2030, 1, 2, 12, 0, tzinfo=datetime.timezone.utc)
    """
    after = _utc(after)
    if schedule.interval_seconds is not None:
        period = schedule.interval_seconds
        seconds = int(after.timestamp() // period + 1) * period
        return datetime.fromtimestamp(seconds, UTC)
    start = after.replace(second=0, microsecond=0) + _MINUTE
    return _compile(schedule.fields).first_from(start)


def fire_times(schedule: Schedule, after: datetime, count: int) -> list[datetime]:
    """The next ``count`` fire times after ``after`` (fewer when the schedule ends)."""
    times: list[datetime] = []
    at: datetime | None = after
    while len(times) < count and at is not None:
        at = next_fire_time(schedule, at)
        if at is not None:
            times.append(at)
    return times


def is_fire_time(schedule: Schedule, at: datetime) -> bool:
    """Whether ``schedule`` fires at ``at`` (a whole minute; seconds are ignored, as EventBridge's
    minute precision ignores them)."""
    minute = _utc(at).replace(second=0, microsecond=0)
    return next_fire_time(schedule, minute - _MINUTE) == minute


def latest_fire_time(schedule: Schedule, after: datetime, until: datetime) -> datetime | None:
    """The last fire time in ``(after, until]``, or None when there is none."""
    latest = None
    at = next_fire_time(schedule, after)
    until = _utc(until)
    if schedule.interval_seconds is not None and at is not None and at <= until:
        period = schedule.interval_seconds
        return datetime.fromtimestamp(int(until.timestamp() // period) * period, UTC)
    while at is not None and at <= until:
        latest = at
        at = next_fire_time(schedule, at)
    return latest


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"{moment!r} has no time zone; schedules run in UTC")
    return moment.astimezone(UTC)


# --------------------------------------------------------------------------- cron fields


@dataclass(frozen=True)
class _Cron:
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    months: tuple[int, ...]
    years: tuple[int, ...]
    day_of_month: str
    day_of_week: str

    def first_from(self, start: datetime) -> datetime | None:
        """The first matching minute at or after ``start`` (a whole minute)."""
        for year in self.years:
            if year < start.year:
                continue
            for month in self.months:
                if (year, month) < (start.year, start.month):
                    continue
                for day in self.days(year, month):
                    today = date(year, month, day)
                    if today < start.date():
                        continue
                    found = self._first_time(today, start)
                    if found is not None:
                        return found
        return None

    def _first_time(self, today: date, start: datetime) -> datetime | None:
        same_day = today == start.date()
        for hour in self.hours:
            if same_day and hour < start.hour:
                continue
            for minute in self.minutes:
                if same_day and hour == start.hour and minute < start.minute:
                    continue
                return datetime(today.year, today.month, today.day, hour, minute, tzinfo=UTC)
        return None

    def days(self, year: int, month: int) -> list[int]:
        """The days of ``month`` this cron fires on, ascending."""
        return list(_days(self.day_of_month, self.day_of_week, year, month))


@functools.lru_cache(maxsize=4096)
def _compile(fields: tuple[str, ...]) -> _Cron:
    minutes, hours, day_of_month, month, day_of_week, year = fields
    return _Cron(
        minutes=_values(minutes, 0, 59),
        hours=_values(hours, 0, 23),
        months=_values(month, 1, 12, _MONTHS),
        years=_values(year, FIRST_YEAR, LAST_YEAR),
        day_of_month=day_of_month,
        day_of_week=day_of_week,
    )


def _values(text: str, low: int, high: int, names: tuple[str, ...] = ()) -> tuple[int, ...]:
    """The sorted values of a plain field: lists of ``*``, ``a``, ``a-b``, each with ``/n``."""
    found: set[int] = set()
    for item in text.split(","):
        base, _, step_text = item.partition("/")
        step = int(step_text) if step_text else 1
        if base == "*":
            first, last = low, high
        else:
            start, dash, end = base.partition("-")
            first = _number(start, low, names)
            last = _number(end, low, names) if dash else (high if step_text else first)
        found.update(range(first, last + 1, step))
    return tuple(sorted(found))


def _number(text: str, low: int, names: tuple[str, ...]) -> int:
    return int(text) if text.isdigit() else low + names.index(text)


def _weekday(day: date) -> int:
    """EventBridge's day-of-week number: 1 (Sunday) to 7 (Saturday)."""
    return (day.weekday() + 1) % 7 + 1


def _days(day_of_month: str, day_of_week: str, year: int, month: int) -> Iterator[int]:
    last = calendar.monthrange(year, month)[1]
    if day_of_month != "?":
        yield from _days_of_month(day_of_month, year, month, last)
    else:
        yield from _days_of_week(day_of_week, year, month, last)


def _days_of_month(text: str, year: int, month: int, last: int) -> Iterator[int]:
    if text == "L":
        yield last
    elif text == "LW":
        yield _nearest_weekday(last, year, month, last)
    elif text.endswith("W"):
        target = int(text[:-1])
        if target <= last:
            yield _nearest_weekday(target, year, month, last)
    else:
        yield from (day for day in _values(text, 1, 31) if day <= last)


def _nearest_weekday(target: int, year: int, month: int, last: int) -> int:
    """The weekday nearest ``target`` within the month (Quartz's ``W``)."""
    weekday = _weekday(date(year, month, target))
    if weekday == 7:  # Saturday: the Friday before, or Monday the 3rd for the 1st
        return target - 1 if target > 1 else target + 2
    if weekday == 1:  # Sunday: the Monday after, or the Friday before at the month's end
        return target + 1 if target < last else target - 2
    return target


def _days_of_week(text: str, year: int, month: int, last: int) -> Iterator[int]:
    first_weekday = _weekday(date(year, month, 1))

    def days_on(weekday: int) -> list[int]:
        first = 1 + (weekday - first_weekday) % 7
        return list(range(first, last + 1, 7))

    if "#" in text:
        day_text, _, nth = text.partition("#")
        matches = days_on(_number(day_text, 1, _DAYS))
        if int(nth) <= len(matches):
            yield matches[int(nth) - 1]
    elif text == "L":  # the last day of the week: every Saturday
        yield from days_on(7)
    elif text.endswith("L"):
        yield days_on(_number(text[:-1], 1, _DAYS))[-1]
    else:
        weekdays = set(_values(text, 1, 7, _DAYS))
        yield from (day for day in range(1, last + 1) if _weekday(date(year, month, day)) in weekdays)
