"""Composite flows: ``arn:aws:states:::states:startExecution`` starts a child flow of the project.

A child is an execution of the engine like any other (stored, checkpointed, resumed
after a restart), owned by its parent's owner and linked to it by ``parent_arn``. The
three patterns answer as Step Functions does:

    startExecution          {ExecutionArn, StartDate} as soon as the child is stored
    startExecution.sync     the child's DescribeExecution fields, Output as a JSON string
    startExecution.sync:2   the same with Output (and Input) as parsed JSON

A failed, timed-out or aborted child fails a ``.sync`` task with ``States.TaskFailed``
(sdw.asl's ``shape_describe_execution``). When a parent ends other than by succeeding
while a ``.sync`` child still runs, the child is stopped, as Step Functions stops the
child of a stopped parent.

Nothing blocks the engine's thread: the child's insert goes through the journal and its
result comes back as a message; a ``.sync`` parent waits in a table of waiters, and the
child's end is delivered to it. After a restart the parent's task is issued again with
the same task id (sdw.asl keeps it), so the child's name, derived from the parent and the
task when the parameters give none, finds the child already started: it is not started
twice, and the parent gets its end whether it happened before the restart or after.

:class:`EngineExecutions` is the same thing as sdw.asl's blocking ``ExecutionPort``, for a
host that drives an interpreter of its own against this engine.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from sdw.asl import StatesError, TaskRequest, child_execution_fields, shape_describe_execution
from sdw.local.engine._names import check_execution_name, child_execution_name, epoch_millis
from sdw.local.engine._runner import Run, Runner
from sdw.local.engine._store import ExecutionRow, NewExecution
from sdw.system import ServiceError

if TYPE_CHECKING:
    from sdw.asl import Execution
    from sdw.local.engine._flow_engine import LocalFlowEngine

__all__ = ["ChildFlows", "EngineExecutions", "describe_fields"]

_Waiter = tuple[str, str, bool]  # parent ARN, task id, parsed output (.sync:2)


class ChildFlows:
    """The runner-side half: start children, deliver their ends to waiting parents."""

    def __init__(self, engine: LocalFlowEngine, runner: Runner) -> None:
        self._engine = engine
        self._runner = runner
        self._waiters: dict[str, list[_Waiter]] = defaultdict(list)
        self._children: dict[str, set[str]] = defaultdict(set)  # parent ARN -> .sync children

    def start(self, parent: Run, request: TaskRequest) -> None:
        """Run a ``states:startExecution`` task of ``parent`` (on the runner's thread)."""
        task_id = request.task_id
        try:
            new, execution = self._prepare(parent, request)
        except StatesError as exc:
            self._runner.report((parent.arn, task_id, False, None, exc.name, exc.cause))
            return
        pattern = request.integration.pattern
        inserted = self._engine.journal.submit(lambda store: store.insert(new))

        def on_inserted(future: Future[tuple[ExecutionRow, bool]]) -> None:
            self._runner.call(lambda: self._inserted(parent.arn, task_id, pattern, new, execution, future))

        inserted.add_done_callback(on_inserted)

    def ended(self, run: Run) -> None:
        """``run`` ended: answer the parents waiting for it; stop its own ``.sync`` children."""
        self._deliver(run.arn, describe_fields(run.row, run.execution))
        for child_arn in self._children.pop(run.arn, set()):
            waiters = [waiter for waiter in self._waiters.pop(child_arn, []) if waiter[0] != run.arn]
            if waiters:
                self._waiters[child_arn] = waiters
                continue  # another parent still waits for it
            child = self._runner.run_of(child_arn)
            if child is not None and run.execution.status != "SUCCEEDED":
                self._runner.abort(child, "States.Aborted", f"The parent execution {run.arn} ended.")

    # ------------------------------------------------------------------ internals
    def _prepare(self, parent: Run, request: TaskRequest) -> tuple[NewExecution, Execution]:
        params = request.parameters if isinstance(request.parameters, Mapping) else {}
        machine_arn = params.get("StateMachineArn")
        flow = self._engine.flow_by_arn(machine_arn) if isinstance(machine_arn, str) else None
        if flow is None:
            raise StatesError("StepFunctions.StateMachineDoesNotExistException",
                              f"State Machine Does Not Exist: '{machine_arn}'")
        raw = params.get("Input", {})
        try:
            child_input = json.loads(raw) if isinstance(raw, str) else raw
        except ValueError:
            raise StatesError("StepFunctions.InvalidExecutionInputException", "The Input is not JSON.") \
                from None
        name = params.get("Name")
        try:
            if name is None:
                name = child_execution_name(parent.arn, request.task_id)
            else:
                name = check_execution_name(name)
            return self._engine.prepare(flow, child_input, owner=parent.row.owner, name=name,
                                        parent_arn=parent.arn)
        except ServiceError as exc:
            code = {"InvalidParameterException": "InvalidName"}.get(exc.code, exc.code)
            raise StatesError(f"StepFunctions.{code}Exception", exc.message) from None

    def _inserted(
        self,
        parent_arn: str,
        task_id: str,
        pattern: str,
        new: NewExecution,
        execution: Execution,
        future: Future[tuple[ExecutionRow, bool]],
    ) -> None:
        try:
            row, created = future.result()
        except Exception as exc:
            self._runner.report((parent_arn, task_id, False, None, "StepFunctions.ServiceException",
                                 str(exc)))
            return
        if not created and not (
            row.input_hash == new.input_hash and (row.status == "RUNNING" or row.parent_arn == parent_arn)
        ):
            # StartExecution: a name in use with other input, or by a closed execution
            error = "StepFunctions.ExecutionAlreadyExistsException"
            cause = f"Execution Already Exists: '{row.arn}'"
            self._runner.report((parent_arn, task_id, False, None, error, cause))
            return
        if pattern in ("sync", "sync2"):
            if row.status == "RUNNING" or created:
                self._waiters[row.arn].append((parent_arn, task_id, pattern == "sync2"))
                self._children[parent_arn].add(row.arn)
                if not created and self._runner.run_of(row.arn) is None:
                    self._recheck(row.arn)
            else:
                self._answer(parent_arn, task_id, describe_fields(row), pattern == "sync2")
        else:
            started = {"ExecutionArn": row.arn, "StartDate": epoch_millis(row.start_date)}
            self._runner.report((parent_arn, task_id, True, started, None, None))
        if created:
            self._runner.take(self._engine.new_run(row, execution))

    def _recheck(self, arn: str) -> None:
        """Read a child again once every write queued so far has committed.

        A child read as RUNNING that this runner does not hold may have ended a moment ago
        (its end is in the journal, not yet committed). Reading after the journal's queue
        sees that end; a child that is still running will answer through ``ended``.
        """
        later = self._engine.journal.submit(lambda store: store.current(arn))

        def reread(future: Future[ExecutionRow | None]) -> None:
            row = future.result() if future.exception() is None else None
            if row is not None and row.status != "RUNNING":
                self._runner.call(lambda: self._deliver(arn, describe_fields(row)))

        later.add_done_callback(reread)

    def _deliver(self, arn: str, fields: dict[str, Any]) -> None:
        for parent_arn, task_id, parsed in self._waiters.pop(arn, []):
            self._children[parent_arn].discard(arn)
            self._answer(parent_arn, task_id, fields, parsed)

    def _answer(self, parent_arn: str, task_id: str, fields: dict[str, Any], parsed: bool) -> None:
        try:
            result = shape_describe_execution(fields, parsed=parsed)
        except StatesError as exc:
            self._runner.report((parent_arn, task_id, False, None, exc.name, exc.cause))
            return
        self._runner.report((parent_arn, task_id, True, result, None, None))


def describe_fields(row: ExecutionRow, execution: Execution | None = None) -> dict[str, Any]:
    """What a ``.sync`` parent learns of its ended child (camelCase, dates in epoch milliseconds):
    DescribeExecution's fields for a STANDARD child, StartSyncExecution's for an EXPRESS one
    (sdw.asl's ``child_execution_fields`` says which and why).

    ``execution`` gives the end when the row was read before it (a child that ended here).
    """
    status, output, error, cause, stop = row.status, row.output, row.error, row.cause, row.stop_date
    if execution is not None and execution.done:
        status, error, cause, stop = execution.status, execution.error, execution.cause, execution.stop_time
        output = (
            json.dumps(execution.output, separators=(",", ":"), ensure_ascii=False)
            if status == "SUCCEEDED"
            else None
        )
    return child_execution_fields(
        execution_arn=row.arn,
        state_machine_arn=row.state_machine_arn,
        name=row.name,
        status=status,
        input_text=row.input,
        output_text=output,
        error=error,
        cause=cause,
        start_ms=epoch_millis(row.start_date),
        stop_ms=None if stop is None else epoch_millis(stop),
        express=row.type == "EXPRESS",
    )


class EngineExecutions:
    """sdw.asl's ``ExecutionPort`` over the engine: children are durable executions of it."""

    def __init__(self, engine: LocalFlowEngine, *, wait_timeout: float | None = None) -> None:
        self._engine = engine
        self._wait_timeout = wait_timeout

    def start_execution(
        self, state_machine_arn: str, input: Any, name: str | None, parent_arn: str
    ) -> dict[str, Any]:
        flow = self._engine.flow_by_arn(state_machine_arn)
        if flow is None:
            raise StatesError(
                "StepFunctions.StateMachineDoesNotExistException",
                f"State Machine Does Not Exist: '{state_machine_arn}'",
            )
        parent = self._engine.store.get(parent_arn) if parent_arn else None
        owner = parent.owner if parent is not None else ""
        try:
            summary = self._engine.start(flow.key, input, owner=owner, name=name,
                                         parent_arn=parent_arn or None)
        except ServiceError as exc:
            raise StatesError(f"StepFunctions.{exc.code}Exception", exc.message) from None
        row = self._engine.store.get(summary.execution_arn)
        assert row is not None
        return {"executionArn": row.arn, "startDate": epoch_millis(row.start_date)}

    def wait_for_execution(self, execution_arn: str) -> dict[str, Any]:
        self._engine.wait(execution_arn, timeout=self._wait_timeout)
        row = self._engine.store.get(execution_arn)
        assert row is not None
        return describe_fields(row)

