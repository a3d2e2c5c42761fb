"""The durable flow engine: the project's flows as sdw.asl executions, stored in SQLite.

``LocalFlowEngine`` is the local ``FlowEngine`` (sdw.system's port: start, describe, list,
history, stop). How a run goes:

    start()  -> compile the flow (once per definition), create the sdw.asl Execution,
                record ExecutionStarted, store row + definition + first snapshot
                (journal, durable before start returns) -> the runner adopts it
    runner   -> advance, checkpoint (journal, group commit), dispatch effects:
                Lambda tasks to the warm invoker (_lambda), child flows to
                _children; outcomes come back as messages
    restart  -> open() finds the RUNNING executions and resumes each from its last
                snapshot, on the definition it started with; tasks in flight are issued
                again (at-least-once, as Step Functions after a failure); timers keep
                their absolute deadlines, so a Wait ends when it was going to

Standard and express flows differ as they do on AWS (Step Functions Developer Guide,
"Execution guarantees" and "Standard vs. Express workflows"):

* A standard execution's name is unique per flow: starting one again with the same
  name and the same input while it runs returns it; other input, or an execution that
  has ended, is ExecutionAlreadyExists (409).
* An express execution's ARN is ``...:express:<flow>:<name>:<run id>``; a name may be
  reused (each start is a new execution). Step Functions keeps no history and no
  progress of express executions (they are at-least-once: an execution whose state is
  lost starts again from the beginning). Here too: no history (``history`` refuses),
  no checkpoint but the start and the end, and after a restart a RUNNING express
  execution starts over from its input. Unlike AWS, describe and list show them (AWS
  needs CloudWatch Logs for that), so start-and-poll works the same for both types.

``sdw dev --workers N`` runs N processes on one state folder: the first to lock
``flows.lock`` runs executions; the others store what they are asked to start
(``queued``) and write stop requests, then nudge the running engine (``_wake``),
which also polls for them. Every process answers describe, list and history from the
database.
"""

from __future__ import annotations

import builtins
import contextlib
import fcntl
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from sdw.asl import Clock, Execution, Machine, SystemClock, TaskRequest, compile_definition, to_datetime
from sdw.local._errors import StateError
from sdw.local._function_env import call_origin
from sdw.local._invoker import LocalInvoker
from sdw.local._statedir import StateDir
from sdw.local.engine._checkpoint import Checkpoint, CheckpointPolicy, take_checkpoint
from sdw.local.engine._children import ChildFlows
from sdw.local.engine._journal import Journal
from sdw.local.engine._lambda import LambdaTasks
from sdw.local.engine._names import (
    check_execution_name,
    check_limit,
    content_hash,
    decode_token,
    encode_token,
    execution_id,
)
from sdw.local.engine._runner import Hook, Run, Runner
from sdw.local.engine._store import ExecutionRow, ExecutionStore, NewExecution
from sdw.local.engine._wake import Wakeup
from sdw.project import DEFAULT_ACCOUNT_ID, Flow, FlowType, Project
from sdw.system import (
    MAX_INPUT_BYTES,
    MAX_STOP_CAUSE,
    MAX_STOP_ERROR,
    ExecutionDescription,
    ExecutionExistsError,
    ExecutionNotFoundError,
    ExecutionStatus,
    ExecutionSummary,
    FlowNotFoundError,
    InvalidParameterError,
    Page,
    execution_arn,
)

__all__ = ["LocalFlowEngine", "create_flow_engine"]

log = logging.getLogger("sdw.flows")

class LocalFlowEngine:
    """The durable ``FlowEngine`` of one machine; ``open()`` starts it, ``close()`` stops it."""

    POLL_S = 0.05  # how often the running engine looks for work other processes stored...
    POLL_NUDGED_S = 1.0  # ...and how often when they can nudge it (Linux)
    START_TIMEOUT_S = 30.0

    def __init__(
        self,
        project: Project,
        state: StateDir,
        invoker: LocalInvoker,
        *,
        clock: Clock | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        region: str = "us-east-1",
        account_id: str = DEFAULT_ACCOUNT_ID,
        policy: CheckpointPolicy | None = None,
        tick: float = 0.5,
        hook: Hook | None = None,
    ) -> None:
        self.project = project
        self.store = ExecutionStore(state)
        self.journal = Journal(self.store)
        self._lock_path = state.file("flows.lock")
        self._lock_fd: int | None = None
        self._clock: Clock = clock or SystemClock()
        self._monotonic = monotonic
        self._region = region
        self._account = account_id
        self._runner = Runner(self.journal, clock=self._clock, monotonic=monotonic,
                              policy=policy or CheckpointPolicy(), dispatch=self._dispatch,
                              ended=self._ended, tick=tick, hook=hook)
        self._lambdas = LambdaTasks(project, invoker, self._runner.report, monotonic=monotonic)
        self._children = ChildFlows(self, self._runner)
        self._flows_by_arn = {flow.arn: flow for flow in project.flows}
        # flow key -> (definition, hash, text, machine); definition hash -> machine
        self._compiled: dict[str, tuple[Any, str, str, Machine]] = {}
        self._machines: dict[str, Machine] = {}
        self._waits: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        self._next_poll = 0.0
        self._poll_s = self.POLL_S
        self._wake = Wakeup(state.path)
        self._closed = False
        self.runs_executions = False
        """Whether this process runs executions (it holds flows.lock), or only stores them."""

    # ------------------------------------------------------------------ lifecycle
    def open(self, *, run_executions: bool = True) -> None:
        """Open the database; run executions (resuming RUNNING ones) if no other process does.

        ``run_executions=False`` only stores what it starts, for the process that runs them
        (``sdw dev``, now or at its next start): ``sdw schedules tick`` opens it so.

        The order is what keeps a task from running twice. The executions to resume are
        read here, before ``open`` returns and so before this engine can start one, and
        handed to the runner's thread as a list: an execution started while that thread
        is still resuming the others is adopted by its ``start`` alone, never also
        restored from its first snapshot (which would dispatch its first task again).
        """
        self.store.open()
        self._lock_fd = _try_lock(self._lock_path) if run_executions else None
        self.runs_executions = self._lock_fd is not None
        self.journal.start()
        if self.runs_executions:
            stored = self.store.running()
            self._runner.add_ticker(self._lambdas)
            self._runner.add_ticker(self)
            self._runner.start()
            self._runner.call(lambda: self._resume(stored))
            if self._wake.listen(lambda: self._runner.call(self.expire)):
                self._poll_s = self.POLL_NUDGED_S

    def close(self) -> None:
        """Stop running; RUNNING executions stay RUNNING and resume when an engine opens again."""
        self._closed = True
        self._wake.close()
        self._runner.close()
        self.journal.close()
        self.store.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # releases flows.lock
            self._lock_fd = None

    # ------------------------------------------------------------------ the FlowEngine port
    def start(
        self, flow: str, input: Any, *, owner: str, name: str | None = None, parent_arn: str | None = None
    ) -> ExecutionSummary:
        """StartExecution of the project's flow ``flow`` (its key or state machine name)."""
        found = self.project.flow(flow)
        if found is None:
            raise FlowNotFoundError(flow)
        if self._closed:
            raise StateError(self.store_path, "start an execution in", "the flow engine is closed")
        name = str(uuid.uuid4()) if name is None else check_execution_name(name)
        new, execution = self.prepare(found, input, owner=owner, name=name, parent_arn=parent_arn)
        if not self.runs_executions:
            new = replace(new, queued=True)
        row, created = self.journal.submit(lambda store: store.insert(new)).result(self.START_TIMEOUT_S)
        if not created:
            # StartExecution is idempotent while the execution it names is open and has the
            # same input; otherwise, and whatever the input once it has closed, it is
            # ExecutionAlreadyExists (the name stays taken for 90 days on AWS; here for good).
            if row.status == ExecutionStatus.RUNNING and row.input_hash == new.input_hash:
                return row.summary()
            raise ExecutionExistsError(name, closed=row.input_hash == new.input_hash)  # else: other input
        if self.runs_executions:
            self._runner.adopt(self.new_run(row, execution))
        else:
            self._wake.notify()
        return row.summary()

    def describe(self, execution: str, *, flow: str | None = None) -> ExecutionDescription:
        """DescribeExecution by id or ARN; ``flow`` (a key) narrows an id to that flow's executions."""
        return self._row(execution, flow).description()

    def list(
        self,
        *,
        owner: str,
        flow: str | None = None,
        status: str | None = None,
        limit: int = 100,
        next_token: str | None = None,
    ) -> Page:
        if status is not None and status not in ExecutionStatus.ALL:
            known = ", ".join(ExecutionStatus.ALL)
            message = f"The status filter must be one of {known}, not {status!r}."
            raise InvalidParameterError(message, "status")
        size = check_limit(limit)
        scope = f"list\n{owner}\n{flow}\n{status}"
        before = decode_token(next_token, scope)
        rows = self.store.page(owner, flow=flow, status=status, before=before, limit=size + 1)
        token = encode_token(scope, rows[size - 1].seq) if len(rows) > size else None
        return Page([row.summary() for row in rows[:size]], token)

    def history(
        self,
        execution: str,
        *,
        limit: int = 100,
        next_token: str | None = None,
        reverse: bool = False,
        flow: str | None = None,
    ) -> Page:
        row = self._row(execution, flow)
        if row.type == FlowType.EXPRESS.value:
            raise InvalidParameterError(
                "Express executions keep no history: Step Functions sends their events to CloudWatch Logs "
                "only.",
                "execution",
            )
        size = check_limit(limit)
        scope = f"history\n{row.arn}\n{bool(reverse)}"
        after = decode_token(next_token, scope)
        rows = self.store.events(row.seq, after=after, limit=size + 1, reverse=reverse)
        items = [_event(body) for _, body in rows[:size]]
        token = encode_token(scope, rows[size - 1][0]) if len(rows) > size else None
        return Page(items, token)

    def stop(
        self, execution: str, *, error: str | None = None, cause: str | None = None, flow: str | None = None
    ) -> ExecutionDescription:
        """StopExecution: ABORTED with ExecutionAborted; a task result arriving later is ignored."""
        if error is not None and len(error) > MAX_STOP_ERROR:
            raise InvalidParameterError(f"The error is longer than {MAX_STOP_ERROR} characters.", "error")
        if cause is not None and len(cause) > MAX_STOP_CAUSE:
            raise InvalidParameterError(f"The cause is longer than {MAX_STOP_CAUSE} characters.", "cause")
        row = self._row(execution, flow)
        if row.status != ExecutionStatus.RUNNING:
            return row.description()
        if self.runs_executions:
            # Not held yet (stored by another process, or its start still on its way to the
            # runner): ask again until the runner holds it or it has ended.
            deadline = self._monotonic() + self.START_TIMEOUT_S
            while not self._runner.stop(row.arn, error, cause).result(self.START_TIMEOUT_S):
                if self._row(row.arn, None).status != ExecutionStatus.RUNNING or self._monotonic() > deadline:
                    break
                time.sleep(0.01)
        else:
            self.journal.submit(lambda store: store.request_stop(row.arn, error, cause)).result()
            self._wake.notify()
            self.wait(row.arn, timeout=self.START_TIMEOUT_S)
        return self._row(row.arn, None).description()

    # ------------------------------------------------------------------ beyond the port
    def wait(self, execution: str, *, timeout: float | None = None) -> ExecutionDescription:
        """Block until the execution has ended (or ``timeout`` seconds); its description then."""
        row = self._row(execution, None)
        deadline = None if timeout is None else self._monotonic() + timeout
        while row.status == ExecutionStatus.RUNNING:
            with self._lock:
                event = self._waits.setdefault(row.arn, threading.Event())
            row = self._row(row.arn, None)
            if row.status != ExecutionStatus.RUNNING:
                break
            remaining = 0.25 if deadline is None else min(0.25, deadline - self._monotonic())
            if remaining <= 0:
                break
            event.wait(remaining)
            row = self._row(row.arn, None)
        return row.description()

    def flow_by_arn(self, state_machine_arn: str) -> Flow | None:
        return self._flows_by_arn.get(state_machine_arn)

    def prepare(
        self, flow: Flow, input: Any, *, owner: str, name: str, parent_arn: str | None
    ) -> tuple[NewExecution, Execution]:
        """A started execution of ``flow`` (ExecutionStarted recorded) and the row to store it as."""
        try:
            text = json.dumps(input, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise InvalidParameterError(f"The execution input is not JSON: {exc}.", "input") from None
        size = len(text.encode())
        if size > MAX_INPUT_BYTES:
            raise InvalidParameterError(
                f"The execution input is {size:,} bytes; Step Functions accepts at most {MAX_INPUT_BYTES:,}.",
                "input",
            )
        express = flow.type is FlowType.EXPRESS
        arn = execution_arn(flow.arn, name, str(uuid.uuid4()) if express else None)
        digest, definition, machine = self._flow_machine(flow)
        execution = self._new_execution(machine, json.loads(text), arn, name, flow.arn, flow.type.value)
        first = take_checkpoint(0, execution, 0, snapshot=not express)
        new = NewExecution(
            arn=arn, execution_id=execution_id(arn), name=name, flow=flow.key, state_machine_arn=flow.arn,
            type=flow.type.value, owner=owner, input=text, input_hash=content_hash(input),
            start_date=execution.start_time, definition_hash=digest, definition=definition, first=first,
            parent_arn=parent_arn,
        )
        return new, execution

    def new_run(self, row: ExecutionRow, execution: Execution) -> Run:
        return Run(row, execution, saved_events=execution.history.count)

    # ------------------------------------------------------------------ the runner's thread
    def next_deadline(self) -> float | None:  # Ticker: look for what other processes stored
        return self._next_poll

    def expire(self) -> None:
        self._next_poll = self._monotonic() + self._poll_s
        for row in self.store.queued():
            if self._runner.run_of(row.arn) is None:
                self._adopt_stored(row)
        requests = self.store.stop_requests()
        if requests:
            arns = [arn for arn, _, _ in requests]
            self.journal.write(lambda store: store.forget_stop_requests(arns))
        for arn, error, cause in requests:
            run = self._runner.run_of(arn)
            if run is not None:
                self._runner.abort(run, error, cause)

    def _resume(self, rows: builtins.list[ExecutionRow]) -> None:
        if rows:
            log.info("resuming %d running execution(s)", len(rows))
        for row in rows:
            if self._runner.run_of(row.arn) is None:
                self._adopt_stored(row)

    def _adopt_stored(self, row: ExecutionRow) -> None:
        """Run a stored RUNNING execution: from its snapshot, or from the start (express)."""
        try:
            run = self._restore(row)
        except Exception as exc:  # a snapshot or definition this engine cannot read
            log.error("cannot resume %s: %s", row.arn, exc, exc_info=True)
            now = self._clock.now()
            failed = Checkpoint(row.seq, ExecutionStatus.FAILED, 0, error="States.Runtime",
                                cause=f"The execution could not be resumed: {exc}", stop_date=now)
            self.journal.write(lambda store: store.save(failed))
            return
        self.journal.write(lambda store: store.dequeue(row.seq))
        self._runner.take(run)

    def _restore(self, row: ExecutionRow) -> Run:
        definition = self.store.definition(row.definition_hash)
        if definition is None:
            raise StateError(self.store_path, "resume", f"definition {row.definition_hash} is missing")
        machine = self._machine(row.definition_hash, definition, row.type)
        snapshot, count = self.store.snapshot(row.seq)
        if row.type == FlowType.EXPRESS.value or snapshot is None:
            execution = self._new_execution(machine, json.loads(row.input), row.arn, row.name,
                                            row.state_machine_arn, row.type)
            return Run(row, execution, saved_events=execution.history.count)
        execution = Execution.restore(machine, json.loads(snapshot), clock=self._clock)
        return Run(row, execution, saved_events=count, last_snapshot=snapshot)

    def _dispatch(self, run: Run, requests: builtins.list[TaskRequest]) -> None:
        for request in requests:
            integration = request.integration
            if integration.service == "lambda":
                with call_origin(run.arn, run.row.owner):  # for the connections access log
                    self._lambdas.call(run.arn, request)
            elif integration.service == "states" and integration.action == "startExecution":
                self._children.start(run, request)
            else:
                cause = f"The resource '{request.resource}' is not an integration sdw runs locally."
                self._runner.report((run.arn, request.task_id, False, None, "States.Runtime", cause))

    def _ended(self, run: Run, committed: Any) -> None:
        self._children.ended(run)
        committed.add_done_callback(lambda _f: self._signal(run.arn))

    def _signal(self, arn: str) -> None:
        with self._lock:
            event = self._waits.pop(arn, None)
        if event is not None:
            event.set()

    # ------------------------------------------------------------------ helpers
    @property
    def store_path(self) -> Path:
        return self._lock_path.with_name(ExecutionStore.FILE)

    def _row(self, execution: str, flow: str | None) -> ExecutionRow:
        if not isinstance(execution, str) or not execution:
            raise ExecutionNotFoundError(str(execution))
        row = self.store.get(execution) if execution.startswith("arn:") else self.store.find(execution, flow)
        if row is None or (flow is not None and row.flow != flow):
            raise ExecutionNotFoundError(execution)
        return row

    def _new_execution(
        self, machine: Machine, input: Any, arn: str, name: str, machine_arn: str, machine_type: str
    ) -> Execution:
        context = {
            "Execution": {"Id": arn, "Name": name},
            "StateMachine": {"Id": machine_arn, "Name": machine_arn.rsplit(":", 1)[-1]},
        }
        execution = Execution(machine, input, context=context, clock=self._clock,
                              state_machine_type=machine_type, region=self._region, account=self._account)
        execution.start()
        return execution

    def _flow_machine(self, flow: Flow) -> tuple[str, str, Machine]:
        with self._lock:
            cached = self._compiled.get(flow.key)
        if cached is not None and cached[0] is flow.definition:
            return cached[1], cached[2], cached[3]
        text = json.dumps(flow.definition, separators=(",", ":"), ensure_ascii=False)
        digest = content_hash(flow.definition)
        machine = self._machine(digest, text, flow.type.value)
        with self._lock:
            self._compiled[flow.key] = (flow.definition, digest, text, machine)
        return digest, text, machine

    def _machine(self, digest: str, text: str, machine_type: str) -> Machine:
        with self._lock:
            machine = self._machines.get(digest)
        if machine is None:
            machine = compile_definition(json.loads(text), state_machine_type=machine_type)
            with self._lock:
                self._machines[digest] = machine
        return machine


def create_flow_engine(
    project: Project,
    state_dir: Path | StateDir,
    invoker: LocalInvoker,
    *,
    clock: Clock | Callable[[], float] | None = None,
    region: str = "us-east-1",
    account_id: str = DEFAULT_ACCOUNT_ID,
    policy: CheckpointPolicy | None = None,
    tick: float = 0.5,
    run_executions: bool = True,
    hook: Hook | None = None,
) -> LocalFlowEngine:
    """The engine of ``state_dir`` (``<state>/flows.db``), open: resuming what was RUNNING.

    ``clock`` is a Clock (``now()``) or a function returning epoch seconds (``time.time``);
    ``run_executions=False``: see ``LocalFlowEngine.open``.
    ``hook`` sees the runner's thread at work (tests: see engine/_runner.py's ``Hook``).
    """
    state = state_dir if isinstance(state_dir, StateDir) else StateDir(state_dir)
    wall = _FunctionClock(clock) if callable(clock) else clock
    engine = LocalFlowEngine(project, state, invoker, clock=wall, region=region, account_id=account_id,
                             policy=policy, tick=tick, hook=hook)
    engine.open(run_executions=run_executions)
    return engine


class _FunctionClock:
    """A Clock over a function such as ``time.time`` (how the runtime passes its clock)."""

    def __init__(self, function: Callable[[], float]) -> None:
        self._function = function

    def now(self) -> float:
        return self._function()


def _event(body: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads(body)
    event["timestamp"] = to_datetime(event["timestamp"])
    return event


def _try_lock(path: Path) -> int | None:
    """Hold ``path`` locked (0600), or None when another process holds it."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    except OSError as exc:
        raise StateError(path, "open", exc.strerror or str(exc)) from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    with contextlib.suppress(OSError):
        os.fchmod(fd, 0o600)
    return fd
