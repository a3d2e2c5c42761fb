"""The life of a state in a branch: enter, run, exit, fail, retry, catch.

:class:`Lifecycle` is the part of the interpreter common to every state type; the
state types themselves are mixins on top of it (:mod:`sdw.asl._states` for Pass,
Choice, Wait, Succeed and Fail, :mod:`sdw.asl._task_state` for Task,
:mod:`sdw.asl._fanout` for Parallel and Map), and
:class:`~sdw.asl._execution.Execution` supplies the scheduling and bookkeeping they
call (:meth:`event`, :meth:`emit`, :meth:`set_timer`...).

Event sequences follow GetExecutionHistory:

    Pass/Choice/Succeed/Wait  <Type>StateEntered, <Type>StateExited
    Fail                      FailStateEntered (then the branch fails)
    Task (function ARN)       TaskStateEntered, LambdaFunctionScheduled, ...Started,
                              ...Succeeded|Failed|TimedOut, TaskStateExited
    Task (integration)        TaskStateEntered, TaskScheduled, TaskStarted,
                              TaskSucceeded|Failed|TimedOut, TaskStateExited
    Parallel                  ParallelStateEntered, ParallelStateStarted, <branches>,
                              ParallelStateSucceeded|Failed, ParallelStateExited
    Map (inline)              MapStateEntered, MapStateStarted, MapIterationStarted,
                              <iteration>, MapIterationSucceeded|Failed, ...,
                              MapStateSucceeded|Failed, MapStateExited

A failure that a Catch handles still exits the state (``TaskStateExited``), which is
why the recorded ``entered at the event id #13`` of a Fallback state counts it. A retry
re-runs the state without entering it again.

Causes of failures the interpreter raises while processing a state (``States.Runtime``,
``States.QueryEvaluationError``, ``States.IntrinsicFailure``) start as AWS's do:
``An error occurred while executing the state 'X' (entered at the event id #N).``
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sdw.asl._branch import Branch, Phase
from sdw.asl._clock import Clock
from sdw.asl._context import StateEnv
from sdw.asl._errors import ErrorName, StatesError
from sdw.asl._history import History
from sdw.asl._integrations import TaskRequest
from sdw.asl._map_io import ObjectStore
from sdw.asl._nodes import Dynamic, State, TaskState
from sdw.asl._payload import dumps_compact, resolve_path
from sdw.asl._variables import check_assignment

__all__ = [
    "MAX_EXPRESS_SECONDS",
    "MAX_PAYLOAD_BYTES",
    "MAX_STANDARD_SECONDS",
    "Lifecycle",
    "is_long",
    "java_text",
    "located",
    "max_execution_seconds",
    "too_big",
]

MAX_PAYLOAD_BYTES = 262_144
"""Step Functions quota: 256 KiB per state input or output."""
MAX_STANDARD_SECONDS = 365 * 24 * 3600.0
"""Step Functions quota: a standard execution runs at most a year."""
MAX_EXPRESS_SECONDS = 300.0
"""Step Functions quota: an express execution runs at most five minutes."""


def max_execution_seconds(state_machine_type: str) -> float:
    """How long an execution of this type can live (the quota, whatever its TimeoutSeconds)."""
    return MAX_EXPRESS_SECONDS if state_machine_type == "EXPRESS" else MAX_STANDARD_SECONDS

_PREFIXED = frozenset(
    {ErrorName.RUNTIME.value, ErrorName.QUERY_EVALUATION_ERROR.value, ErrorName.INTRINSIC_FAILURE.value}
)


_RUNNERS = {
    "Pass": "_run_pass",
    "Choice": "_run_choice",
    "Wait": "_run_wait",
    "Succeed": "_run_succeed",
    "Fail": "_run_fail",
    "Task": "_run_task",
    "Parallel": "_run_parallel",
    "Map": "_run_map",
}


def too_big(text: str) -> bool:
    """Whether a serialised payload is over the 256 KiB quota (UTF-8 bytes)."""
    return len(text) > MAX_PAYLOAD_BYTES and len(text.encode()) > MAX_PAYLOAD_BYTES


def is_long(value: Any) -> bool:
    """An integer that AWS's Java side reads as a ``long`` (a boolean is not one).

    A wider integer (``10**400`` in an input) is not a number of seconds AWS can use; it
    is refused with the state's own message rather than overflowing ``float()``.
    """
    return type(value) is int and -(2**63) <= value < 2**63


def java_text(value: Any) -> str:
    """A value as AWS prints it after ``==`` in its messages: strings bare, JSON otherwise."""
    if isinstance(value, str):
        return value
    return dumps_compact(value)


def located(node: State, branch: Branch, cause: str | None) -> str:
    """AWS's prefix for failures raised while processing a state."""
    return (
        f"An error occurred while executing the state '{node.name}' "
        f"(entered at the event id #{branch.entered_event}). {cause or ''}"
    ).rstrip()


class Lifecycle:
    """What every state does; mixed into :class:`~sdw.asl._execution.Execution`."""

    # provided by Execution
    clock: Clock
    rng: random.Random
    region: str
    account: str
    execution_context: dict[str, Any]
    state_machine_context: dict[str, Any]
    root: Branch | None
    object_store: ObjectStore | None
    on_child_history: Any
    type: str  # STANDARD or EXPRESS
    start_time: float

    if TYPE_CHECKING:  # supplied by Execution (scheduling and bookkeeping)

        def event(self, branch: Branch, event_type: str, details: dict[str, Any] | None = None) -> int: ...

        def history_of(self, branch: Branch) -> History: ...

        def emit(self, request: TaskRequest, branch: Branch) -> None: ...

        def forget_task(self, branch: Branch) -> None: ...

        def set_timer(self, branch: Branch, when: float, kind: str) -> None: ...

        def make_runnable(self, branch: Branch) -> None: ...

        def register(self, branch: Branch) -> None: ...

        def unregister(self, branch: Branch) -> None: ...

        def finish_root(self, output: Any) -> None: ...

        def fail_root(self, error: str | None, cause: str | None) -> None: ...

        def new_id(self, prefix: str) -> str: ...

    # ------------------------------------------------------------------ entry points
    def step(self, branch: Branch) -> None:
        """Run one transition of a runnable branch (enter its state, or complete a fan-out)."""
        node = branch.machine.states[branch.state]
        try:
            if branch.phase == Phase.RESUME:
                self._resume_fanout(branch, node)
            else:
                self._enter(branch, node)
        except StatesError as err:
            self.state_error(branch, node, err)

    def env(self, branch: Branch, node: State, map_item: tuple[int, Any] | None = None) -> StateEnv:
        return StateEnv(
            branch,
            node.type,
            execution=lambda: self._execution_of(branch),  # built only if $$ is read
            state_machine=self.state_machine_context,
            rng=self.rng,
            now=self.clock.now(),
            map_item=map_item,
        )

    def _execution_of(self, branch: Branch) -> Mapping[str, Any]:
        current: Branch | None = branch
        while current is not None:
            if current.origin is not None and current.execution is None:
                current.execution = self.child_execution(current)
            if current.execution is not None:
                return current.execution
            current = current.parent
        return self.execution_context

    def _enter(self, branch: Branch, node: State) -> None:
        branch.entered_time = self.clock.now()
        branch.attempts = [0] * len(node.retriers)
        history = self.history_of(branch)
        details = {"name": node.name, "input": dumps_compact(branch.data)} if history.recording else None
        entered = "FailStateEntered" if node.type == "Fail" else f"{node.type}StateEntered"
        branch.entered_event = self.event(branch, entered, details)
        if branch.phase == Phase.DONE:  # the history quota ended the execution
            return
        self._run(branch, node)

    def _run(self, branch: Branch, node: State) -> None:
        getattr(self, _RUNNERS[node.type])(branch, node)

    # ------------------------------------------------------------------ exits and failures
    def exit_state(
        self, branch: Branch, node: State, output: Any, assigned: dict[str, Any] | None, next_name: str | None
    ) -> None:
        text = dumps_compact(output)
        if too_big(text):
            raise StatesError(
                ErrorName.DATA_LIMIT_EXCEEDED,
                f"The state/task '{node.name}' returned a result with a size exceeding the maximum number of "
                "bytes service limit.",
            )
        details: dict[str, Any] | None = None
        if self.history_of(branch).recording:
            details = {"name": node.name, "output": text}
        if assigned:
            check_assignment(assigned, branch)
            branch.variables.update(assigned)
            if details is not None:
                details["assignedVariables"] = {k: dumps_compact(v) for k, v in assigned.items()}
                details["assignedVariablesDetails"] = {"truncated": False}
        self.event(branch, f"{node.type}StateExited", details)
        if branch.phase == Phase.DONE:
            return
        branch.effective = None
        if next_name is None:
            self.branch_succeeded(branch, output)
        else:
            branch.state = next_name
            branch.data = output
            branch.phase = Phase.ENTER

    def state_error(self, branch: Branch, node: State, err: StatesError) -> None:
        cause = located(node, branch, err.cause) if err.name in _PREFIXED else err.cause
        self.handle_failure(branch, node, err.name, cause)

    def handle_failure(self, branch: Branch, node: State, error: str | None, cause: str | None) -> None:
        """Retry, catch, or fail the branch, in AWS's order."""
        if branch.phase == Phase.DONE:
            return
        for index, retrier in enumerate(node.retriers):
            if retrier.matches(error):
                if index < len(branch.attempts) and branch.attempts[index] < retrier.max_attempts:
                    delay = retrier.delay(branch.attempts[index], self.rng)
                    branch.attempts[index] += 1
                    branch.phase = Phase.RETRY
                    branch.deadline = self.clock.now() + delay
                    self.set_timer(branch, branch.deadline, Phase.RETRY)
                    return
                break
        for catcher in node.catchers:
            if catcher.matches(error):
                error_output: dict[str, Any] = {"Error": error} if error is not None else {}
                if cause is not None:
                    error_output["Cause"] = cause
                try:
                    env = self.env(branch, node)
                    output, assigned = catcher.io.finish(branch.data, error_output, env, error_output=True)
                    self.exit_state(branch, node, output, assigned, catcher.next)
                except StatesError as err:
                    # A failing Catch cannot be caught again: the branch fails.
                    inner = located(node, branch, err.cause) if err.name in _PREFIXED else err.cause
                    self.branch_failed(branch, err.name, inner)
                return
        self.branch_failed(branch, error, cause)

    def branch_succeeded(self, branch: Branch, output: Any) -> None:
        branch.phase = Phase.DONE
        if branch is self.root:
            self.finish_root(output)
            return
        self._child_done(branch, True, output, None, None)

    def branch_failed(self, branch: Branch, error: str | None, cause: str | None) -> None:
        branch.phase = Phase.DONE
        self.forget_task(branch)
        if branch is self.root:
            self.fail_root(error, cause)
            return
        self._child_done(branch, False, None, error, cause)

    # ------------------------------------------------------------------ timers and resume
    def timer_fired(self, branch: Branch) -> None:
        node = branch.machine.states[branch.state]
        branch.deadline = None
        try:
            if branch.phase == Phase.WAIT:
                output, assigned = branch.effective
                self.exit_state(branch, node, output, assigned, node.next)
            elif branch.phase == Phase.RETRY:
                branch.phase = Phase.ENTER
                self._run(branch, node)
        except StatesError as err:
            self.state_error(branch, node, err)

    def resume_branch(self, branch: Branch) -> None:
        """After a restore: put the branch back on the queue, its timers and tasks back in flight."""
        phase = branch.phase
        if phase in (Phase.ENTER, Phase.RESUME):
            self.make_runnable(branch)
        elif phase in (Phase.WAIT, Phase.RETRY) and branch.deadline is not None:
            self.set_timer(branch, branch.deadline, phase)
        elif phase in (Phase.TASK, Phase.TOKEN):
            node = branch.machine.states[branch.state]
            assert isinstance(node, TaskState)
            # At-least-once: the call may or may not have happened before the snapshot.
            self._issue(branch, node, None, None, new_events=False)

    def dynamic_value(
        self, field: Dynamic, env: StateEnv, raw: Any, doc: Any, expected_type: str | None
    ) -> Any:
        """A literal, JSONata or ``...Path`` field's value (JSONata reads ``raw``, the path ``doc``).

        A path that does not resolve raises PathNotFoundError; the caller words AWS's message.
        """
        if field.expression is not None:
            return field.expression.evaluate(
                env.states(input=raw),
                env.variables,
                field=field.name,
                expected_type=expected_type,
                now_ms=env.now_ms,
            )
        if field.path is not None:
            return resolve_path(field.path, env.scope(doc))
        return field.constant

    # ------------------------------------------------------------------ provided by the state mixins
    if TYPE_CHECKING:

        def _issue(
            self,
            branch: Branch,
            node: TaskState,
            timeout: float | None,
            heartbeat: float | None,
            *,
            new_events: bool,
        ) -> None: ...

        def _child_done(
            self, child: Branch, ok: bool, output: Any, error: str | None, cause: str | None
        ) -> None: ...

        def _resume_fanout(self, branch: Branch, node: State) -> None: ...

        def child_execution(self, child: Branch) -> dict[str, Any]: ...
