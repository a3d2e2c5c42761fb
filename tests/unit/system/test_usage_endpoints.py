"""GET /usage and GET /usage/{user_id} against an in-memory UsageStore: answers, admins, bad input."""

from __future__ import annotations

import logging

import pytest

from sdw.system import MonthlyUsage, Principal, SystemResponse, UsageEndpoints

ADA = Principal(claims={"sub": "sub-ada"})
BOB = Principal(claims={"sub": "sub-bob"})
ADMIN = Principal(claims={"sub": "sub-root", "cognito:groups": "[editors admin]"})  # as HTTP API passes it


class FakeUsageStore:
    """The port's contract over a dict: months kept per user, listed oldest first within a range."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], int] = {}
        self.broken: Exception | None = None

    def record_call(self, user_id: str, year_month: str) -> int:
        self.rows[(user_id, year_month)] = self.rows.get((user_id, year_month), 0) + 1
        return self.rows[(user_id, year_month)]

    def usage(self, user_id: str, *, start: str | None = None, end: str | None = None) -> list[MonthlyUsage]:
        if self.broken is not None:
            raise self.broken
        return [
            MonthlyUsage(month, calls)
            for (user, month), calls in sorted(self.rows.items())
            if user == user_id and (start is None or month >= start) and (end is None or month <= end)
        ]


@pytest.fixture
def store() -> FakeUsageStore:
    store = FakeUsageStore()
    for month, calls in (("2026-10", 3), ("2026-11", 5), ("2026-12", 7)):
        for _ in range(calls):
            store.record_call("sub-ada", month)
    store.record_call("sub-bob", "2026-12")
    return store


@pytest.fixture
def endpoints(store: FakeUsageStore) -> UsageEndpoints:
    return UsageEndpoints(store)


def error(status: int, code: str, message: str) -> SystemResponse:
    return SystemResponse(status, {"message": message, "code": code, "error": message, "status": "ERROR"})


def test_answers_the_callers_own_months_oldest_first_with_the_total(endpoints: UsageEndpoints) -> None:
    assert endpoints.own_usage(ADA, {}) == SystemResponse(200, {
        "userId": "sub-ada",
        "usage": [
            {"yearMonth": "2026-10", "apiCalls": 3},
            {"yearMonth": "2026-11", "apiCalls": 5},
            {"yearMonth": "2026-12", "apiCalls": 7},
        ],
        "total": 15,
    })  # fmt: skip


def test_a_user_without_usage_gets_an_empty_answer(endpoints: UsageEndpoints) -> None:
    nobody = Principal(claims={"sub": "sub-new"})
    assert endpoints.own_usage(nobody, {}).body == {"userId": "sub-new", "usage": [], "total": 0}


@pytest.mark.parametrize(
    ("query", "months"),
    [
        ({"startDate": "2026-11"}, ["2026-11", "2026-12"]),
        ({"endDate": "2026-11"}, ["2026-10", "2026-11"]),
        ({"startDate": "2026-11", "endDate": "2026-11"}, ["2026-11"]),
        ({"startDate": "2027-01"}, []),
    ],
)
def test_start_and_end_dates_are_inclusive_months(
    endpoints: UsageEndpoints, query: dict[str, str], months: list[str]
) -> None:
    body = endpoints.own_usage(ADA, query).body
    assert [row["yearMonth"] for row in body["usage"]] == months
    assert body["total"] == sum(row["apiCalls"] for row in body["usage"])


def test_a_user_may_ask_for_their_own_id(endpoints: UsageEndpoints) -> None:
    assert endpoints.user_usage(ADA, "sub-ada", {}) == endpoints.own_usage(ADA, {})


def test_another_users_usage_is_a_404_for_a_non_admin_as_an_unknown_user_would_be(
    endpoints: UsageEndpoints,
) -> None:
    expected = error(404, "UserNotFoundException", "User 'sub-ada' does not exist.")
    assert endpoints.user_usage(BOB, "sub-ada", {}) == expected
    assert endpoints.user_usage(BOB, "sub-ghost", {}) == error(
        404, "UserNotFoundException", "User 'sub-ghost' does not exist."
    )


@pytest.mark.parametrize(
    "groups", ["[admin]", "[editors admin]", ["admin"], "admin"],
)
def test_a_member_of_the_admin_group_may_ask_for_anyone(endpoints: UsageEndpoints, groups: object) -> None:
    admin = Principal(claims={"sub": "sub-root", "cognito:groups": groups})
    body = endpoints.user_usage(admin, "sub-bob", {}).body
    assert body == {"userId": "sub-bob", "usage": [{"yearMonth": "2026-12", "apiCalls": 1}], "total": 1}
    nobody = {"userId": "sub-ghost", "usage": [], "total": 0}
    assert endpoints.user_usage(admin, "sub-ghost", {}).body == nobody


@pytest.mark.parametrize("groups", ["[administrators]", "[]", "", ["Admin"]])
def test_a_group_that_is_not_exactly_admin_gives_no_rights(endpoints: UsageEndpoints, groups: object) -> None:
    other = Principal(claims={"sub": "sub-root", "cognito:groups": groups})
    assert endpoints.user_usage(other, "sub-ada", {}).status == 404


@pytest.mark.parametrize(
    ("query", "parameter", "message"),
    [
        ({"startDate": "2026-13"}, "startDate",
         "Invalid ?startDate='2026-13': it must be a month as YYYY-MM, such as 2026-12."),
        ({"endDate": "2026-1"}, "endDate",
         "Invalid ?endDate='2026-1': it must be a month as YYYY-MM, such as 2026-12."),
        ({"startDate": "2026-12-01"}, "startDate",
         "Invalid ?startDate='2026-12-01': it must be a month as YYYY-MM, such as 2026-12."),
        ({"startDate": "2026-12", "endDate": "2026-01"}, "startDate",
         "Invalid ?startDate=2026-12: it is after ?endDate=2026-01; the range would hold no month."),
        ({"months": "3"}, "months",
         "Unknown query parameter 'months'; this endpoint accepts: startDate, endDate."),
    ],
)  # fmt: skip
def test_a_bad_query_is_a_400_naming_the_parameter(
    endpoints: UsageEndpoints, query: dict[str, str], parameter: str, message: str
) -> None:
    assert parameter in message
    assert endpoints.own_usage(ADA, query) == error(400, "InvalidParameterException", message)
    assert endpoints.user_usage(ADMIN, "sub-ada", query) == error(400, "InvalidParameterException", message)


def test_both_endpoints_answer_401_without_a_caller(endpoints: UsageEndpoints) -> None:
    unauthorized = SystemResponse(401, {"message": "Unauthorized"})
    assert endpoints.own_usage(None, {}) == unauthorized
    assert endpoints.user_usage(None, "sub-ada", {}) == unauthorized


def test_a_failing_store_is_a_500_with_the_detail_only_in_the_log(
    endpoints: UsageEndpoints, store: FakeUsageStore, caplog: pytest.LogCaptureFixture
) -> None:
    store.broken = RuntimeError("disk on fire at /secret/path")
    with caplog.at_level(logging.ERROR, logger="sdw.system"):
        response = endpoints.own_usage(ADA, {})
    assert response == error(500, "InternalFailure", "Internal Server Error")
    assert "UsageEndpoints.own_usage failed" in caplog.text and "/secret/path" in caplog.text


@pytest.mark.parametrize(
    ("claim", "groups"),
    [
        ("[admin editors]", {"admin", "editors"}),
        ("[admin]", {"admin"}),
        ("[]", set()),
        (["a", "b"], {"a", "b"}),
        (None, set()),
        (7, set()),
    ],
)
def test_a_principals_groups_come_from_the_cognito_groups_claim(claim: object, groups: set[str]) -> None:
    claims = {"sub": "s"} if claim is None else {"sub": "s", "cognito:groups": claim}
    assert Principal(claims=claims).groups == groups
