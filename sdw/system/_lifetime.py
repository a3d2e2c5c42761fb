"""One requested token duration, as the three validities Cognito can give a sign-in.

Cognito sets a validity per app client and per token type, each within its own bounds:

    ID token, access token    5 minutes to 1 day
    refresh token             60 minutes to 3650 days

``sdw users token --duration-value N --duration-unit U`` asks for one duration D: it is an
error below the smallest bound (5 minutes) or above the largest (3650 days); otherwise the
ID and access tokens live min(D, 1 day) and the refresh token max(D, 60 minutes), so a user
asking for a week gets day-long tokens they can refresh for a week. ``capped`` names the
token types that could not live exactly D, for the CLI to say so.

>>> token_lifetime(7, "days").refresh_token, token_lifetime(7, "days").id_token
(604800, 86400)
"""

from __future__ import annotations

from dataclasses import dataclass

from sdw.system._errors import InvalidParameterError
from sdw.system._ports import TokenLifetime

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR
UNITS = {"minutes": MINUTE, "hours": HOUR, "days": DAY, "months": 30 * DAY}

ID_ACCESS_MIN, ID_ACCESS_MAX = 5 * MINUTE, DAY
REFRESH_MIN, REFRESH_MAX = HOUR, 3650 * DAY


@dataclass(frozen=True)
class RequestedLifetime:
    """The validities to ask Cognito for, and which token types were capped to fit."""

    lifetime: TokenLifetime
    capped: tuple[str, ...]


def token_lifetime(value: int, unit: str) -> TokenLifetime:
    """The three validities for a duration of ``value`` ``unit`` (see the module docstring)."""
    return requested_lifetime(value, unit).lifetime


def requested_lifetime(value: int, unit: str) -> RequestedLifetime:
    """``token_lifetime`` plus which token types could not live the whole duration.

    A month counts 30 days. Raises InvalidParameterError naming Cognito's limit when the
    duration is outside what any token type can live.
    """
    if unit not in UNITS:
        raise InvalidParameterError(
            f"--duration-unit must be one of {', '.join(UNITS)}, not {unit!r}", "duration-unit"
        )
    if value <= 0:
        raise InvalidParameterError(
            f"--duration-value must be a positive number, not {value}", "duration-value"
        )
    seconds = value * UNITS[unit]
    if seconds < ID_ACCESS_MIN:
        raise InvalidParameterError(
            f"{value} {unit} is shorter than Cognito allows: ID and access tokens live at least 5 minutes",
            "duration-value",
        )
    if seconds > REFRESH_MAX:
        raise InvalidParameterError(
            f"{value} {unit} is longer than Cognito allows: refresh tokens live at most 3650 days",
            "duration-value",
        )
    capped = []
    if seconds > ID_ACCESS_MAX:
        capped += ["id", "access"]
    if seconds < REFRESH_MIN:
        capped.append("refresh")
    id_access = min(seconds, ID_ACCESS_MAX)
    return RequestedLifetime(
        TokenLifetime(id_token=id_access, access_token=id_access, refresh_token=max(seconds, REFRESH_MIN)),
        tuple(capped),
    )
