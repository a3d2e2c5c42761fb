"""A thread of control in an execution: the top level, a Parallel branch, a Map iteration.

A :class:`Branch` is where one (sub)machine is: which state, in which phase of that
state, with which input, which variables of its own, and how far its retries went.
A branch that is running a Parallel or Map state holds a :class:`Fanout` with its
children. Everything here is plain data so that :meth:`Branch.snapshot` is JSON and
:meth:`Branch.restore` rebuilds the same tree in another process.

Variables live in scopes: a child branch sees its parent's variables (AWS: "a nested
state can reference variables of the outer scope") but its assignments stay in its
own scope and vanish with it. A distributed Map's child executions are separate
executions and see none of the parent's variables.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from sdw.asl._history import History
from sdw.asl._jsonpath import MISSING
from sdw.asl._nodes import Machine

__all__ = ["Branch", "Fanout", "Phase", "VariableView"]


class Phase:
    """Where a branch is within its current state."""

    ENTER = "enter"  # runnable: the state is to be entered
    TASK = "task"  # waiting for a task's outcome
    TOKEN = "token"  # noqa: S105 - a phase name, not a secret; the call returned; waiting for the task token's outcome
    WAIT = "wait"  # a Wait state's timer
    RETRY = "retry"  # a retrier's back-off timer; re-run the state when it fires
    CHILDREN = "children"  # a Parallel or Map runs its children
    RESUME = "resume"  # runnable: the children finished, complete the state
    DONE = "done"  # the branch ended (succeeded or failed)


class Fanout:
    """The children of a Parallel or Map state in progress."""

    __slots__ = (
        "active",
        "effective",
        "failed",
        "failures",
        "items",
        "kind",
        "limit",
        "map_run_arn",
        "next_index",
        "remaining",
        "results",
        "tolerated_count",
        "tolerated_percentage",
    )

    def __init__(
        self,
        kind: str,
        effective: Any,
        size: int,
        *,
        items: list[Any] | None = None,
        limit: int = 0,
        tolerated_count: int | None = None,
        tolerated_percentage: float | None = None,
        map_run_arn: str | None = None,
    ) -> None:
        self.kind = kind
        self.effective = effective
        self.items = items
        self.results: list[Any] = [None] * size
        self.remaining = size
        self.next_index = 0
        self.limit = limit
        self.active: dict[int, Branch] = {}
        self.failed: tuple[str | None, str | None] | None = None
        self.failures = 0
        self.tolerated_count = tolerated_count
        self.tolerated_percentage = tolerated_percentage
        self.map_run_arn = map_run_arn

    def snapshot(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "effective": self.effective,
            "items": self.items,
            "results": self.results,
            "remaining": self.remaining,
            "next_index": self.next_index,
            "limit": self.limit,
            "active": {str(i): b.snapshot() for i, b in self.active.items()},
            "failed": list(self.failed) if self.failed is not None else None,
            "failures": self.failures,
            "tolerated_count": self.tolerated_count,
            "tolerated_percentage": self.tolerated_percentage,
            "map_run_arn": self.map_run_arn,
        }

    @classmethod
    def restore(cls, data: Mapping[str, Any], parent: Branch, machines: Mapping[str, Machine]) -> Fanout:
        fan = cls(
            data["kind"],
            data["effective"],
            len(data["results"]),
            items=data["items"],
            limit=data["limit"],
            tolerated_count=data["tolerated_count"],
            tolerated_percentage=data["tolerated_percentage"],
            map_run_arn=data["map_run_arn"],
        )
        fan.results = list(data["results"])
        fan.remaining = data["remaining"]
        fan.next_index = data["next_index"]
        failed = data["failed"]
        fan.failed = (failed[0], failed[1]) if failed is not None else None
        fan.failures = data["failures"]
        fan.active = {int(i): Branch.restore(b, parent, machines) for i, b in data["active"].items()}
        return fan


class Branch:
    """One thread of control; see the module docstring."""

    __slots__ = (
        "attempts",
        "child_index",
        "data",
        "deadline",
        "effective",
        "entered_event",
        "entered_time",
        "execution",
        "fanout",
        "heartbeat_deadline",
        "heartbeat_seconds",
        "history",
        "id",
        "last_event",
        "machine",
        "origin",
        "parent",
        "phase",
        "state",
        "task_id",
        "task_token",
        "variables",
    )

    def __init__(
        self,
        branch_id: str,
        machine: Machine,
        data: Any,
        *,
        parent: Branch | None = None,
        child_index: int = 0,
        last_event: int = 0,
        history: History | None = None,
        execution: dict[str, Any] | None = None,
    ) -> None:
        self.id = branch_id
        self.machine = machine
        self.parent = parent
        self.child_index = child_index
        self.state = machine.start_at
        self.phase = Phase.ENTER
        self.data = data
        self.variables: dict[str, Any] = {}
        self.entered_event = 0
        self.entered_time = 0.0
        self.last_event = last_event
        self.attempts: list[int] = []
        """Retries so far in the current state, per retrier (reset when a state is entered)."""
        self.effective: Any = None
        self.task_id: str | None = None
        self.task_token: str | None = None
        self.deadline: float | None = None
        self.heartbeat_deadline: float | None = None
        self.heartbeat_seconds: float | None = None
        self.fanout: Fanout | None = None
        self.history = history
        """Set on a distributed Map child: it records into its own history."""
        self.execution = execution
        """Set on a distributed Map child: its own ``$$.Execution`` object, built when first read."""
        self.origin: list[Any] | None = None
        """On a distributed Map child: ``[start time, input]``, what its ``$$.Execution`` is built from."""

    @property
    def retry_count(self) -> int:
        """``$$.State.RetryCount``: the retries of the current state, all retriers together."""
        return sum(self.attempts)

    def lookup(self, name: str) -> Any:
        """A variable's value from this scope or an enclosing one; MISSING when undefined."""
        for branch in self.scopes():
            value = branch.variables.get(name, MISSING)
            if value is not MISSING:
                return value
        return MISSING

    def scopes(self) -> Iterator[Branch]:
        """This branch and those whose variables it can read, innermost first.

        A distributed Map's child executions do not see the parent's variables (pass them
        in with ItemSelector), so the chain stops at a child execution's root.
        """
        branch: Branch | None = self
        while branch is not None:
            yield branch
            if branch.origin is not None:
                return
            branch = branch.parent

    def descendants(self) -> Iterator[Branch]:
        """This branch and every branch below it."""
        yield self
        if self.fanout is not None:
            for child in self.fanout.active.values():
                yield from child.descendants()

    # ------------------------------------------------------------------ persistence
    def snapshot(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "machine": self.machine.pointer,
            "child_index": self.child_index,
            "state": self.state,
            "phase": self.phase,
            "data": self.data,
            "variables": self.variables,
            "entered_event": self.entered_event,
            "entered_time": self.entered_time,
            "last_event": self.last_event,
            "attempts": self.attempts,
            "effective": self.effective,
            "deadline": self.deadline,
            "task": self._task_snapshot(),
            "fanout": self.fanout.snapshot() if self.fanout is not None else None,
            "history": (
                {"count": self.history.count, "recording": self.history.recording}
                if self.history is not None
                else None
            ),
            "execution": self.execution,
            "origin": self.origin,
        }
        return data

    def _task_snapshot(self) -> dict[str, Any] | None:
        task = {
            "id": self.task_id,
            "token": self.task_token,
            "heartbeat_deadline": self.heartbeat_deadline,
            "heartbeat_seconds": self.heartbeat_seconds,
        }
        return task if any(value is not None for value in task.values()) else None

    @classmethod
    def restore(
        cls, data: Mapping[str, Any], parent: Branch | None, machines: Mapping[str, Machine]
    ) -> Branch:
        """The branch of a snapshot in the current format (sdw.asl._snapshots upgrades older ones)."""
        history = None
        if data["history"] is not None:
            history = History(recording=data["history"]["recording"], count=data["history"]["count"])
        branch = cls(
            data["id"],
            machines[data["machine"]],
            data["data"],
            parent=parent,
            child_index=data["child_index"],
            last_event=data["last_event"],
            history=history,
            execution=data["execution"],
        )
        branch.state = data["state"]
        branch.phase = data["phase"]
        branch.variables = dict(data["variables"])
        branch.entered_event = data["entered_event"]
        branch.entered_time = data["entered_time"]
        branch.attempts = list(data["attempts"])
        branch.effective = data["effective"]
        branch.deadline = data["deadline"]
        task = data["task"]
        if task is not None:
            branch.task_id = task["id"]
            branch.task_token = task["token"]
            branch.heartbeat_deadline = task["heartbeat_deadline"]
            branch.heartbeat_seconds = task["heartbeat_seconds"]
        branch.origin = data["origin"]
        if data["fanout"] is not None:
            branch.fanout = Fanout.restore(data["fanout"], branch, machines)
        return branch


class VariableView(Mapping[str, Any]):
    """The variables a branch can read, as a mapping (what JSONata binds as ``$name``)."""

    __slots__ = ("_branch",)

    def __init__(self, branch: Branch) -> None:
        self._branch = branch

    def __getitem__(self, name: str) -> Any:
        value = self._branch.lookup(name)
        if value is MISSING:
            raise KeyError(name)
        return value

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._branch.lookup(name) is not MISSING

    def _names(self) -> set[str]:
        names: set[str] = set()
        for branch in self._branch.scopes():
            names.update(branch.variables)
        return names

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())
