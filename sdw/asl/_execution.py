"""One execution of a state machine, advanced a transition at a time, never blocking.

:class:`Execution` is the steppable core the rest of sdw builds on. It does no I/O and
never waits: :meth:`Execution.advance` runs every branch that can run until each one
needs the outside world, and returns the *effects* the host must carry out, namely
:class:`TaskRequest` objects (run this task with this input). The host reports their
outcomes with :meth:`task_succeeded` / :meth:`task_failed`, reports task tokens with
:meth:`send_task_success` / :meth:`send_task_failure` / :meth:`send_task_heartbeat`,
and calls :meth:`advance` again when the clock reaches :attr:`next_deadline` (Wait
states, retry back-off, task time-outs, the machine's own TimeoutSeconds).

Between two calls the whole state is plain data: :meth:`snapshot` returns JSON and
:meth:`Execution.restore` continues from it in another process. Tasks that were in
flight when the snapshot was taken are issued again on the first :meth:`advance` after
a restore (at-least-once, as Step Functions does after a service failure), and timers
keep their absolute deadlines. The history is not in the snapshot: a host persists its
events as they come (:meth:`History.events` with ``since``).

Rejected designs: a recursive interpreter (one Python frame per nested state) cannot
be persisted mid-Parallel; running tasks inline would make a slow task block every
other branch. Here Parallel branches and Map iterations are sibling
:class:`~sdw.asl._branch.Branch` objects on one run queue, started up to
MaxConcurrency, each blocking only itself.

The per-state logic lives in mixins (:mod:`sdw.asl._lifecycle` and the state modules
it names), so that each module stays one concept: this one scheduling and
bookkeeping, those what states do.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import random
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

from sdw.asl._branch import Branch, Phase
from sdw.asl._clock import Clock, SystemClock
from sdw.asl._errors import ErrorName
from sdw.asl._fanout import FanoutStates
from sdw.asl._history import MAX_EVENTS, History
from sdw.asl._integrations import TaskRequest
from sdw.asl._lifecycle import max_execution_seconds, too_big
from sdw.asl._map_io import ObjectStore
from sdw.asl._nodes import Machine
from sdw.asl._payload import dumps_compact
from sdw.asl._snapshots import SNAPSHOT_VERSION, upgrade_snapshot
from sdw.asl._states import SimpleStates
from sdw.asl._task_state import TaskStates
from sdw.asl._timestamps import format_timestamp

__all__ = ["Execution", "ExecutionStatus"]

_log = logging.getLogger(__name__)



class ExecutionStatus:
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    TIMED_OUT = "TIMED_OUT"
    ABORTED = "ABORTED"


class Execution(SimpleStates, TaskStates, FanoutStates):
    """A running execution; see the module docstring.

    ``context`` is merged into ``$$`` (``Execution.Id``/``Name``/``RoleArn``,
    ``StateMachine.Id``/``Name``); missing values are generated. ``max_transitions``
    in :meth:`advance` lets a host checkpoint as often as it likes.
    """

    def __init__(
        self,
        machine: Machine,
        input: Any,
        *,
        context: Mapping[str, Any] | None = None,
        clock: Clock | None = None,
        state_machine_type: str = "STANDARD",
        rng: random.Random | None = None,
        region: str = "us-east-1",
        account: str = "111111111111",
        object_store: ObjectStore | None = None,
        _restoring: bool = False,
    ) -> None:
        self.machine = machine
        self.clock: Clock = clock or SystemClock()
        self.type = state_machine_type
        self.rng = rng or random.Random()
        self.region = region
        self.account = account
        self.input = input
        self.object_store = object_store
        self.status = ExecutionStatus.RUNNING
        self.output: Any = None
        self.error: str | None = None
        self.cause: str | None = None
        self.start_time = 0.0
        self.stop_time: float | None = None
        self.history = History(recording=state_machine_type == "STANDARD")
        self._next_id = 1
        self._runnable: deque[Branch] = deque()
        self._timers: list[tuple[float, int, str, str]] = []
        self._timer_seq = itertools.count()
        self._branches: dict[str, Branch] = {}
        self._tasks: dict[str, Branch] = {}
        self._tokens: dict[str, Branch] = {}
        self._effects: list[TaskRequest] = []
        self.on_child_history: Any = None
        """Optional ``callable(map_run_arn, index, History)`` given each distributed Map child's history."""
        context = context or {}
        name = str(uuid.uuid4())
        machine_name = "StateMachine"
        sm_ctx = dict(context.get("StateMachine", {}))
        sm_ctx.setdefault("Name", machine_name)
        sm_ctx.setdefault("Id", f"arn:aws:states:{region}:{account}:stateMachine:{sm_ctx['Name']}")
        ex_ctx = dict(context.get("Execution", {}))
        ex_ctx.setdefault("Name", name)
        ex_ctx.setdefault(
            "Id", f"arn:aws:states:{region}:{account}:execution:{sm_ctx['Name']}:{ex_ctx['Name']}"
        )
        ex_ctx.setdefault("RoleArn", f"arn:aws:iam::{account}:role/StepFunctionsRole")
        self.state_machine_context = sm_ctx
        self.execution_context = ex_ctx
        self.root: Branch | None = None
        if not _restoring:
            self.root = Branch("", machine, input)

    # ------------------------------------------------------------------ public API
    @property
    def arn(self) -> str:
        return str(self.execution_context["Id"])

    @property
    def done(self) -> bool:
        return self.status != ExecutionStatus.RUNNING

    def start(self) -> None:
        """Record ExecutionStarted and make the first state runnable."""
        assert self.root is not None
        now = self.clock.now()
        self.start_time = now
        self.execution_context.update(
            {"Input": self.input, "StartTime": format_timestamp(now), "RedriveCount": 0}
        )
        details: dict[str, Any] = {"roleArn": self.execution_context["RoleArn"]}
        try:
            text = dumps_compact(self.input)
        except (TypeError, ValueError, RecursionError) as exc:
            # Only a Python caller can get here (AWS's StartExecution takes JSON text):
            # the execution fails, as execute() promises, rather than raising.
            self.root.last_event = self.history.add("ExecutionStarted", 0, now, details)
            self.fail_root(ErrorName.RUNTIME.value, f"The execution input is not JSON: {exc}")
            return
        self.root.last_event = self.history.add("ExecutionStarted", 0, now, {"input": text, **details})
        if too_big(text):
            self.fail_root(
                ErrorName.DATA_LIMIT_EXCEEDED.value,
                "The execution input has a size exceeding the maximum number of bytes service limit.",
            )
            return
        self.register(self.root)
        self._runnable.append(self.root)
        self._add_execution_timer()

    def advance(self, max_transitions: int | None = None) -> list[TaskRequest]:
        """Fire due timers, run what can run; return the new effects for the host."""
        if not self.done:
            self._fire_timers()
        budget = max_transitions if max_transitions is not None else -1
        runnable = self._runnable
        while runnable and not self.done and budget != 0:
            branch = runnable.popleft()
            if branch.phase == Phase.DONE or self._branches.get(branch.id) is not branch:
                continue
            budget -= 1
            self._guarded(branch, self.step, branch)
            if branch.phase in (Phase.ENTER, Phase.RESUME) and self._branches.get(branch.id) is branch:
                runnable.appendleft(branch)
        effects, self._effects = self._effects, []
        return effects

    @property
    def next_deadline(self) -> float | None:
        """When :meth:`advance` next has a timer to fire (None: only outcomes can move it)."""
        while self._timers:
            deadline, _, branch_id, kind = self._timers[0]
            if self._timer_valid(branch_id, kind):
                return deadline
            heapq.heappop(self._timers)
        return None

    @property
    def runnable(self) -> bool:
        return bool(self._runnable) and not self.done

    @property
    def tasks_in_flight(self) -> list[str]:
        return list(self._tasks)

    @property
    def awaiting_tokens(self) -> bool:
        """Whether a task waits for a token outcome only someone outside can report."""
        return bool(self._tokens)

    def task_succeeded(self, task_id: str, result: Any) -> bool:
        """Report a task's result. False when the task is unknown (timed out, aborted, done)."""
        branch = self._tasks.pop(task_id, None)
        if branch is None or self.done:
            return False
        self._guarded(branch, self.complete_task, branch, result)
        self._requeue(branch)
        return True

    def task_failed(self, task_id: str, error: str | None, cause: str | None) -> bool:
        """Report a task's failure (``error`` as Retry/Catch match it)."""
        branch = self._tasks.pop(task_id, None)
        if branch is None or self.done:
            return False
        self._guarded(branch, self.fail_task, branch, error, cause, kind="Failed")
        self._requeue(branch)
        return True

    def send_task_success(self, token: str, output: Any) -> bool:
        branch = self._tokens.pop(token, None)
        if branch is None or self.done:
            return False
        if branch.task_id is not None:
            self._tasks.pop(branch.task_id, None)
        self._guarded(branch, self.token_reported, branch, output, None, None)
        self._requeue(branch)
        return True

    def send_task_failure(self, token: str, error: str | None = None, cause: str | None = None) -> bool:
        branch = self._tokens.pop(token, None)
        if branch is None or self.done:
            return False
        if branch.task_id is not None:
            self._tasks.pop(branch.task_id, None)
        self._guarded(branch, self.token_reported, branch, None, error, cause)
        self._requeue(branch)
        return True

    def send_task_heartbeat(self, token: str) -> bool:
        branch = self._tokens.get(token)
        if branch is None or self.done:
            return False
        self.heartbeat(branch)
        return True

    def abort(self, error: str | None = None, cause: str | None = None) -> None:
        """Stop the execution (StopExecution): ABORTED, every task abandoned."""
        if self.done:
            return
        assert self.root is not None
        self._finish(ExecutionStatus.ABORTED, "ExecutionAborted", None, error, cause)

    # ------------------------------------------------------------------ bookkeeping for _states
    def new_id(self, prefix: str) -> str:
        number = self._next_id
        self._next_id += 1
        return f"{prefix}{number}"

    def event(self, branch: Branch, event_type: str, details: dict[str, Any] | None = None) -> int:
        history = self.history_of(branch)
        event_id = history.add(event_type, branch.last_event, self.clock.now(), details)
        branch.last_event = event_id
        if history is self.history and event_id >= MAX_EVENTS and self.type == "STANDARD":
            self._history_full()
        return event_id

    def history_of(self, branch: Branch) -> History:
        while branch.history is None and branch.parent is not None:
            branch = branch.parent
        return branch.history if branch.history is not None else self.history

    def emit(self, request: TaskRequest, branch: Branch) -> None:
        self._tasks[request.task_id] = branch
        if request.task_token is not None:
            self._tokens[request.task_token] = branch
        self._effects.append(request)

    def forget_task(self, branch: Branch) -> None:
        if branch.task_id is not None:
            self._tasks.pop(branch.task_id, None)
        if branch.task_token is not None:
            self._tokens.pop(branch.task_token, None)

    def set_timer(self, branch: Branch, when: float, kind: str) -> None:
        self._add_timer(when, branch.id, kind)

    def make_runnable(self, branch: Branch) -> None:
        self._runnable.append(branch)

    def register(self, branch: Branch) -> None:
        self._branches[branch.id] = branch

    def unregister(self, branch: Branch) -> None:
        for node in branch.descendants():
            self._branches.pop(node.id, None)
            self.forget_task(node)
            node.phase = Phase.DONE

    def finish_root(self, output: Any) -> None:
        self._finish(ExecutionStatus.SUCCEEDED, "ExecutionSucceeded", output, None, None)

    def fail_root(self, error: str | None, cause: str | None) -> None:
        self._finish(ExecutionStatus.FAILED, "ExecutionFailed", None, error, cause)

    # ------------------------------------------------------------------ internals
    def _add_execution_timer(self) -> None:
        """The timer that times the whole execution out: the machine's TimeoutSeconds, within
        the quota of its type (a year for STANDARD, five minutes for EXPRESS)."""
        limit = max_execution_seconds(self.type)
        timeout = self.machine.timeout_seconds
        if isinstance(timeout, int | float) and not isinstance(timeout, bool) and timeout > 0:
            limit = min(limit, float(timeout))
        self._add_timer(self.start_time + limit, "", "execution")

    def _add_timer(self, when: float, branch_id: str, kind: str) -> None:
        heapq.heappush(self._timers, (when, next(self._timer_seq), branch_id, kind))

    def _timer_valid(self, branch_id: str, kind: str) -> bool:
        if kind == "execution":
            return not self.done
        branch = self._branches.get(branch_id)
        if branch is None:
            return False
        if kind == "heartbeat":
            return branch.phase in (Phase.TASK, Phase.TOKEN) and branch.heartbeat_deadline is not None
        if kind == "timeout":
            return branch.phase in (Phase.TASK, Phase.TOKEN) and branch.deadline is not None
        return branch.phase == kind  # "wait" / "retry"

    def _fire_timers(self) -> None:
        now = self.clock.now()
        while self._timers and self._timers[0][0] <= now and not self.done:
            _, _, branch_id, kind = heapq.heappop(self._timers)
            if not self._timer_valid(branch_id, kind):
                continue
            if kind == "execution":
                self._finish(
                    ExecutionStatus.TIMED_OUT,
                    "ExecutionTimedOut",
                    None,
                    ErrorName.TIMEOUT.value,
                    "The execution timed out.",
                )
                return
            branch = self._branches[branch_id]
            self._guarded(branch, self._fire, branch, kind, now)
            self._requeue(branch)

    def _fire(self, branch: Branch, kind: str, now: float) -> None:
        if kind == "heartbeat":
            if branch.heartbeat_deadline is not None and branch.heartbeat_deadline <= now:
                self.task_timed_out(branch, heartbeat=True)
        elif kind == "timeout":
            if branch.deadline is not None and branch.deadline <= now:
                self.task_timed_out(branch, heartbeat=False)
        elif branch.deadline is not None and branch.deadline <= now:
            self.timer_fired(branch)

    def _guarded(self, branch: Branch, action: Callable[..., None], *args: Any, **kwargs: Any) -> None:
        """Run one step of interpreter logic; a bug in it fails the execution, never the host.

        Every failure AWS defines is a StatesError handled inside the step. Anything else is
        a defect of the interpreter: it is logged with its traceback and the execution fails
        with ``States.Runtime`` naming the state, as AWS reports its own internal errors.
        """
        try:
            action(*args, **kwargs)
        except Exception as exc:
            _log.exception("internal error in state %r of %s", branch.state, self.arn)
            self.fail_root(
                ErrorName.RUNTIME.value,
                f"An internal error occurred while executing the state '{branch.state}': "
                f"{type(exc).__name__}: {exc}",
            )

    def _requeue(self, branch: Branch) -> None:
        """Put a branch an outcome or a timer moved on back on the run queue."""
        if branch.phase in (Phase.ENTER, Phase.RESUME) and self._branches.get(branch.id) is branch:
            self._runnable.append(branch)

    def _history_full(self) -> None:
        self._finish(
            ExecutionStatus.FAILED,
            "ExecutionFailed",
            None,
            ErrorName.RUNTIME.value,
            f"The execution reached the maximum number of history events ({MAX_EVENTS}).",
        )

    def _finish(
        self, status: str, event_type: str, output: Any, error: str | None, cause: str | None
    ) -> None:
        if self.done:
            return
        assert self.root is not None
        self.status = status
        self.output = output
        self.error = error
        self.cause = cause
        self.stop_time = self.clock.now()
        details: dict[str, Any]
        if status == ExecutionStatus.SUCCEEDED:
            details = {"output": dumps_compact(output)}
        else:
            details = {}
            if error is not None:
                details["error"] = error
            if cause is not None:
                details["cause"] = cause
        self.history.add(event_type, self.root.last_event, self.stop_time, details)
        for branch in list(self._branches.values()):
            branch.phase = Phase.DONE
        self._branches.clear()
        self._tasks.clear()
        self._tokens.clear()
        self._runnable.clear()
        self._timers.clear()

    # ------------------------------------------------------------------ persistence
    def snapshot(self) -> dict[str, Any]:
        """The execution as plain JSON; see :meth:`restore`."""
        assert self.root is not None
        return {
            "version": SNAPSHOT_VERSION,
            "type": self.type,
            "status": self.status,
            "input": self.input,
            "output": self.output,
            "error": self.error,
            "cause": self.cause,
            "start_time": self.start_time,
            "stop_time": self.stop_time,
            "execution": self.execution_context,
            "state_machine": self.state_machine_context,
            "history_count": self.history.count,
            "counter": self._next_id,
            "root": self.root.snapshot(),
            "region": self.region,
            "account": self.account,
        }

    @classmethod
    def restore(
        cls,
        machine: Machine,
        snapshot: Mapping[str, Any],
        *,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        object_store: ObjectStore | None = None,
    ) -> Execution:
        """Continue an execution from :meth:`snapshot` (maybe in another process, maybe another sdw).

        A snapshot of an older format is migrated first (sdw.asl._snapshots); one newer
        than this code raises SnapshotVersionError.
        """
        snapshot = upgrade_snapshot(snapshot)
        exe = cls(
            machine,
            snapshot["input"],
            context={"Execution": snapshot["execution"], "StateMachine": snapshot["state_machine"]},
            clock=clock,
            state_machine_type=snapshot["type"],
            rng=rng,
            region=snapshot["region"],
            account=snapshot["account"],
            object_store=object_store,
            _restoring=True,
        )
        exe.execution_context = dict(snapshot["execution"])
        exe.status = snapshot["status"]
        exe.output = snapshot["output"]
        exe.error = snapshot["error"]
        exe.cause = snapshot["cause"]
        exe.start_time = snapshot["start_time"]
        exe.stop_time = snapshot["stop_time"]
        exe.history = History(recording=snapshot["type"] == "STANDARD", count=snapshot["history_count"])
        exe._next_id = snapshot["counter"]
        exe.root = Branch.restore(snapshot["root"], None, machine.machines)
        if exe.done:
            return exe
        exe._add_execution_timer()
        for branch in exe.root.descendants():
            exe.register(branch)
            exe.resume_branch(branch)
        return exe
