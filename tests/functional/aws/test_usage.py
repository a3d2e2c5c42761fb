"""The DynamoDB UsageStore against moto: counts per user per month, fixed ttls, month ranges."""

from __future__ import annotations

from typing import Any

import pytest

from sdw.aws import AwsCallError, DynamoUsageStore
from sdw.system import InvalidParameterError, MonthlyUsage, usage_ttl
from tests.functional.aws.support import USAGE_TABLE, Stage


@pytest.fixture
def store(stage: Stage) -> DynamoUsageStore:
    return stage.usage()


def row(stage: Stage, user: str, month: str) -> dict[str, str]:
    item = stage.client("dynamodb").get_item(
        TableName=USAGE_TABLE, Key={"userId": {"S": user}, "yearMonth": {"S": month}}
    )["Item"]
    return {key: next(iter(value.values())) for key, value in item.items()}


def test_each_call_counts_one_in_its_month(store: DynamoUsageStore) -> None:
    assert [store.record_call("ada", "2026-11") for _ in range(3)] == [1, 2, 3]
    assert store.record_call("ada", "2026-12") == 1
    assert store.record_call("bob", "2026-11") == 1
    assert store.usage("ada") == [MonthlyUsage("2026-11", 3), MonthlyUsage("2026-12", 1)]
    assert store.usage("bob") == [MonthlyUsage("2026-11", 1)]
    assert store.usage("carol") == []


def test_a_call_is_counted_by_one_atomic_update(stage: Stage) -> None:
    # DynamoDB applies an ADD atomically, so concurrent Lambdas never lose a count (moto
    # does not: its tables take no locks, so this checks the request rather than a race).
    client = stage.client("dynamodb")
    sent: list[tuple[str, dict[str, Any]]] = []
    client.meta.events.register(
        "before-parameter-build.dynamodb.*", lambda model, params, **_: sent.append((model.name, params))
    )
    DynamoUsageStore(client, USAGE_TABLE).record_call("ada", "2026-11")
    assert [name for name, _ in sent] == ["UpdateItem"]
    assert sent[0][1]["UpdateExpression"] == "ADD apiCalls :one SET #ttl = if_not_exists(#ttl, :ttl)"
    assert "ConditionExpression" not in sent[0][1]


def test_a_rows_ttl_is_fixed_when_it_is_made(stage: Stage, store: DynamoUsageStore) -> None:
    store.record_call("ada", "2026-12")
    first = row(stage, "ada", "2026-12")
    assert int(first["ttl"]) == usage_ttl("2026-12")  # 2027-04-01: end of month + 90 days
    stage.client("dynamodb").update_item(
        TableName=USAGE_TABLE,
        Key={"userId": {"S": "ada"}, "yearMonth": {"S": "2026-12"}},
        UpdateExpression="SET #ttl = :old",
        ExpressionAttributeNames={"#ttl": "ttl"},
        ExpressionAttributeValues={":old": {"N": "1"}},
    )
    store.record_call("ada", "2026-12")
    assert row(stage, "ada", "2026-12") == {
        "userId": "ada",
        "yearMonth": "2026-12",
        "apiCalls": "2",
        "ttl": "1",
    }


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        ("2026-10", "2026-12", ["2026-10", "2026-11", "2026-12"]),
        ("2026-11", None, ["2026-11", "2026-12", "2027-01"]),
        (None, "2026-10", ["2026-09", "2026-10"]),
        ("2026-11", "2026-11", ["2026-11"]),
        ("2026-12", "2026-10", []),
        ("2030-01", None, []),
    ],
)
def test_usage_is_the_months_of_the_range_oldest_first(
    store: DynamoUsageStore, start: str | None, end: str | None, months: list[str]
) -> None:
    for month in ("2026-09", "2026-10", "2026-11", "2026-12", "2027-01"):
        store.record_call("ada", month)
    assert [found.year_month for found in store.usage("ada", start=start, end=end)] == months


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "26-11", "", "2026-11-01"])
def test_a_month_that_is_not_yyyy_mm_is_refused(store: DynamoUsageStore, month: str) -> None:
    with pytest.raises(InvalidParameterError, match="as YYYY-MM"):
        store.record_call("ada", month)
    with pytest.raises(InvalidParameterError, match="start must be a month"):
        store.usage("ada", start=month)


def test_a_missing_table_is_an_aws_error(stage: Stage) -> None:
    stage.client("dynamodb").delete_table(TableName=USAGE_TABLE)
    with pytest.raises(AwsCallError, match="AWS UpdateItem failed") as raised:
        stage.usage().record_call("ada", "2026-11")
    assert raised.value.code == "ResourceNotFoundException"
