"""The flow endpoints (list flows, start, poll, list runs, history, stop), written once against the port.

Every endpoint here sits behind the JWT authorizer and is a method of ``FlowEndpoints``,
which takes the caller's Principal, the path parameters (already URL-decoded, as HTTP
API hands them to an integration), the query parameters and the raw body, and returns a
SystemResponse. The local gateway calls it through sdw/local/_runtime.py; on AWS the
thin Lambdas of functions/base will call the same methods with the boto3 FlowEngine.

    GET  /flows                                  the project's flows
    POST /run/{flow}?name=                       StartExecution; the body is the input
    GET  /run/{flow}/{execution}                 DescribeExecution
    GET  /runs?flow=&status=&limit=&next_token=&owner=  ListExecutions: the caller's, or owner=schedule
    GET  /run/{flow}/{execution}/history?limit=&next_token=&reverse=   GetExecutionHistory
    POST /run/{flow}/{execution}/stop            StopExecution; body {"error", "cause"}, optional

Decisions, and why:

* ``{flow}`` is a flow's key (``helloWorldFlow``) or its state machine name, which is how
  a plugin's flow ``billing/nightly`` is named in a path: ``billing-nightly`` (HTTP API
  decodes ``%2F`` before routing, so ``billing%2Fnightly`` would not reach the route on AWS).
* ``GET /flows`` lists every flow this project serves: its own and its plugins', the
  latter under their namespaced key. Other state machines of the account are never shown.
* The execution name is the query parameter ``?name=``: the body is wholly the input, as
  StartExecution's ``input`` is, so nothing in it can be mistaken for an option.
* ``{execution}`` is the execution id (its name; ``<name>:<run id>`` for an EXPRESS flow,
  as Step Functions' express ARNs end) or its URL-encoded ARN. The ARN is built from the
  flow and the id, so an id names one execution of that flow only.
* Ownership: the caller's ``sub`` is the execution's owner and its input's ``__user_id``.
  Another user's execution, or one of another flow than the path names, is answered
  exactly as a missing one (404 ExecutionDoesNotExist with the reference the caller gave),
  so a 404 never tells that an execution exists.
* Names are per caller. Step Functions keeps one namespace of names per state machine,
  and ``/run`` serves many users: taken as it is, B reusing A's ``?name=`` would get a
  409 that reveals A's name and would block A from it. So the name a caller gives becomes
  the execution's name ``<name>-<16 hex digits of SHA-256 of the caller's sub and the
  name>`` (``owned_execution_name``; the name is cut to fit Step Functions' 80
  characters), on AWS as locally. The same caller and name are the same execution
  (StartExecution's idempotency holds per caller); two callers never meet. The response's
  ``executionId`` is that name, and ``/run/{flow}/<the name given>`` finds it for its caller.
* Scheduled runs belong to the principal ``schedule`` (sdw.system._schedules): any
  signed-in user lists them with ``GET /runs?owner=schedule`` and may describe them and
  read their history; stopping one stays with nobody over HTTP (it is no one's to stop).
* ``POST /run`` is an API call like ``POST /lib/<fn>``: each authorized one is counted
  for its caller in the usage table (``count_call``: the wiring's usage meter, which never
  raises), whatever it answers, before anything else; the flow's Tasks are not counted.
* Unknown query parameters are a 400, so a typo (``?Status=``) is not silently ignored.
* The answers are a superset of the seed project's, whose clients read them: ``POST /run``
  also says ``message: "Started <flow>"`` and ``status: "SUCCESS"``; ``GET /runs`` and
  ``GET /flows`` give a ``count``; each execution its ``name`` (ListExecutions' field) and
  each flow ``created``: when its state machine was made (ListStateMachines'
  ``creationDate`` on AWS; locally the flow file's modification time), from the injected
  ``created`` mapping, null for a flow it does not know.

A ServiceError becomes its status with ``{"message", "code", "error", "status": "ERROR"}``;
anything else is logged with its traceback and answered 500 with the same shape and no
detail (sdw.system._responses).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from sdw.project import Flow, FlowType, Project
from sdw.system._errors import (
    ExecutionExistsError,
    ExecutionNotFoundError,
    FlowNotFoundError,
    InvalidParameterError,
)
from sdw.system._flows_input import (
    check_query,
    execution_arn,
    owned_execution_name,
    parse_execution_input,
    parse_execution_name,
    parse_given_name,
    parse_limit,
    parse_next_token,
    parse_reverse,
    parse_status,
    parse_stop_body,
    resolve_execution,
)
from sdw.system._ports import ExecutionDescription, ExecutionSummary, FlowEngine, Page, Principal
from sdw.system._responses import SystemResponse, endpoint
from sdw.system._schedules import SCHEDULE_OWNER

Query = Mapping[str, str]
Body = str | bytes | None
SUCCESS = "SUCCESS"


class FlowEndpoints:
    """The flow endpoints over one engine and one project's flows.

    ``created`` gives, by flow key, when each flow's state machine was made (ISO-8601 UTC);
    it is asked once per ``GET /flows``. ``count_call(user_id)`` counts a ``POST /run``.
    """

    def __init__(
        self,
        engine: FlowEngine,
        project: Project,
        *,
        created: Callable[[], Mapping[str, str]] | None = None,
        count_call: Callable[[str], object] | None = None,
    ) -> None:
        self._engine = engine
        self._project = project
        self._created = created or dict
        self._count_call = count_call

    @endpoint
    def list_flows(self, principal: Principal, query: Query) -> SystemResponse:
        """``GET /flows``: ``{"flows": [...], "count": N}``."""
        check_query(query, ())
        created = self._created()
        flows = [flow_json(flow, created.get(flow.key)) for flow in self._project.flows]
        return SystemResponse(200, {"flows": flows, "count": len(flows)})

    @endpoint
    def start_run(self, principal: Principal, flow: str, query: Query, body: Body) -> SystemResponse:
        """``POST /run/{flow}``: 200 ``{executionArn, executionId, startDate, message, status}``."""
        if self._count_call is not None:
            self._count_call(principal.user_id)  # an authorized call, whatever it answers
        found = self._flow(flow)
        check_query(query, ("name",))
        given = parse_execution_name(query.get("name"))
        name = None if given is None else owned_execution_name(principal.user_id, given)
        execution_input = parse_execution_input(body, principal.user_id)
        try:
            started = self._engine.start(found.key, execution_input, owner=principal.user_id, name=name)
        except ExecutionExistsError as exc:  # said with the name the caller gave
            raise ExecutionExistsError(given or exc.name, closed=exc.closed) from None
        return SystemResponse(
            200,
            {
                "executionArn": started.execution_arn,
                "executionId": started.execution_id,
                "startDate": started.start_date,
                "message": f"Started {found.key}",
                "status": SUCCESS,
            },
        )

    @endpoint
    def describe_run(self, principal: Principal, flow: str, execution: str, query: Query) -> SystemResponse:
        """``GET /run/{flow}/{execution}``: the execution's status, and its output or error once ended."""
        check_query(query, ())
        return SystemResponse(200, description_json(self._owned(principal, flow, execution, scheduled=True)))

    @endpoint
    def list_runs(self, principal: Principal, query: Query) -> SystemResponse:
        """``GET /runs``: the caller's executions, newest first, one page."""
        check_query(query, ("flow", "status", "limit", "next_token", "owner"))
        flow = query.get("flow")
        page = self._engine.list(
            owner=_owner(principal, query.get("owner")),
            flow=None if flow is None else self._flow(flow).key,
            status=parse_status(query.get("status")),
            limit=parse_limit(query.get("limit")),
            next_token=parse_next_token(query.get("next_token")),
        )
        return SystemResponse(200, {**_page_json("executions", page, summary_json), "count": len(page.items)})

    @endpoint
    def run_history(self, principal: Principal, flow: str, execution: str, query: Query) -> SystemResponse:
        """``GET /run/{flow}/{execution}/history``: one page of events, oldest first unless ``reverse``."""
        check_query(query, ("limit", "next_token", "reverse"))
        limit = parse_limit(query.get("limit"))
        reverse = parse_reverse(query.get("reverse"))
        next_token = parse_next_token(query.get("next_token"))
        owned = self._owned(principal, flow, execution, scheduled=True)
        page = self._engine.history(owned.execution_arn, limit=limit, next_token=next_token, reverse=reverse)
        return SystemResponse(200, _page_json("events", page, event_json))

    @endpoint
    def stop_run(
        self, principal: Principal, flow: str, execution: str, query: Query, body: Body
    ) -> SystemResponse:
        """``POST /run/{flow}/{execution}/stop``: the execution as it is after the stop.

        A running execution ends ABORTED with the ``error`` and ``cause`` given; one that
        already ended is answered as it is (StopExecution leaves a closed execution alone).
        """
        check_query(query, ())
        error, cause = parse_stop_body(body)
        owned = self._owned(principal, flow, execution)
        stopped = self._engine.stop(owned.execution_arn, error=error, cause=cause)
        return SystemResponse(200, description_json(stopped))

    def _flow(self, name: str) -> Flow:
        found = self._project.flow(name)
        if found is None:
            raise FlowNotFoundError(name)
        return found

    def _owned(
        self, principal: Principal, flow: str, reference: str, *, scheduled: bool = False
    ) -> ExecutionDescription:
        """The caller's execution ``reference`` of ``flow`` (or a scheduled one, when ``scheduled``);
        anything else is one and the same 404.

        ``reference`` is an execution id or ARN, or the name the caller gave at the start.
        """
        found = self._flow(flow)
        express = found.type is FlowType.EXPRESS
        candidates = [resolve_execution(found.arn, reference, express=express)]
        if not express and not reference.startswith("arn:") and parse_given_name(reference) is not None:
            candidates.append(execution_arn(found.arn, owned_execution_name(principal.user_id, reference)))
        for arn in candidates:
            if arn is None:
                continue
            try:
                described = self._engine.describe(arn)
            except ExecutionNotFoundError:
                continue
            readable = described.owner == principal.user_id or (
                scheduled and described.owner == SCHEDULE_OWNER
            )
            if readable and described.flow == found.key:
                return described
        raise ExecutionNotFoundError(reference)  # our wording, whatever the engine's


def _owner(principal: Principal, asked: str | None) -> str:
    """Whose executions ``GET /runs`` lists: the caller's, or with ``owner=schedule`` the schedules'."""
    if asked is None or asked == principal.user_id:
        return principal.user_id
    if asked == SCHEDULE_OWNER:
        return SCHEDULE_OWNER
    raise InvalidParameterError(
        f"The owner filter may only be {SCHEDULE_OWNER!r} (scheduled runs) or left out (your own runs).",
        "owner",
    )


def flow_json(flow: Flow, created: str | None = None) -> dict[str, Any]:
    """One flow as ``GET /flows`` shows it; ``created`` is when its state machine was made."""
    return {
        "name": flow.key,
        "created": created,
        "plugin": flow.plugin,
        "stateMachineName": flow.state_machine_name,
        "stateMachineArn": flow.arn,
        "description": flow.description,
        "type": flow.type.value,
        "timeout": flow.timeout,
        "schedule": None if flow.schedule is None else str(flow.schedule),
        "input": flow.input,
        "definition": flow.definition,
    }


def summary_json(summary: ExecutionSummary) -> dict[str, Any]:
    """An execution as ``GET /runs`` lists it (ListExecutions' fields, camelCase)."""
    return {
        "executionArn": summary.execution_arn,
        "executionId": summary.execution_id,
        "name": summary.execution_id.partition(":")[0],  # an EXPRESS id is <name>:<run id>
        "flow": summary.flow,
        "stateMachineArn": summary.state_machine_arn,
        "status": summary.status,
        "startDate": summary.start_date,
        "stopDate": summary.stop_date,
    }


def description_json(description: ExecutionDescription) -> dict[str, Any]:
    """An execution as ``GET /run/{flow}/{execution}`` shows it: input and output as JSON values."""
    return {
        **summary_json(description),
        "input": description.input,
        "output": description.output,
        "error": description.error,
        "cause": description.cause,
    }


def event_json(event: Mapping[str, Any]) -> dict[str, Any]:
    """A history event with its ``timestamp`` as ISO-8601 text, as the execution dates are.

    boto3 (and sdw.asl's history) give the timestamp as a datetime, which JSON cannot hold.
    """
    out = dict(event)
    stamp = out.get("timestamp")
    if isinstance(stamp, datetime):
        out["timestamp"] = stamp.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return out


def _page_json(key: str, page: Page, item: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    return {key: [item(each) for each in page.items], "nextToken": page.next_token}
