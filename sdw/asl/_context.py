"""The context object (``$$`` in JSONPath, ``$states.context`` in JSONata) and evaluation scopes.

AWS's context object::

    Execution    Id, Input, Name, RoleArn, StartTime, RedriveCount
    StateMachine Id, Name
    State        Name, EnteredTime, and RetryCount in Task, Parallel and Map states
    Task         Token (only while a .waitForTaskToken task is being called)
    Map.Item     Index, Value (only while a Map's ItemSelector is evaluated)

It is built only when an expression reads it, since most states never do.
:class:`StateEnv` is what a state's I/O processing evaluates against: the JSONPath
:class:`Scope` for any document, the ``$states`` object for JSONata, the variables.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from typing import Any

from sdw.asl._branch import Branch, VariableView
from sdw.asl._errors import ErrorName, StatesError
from sdw.asl._jsonpath import MISSING
from sdw.asl._payload import Scope
from sdw.asl._timestamps import format_timestamp

__all__ = ["StateEnv"]

_RETRY_COUNT_TYPES = frozenset({"Task", "Parallel", "Map"})


class StateEnv:
    """The evaluation environment of one visit of one state by one branch."""

    __slots__ = (
        "_branch",
        "_context",
        "_rng",
        "_state_type",
        "execution",
        "map_item",
        "now",
        "state_machine",
    )

    def __init__(
        self,
        branch: Branch,
        state_type: str,
        *,
        execution: Callable[[], Mapping[str, Any]],
        state_machine: Mapping[str, Any],
        rng: random.Random | None,
        now: float,
        map_item: tuple[int, Any] | None = None,
    ) -> None:
        self._branch = branch
        self._state_type = state_type
        self.execution = execution
        self.state_machine = state_machine
        self._rng = rng
        self.now = now
        self.map_item = map_item
        self._context: dict[str, Any] | None = None

    def context(self) -> dict[str, Any]:
        if self._context is None:
            branch = self._branch
            state: dict[str, Any] = {
                "EnteredTime": format_timestamp(branch.entered_time),
                "Name": branch.state,
            }
            if self._state_type in _RETRY_COUNT_TYPES:
                state["RetryCount"] = branch.retry_count
            context: dict[str, Any] = {
                "Execution": dict(self.execution()),
                "StateMachine": dict(self.state_machine),
                "State": state,
            }
            if branch.task_token is not None:
                context["Task"] = {"Token": branch.task_token}
            if self.map_item is not None:
                context["Map"] = {"Item": {"Index": self.map_item[0], "Value": self.map_item[1]}}
            self._context = context
        return self._context

    def scope(self, doc: Any) -> Scope:
        return _Scope(doc, self)

    def states(self, **fields: Any) -> dict[str, Any]:
        fields["context"] = self.context()
        return fields

    @property
    def variables(self) -> Mapping[str, Any]:
        return VariableView(self._branch)

    @property
    def now_ms(self) -> int:
        return int(self.now * 1000)

    @property
    def rng(self) -> random.Random | None:
        return self._rng

    def variable(self, name: str) -> Any:
        value = self._branch.lookup(name)
        if value is MISSING:
            raise StatesError(ErrorName.RUNTIME, f"The variable '${name}' is not defined.")
        return value


class _Scope:
    """A JSONPath scope: ``$`` is ``input``; ``$$`` and variables come from the environment."""

    __slots__ = ("_env", "input")

    def __init__(self, doc: Any, env: StateEnv) -> None:
        self.input = doc
        self._env = env

    def context(self) -> dict[str, Any]:
        return self._env.context()

    def variable(self, name: str) -> Any:
        return self._env.variable(name)

    @property
    def rng(self) -> random.Random | None:
        return self._env.rng
