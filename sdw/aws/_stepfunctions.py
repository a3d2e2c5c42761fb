"""The FlowEngine over Step Functions: the project's flows as the deployed state machines.

Each flow is the state machine ``<service>-<stage>-<flow>`` (its ARN is the project
model's ``Flow.arn`` when the project is loaded with that name prefix). The port's calls:

    start     StartExecution(name, input). A name is idempotent as AWS makes it: the same
              name and input while it runs give the same execution; otherwise
              ExecutionAlreadyExists (409). Then the execution is indexed (_executions.py).
    describe  DescribeExecution for status, input, output, error, cause; the owner and the
              flow from the index. An execution the index lacks (a flow's child, started
              by its parent) is owned by its input's ``__user_id`` if it has one, so a
              flow that passes ``__user_id`` on makes its children readable by the same
              user; else by no one (404 to every caller).
    list      the index's byOwner GSI, newest first (Step Functions lists per machine).
    history   GetExecutionHistory, whose events are the shapes the local engine imitates;
              passed on as they are (``event_json`` turns the timestamps into text).
    stop      StopExecution of a RUNNING execution; one that has ended is returned as it is.

describe and stop also bring the index up to date when they see a status it lacks: the
execution_index Lambda normally does that from EventBridge, but its events are best
effort and may beat the index write of a very short execution.

EXPRESS flows start like the others, but Step Functions keeps nothing of an express
execution that an API can read back: DescribeExecution, GetExecutionHistory and
StopExecution refuse them, and EventBridge gets no status events for them (its results
go to CloudWatch Logs, when the state machine logs). So this engine does not pretend:
describe, history and stop of an express execution are a 400 saying so, before anything
is looked up (the answer is the same whether it exists or whose it is), and express
executions are not indexed, so ``GET /runs`` never shows them. The local engine, which
can, describes and lists them; that is one of the documented differences.

Errors: Step Functions' codes become sdw.system's ServiceErrors (StateMachineDoesNotExist
-> 404 FlowNotFoundError, ExecutionDoesNotExist -> 404, ExecutionAlreadyExists -> 409,
InvalidToken -> 400...); anything else is an AwsCallError (a 500, logged).
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sdw.aws._errors import ErrorMapping, translated
from sdw.aws._executions import ExecutionIndex, iso_date
from sdw.project import Flow, FlowType, Project
from sdw.system import (
    DEFAULT_LIMIT,
    MAX_RESULTS,
    USER_ID_KEY,
    ExecutionDescription,
    ExecutionExistsError,
    ExecutionNotFoundError,
    ExecutionStatus,
    ExecutionSummary,
    FlowNotFoundError,
    InvalidParameterError,
    InvalidTokenError,
    Page,
    decode_token,
    encode_token,
    execution_arn,
)

log = logging.getLogger("sdw.flows")

EXPRESS_UNSUPPORTED = (
    "Step Functions keeps no status, output or history of EXPRESS executions that its API can "
    "read back (they go to CloudWatch Logs when the state machine logs), so on AWS an express "
    "flow's execution cannot be described, listed, stopped or its history read; run the flow "
    "as STANDARD to poll it."
)
_EXECUTION_ARN = re.compile(
    r"(?P<prefix>arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}):"
    r"(?:execution:(?P<machine>[^:]+):[^:]+|express:(?P<express>[^:]+):[^:]+:[^:]+)"
)


class StepFunctionsEngine:
    """The deployed flows of ``project`` (loaded with the stage's name prefix), run by Step Functions."""

    def __init__(self, client: Any, index: ExecutionIndex, project: Project) -> None:
        self._client = client
        self._index = index
        self._project = project
        self._flows_by_arn = {flow.arn: flow for flow in project.flows}
        self._created: dict[str, str] | None = None

    def creation_dates(self) -> dict[str, str]:
        """When each flow's state machine was made (``GET /flows``' ``created``), by flow key.

        One ListStateMachines walk per instance (its pages of 1,000 name every machine of
        the account and region; the deployed ones are picked by ARN), kept for the
        instance's life. A failure is logged and leaves ``created`` null: the listing must
        not fail for want of a date.
        """
        if self._created is None:
            found: dict[str, str] = {}
            try:
                with translated("ListStateMachines"):
                    for page in self._client.get_paginator("list_state_machines").paginate():
                        for machine in page.get("stateMachines", []):
                            flow = self._flows_by_arn.get(machine.get("stateMachineArn"))
                            if flow is not None and isinstance(machine.get("creationDate"), datetime):
                                found[flow.key] = iso_date(machine["creationDate"])
            except Exception:
                log.warning("GET /flows: the state machines' creation dates are not known", exc_info=True)
                return {}
            self._created = found
        return self._created

    # ------------------------------------------------------------------ the FlowEngine port
    def start(self, flow: str, input: Any, *, owner: str, name: str | None = None) -> ExecutionSummary:
        found = self._project.flow(flow)
        if found is None:
            raise FlowNotFoundError(flow)
        name = str(uuid.uuid4()) if name is None else name
        try:
            text = json.dumps(input, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise InvalidParameterError(f"The execution input is not JSON: {exc}.", "input") from None
        errors: ErrorMapping = {
            "StateMachineDoesNotExist": lambda _m: FlowNotFoundError(flow),
            "InvalidName": lambda message: InvalidParameterError(message, "name"),
            "InvalidExecutionInput": lambda message: InvalidParameterError(message, "input"),
            "ExecutionAlreadyExists": lambda _m: self._exists_error(found, name, input),
        }
        with translated("StartExecution", errors):
            started = self._client.start_execution(stateMachineArn=found.arn, name=name, input=text)
        arn = started["executionArn"]
        summary = ExecutionSummary(
            execution_arn=arn,
            execution_id=_execution_id(arn),
            flow=found.key,
            state_machine_arn=found.arn,
            owner=owner,
            status=ExecutionStatus.RUNNING,
            start_date=iso_date(started["startDate"]),
        )
        if found.type is FlowType.STANDARD:
            try:
                self._index.record_start(summary)
            except Exception:
                # The execution runs and its owner can poll it (its input names them);
                # only GET /runs will not list it. Failing the start now would make the
                # client start it again.
                log.exception("started %s but could not index it", arn)
        return summary

    def describe(self, execution: str) -> ExecutionDescription:
        arn = self._resolve(execution)
        return self._describe(arn, self._standard_flow(arn, execution), execution)

    def list(
        self,
        *,
        owner: str,
        flow: str | None = None,
        status: str | None = None,
        limit: int = DEFAULT_LIMIT,
        next_token: str | None = None,
    ) -> Page:
        if status is not None and status not in ExecutionStatus.ALL:
            known = ", ".join(ExecutionStatus.ALL)
            raise InvalidParameterError(
                f"The status filter must be one of {known}, not {status!r}.", "status"
            )
        page = self._index.page(
            owner, flow=flow, status=status, limit=_check_limit(limit), next_token=next_token
        )
        return Page(list(page.items), page.next_token)

    def history(
        self,
        execution: str,
        *,
        limit: int = DEFAULT_LIMIT,
        next_token: str | None = None,
        reverse: bool = False,
    ) -> Page:
        arn = self._resolve(execution)
        self._standard_flow(arn, execution)
        scope = f"history\n{arn}\n{bool(reverse)}"
        aws_token = decode_token(next_token, scope)
        if aws_token is not None and not isinstance(aws_token, str):
            raise InvalidTokenError()
        request: dict[str, Any] = {
            "executionArn": arn,
            "maxResults": _check_limit(limit),
            "reverseOrder": bool(reverse),
            "includeExecutionData": True,
        }
        if aws_token is not None:
            request["nextToken"] = aws_token
        errors: ErrorMapping = {
            "ExecutionDoesNotExist": lambda _m: ExecutionNotFoundError(execution),
            "InvalidArn": lambda _m: ExecutionNotFoundError(execution),
            "InvalidToken": lambda _m: InvalidTokenError(),
        }
        with translated("GetExecutionHistory", errors):
            answer = self._client.get_execution_history(**request)
        following = answer.get("nextToken")
        events = [dict(event) for event in answer.get("events", [])]
        return Page(events, encode_token(scope, following) if following else None)

    def stop(
        self, execution: str, *, error: str | None = None, cause: str | None = None
    ) -> ExecutionDescription:
        arn = self._resolve(execution)
        flow = self._standard_flow(arn, execution)
        current = self._describe(arn, flow, execution)
        if current.status != ExecutionStatus.RUNNING:
            return current  # StopExecution leaves a closed execution as it is
        request = {"executionArn": arn}
        if error is not None:
            request["error"] = error
        if cause is not None:
            request["cause"] = cause
        errors: ErrorMapping = {"ExecutionDoesNotExist": lambda _m: ExecutionNotFoundError(execution)}
        with translated("StopExecution", errors):
            stopped = self._client.stop_execution(**request)
        after = self._describe(arn, flow, execution)
        if after.status == ExecutionStatus.RUNNING:
            # DescribeExecution is eventually consistent; StopExecution has ended it.
            stop_date: datetime = stopped.get("stopDate") or datetime.now(UTC)
            after = replace(
                after, status=ExecutionStatus.ABORTED, stop_date=iso_date(stop_date), error=error, cause=cause
            )
            self._index.record_status(arn, ExecutionStatus.ABORTED, stop=stop_date)
        return after

    # ------------------------------------------------------------------ helpers
    def _describe(self, arn: str, flow: Flow, reference: str) -> ExecutionDescription:
        indexed = self._index.get(arn)
        errors: ErrorMapping = {
            "ExecutionDoesNotExist": lambda _m: ExecutionNotFoundError(reference),
            "InvalidArn": lambda _m: ExecutionNotFoundError(reference),
        }
        with translated("DescribeExecution", errors):
            found = self._client.describe_execution(executionArn=arn)
        execution_input = _json(found.get("input"))
        status = str(found["status"])
        stop_date: datetime | None = found.get("stopDate")
        if indexed is not None and indexed.status != status and status in ExecutionStatus.ALL:
            self._index.record_status(arn, status, start=found["startDate"], stop=stop_date)
        if indexed is not None:
            owner = indexed.owner
        elif isinstance(execution_input, dict) and isinstance(execution_input.get(USER_ID_KEY), str):
            owner = execution_input[USER_ID_KEY]
        else:
            owner = ""
        return ExecutionDescription(
            execution_arn=arn,
            execution_id=_execution_id(arn),
            flow=flow.key,
            state_machine_arn=flow.arn,
            owner=owner,
            status=status,
            start_date=iso_date(found["startDate"]),
            stop_date=None if stop_date is None else iso_date(stop_date),
            input=execution_input,
            output=_json(found.get("output")),
            error=found.get("error"),
            cause=found.get("cause"),
        )

    def _resolve(self, execution: str) -> str:
        """The ARN of ``execution``: itself, or the indexed execution with that id (newest first)."""
        if not isinstance(execution, str) or not execution:
            raise ExecutionNotFoundError(str(execution))
        if execution.startswith("arn:"):
            return execution
        if ":" in execution:  # "<name>:<run id>": an express execution's id
            raise InvalidParameterError(EXPRESS_UNSUPPORTED, "execution")
        candidates = [
            execution_arn(flow.arn, execution)
            for flow in self._project.flows
            if flow.type is FlowType.STANDARD
        ]
        found = sorted(self._index.get_many(candidates), key=lambda summary: summary.start_date)
        if not found:
            raise ExecutionNotFoundError(execution)
        return found[-1].execution_arn

    def _standard_flow(self, arn: str, reference: str) -> Flow:
        """The project's flow that ``arn`` is an execution of: 404 for another machine, 400 for express."""
        parsed = _EXECUTION_ARN.fullmatch(arn)
        if parsed is None:
            raise ExecutionNotFoundError(reference)
        if parsed["express"] is not None:
            raise InvalidParameterError(EXPRESS_UNSUPPORTED, "execution")
        flow = self._flows_by_arn.get(f"{parsed['prefix']}:stateMachine:{parsed['machine']}")
        if flow is None:
            raise ExecutionNotFoundError(reference)
        if flow.type is FlowType.EXPRESS:
            raise InvalidParameterError(EXPRESS_UNSUPPORTED, "execution")
        return flow

    def _exists_error(self, flow: Flow, name: str, input: Any) -> ExecutionExistsError:
        """ExecutionAlreadyExists, saying whether the name's execution ended (same input) or differs."""
        try:
            with translated("DescribeExecution"):
                existing = self._client.describe_execution(executionArn=execution_arn(flow.arn, name))
        except Exception:
            log.warning("could not describe the existing execution %r of %s", name, flow.key, exc_info=True)
            return ExecutionExistsError(name)
        return ExecutionExistsError(name, closed=_json(existing.get("input")) == input)


def _execution_id(arn: str) -> str:
    """The id of an execution: its name, or ``<name>:<run id>`` for an express one (as sdw.local)."""
    return ":".join(arn.split(":")[7:])


def _check_limit(limit: int) -> int:
    """maxResults: 1-1000, 0 meaning the default (100), as Step Functions takes it."""
    if type(limit) is not int or limit not in range(MAX_RESULTS + 1):
        raise InvalidParameterError(f"The page size must be from 1 to {MAX_RESULTS}, not {limit!r}.", "limit")
    return limit or DEFAULT_LIMIT


def _json(text: Any) -> Any:
    if not isinstance(text, str):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text  # an output Step Functions truncated is not JSON: show it as it is
