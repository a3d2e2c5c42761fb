"""Timestamps as Step Functions reads and writes them.

AWS parses the timestamps of Wait (``Timestamp``, ``TimestampPath``) and of Choice
(``Timestamp*`` comparisons, ``IsTimestamp``) as Java's ``ISO_OFFSET_DATE_TIME``: an
extended date, ``T``, a time with optional seconds and up to nine fraction digits, and a
mandatory zone (``Z`` or ``+01:00``). ``2016-12-05T21:29:29`` (no zone) and
``2016-12-05 21:29:29Z`` (space) are refused, as the recorded executions show.

Values are compared as ``(epoch seconds, nanoseconds)`` so nine fraction digits keep
their precision. :func:`format_timestamp` writes times as AWS writes ``$$`` times and
history timestamps' ISO form: UTC, milliseconds, ``Z``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

__all__ = ["format_timestamp", "parse_timestamp", "timestamp_seconds"]

_PATTERN = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
    r"(?:([Zz])|([+-])(\d{2}):(\d{2})(?::(\d{2}))?)"
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_timestamp(text: object) -> tuple[int, int] | None:
    """``(epoch seconds, nanoseconds)`` for a valid timestamp string, else None.

    >>> parse_timestamp("1970-01-01T00:00:01.5Z")
    (1, 500000000)
    >>> parse_timestamp("2016-12-05T21:29:29") is None
    True
    """
    if not isinstance(text, str):
        return None
    match = _PATTERN.fullmatch(text)
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zulu, sign, off_h, off_m, off_s = match.groups()
    try:
        if zulu:
            zone = UTC
        else:
            hours, minutes, seconds = int(off_h), int(off_m), int(off_s or 0)
            if hours > 18 or minutes > 59 or seconds > 59:
                return None
            offset = timedelta(hours=hours, minutes=minutes, seconds=seconds)
            zone = timezone(-offset if sign == "-" else offset)
        moment = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second or 0), tzinfo=zone
        )
    except ValueError:
        return None
    nanos = int((fraction or "").ljust(9, "0"))
    delta = moment - _EPOCH
    return delta.days * 86400 + delta.seconds, nanos


def timestamp_seconds(text: object) -> float | None:
    """Epoch seconds (float) of a valid timestamp string, else None."""
    parsed = parse_timestamp(text)
    if parsed is None:
        return None
    return parsed[0] + parsed[1] / 1e9


def format_timestamp(seconds: float) -> str:
    """``2024-11-04T11:03:09.123Z``: UTC with milliseconds, as AWS writes ``$$`` times."""
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
