"""Parallel and Map: states that run child branches and gather their results.

Children are :class:`~sdw.asl._branch.Branch` objects on the execution's run queue,
so they run concurrently with each other (and with their tasks in flight), up to
``MaxConcurrency``: AWS runs at most 40 inline Map iterations at once and 10,000 child
executions of a distributed Map, which are the limits when none is given.

A Parallel fails with the first branch failure (the others are abandoned). An inline
Map likewise fails with the first iteration's failure. A distributed Map counts
failures against ``ToleratedFailureCount`` / ``ToleratedFailurePercentage`` and fails
with ``States.ExceedToleratedFailureThreshold`` past them; its iterations are child
executions recording into their own :class:`~sdw.asl._history.History` (handed to
``on_child_history`` and then dropped), so the parent's history only holds
``MapRunStarted`` / ``MapRunSucceeded`` and a 100,000-item Map keeps neither 100,000
histories in memory nor hits the parent's 25,000-event quota.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from sdw.asl._branch import Branch, Fanout, Phase
from sdw.asl._context import StateEnv
from sdw.asl._errors import ErrorName, PathNotFoundError, StatesError
from sdw.asl._history import History
from sdw.asl._io import Template
from sdw.asl._lifecycle import Lifecycle, java_text
from sdw.asl._map_io import batch_items, read_items, write_results
from sdw.asl._nodes import Dynamic, ItemBatcher, MapState, ParallelState, State
from sdw.asl._payload import dumps_compact, resolve_path
from sdw.asl._timestamps import format_timestamp

__all__ = ["FanoutStates"]

_INLINE_DEFAULT_CONCURRENCY = 40  # AWS runs at most 40 inline Map iterations at once
_DISTRIBUTED_DEFAULT_CONCURRENCY = 10_000  # and 10,000 child executions of a distributed Map


class FanoutStates(Lifecycle):
    # ------------------------------------------------------------------ Parallel and Map
    def _start_child(self, parent: Branch, fan: Fanout, index: int, machine: Any, data: Any) -> Branch:
        child = Branch(
            self.new_id("b"), machine, data, parent=parent, child_index=index, last_event=parent.last_event
        )
        fan.active[index] = child
        self.register(child)
        self.make_runnable(child)
        return child

    def _run_parallel(self, branch: Branch, node: State) -> None:
        assert isinstance(node, ParallelState)
        env = self.env(branch, node)
        effective = node.io.effective_input(branch.data, env)
        self.event(branch, "ParallelStateStarted")
        fan = Fanout("parallel", effective, len(node.branches))
        branch.fanout = fan
        branch.phase = Phase.CHILDREN
        for index, machine in enumerate(node.branches):
            self._start_child(branch, fan, index, machine, effective)
        if not node.branches:
            branch.phase = Phase.RESUME

    def _run_map(self, branch: Branch, node: State) -> None:
        assert isinstance(node, MapState)
        env = self.env(branch, node)
        raw = branch.data
        effective = node.io.effective_input(raw, env)
        items = self._map_items(node, env, raw, effective)
        limit = self._map_int(node.max_concurrency, env, raw, effective, minimum=0) or 0
        default_limit = _DISTRIBUTED_DEFAULT_CONCURRENCY if node.distributed else _INLINE_DEFAULT_CONCURRENCY
        limit = min(limit, default_limit) if limit else default_limit
        tolerated_count = self._map_int(node.tolerated_count, env, raw, effective, minimum=0)
        tolerated_pct = self._map_percentage(node.tolerated_percentage, env, raw, effective)
        if node.item_batcher is not None:
            items = self._batch(node.item_batcher, env, raw, effective, items)
        map_run_arn = None
        self.event(branch, "MapStateStarted", {"length": len(items)})
        if node.distributed:
            label = node.label or node.name
            map_run_arn = (
                f"arn:aws:states:{self.region}:{self.account}:mapRun:"
                f"{self.state_machine_context['Name']}/{label}:{uuid.uuid4()}"
            )
            self.event(branch, "MapRunStarted", {"mapRunArn": map_run_arn})
        fan = Fanout(
            "map",
            effective,
            len(items),
            items=items,
            limit=limit,
            tolerated_count=tolerated_count,
            tolerated_percentage=tolerated_pct,
            map_run_arn=map_run_arn,
        )
        branch.fanout = fan
        branch.phase = Phase.CHILDREN
        try:
            self._start_iterations(branch, node, fan)
        except StatesError:  # an ItemSelector failed: the Map fails, its started iterations stop
            self._abandon_children(fan)
            branch.fanout = None
            raise
        if not items:
            branch.phase = Phase.RESUME

    def _map_items(self, node: MapState, env: StateEnv, raw: Any, effective: Any) -> list[Any]:
        if node.item_reader is not None:
            params = node.item_reader.arguments.evaluate(env, raw, effective)
            return read_items(
                self.object_store, node.item_reader.spec, params if isinstance(params, dict) else {}
            )
        if node.jsonata:
            states = env.states(input=raw)
            if node.items_expression is not None:
                value = node.items_expression.evaluate(
                    states, env.variables, field="Items", expected_type="array", now_ms=env.now_ms
                )
            elif node.items is not None:
                value = node.items.evaluate(states, env.variables, field="Items", now_ms=env.now_ms)
            else:
                value = raw
        elif node.items_path is not None:
            try:
                value = resolve_path(node.items_path, env.scope(effective))
            except PathNotFoundError as exc:
                raise StatesError(ErrorName.RUNTIME, str(exc)) from None
        else:
            value = effective
        if not isinstance(value, list):
            # AWS's words, recorded for a JSONata Map whose input is its items (LocalStack's
            # test_map_state_items_input_types); a JSONPath Map's ItemsPath (or input) gets the
            # same sentence under States.Runtime, the error of its other path failures.
            raise StatesError(
                ErrorName.RUNTIME if not node.jsonata else ErrorName.QUERY_EVALUATION_ERROR,
                f"Map state input must be an array but was: {dumps_compact(value)}",
            )
        return value

    def _map_number(self, field: Dynamic, env: StateEnv, raw: Any, effective: Any, *, integer: bool) -> Any:
        """MaxConcurrency, ToleratedFailure*, ItemBatcher limits: literal, JSONata or a path.

        A path may point at a numeric string (AWS reads ``"1"`` from a variable as 1).
        """
        try:
            value = self.dynamic_value(field, env, raw, effective, "integer" if integer else "number")
        except PathNotFoundError as exc:
            raise StatesError(ErrorName.RUNTIME, str(exc)) from None
        if field.path is not None:
            number = _as_int(value) if integer else _as_number(value)
            if number is None:
                raise StatesError(
                    ErrorName.RUNTIME,
                    f'The {field.path_name} field refers to value "{java_text(value)}" which is not a valid '
                    f"{'integer' if integer else 'number'}: {field.path.text}",
                )
            value = number
        return value

    def _map_int(
        self, field: Dynamic, env: StateEnv, raw: Any, effective: Any, *, minimum: int
    ) -> int | None:
        if not field.present:
            return None
        value = self._map_number(field, env, raw, effective, integer=True)
        if not isinstance(value, int) or isinstance(value, bool):
            raise StatesError(ErrorName.RUNTIME, f"{field.name} must be an integer.")
        if value < minimum:
            raise StatesError(ErrorName.RUNTIME, f"{field.name} cannot be negative.")
        return value

    def _map_percentage(self, field: Dynamic, env: StateEnv, raw: Any, effective: Any) -> float | None:
        if not field.present:
            return None
        value = self._map_number(field, env, raw, effective, integer=False)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= float(value) <= 100:
            raise StatesError(ErrorName.RUNTIME, f"{field.name} must be a number between 0 and 100.")
        return float(value)

    def _batch(
        self, batcher: ItemBatcher, env: StateEnv, raw: Any, effective: Any, items: list[Any]
    ) -> list[Any]:
        max_items = self._map_int(batcher.max_items, env, raw, effective, minimum=1)
        max_bytes = self._map_int(batcher.max_bytes, env, raw, effective, minimum=1)
        batch_input = None
        if batcher.batch_input is not None:
            batch_input = batcher.batch_input.evaluate(env, raw, effective)
        return batch_items(items, max_items, max_bytes, batch_input)

    def _start_iterations(self, branch: Branch, node: MapState, fan: Fanout) -> None:
        items = fan.items or []
        assert node.processor is not None
        while fan.next_index < len(items) and len(fan.active) < fan.limit and fan.failed is None:
            index = fan.next_index
            fan.next_index += 1
            item = items[index]
            if node.item_selector is not None:
                env = self.env(branch, node, map_item=(index, item))
                data = node.item_selector.evaluate(env, branch.data, fan.effective)
            else:
                data = item
            child = self._start_child(branch, fan, index, node.processor, data)
            if node.distributed:
                # A child's history is only kept for a host that asked for it (on_child_history).
                recording = (
                    node.execution_type == "STANDARD"
                    and self.history_of(branch).recording
                    and self.on_child_history is not None
                )
                child.history = History(recording=recording)
                now = self.clock.now()
                child.origin = [now, data]  # its $$.Execution is built when first read
                child.last_event = child.history.add(
                    "ExecutionStarted", 0, now, {"input": dumps_compact(data)} if recording else None
                )
            else:
                self.event(child, "MapIterationStarted", {"name": node.name, "index": index})

    def child_execution(self, child: Branch) -> dict[str, Any]:
        """A distributed Map child's ``$$.Execution``: its own id and name under the Map Run."""
        assert child.origin is not None and child.parent is not None and child.parent.fanout is not None
        started, data = child.origin
        name = str(uuid.uuid4())
        return {
            "Id": f"{child.parent.fanout.map_run_arn}:{name}",
            "Input": data,
            "Name": name,
            "RoleArn": self.execution_context.get("RoleArn"),
            "StartTime": format_timestamp(started),
            "RedriveCount": 0,
        }

    def _child_done(self, child: Branch, ok: bool, output: Any, error: str | None, cause: str | None) -> None:
        parent = child.parent
        assert parent is not None and parent.fanout is not None
        fan = parent.fanout
        node = parent.machine.states[parent.state]
        index = child.child_index
        distributed = isinstance(node, MapState) and node.distributed
        if fan.kind == "map":
            if distributed:
                history = child.history
                assert history is not None
                if ok:
                    history.add(
                        "ExecutionSucceeded",
                        child.last_event,
                        self.clock.now(),
                        {"output": dumps_compact(output)} if history.recording else None,
                    )
                else:
                    details = {k: v for k, v in (("error", error), ("cause", cause)) if v is not None}
                    history.add("ExecutionFailed", child.last_event, self.clock.now(), details)
                if self.on_child_history is not None:
                    self.on_child_history(fan.map_run_arn, index, history)
            else:
                kind = "MapIterationSucceeded" if ok else "MapIterationFailed"
                self.event(child, kind, {"name": node.name, "index": index})
                parent.last_event = child.last_event
        else:
            parent.last_event = max(parent.last_event, child.last_event)
        fan.active.pop(index, None)
        self.unregister(child)
        if ok:
            fan.results[index] = output
            fan.remaining -= 1
        elif distributed:
            fan.failures += 1
            fan.results[index] = {k: v for k, v in (("Error", error), ("Cause", cause)) if v is not None}
            fan.remaining -= 1
            if self._threshold_exceeded(fan):
                fan.failed = (
                    ErrorName.EXCEED_TOLERATED_FAILURE_THRESHOLD.value,
                    "The specified tolerated failure threshold was exceeded",
                )
        elif fan.failed is None:
            fan.failed = (error, cause)
        if fan.failed is None and isinstance(node, MapState):
            try:
                self._start_iterations(parent, node, fan)
            except StatesError as err:
                fan.failed = (err.name, err.cause)
        if fan.failed is not None:
            self._abandon_children(fan)
        if fan.remaining == 0 or fan.failed is not None:
            parent.phase = Phase.RESUME
            self.make_runnable(parent)

    def _abandon_children(self, fan: Fanout) -> None:
        """Stop the children still running: a failure has decided the state's outcome."""
        for other in list(fan.active.values()):
            self.unregister(other)
        fan.active.clear()

    @staticmethod
    def _threshold_exceeded(fan: Fanout) -> bool:
        total = len(fan.results)
        if fan.tolerated_percentage is not None and total:
            if fan.failures * 100.0 / total > fan.tolerated_percentage:
                return True
            if fan.tolerated_count is None:
                return False
        return fan.failures > (fan.tolerated_count or 0)

    def _resume_fanout(self, branch: Branch, node: State) -> None:
        fan = branch.fanout
        assert fan is not None
        branch.fanout = None
        is_map = fan.kind == "map"
        distributed = isinstance(node, MapState) and node.distributed
        if fan.failed is not None:
            error, cause = fan.failed
            if distributed:
                self.event(
                    branch, "MapRunFailed", {k: v for k, v in (("error", error), ("cause", cause)) if v}
                )
            self.event(branch, "MapStateFailed" if is_map else "ParallelStateFailed")
            if branch.phase == Phase.DONE:
                return
            self.handle_failure(branch, node, error, cause)
            return
        result: Any = fan.results
        if distributed:
            self.event(branch, "MapRunSucceeded")
        self.event(branch, "MapStateSucceeded" if is_map else "ParallelStateSucceeded")
        if branch.phase == Phase.DONE:
            return
        if isinstance(node, MapState) and node.result_writer is not None:
            result = self._write_results(branch, node, node.result_writer, fan)
        env = self.env(branch, node)
        output, assigned = node.io.finish(branch.data, result, env)
        self.exit_state(branch, node, output, assigned, node.next)

    def _write_results(self, branch: Branch, node: MapState, writer: Template, fan: Fanout) -> Any:
        params = writer.evaluate(self.env(branch, node), branch.data, fan.effective)
        succeeded: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        for index, value in enumerate(fan.results):
            row = {
                "Input": json.dumps(fan.items[index] if fan.items else None),
                "Output": json.dumps(value),
            }
            is_error = isinstance(value, dict) and "Error" in value and set(value) <= {"Error", "Cause"}
            (failed if is_error else succeeded).append(
                row | {"Status": "FAILED" if is_error else "SUCCEEDED"}
            )
        return write_results(
            self.object_store,
            params if isinstance(params, dict) else {},
            fan.map_run_arn or "",
            succeeded,
            failed,
        )


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, str):
            return float(value.strip())
    except (ValueError, OverflowError):  # OverflowError: an integer wider than a double
        return None
    return None
