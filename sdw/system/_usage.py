"""Months and retention of the usage table, the same rule for every adapter.

A call is counted in the UTC month it was made (``YYYY-MM``). Its row expires 90 days
after the end of that month: the ``ttl`` is fixed when the row is made and never slides
forward on later calls (the seed's did, so a busy user's rows never expired).

>>> year_month(datetime(2026, 12, 31, 23, 59, tzinfo=UTC))
'2026-12'
>>> datetime.fromtimestamp(usage_ttl("2026-12"), UTC).isoformat()
'2027-04-01T00:00:00+00:00'
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

RETENTION_DAYS = 90
_YEAR_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


def year_month(when: datetime) -> str:
    """The ``YYYY-MM`` month of ``when``, in UTC."""
    return when.astimezone(UTC).strftime("%Y-%m")


def parse_year_month(text: str) -> tuple[int, int] | None:
    """``(year, month)`` of a ``YYYY-MM`` string, or None when it is not one."""
    found = _YEAR_MONTH.fullmatch(text)
    return None if found is None else (int(found.group(1)), int(found.group(2)))


def usage_ttl(month: str) -> int:
    """Epoch seconds at which the row of ``month`` expires: the month's end plus 90 days."""
    parsed = parse_year_month(month)
    if parsed is None:
        raise ValueError(f"{month!r} is not a YYYY-MM month")
    year, number = parsed
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=UTC)
    return int((end + timedelta(days=RETENTION_DAYS)).timestamp())
