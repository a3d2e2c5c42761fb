"""Schedule expressions, checked as an EventBridge rule's ``ScheduleExpression`` is checked.

A flow's ``schedule`` becomes an EventBridge rule on AWS and is fired by ``sdw dev``'s
scheduler locally (its times: sdw.project._schedule_times). An expression AWS
would refuse must fail here, at load time with its file:line:column, not at ``deploy``:

    rate(1 minute)  rate(5 minutes)  rate(1 hour)  rate(2 days)
    cron(0 12 * * ? *)  cron(0/15 8-17 ? * MON-FRI *)  cron(0 9 L * ? 2030)  cron(0 0 ? * 6#3 *)

The rules imitated (AWS docs, "Cron expressions reference" and "Rate expressions reference"):

* ``rate(value unit)``: a positive whole number and one of minute, hour, day; the unit is
  singular for 1 and plural above (``rate(1 hours)`` and ``rate(5 hour)`` are refused).
* ``cron(...)``: exactly six fields, minutes hours day-of-month month day-of-week year,
  with the values 0-59, 0-23, 1-31, 1-12 or JAN-DEC, 1-7 or SUN-SAT, 1970-2199 and the
  wildcards , - * / in every field, ? and L in both day fields, W in day-of-month and #
  in day-of-week.
* Day-of-month and day-of-week cannot both be given: one of them must be ``?``.
* ``#`` allows one expression only in day-of-week (``3#1,6#3`` is refused).
* At most 256 characters (the API's limit on ``ScheduleExpression``).

Where AWS's documentation is silent, sdw is the stricter of the two readings, so that
what passes here also deploys: names and the letters L, W are capitals only; a range
runs upwards (``22-2`` is refused: write ``22-23,0-2``); an increment is at most the
field's largest value; ``L-3`` (an offset from the last day) is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sdw.project._errors import ProjectError

MAX_EXPRESSION = 256  # PutRule: ScheduleExpression, at most 256 characters

_RATE = re.compile(r"rate\((?P<body>.*)\)", re.DOTALL)
_CRON = re.compile(r"cron\((?P<body>.*)\)", re.DOTALL)
_RATE_BODY = re.compile(r"(?P<value>\S+)\s+(?P<unit>\S+)")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
_NUMBER = re.compile(r"\d+")


class ScheduleError(ProjectError):
    """``expression`` is not a schedule EventBridge accepts; ``reason`` says why."""

    def __init__(self, expression: str, reason: str) -> None:
        self.expression = expression
        self.reason = reason
        super().__init__(f"{expression!r}: {reason}")


@dataclass(frozen=True)
class Schedule:
    """A valid schedule expression, split up for whoever fires it.

    ``fields`` holds the six cron fields (empty for a rate); ``interval_seconds`` the
    period of a rate (None for a cron).
    """

    expression: str
    kind: str  # "cron" or "rate"
    fields: tuple[str, ...] = ()
    interval_seconds: int | None = None

    def __str__(self) -> str:
        return self.expression


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()  # names[i] stands for low + i
    specials: str = ""  # what this field allows besides , - * /


_FIELDS = (
    _Field("minutes", 0, 59),
    _Field("hours", 0, 23),
    _Field("day-of-month", 1, 31, specials="?LW"),
    _Field(
        "month", 1, 12, ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
    ),
    _Field("day-of-week", 1, 7, ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), specials="?L#"),
    _Field("year", 1970, 2199),
)
_DAY_OF_MONTH, _DAY_OF_WEEK = 2, 4


def parse_schedule(expression: str) -> Schedule:
    """The parsed ``expression``, or :class:`ScheduleError` saying what EventBridge would refuse.

    >>> parse_schedule("rate(5 minutes)").interval_seconds
    300
    >>> parse_schedule("cron(0 12 * * ? *)").fields
    ('0', '12', '*', '*', '?', '*')
    """
    if len(expression) > MAX_EXPRESSION:
        raise ScheduleError(
            expression, f"is {len(expression)} characters; EventBridge allows {MAX_EXPRESSION}"
        )
    rate = _RATE.fullmatch(expression)
    if rate:
        return _parse_rate(expression, rate.group("body"))
    cron = _CRON.fullmatch(expression)
    if cron:
        return _parse_cron(expression, cron.group("body"))
    raise ScheduleError(
        expression, "must be rate(value unit) or cron(minutes hours day-of-month month day-of-week year)"
    )


def _parse_rate(expression: str, body: str) -> Schedule:
    match = _RATE_BODY.fullmatch(body)
    if match is None:
        raise ScheduleError(expression, "a rate has two fields, a value and a unit, as in rate(5 minutes)")
    value_text, unit = match.group("value"), match.group("unit")
    if not _NUMBER.fullmatch(value_text) or int(value_text) < 1:
        raise ScheduleError(expression, f"the value {value_text!r} must be a positive whole number")
    value = int(value_text)
    singular = unit.removesuffix("s")
    if singular not in _UNIT_SECONDS:
        raise ScheduleError(expression, f"the unit {unit!r} must be minute(s), hour(s) or day(s)")
    if value == 1 and unit != singular:
        raise ScheduleError(expression, f"a value of 1 takes the singular unit: rate(1 {singular})")
    if value > 1 and unit == singular:
        raise ScheduleError(expression, f"a value above 1 takes the plural unit: rate({value} {singular}s)")
    return Schedule(expression, "rate", interval_seconds=value * _UNIT_SECONDS[singular])


def _parse_cron(expression: str, body: str) -> Schedule:
    fields = tuple(body.split())
    if len(fields) != len(_FIELDS):
        hint = " (is the year missing? cron(0 12 * * ? *) runs at noon every day)" if len(fields) == 5 else ""
        order = " ".join(f.name for f in _FIELDS)
        raise ScheduleError(expression, f"has {len(fields)} fields; a cron needs 6: {order}{hint}")
    for spec, text in zip(_FIELDS, fields, strict=True):
        reason = _check_field(spec, text)
        if reason:
            raise ScheduleError(expression, f"{spec.name} {text!r}: {reason}")
    day_of_month, day_of_week = fields[_DAY_OF_MONTH], fields[_DAY_OF_WEEK]
    if (day_of_month == "?") == (day_of_week == "?"):
        raise ScheduleError(
            expression,
            "day-of-month and day-of-week cannot both be given (or both be '?'): "
            "put '?' in exactly one of them, as in cron(0 12 * * ? *) or cron(0 12 ? * MON *)",
        )
    return Schedule(expression, "cron", fields=fields)


def _check_field(spec: _Field, text: str) -> str | None:
    """Why ``text`` is not a valid value of the cron field ``spec``, or None."""
    if "?" in text:
        if "?" not in spec.specials:
            return "'?' is allowed only in day-of-month and day-of-week"
        return None if text == "?" else "'?' stands alone in its field"
    if "#" in text:
        return _check_nth_weekday(spec, text)
    items = text.split(",")
    if len(items) > 1 and any(_is_last_or_weekday(spec, item) for item in items):
        return "L and W stand alone in their field, without ',' lists"
    for item in items:
        reason = _check_item(spec, item)
        if reason:
            return reason
    return None


def _is_last_or_weekday(spec: _Field, item: str) -> bool:
    if "W" in spec.specials:  # day-of-month: L, LW, 15W
        return "L" in item or "W" in item
    return "L" in spec.specials and item.endswith("L")  # day-of-week: L, 6L


def _check_item(spec: _Field, item: str) -> str | None:
    if not item:
        return "an empty value (a stray ',')"
    if _is_last_or_weekday(spec, item):
        if item in ("L", "LW"):
            return None
        letter = item[-1]
        if letter not in "LW" or "L" in item[:-1] or "W" in item[:-1]:
            return "L and W go alone or after a single day (L, LW, 15W, 6L)"
        return _check_value(spec, item[:-1], f"before {letter}")
    base, slash, step = item.partition("/")
    if slash:
        if spec.name == "day-of-week":
            return "'/' is not allowed in day-of-week"
        if not _NUMBER.fullmatch(step) or not 1 <= int(step) <= spec.high:
            return f"the increment {step!r} must be a whole number from 1 to {spec.high}"
    if base == "*":
        return None
    start, dash, end = base.partition("-")
    reason = _check_value(spec, start) or (_check_value(spec, end) if dash else None)
    if reason:
        return reason
    if dash and _value(spec, start) > _value(spec, end):
        return f"the range {base!r} runs backwards; write it as two ranges joined by ','"
    return None


def _check_nth_weekday(spec: _Field, text: str) -> str | None:
    """``3#2``: the second Tuesday of the month; day-of-week only, and alone."""
    if "#" not in spec.specials:
        return "'#' is allowed only in day-of-week"
    if "," in text:
        return "with '#' the field holds one expression only (3#1,6#3 is refused)"
    day, _, nth = text.partition("#")
    if not _NUMBER.fullmatch(nth) or not 1 <= int(nth) <= 5:
        return f"the week {nth!r} after '#' must be 1 to 5"
    return _check_value(spec, day, "before '#'")


def _check_value(spec: _Field, text: str, where: str = "") -> str | None:
    suffix = f" {where}" if where else ""
    if _NUMBER.fullmatch(text):
        if spec.low <= int(text) <= spec.high:
            return None
        return f"{text}{suffix} is outside {spec.low}-{spec.high}"
    if text in spec.names:
        return None
    if text.upper() in spec.names:
        return f"write {text!r} in capitals: {text.upper()}"
    allowed = f"{spec.low}-{spec.high}"
    if spec.names:
        allowed += f" or {spec.names[0]}-{spec.names[-1]}"
    return f"{text!r}{suffix} is not a value of this field ({allowed})"


def _value(spec: _Field, text: str) -> int:
    return int(text) if _NUMBER.fullmatch(text) else spec.low + spec.names.index(text)
