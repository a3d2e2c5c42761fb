"""Building blocks for the interpreter's unit tests: a manual clock and a synchronous host.

The steppable :class:`Execution` is driven here without threads: each task effect is
answered at once by a plain function (``handler(request) -> result``, raising
StatesError to fail), and when the execution only waits for a timer the manual clock
jumps to it. So tests control time and outcomes completely and do no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sdw.asl import Execution, StatesError, TaskRequest, compile_definition

Handler = Callable[[TaskRequest], Any]


class ManualClock:
    """A clock that only moves when told to."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.time = start

    def now(self) -> float:
        return self.time

    def advance(self, seconds: float) -> None:
        self.time += seconds


def pass_end(**fields: Any) -> dict[str, Any]:
    return {"Type": "Pass", "End": True, **fields}


def chain(*states: tuple[str, dict[str, Any]], **top: Any) -> dict[str, Any]:
    """A definition whose states run in the given order (each gets Next/End)."""
    built: dict[str, Any] = {}
    for index, (name, state) in enumerate(states):
        state = dict(state)
        terminal = state["Type"] in ("Succeed", "Fail", "Choice")
        if not terminal and "Next" not in state and "End" not in state:
            if index + 1 < len(states):
                state["Next"] = states[index + 1][0]
            else:
                state["End"] = True
        built[name] = state
    return {"StartAt": states[0][0], "States": built, **top}


def start(definition: dict[str, Any], data: Any = None, **kwargs: Any) -> tuple[Execution, ManualClock]:
    clock = ManualClock()
    machine = compile_definition(definition, state_machine_type=kwargs.get("state_machine_type", "STANDARD"))
    execution = Execution(machine, {} if data is None else data, clock=clock, **kwargs)
    execution.start()
    return execution, clock


def answer(execution: Execution, request: TaskRequest, handler: Handler | None) -> None:
    """Report one task's outcome from ``handler`` (identity when None)."""
    try:
        result = request.parameters if handler is None else handler(request)
    except StatesError as exc:
        execution.task_failed(request.task_id, exc.name, exc.cause)
    else:
        execution.task_succeeded(request.task_id, result)


def drive(
    execution: Execution, clock: ManualClock, handler: Handler | None = None, *, max_rounds: int = 10_000
) -> None:
    """Run to the end: answer every effect at once, jump the clock to each timer."""
    for _ in range(max_rounds):
        for request in execution.advance():
            answer(execution, request, handler)
        if execution.done:
            return
        if execution.runnable:
            continue
        deadline = execution.next_deadline
        assert deadline is not None, "the execution is stuck"
        clock.time = max(clock.time, deadline)
    raise AssertionError("the execution did not end")


def run(
    definition: dict[str, Any], data: Any = None, handler: Handler | None = None, **kwargs: Any
) -> Execution:
    execution, clock = start(definition, data, **kwargs)
    drive(execution, clock, handler)
    return execution


def event_types(execution: Execution) -> list[str]:
    return [event["type"] for event in execution.history.events()]


def round_trip(execution: Execution, clock: ManualClock) -> Execution:
    """Persist through JSON text and restore, as a host would across processes."""
    snapshot = json.loads(json.dumps(execution.snapshot()))
    return Execution.restore(execution.machine, snapshot, clock=clock)
