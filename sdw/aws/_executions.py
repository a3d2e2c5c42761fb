"""The executions table: who started which execution, so ``GET /runs`` lists a user's own.

Step Functions lists executions per state machine and knows nothing of sdw's users, so
the AWS FlowEngine keeps an index in DynamoDB (the BRIEF's schema, made by the deploy):

    <service>-<stage>-executions   hash executionArn (S)
        owner, flow (the flow's key), name (the execution id), stateMachineArn,
        status, startDate, stopDate (ISO-8601 UTC with milliseconds), ttl (epoch s)
    GSI byOwner                    hash owner (S), range startDate (S), projection ALL

Who writes what:

* the flows Lambda, right after StartExecution: the item, RUNNING (``record_start``);
  only when it does not exist yet, so an idempotent second start changes nothing;
* the execution_index Lambda, for each EventBridge "Step Functions Execution Status
  Change" event, and the flows Lambda when a describe or a stop sees a newer status:
  ``record_status``, an UpdateItem conditioned on ``attribute_exists(executionArn)``
  (executions sdw did not start, such as a flow's child executions, are not indexed)
  that never moves a closed status back to RUNNING (events arrive in any order).

``ttl``: Step Functions keeps a closed execution 90 days, so a closed item expires 90
days after its stop. A RUNNING item gets stop-at-the-latest plus 90 days (a standard
execution runs at most a year), so an item whose closing event was lost (EventBridge
delivers on a best-effort basis) does not stay forever.

Reads of a GSI are eventually consistent: an execution started a moment ago may be missing
from the very next ``GET /runs`` (DynamoDB propagates to an index within about a second).

EXPRESS executions are not indexed: Step Functions sends no status events for them, so
the index could never say how they ended (see _stepfunctions.py).

Every attribute name goes through ``#placeholders``: ``owner``, ``status``, ``name`` and
``ttl`` are DynamoDB reserved words.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sdw.aws._errors import AwsCallError, translated
from sdw.system import (
    ExecutionStatus,
    ExecutionSummary,
    InvalidTokenError,
    decode_token,
    encode_token,
)

RUNNING_TTL = timedelta(days=365 + 90)  # a standard execution's longest run, plus retention
CLOSED_TTL = timedelta(days=90)  # "Step Functions retains closed executions for 90 days"
CLOSED = frozenset(ExecutionStatus.ALL) - {ExecutionStatus.RUNNING}

_NAMES = {
    "#arn": "executionArn",
    "#owner": "owner",
    "#flow": "flow",
    "#name": "name",
    "#machine": "stateMachineArn",
    "#status": "status",
    "#start": "startDate",
    "#stop": "stopDate",
    "#ttl": "ttl",
}
_KEY_FIELDS = ("executionArn", "owner", "startDate")  # a byOwner page's LastEvaluatedKey


def iso_date(moment: datetime) -> str:
    """A date as the port gives it: ISO-8601 UTC with milliseconds and ``Z``, so it sorts.

    >>> iso_date(datetime(2026, 11, 25, 10, 0, 0, 123456, tzinfo=UTC))
    '2026-11-25T10:00:00.123Z'
    """
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass(frozen=True)
class IndexedPage:
    items: list[ExecutionSummary]
    next_token: str | None


class ExecutionIndex:
    """The executions table, over a DynamoDB client (low level: no resource layer to load)."""

    OWNER_INDEX = "byOwner"

    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def record_start(self, summary: ExecutionSummary) -> bool:
        """Add a just-started execution, RUNNING; False when it was indexed already."""
        start = datetime.fromisoformat(summary.start_date)
        item = {
            "executionArn": summary.execution_arn,
            "owner": summary.owner,
            "flow": summary.flow,
            "name": summary.execution_id,
            "stateMachineArn": summary.state_machine_arn,
            "status": summary.status,
            "startDate": summary.start_date,
            "ttl": _epoch(start + RUNNING_TTL),
        }
        return _conditional(
            "PutItem",
            self._client.put_item,
            TableName=self._table,
            Item=_typed(item),
            ConditionExpression="attribute_not_exists(#arn)",
            ExpressionAttributeNames={"#arn": "executionArn"},
        )

    def get(self, execution_arn: str) -> ExecutionSummary | None:
        """The indexed execution, or None (not started by sdw, or expired)."""
        with translated("GetItem"):
            found = self._client.get_item(
                TableName=self._table, Key={"executionArn": {"S": execution_arn}}, ConsistentRead=True
            )
        item = found.get("Item")
        return None if item is None else _summary(_plain(item))

    def get_many(self, execution_arns: list[str]) -> list[ExecutionSummary]:
        """The indexed executions among ``execution_arns`` (BatchGetItem, 100 keys a call)."""
        found: list[ExecutionSummary] = []
        for chunk in (execution_arns[i : i + 100] for i in range(0, len(execution_arns), 100)):
            request: dict[str, Any] = {self._table: {"Keys": [{"executionArn": {"S": arn}} for arn in chunk]}}
            while request:
                with translated("BatchGetItem"):
                    answer = self._client.batch_get_item(RequestItems=request)
                found += [_summary(_plain(item)) for item in answer.get("Responses", {}).get(self._table, [])]
                request = answer.get("UnprocessedKeys") or {}
        return found

    def record_status(
        self, execution_arn: str, status: str, *, start: datetime | None = None, stop: datetime | None = None
    ) -> bool:
        """Set an indexed execution's status (and dates, and ttl once closed).

        False, changing nothing, when the execution is not indexed or when ``status`` is
        RUNNING and the index already holds a closed status (a late, out-of-order event).
        """
        if status not in ExecutionStatus.ALL:
            raise ValueError(f"{status!r} is not an execution status")
        updates = ["#status = :status"]
        values: dict[str, Any] = {":status": status, ":running": ExecutionStatus.RUNNING}
        if start is not None:
            updates.append("#start = :start")
            values[":start"] = iso_date(start)
        if status in CLOSED:
            stopped = stop or datetime.now(UTC)
            updates += ["#stop = :stop", "#ttl = :ttl"]
            values[":stop"] = iso_date(stopped)
            values[":ttl"] = _epoch(stopped + CLOSED_TTL)
        used = {"#arn", "#status", *(part.split(" ")[0] for part in updates)}
        return _conditional(
            "UpdateItem",
            self._client.update_item,
            TableName=self._table,
            Key={"executionArn": {"S": execution_arn}},
            UpdateExpression="SET " + ", ".join(updates),
            ConditionExpression="attribute_exists(#arn) AND (#status = :running OR :status <> :running)",
            ExpressionAttributeNames={key: _NAMES[key] for key in sorted(used)},
            ExpressionAttributeValues=_typed(values),
        )

    def page(
        self,
        owner: str,
        *,
        flow: str | None,
        status: str | None,
        limit: int,
        next_token: str | None,
    ) -> IndexedPage:
        """One page of ``owner``'s executions, newest first, filtered by flow and status.

        DynamoDB applies a filter after it reads a page, so a filtered query may take
        several reads to fill ``limit`` items; the token continues after the last item
        returned, whatever was read past it.
        """
        scope = f"runs\n{owner}\n{flow}\n{status}"
        start_key = self._start_key(decode_token(next_token, scope), owner)
        names = {"#owner": "owner"}
        values: dict[str, Any] = {":owner": owner}
        filters = []
        if flow is not None:
            filters.append("#flow = :flow")
            names["#flow"], values[":flow"] = "flow", flow
        if status is not None:
            filters.append("#status = :status")
            names["#status"], values[":status"] = "status", status
        found: list[dict[str, Any]] = []
        while len(found) <= limit:
            request: dict[str, Any] = {
                "TableName": self._table,
                "IndexName": self.OWNER_INDEX,
                "KeyConditionExpression": "#owner = :owner",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": _typed(values),
                "ScanIndexForward": False,
                # one more than the page, to know whether another page follows; more when
                # a filter may drop some of what is read
                "Limit": limit + 1 - len(found) if not filters else max(limit + 1, 100),
            }
            if filters:
                request["FilterExpression"] = " AND ".join(filters)
            if start_key is not None:
                request["ExclusiveStartKey"] = start_key
            with translated("Query"):
                answer = self._client.query(**request)
            found += [_plain(item) for item in answer.get("Items", [])]
            start_key = answer.get("LastEvaluatedKey")
            if start_key is None:
                break
        if len(found) <= limit:
            return IndexedPage([_summary(item) for item in found], None)
        last = found[limit - 1]
        token = encode_token(scope, {key: last[key] for key in _KEY_FIELDS})
        return IndexedPage([_summary(item) for item in found[:limit]], token)

    @staticmethod
    def _start_key(position: Any, owner: str) -> dict[str, Any] | None:
        """The ExclusiveStartKey a runs token holds, checked: the caller's own, three strings."""
        if position is None:
            return None
        if (
            not isinstance(position, dict)
            or set(position) != set(_KEY_FIELDS)
            or not all(isinstance(value, str) for value in position.values())
            or position["owner"] != owner
        ):
            raise InvalidTokenError()
        return {key: {"S": value} for key, value in position.items()}


def _conditional(operation: str, call: Callable[..., Any], **request: Any) -> bool:
    """Make a conditional write; False when its condition did not hold."""
    try:
        with translated(operation):
            call(**request)
    except AwsCallError as exc:
        if exc.code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def _summary(item: Mapping[str, Any]) -> ExecutionSummary:
    return ExecutionSummary(
        execution_arn=item["executionArn"],
        execution_id=item["name"],
        flow=item["flow"],
        state_machine_arn=item["stateMachineArn"],
        owner=item["owner"],
        status=item["status"],
        start_date=item["startDate"],
        stop_date=item.get("stopDate"),
    )


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _typed(values: Mapping[str, Any]) -> dict[str, Any]:
    """Plain values as DynamoDB's typed ones: ``"x"`` -> ``{"S": "x"}``, ``1`` -> ``{"N": "1"}``."""
    return {key: _attribute(value) for key, value in values.items()}


def _attribute(value: Any) -> dict[str, str]:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise TypeError(f"the executions table holds strings and numbers, not {value!r}")
    return {"N": str(value)} if isinstance(value, int) else {"S": value}


def _plain(item: Mapping[str, Any]) -> dict[str, Any]:
    """A DynamoDB item as plain values: ``{"S": "x"}`` -> ``"x"``, ``{"N": "1"}`` -> ``1``."""
    out: dict[str, Any] = {}
    for key, typed in item.items():
        if "S" in typed:
            out[key] = typed["S"]
        elif "N" in typed:
            out[key] = int(typed["N"])
    return out
