"""The UsageStore over DynamoDB: the usage table, the seed's schema (BRIEF).

    <service>-<stage>-usage   hash userId (S), range yearMonth (S, "YYYY-MM"),
                              apiCalls (N), ttl (N, epoch s; the table's TTL attribute)

``record_call`` is one UpdateItem, atomic however many Lambdas count at once:
``ADD apiCalls :one SET #ttl = if_not_exists(#ttl, :ttl)``; the ttl (end of the month
plus 90 days, ``usage_ttl``) is set when the row is made and never slides. ``usage`` is
one Query with a range condition on ``yearMonth`` (months sort as text), every page.
"""

from __future__ import annotations

from typing import Any

from sdw.aws._errors import translated
from sdw.system import InvalidParameterError, MonthlyUsage, parse_year_month, usage_ttl


class DynamoUsageStore:
    """Calls per user per month in the usage table (a low-level ``dynamodb`` client)."""

    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def record_call(self, user_id: str, year_month: str) -> int:
        month = _month(year_month, "year_month")
        with translated("UpdateItem"):
            answer = self._client.update_item(
                TableName=self._table,
                Key={"userId": {"S": user_id}, "yearMonth": {"S": month}},
                UpdateExpression="ADD apiCalls :one SET #ttl = if_not_exists(#ttl, :ttl)",
                ExpressionAttributeNames={"#ttl": "ttl"},
                ExpressionAttributeValues={":one": {"N": "1"}, ":ttl": {"N": str(usage_ttl(month))}},
                ReturnValues="UPDATED_NEW",
            )
        return int(answer["Attributes"]["apiCalls"]["N"])

    def usage(self, user_id: str, *, start: str | None = None, end: str | None = None) -> list[MonthlyUsage]:
        first = None if start is None else _month(start, "start")
        last = None if end is None else _month(end, "end")
        if first is not None and last is not None and first > last:
            return []  # DynamoDB refuses a BETWEEN whose bounds are the wrong way round
        condition = "userId = :user"
        values: dict[str, Any] = {":user": {"S": user_id}}
        if first is not None and last is not None:
            condition += " AND yearMonth BETWEEN :first AND :last"
        elif first is not None:
            condition += " AND yearMonth >= :first"
        elif last is not None:
            condition += " AND yearMonth <= :last"
        if first is not None:
            values[":first"] = {"S": first}
        if last is not None:
            values[":last"] = {"S": last}
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
            "ScanIndexForward": True,
        }
        months: list[MonthlyUsage] = []
        while True:
            with translated("Query"):
                page = self._client.query(**request)
            months += [
                MonthlyUsage(item["yearMonth"]["S"], int(item.get("apiCalls", {}).get("N", "0")))
                for item in page.get("Items", [])
            ]
            if "LastEvaluatedKey" not in page:
                return months
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _month(value: str, parameter: str) -> str:
    if not isinstance(value, str) or parse_year_month(value) is None:
        raise InvalidParameterError(f"{parameter} must be a month as YYYY-MM, not {value!r}.", parameter)
    return value
