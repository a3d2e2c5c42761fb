"""The usage endpoints, written once against the UsageStore port.

    GET /usage?startDate=&endDate=             the caller's own months
    GET /usage/{user_id}?startDate=&endDate=   that user's months: the caller's own id, or any
                                               id for a member of the ``admin`` group

Both answer ``{"userId", "usage": [{"yearMonth", "apiCalls"}], "total"}``, months oldest
first, ``total`` the sum of ``apiCalls`` over them. ``startDate`` and ``endDate`` are
``YYYY-MM`` months, both inclusive, both optional (no bound on that side).

Decisions, and why:

* Admin is membership of the user pool group ``admin``, read from the token's
  ``cognito:groups`` claim, which Cognito puts in both ID and access tokens. So a group
  change shows in the user's next tokens, not in those already issued, as on AWS.
* Someone else's usage, asked for by a non-admin, is a 404 ``UserNotFoundException``,
  the answer for a user that does not exist: it tells nothing of who exists. An admin
  asking for an id without usage gets the empty answer (the usage table knows no users).
* A bad month, a range that ends before it starts, or an unknown query parameter is a
  400 naming the parameter, as the flow endpoints answer (the same error handling,
  sdw.system._responses, so the same bodies).
"""

from __future__ import annotations

from collections.abc import Mapping

from sdw.system._errors import InvalidParameterError, UsageNotFoundError
from sdw.system._flows_input import check_query
from sdw.system._ports import Principal, UsageStore
from sdw.system._responses import SystemResponse, endpoint
from sdw.system._usage import parse_year_month

ADMIN_GROUP = "admin"
QUERY = ("startDate", "endDate")

Query = Mapping[str, str]


class UsageEndpoints:
    """``GET /usage`` and ``GET /usage/{user_id}`` over one usage store."""

    def __init__(self, store: UsageStore) -> None:
        self._store = store

    @endpoint
    def own_usage(self, principal: Principal, query: Query) -> SystemResponse:
        """``GET /usage``: the caller's own months."""
        return self._answer(principal.user_id, *parse_month_range(query))

    @endpoint
    def user_usage(self, principal: Principal, user_id: str, query: Query) -> SystemResponse:
        """``GET /usage/{user_id}``: the caller's own, or anyone's for an admin; else a 404."""
        start, end = parse_month_range(query)
        if user_id != principal.user_id and ADMIN_GROUP not in principal.groups:
            raise UsageNotFoundError(user_id)
        return self._answer(user_id, start, end)

    def _answer(self, user_id: str, start: str | None, end: str | None) -> SystemResponse:
        months = self._store.usage(user_id, start=start, end=end)
        usage = [{"yearMonth": month.year_month, "apiCalls": month.api_calls} for month in months]
        return SystemResponse(
            200, {"userId": user_id, "usage": usage, "total": sum(month.api_calls for month in months)}
        )


def parse_month_range(query: Query) -> tuple[str | None, str | None]:
    """``?startDate=&endDate=`` as (start, end) months, each None when absent.

    >>> parse_month_range({"startDate": "2026-01"})
    ('2026-01', None)
    """
    check_query(query, QUERY)
    start, end = (_month(query, name) for name in QUERY)
    if start is not None and end is not None and start > end:
        raise InvalidParameterError(
            f"Invalid ?startDate={start}: it is after ?endDate={end}; the range would hold no month.",
            "startDate",
        )
    return start, end


def _month(query: Query, name: str) -> str | None:
    value = query.get(name)
    if value is None:
        return None
    if parse_year_month(value) is None:
        raise InvalidParameterError(
            f"Invalid ?{name}={value!r}: it must be a month as YYYY-MM, such as 2026-12.", name
        )
    return value
