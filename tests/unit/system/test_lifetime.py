"""One requested duration as Cognito's three token validities."""

from __future__ import annotations

import pytest

from sdw.system import InvalidParameterError, TokenLifetime, requested_lifetime, token_lifetime

HOUR = 3600
DAY = 24 * HOUR


def test_gives_every_token_the_duration_when_each_type_can_live_it() -> None:
    assert token_lifetime(2, "hours") == TokenLifetime(2 * HOUR, 2 * HOUR, 2 * HOUR)
    assert requested_lifetime(2, "hours").capped == ()


def test_caps_id_and_access_tokens_at_one_day_and_lets_the_refresh_token_live_the_duration() -> None:
    asked = requested_lifetime(3, "months")
    assert asked.lifetime == TokenLifetime(DAY, DAY, 90 * DAY)
    assert asked.capped == ("id", "access")


def test_raises_the_refresh_token_to_its_sixty_minute_minimum() -> None:
    asked = requested_lifetime(10, "minutes")
    assert asked.lifetime == TokenLifetime(600, 600, HOUR)
    assert asked.capped == ("refresh",)


@pytest.mark.parametrize(
    ("value", "unit", "words"),
    [
        (4, "minutes", "at least 5 minutes"),
        (3651, "days", "at most 3650 days"),
        (122, "months", "at most 3650 days"),
        (0, "hours", "positive"),
        (1, "weeks", "minutes, hours, days, months"),
    ],
)
def test_refuses_a_duration_no_token_type_can_live_by_its_limit(value: int, unit: str, words: str) -> None:
    with pytest.raises(InvalidParameterError, match=words):
        token_lifetime(value, unit)
