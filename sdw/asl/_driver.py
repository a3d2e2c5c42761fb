"""Running an execution to its end in this process: :func:`execute` and :class:`Interpreter`.

The core (:class:`~sdw.asl._execution.Execution`) never blocks; this module is the
simple host that drives it: it hands task effects to a pool of worker threads, feeds
their outcomes back, and moves time forward. With a :class:`VirtualClock`, when nothing
outside the interpreter is pending (no task running, no task token awaited) the clock
skips straight to the next deadline, so Wait states and retry back-offs cost nothing;
while a task's code runs, time is real, so a TimeoutSeconds on a slow task fires after
the real seconds, and the task's thread is abandoned, not killed, as AWS abandons a
Lambda invocation it stopped waiting for.

Worker threads are daemons: a task that never returns does not keep the process alive.
"""

from __future__ import annotations

import functools
import json
import queue
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sdw.asl._clock import Clock, SystemClock, VirtualClock, to_datetime
from sdw.asl._errors import DefinitionError, ErrorName, StatesError
from sdw.asl._execution import Execution
from sdw.asl._history import History
from sdw.asl._integrations import ServiceInvoker, TaskInvoker, TaskRequest, child_execution_fields
from sdw.asl._lambda import LambdaFunctions
from sdw.asl._map_io import ObjectStore
from sdw.asl._nodes import Machine, compile_machine
from sdw.asl.validate import ensure_valid_definition

__all__ = ["ExecutionResult", "Interpreter", "compile_definition", "execute"]


def compile_definition(definition: Mapping[str, Any], *, state_machine_type: str = "STANDARD") -> Machine:
    """Validate (every problem at once, as DefinitionError) and compile a definition."""
    ensure_valid_definition(definition, state_machine_type=state_machine_type)
    return compile_machine(definition)


@dataclass
class ExecutionResult:
    """How an execution ended; :attr:`history` renders GetExecutionHistory's events on demand."""

    status: str
    output: Any
    error: str | None
    cause: str | None
    execution_arn: str
    start_date: Any = None
    stop_date: Any = None
    events: History = field(default_factory=History, repr=False)

    @property
    def history(self) -> list[dict[str, Any]]:
        return self.events.events()

    @classmethod
    def of(cls, execution: Execution) -> ExecutionResult:
        return cls(
            status=execution.status,
            output=execution.output,
            error=execution.error,
            cause=execution.cause,
            execution_arn=execution.arn,
            start_date=to_datetime(execution.start_time),
            stop_date=to_datetime(execution.stop_time) if execution.stop_time is not None else None,
            events=execution.history,
        )


class _Workers:
    """A growing pool of daemon threads that run task effects."""

    def __init__(
        self, invoker: TaskInvoker, outcomes: queue.SimpleQueue[tuple[Any, ...]], max_workers: int
    ) -> None:
        self._invoker = invoker
        self._outcomes = outcomes
        self._jobs: queue.SimpleQueue[TaskRequest] = queue.SimpleQueue()
        self._max = max_workers
        self._threads = 0
        self._idle = 0
        self._lock = threading.Lock()

    def submit(self, request: TaskRequest) -> None:
        self._jobs.put(request)
        with self._lock:
            if self._idle == 0 and self._threads < self._max:
                self._threads += 1
                threading.Thread(target=self._work, name="sdw-asl-task", daemon=True).start()
            else:
                self._idle = max(0, self._idle - 1)

    def _work(self) -> None:
        while True:
            try:
                request = self._jobs.get(timeout=5.0)
            except queue.Empty:
                with self._lock:
                    self._threads -= 1
                    self._idle = max(0, self._idle - 1)
                return
            self._outcomes.put(self._run(request))
            with self._lock:
                self._idle += 1

    def _run(self, request: TaskRequest) -> tuple[Any, ...]:
        try:
            return ("ok", request.task_id, self._invoker.invoke(request))
        except StatesError as exc:
            return ("err", request.task_id, exc.name, exc.cause)
        except Exception as exc:  # a bug in a host's invoker must not crash the interpreter
            return ("err", request.task_id, ErrorName.TASK_FAILED.value, f"{type(exc).__name__}: {exc}")


class LocalExecutions:
    """The :class:`ExecutionPort` of :class:`Interpreter`: child state machines run in this process.

    ``state_machines`` maps state machine ARNs to definitions. Each child runs on its own
    :class:`Interpreter` (same tasks, same time mode) in a daemon thread, so a
    request-response ``startExecution`` returns at once and ``.sync`` waits for the end.
    """

    def __init__(
        self, state_machines: Mapping[str, Any], make_interpreter: Callable[[], Interpreter]
    ) -> None:
        self._machines = dict(state_machines)
        self._make = make_interpreter
        self._runs: dict[str, tuple[threading.Thread, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def start_execution(
        self, state_machine_arn: str, input: Any, name: str | None, parent_arn: str
    ) -> dict[str, Any]:
        definition = self._machines.get(state_machine_arn)
        if definition is None:
            raise StatesError(
                "StepFunctions.StateMachineDoesNotExistException",
                f"State Machine Does Not Exist: '{state_machine_arn}'",
            )
        if not isinstance(definition, Machine):
            try:
                definition = compile_definition(definition)
            except DefinitionError as exc:
                raise StatesError("StepFunctions.InvalidDefinitionException", str(exc)) from None
            self._machines[state_machine_arn] = definition  # compiled once, not at every start
        machine = definition
        name = name or str(uuid.uuid4())
        arn = state_machine_arn.replace(":stateMachine:", ":execution:", 1) + ":" + name
        context = {
            "Execution": {"Id": arn, "Name": name},
            "StateMachine": {"Id": state_machine_arn, "Name": state_machine_arn.rsplit(":", 1)[-1]},
        }
        box: dict[str, Any] = {"start": datetime.now(UTC), "input": input}

        def target() -> None:
            box["result"] = self._make().run(machine, input, context=context)
            box["stop"] = datetime.now(UTC)

        thread = threading.Thread(target=target, name="sdw-asl-child", daemon=True)
        with self._lock:
            if arn in self._runs:
                raise StatesError(
                    "StepFunctions.ExecutionAlreadyExistsException", f"Execution Already Exists: '{arn}'"
                )
            self._runs[arn] = (thread, box)
        thread.start()
        return {"executionArn": arn, "startDate": _epoch_ms(box["start"])}

    def wait_for_execution(self, execution_arn: str) -> dict[str, Any]:
        thread, box = self._runs[execution_arn]
        thread.join()
        result: ExecutionResult = box["result"]
        prefix, rest = execution_arn.split(":execution:", 1)
        machine, name = rest.rsplit(":", 1)
        compact = functools.partial(json.dumps, separators=(",", ":"), ensure_ascii=False)
        return child_execution_fields(
            execution_arn=execution_arn,
            state_machine_arn=f"{prefix}:stateMachine:{machine}",
            name=name,
            status=result.status,
            input_text=compact(box["input"]),
            output_text=compact(result.output) if result.status == "SUCCEEDED" else None,
            error=result.error,
            cause=result.cause,
            start_ms=_epoch_ms(box["start"]),
            stop_ms=_epoch_ms(box["stop"]),
            express=False,  # in-process children run as STANDARD executions
        )


def _epoch_ms(moment: datetime) -> int:
    """A date as Step Functions' ``.sync`` results give it: epoch milliseconds."""
    return int(moment.timestamp() * 1000)


class Interpreter:
    """Runs executions to completion in-process, with injected tasks, clock and storage.

    One execution at a time per Interpreter (its signals go to the running one);
    ``state_machines`` (ARN -> definition) are the children ``startExecution`` can start.

    >>> Interpreter().run({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, {"a": 1}).output
    {'a': 1}
    """

    def __init__(
        self,
        *,
        tasks: Mapping[str, Callable[[Any, Any], Any]] | None = None,
        invoker: TaskInvoker | None = None,
        virtual_time: bool = True,
        clock: Clock | None = None,
        object_store: ObjectStore | None = None,
        state_machines: Mapping[str, Any] | None = None,
        max_workers: int = 64,
    ) -> None:
        executions = None
        if state_machines:
            executions = LocalExecutions(
                state_machines,
                lambda: Interpreter(
                    tasks=tasks,
                    invoker=invoker,
                    virtual_time=virtual_time,
                    object_store=object_store,
                    state_machines=state_machines,
                    max_workers=max_workers,
                ),
            )
        self.invoker: TaskInvoker = invoker or ServiceInvoker(
            lambdas=LambdaFunctions(tasks or {}), executions=executions
        )
        self.virtual_time = virtual_time
        self._clock = clock
        self.object_store = object_store
        self.max_workers = max_workers
        self._outcomes: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
        self._active: Execution | None = None

    # Thread-safe signals from outside (another thread, a task's own code).
    def send_task_success(self, token: str, output: Any) -> None:
        self._outcomes.put(("token_ok", token, output))

    def send_task_failure(self, token: str, error: str | None = None, cause: str | None = None) -> None:
        self._outcomes.put(("token_err", token, error, cause))

    def send_task_heartbeat(self, token: str) -> None:
        self._outcomes.put(("heartbeat", token))

    def stop(self, error: str | None = None, cause: str | None = None) -> None:
        """Abort the running execution (StopExecution)."""
        self._outcomes.put(("abort", error, cause))

    def run(
        self,
        definition: Mapping[str, Any] | Machine,
        input: Any,
        *,
        context: Mapping[str, Any] | None = None,
        state_machine_type: str = "STANDARD",
    ) -> ExecutionResult:
        machine = (
            definition
            if isinstance(definition, Machine)
            else compile_definition(definition, state_machine_type=state_machine_type)
        )
        clock = self._clock or (VirtualClock() if self.virtual_time else SystemClock())
        execution = Execution(
            machine,
            input,
            context=context,
            clock=clock,
            state_machine_type=state_machine_type,
            object_store=self.object_store,
        )
        self.drive(execution, clock)
        return ExecutionResult.of(execution)

    def drive(self, execution: Execution, clock: Clock) -> None:
        """Advance ``execution`` until it ends (starting it if it was not started)."""
        outcomes = self._outcomes
        workers = _Workers(self.invoker, outcomes, self.max_workers)
        self._active = execution
        if execution.root is not None and execution.root.last_event == 0:
            execution.start()
        while True:
            for request in execution.advance():
                workers.submit(request)
            if execution.done:
                break
            if execution.runnable:
                continue
            deadline = execution.next_deadline
            outside = bool(execution.tasks_in_flight) or execution.awaiting_tokens
            if not outside and deadline is not None and outcomes.empty() and isinstance(clock, VirtualClock):
                clock.skip_to(deadline)
                continue
            wait = None if deadline is None else max(0.0, deadline - clock.now())
            try:
                message = outcomes.get(timeout=wait)
            except queue.Empty:
                continue
            self._apply(execution, message)
            while True:
                try:
                    self._apply(execution, outcomes.get_nowait())
                except queue.Empty:
                    break
        self._active = None

    @staticmethod
    def _apply(execution: Execution, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "ok":
            execution.task_succeeded(message[1], message[2])
        elif kind == "err":
            execution.task_failed(message[1], message[2], message[3])
        elif kind == "token_ok":
            execution.send_task_success(message[1], message[2])
        elif kind == "token_err":
            execution.send_task_failure(message[1], message[2], message[3])
        elif kind == "heartbeat":
            execution.send_task_heartbeat(message[1])
        elif kind == "abort":
            execution.abort(message[1], message[2])


def execute(
    definition: Mapping[str, Any],
    input: Any,
    *,
    tasks: Mapping[str, Callable[[Any, Any], Any]] | None = None,
    context: Mapping[str, Any] | None = None,
    state_machine_type: str = "STANDARD",
    virtual_time: bool = True,
    invoker: TaskInvoker | None = None,
    object_store: ObjectStore | None = None,
    state_machines: Mapping[str, Any] | None = None,
) -> ExecutionResult:
    """Run ``definition`` on ``input`` to its end and return the result.

    ``tasks`` maps Lambda function names or ARNs to ``handler(event, context)``
    callables; ``state_machines`` maps state machine ARNs to the definitions that
    ``arn:aws:states:::states:startExecution`` tasks may start. Raises
    :class:`DefinitionError` (every problem, located) for an invalid definition;
    every run-time failure is in the result, never raised.

    >>> execute({"StartAt": "S", "States": {"S": {"Type": "Succeed"}}}, [1]).status
    'SUCCEEDED'
    """
    interpreter = Interpreter(
        tasks=tasks,
        invoker=invoker,
        virtual_time=virtual_time,
        object_store=object_store,
        state_machines=state_machines,
    )
    return interpreter.run(definition, input, context=context, state_machine_type=state_machine_type)
