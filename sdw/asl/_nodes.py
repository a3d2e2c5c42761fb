"""The compiled form of a definition: a tree of state nodes, built once, run many times.

"Parse first, evaluate second" (STYLE.md §2): :func:`compile_machine` turns the ASL
document into :class:`Machine` objects whose states hold everything pre-parsed (paths,
payload templates, JSONata expressions, choice predicates, retriers), so the
interpreter's hot path only evaluates. Nested machines (Parallel branches, Map item
processors) are :class:`Machine` objects too, found again on resume by their JSON
pointer (``/States/P/Branches/0``).

The validator (:mod:`sdw.asl.validate`) has already rejected invalid definitions with every
problem located; compilation trusts the shape it was given but still refuses, with a
:class:`DefinitionError`, anything it cannot compile, rather than failing later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sdw.asl._choice import Predicate, compile_condition
from sdw.asl._errors import ASLError, DefinitionError, Diagnostic
from sdw.asl._integrations import Integration, parse_resource
from sdw.asl._io import StateIO, Template, compile_io
from sdw.asl._jsonpath import JsonPath, compile_path
from sdw.asl._payload import Payload, compile_value_expression
from sdw.asl._retry import Catcher, Retrier
from sdw.asl.jsonata import (
    JsonataExpression,
    TemplateTree,
    compile_jsonata,
    compile_template_tree,
    is_jsonata_template,
)

__all__ = [
    "JSONATA",
    "JSONPATH",
    "ChoiceRule",
    "ChoiceState",
    "Dynamic",
    "FailState",
    "ItemBatcher",
    "ItemReader",
    "Machine",
    "MapState",
    "ParallelState",
    "PassState",
    "State",
    "SucceedState",
    "TaskState",
    "WaitState",
    "compile_machine",
    "dynamic_field",
]

JSONPATH = "JSONPath"
JSONATA = "JSONata"


@dataclass(frozen=True, slots=True)
class Dynamic:
    """A field that is a literal, a JSONata template, or (JSONPath mode) a ``...Path`` twin.

    ``name`` is the field (``TimeoutSeconds``), ``path_name`` its twin (``TimeoutSecondsPath``).
    """

    name: str
    constant: Any = None
    expression: JsonataExpression | None = None
    path: JsonPath | None = None
    path_name: str = ""

    @property
    def present(self) -> bool:
        return self.constant is not None or self.expression is not None or self.path is not None


def dynamic_field(raw: Mapping[str, Any], name: str, *, with_path: bool = True) -> Dynamic:
    path_name = name + "Path"
    if name in raw:
        value = raw[name]
        if is_jsonata_template(value):
            return Dynamic(name, expression=compile_jsonata(value), path_name=path_name)
        return Dynamic(name, constant=value, path_name=path_name)
    if with_path and path_name in raw:
        return Dynamic(name, path=compile_path(raw[path_name]), path_name=path_name)
    return Dynamic(name, path_name=path_name)


@dataclass(eq=False)
class Machine:
    """A state machine: the top level, a Parallel branch or a Map item processor."""

    start_at: str
    states: dict[str, State]
    pointer: str
    query_language: str = JSONPATH
    timeout_seconds: Any = None
    comment: str | None = None
    machines: dict[str, Machine] = field(default_factory=dict)
    """Every machine of the tree by pointer (filled on the top-level machine only)."""


@dataclass(eq=False)
class State:
    name: str
    pointer: str
    jsonata: bool
    io: StateIO
    next: str | None = None
    end: bool = False
    retriers: tuple[Retrier, ...] = ()
    catchers: tuple[Catcher, ...] = ()

    type = "State"


@dataclass(eq=False)
class PassState(State):
    result: Any = None
    has_result: bool = False
    type = "Pass"


@dataclass(eq=False)
class TaskState(State):
    resource: str = ""
    integration: Integration | None = None
    timeout: Dynamic = field(default_factory=lambda: Dynamic("TimeoutSeconds"))
    heartbeat: Dynamic = field(default_factory=lambda: Dynamic("HeartbeatSeconds"))
    type = "Task"


@dataclass(eq=False)
class ChoiceRule:
    next: str
    test: Predicate | None = None
    condition: JsonataExpression | None = None
    constant: bool | None = None
    io: StateIO | None = None
    """The rule's own Assign (and Output, in JSONata), used when it matches."""


@dataclass(eq=False)
class ChoiceState(State):
    choices: tuple[ChoiceRule, ...] = ()
    default: str | None = None
    type = "Choice"


@dataclass(eq=False)
class WaitState(State):
    seconds: Dynamic = field(default_factory=lambda: Dynamic("Seconds"))
    timestamp: Dynamic = field(default_factory=lambda: Dynamic("Timestamp"))
    type = "Wait"


@dataclass(eq=False)
class SucceedState(State):
    type = "Succeed"


@dataclass(eq=False)
class FailState(State):
    error: Dynamic = field(default_factory=lambda: Dynamic("Error"))
    cause: Dynamic = field(default_factory=lambda: Dynamic("Cause"))
    error_expression: Payload | None = None
    cause_expression: Payload | None = None
    type = "Fail"


@dataclass(eq=False)
class ParallelState(State):
    branches: tuple[Machine, ...] = ()
    type = "Parallel"


@dataclass(frozen=True, slots=True)
class ItemReader:
    """A Map's ItemReader: ``spec`` as written (Resource, ReaderConfig), for
    :func:`sdw.asl._map_io.read_items`, and its Parameters/Arguments."""

    spec: Mapping[str, Any]
    arguments: Template


@dataclass(frozen=True, slots=True)
class ItemBatcher:
    """A Map's ItemBatcher: its two limits (literal, JSONata or ``...Path``) and BatchInput."""

    max_items: Dynamic
    max_bytes: Dynamic
    batch_input: Template | None = None


@dataclass(eq=False)
class MapState(State):
    processor: Machine | None = None
    distributed: bool = False
    execution_type: str = "STANDARD"
    label: str | None = None
    items_path: JsonPath | None = None
    items: TemplateTree | None = None
    items_expression: JsonataExpression | None = None
    item_selector: Template | None = None
    max_concurrency: Dynamic = field(default_factory=lambda: Dynamic("MaxConcurrency"))
    tolerated_count: Dynamic = field(default_factory=lambda: Dynamic("ToleratedFailureCount"))
    tolerated_percentage: Dynamic = field(default_factory=lambda: Dynamic("ToleratedFailurePercentage"))
    item_reader: ItemReader | None = None
    item_batcher: ItemBatcher | None = None
    result_writer: Template | None = None
    """The ResultWriter's Parameters/Arguments; None when the Map has no ResultWriter."""
    type = "Map"


_TYPES: dict[str, type[State]] = {
    cls.type: cls
    for cls in (
        PassState,
        TaskState,
        ChoiceState,
        WaitState,
        SucceedState,
        FailState,
        ParallelState,
        MapState,
    )
}


class _Compiler:
    def __init__(self, top_language: str) -> None:
        self.top_language = top_language
        self.machines: dict[str, Machine] = {}

    def machine(self, raw: Mapping[str, Any], pointer: str, *, top: bool = False) -> Machine:
        states: dict[str, State] = {}
        for name, state in raw["States"].items():
            states[name] = self.state(name, state, f"{pointer}/States/{name}")
        machine = Machine(
            start_at=raw["StartAt"],
            states=states,
            pointer=pointer,
            query_language=self.top_language,
            timeout_seconds=raw.get("TimeoutSeconds") if top else None,
            comment=raw.get("Comment"),
        )
        self.machines[pointer] = machine
        return machine

    def state(self, name: str, raw: Mapping[str, Any], pointer: str) -> State:
        kind = raw["Type"]
        cls = _TYPES.get(kind)
        if cls is None:
            raise ValueError(f"unknown state type {kind!r}")
        jsonata = raw.get("QueryLanguage", self.top_language) == JSONATA
        params_key = "ItemSelector" if kind == "Map" and "ItemSelector" in raw else "Parameters"
        io_fields = dict(raw)
        if kind == "Map":
            # ItemSelector/Parameters of a Map shape each item, not the state's input.
            io_fields.pop("ItemSelector", None)
            io_fields.pop("Parameters", None)
            if jsonata:
                io_fields.pop("Arguments", None)
        common: dict[str, Any] = {
            "name": name,
            "pointer": pointer,
            "jsonata": jsonata,
            "io": compile_io(io_fields, jsonata=jsonata, parameters_key=params_key),
            "next": raw.get("Next"),
            "end": bool(raw.get("End", False)),
            "retriers": tuple(Retrier.from_definition(r) for r in raw.get("Retry", ())),
            "catchers": tuple(
                Catcher(frozenset(c.get("ErrorEquals", ())), c["Next"], compile_io(c, jsonata=jsonata))
                for c in raw.get("Catch", ())
            ),
        }
        build = getattr(self, "_" + kind.lower())
        state: State = build(raw, pointer, jsonata, common)
        return state

    # ------------------------------------------------------------------ per type
    def _pass(self, raw: Mapping[str, Any], pointer: str, jsonata: bool, common: dict[str, Any]) -> State:
        return PassState(**common, result=raw.get("Result"), has_result="Result" in raw)

    def _task(self, raw: Mapping[str, Any], pointer: str, jsonata: bool, common: dict[str, Any]) -> State:
        resource = raw["Resource"]
        return TaskState(
            **common,
            resource=resource,
            integration=parse_resource(resource),
            timeout=dynamic_field(raw, "TimeoutSeconds"),
            heartbeat=dynamic_field(raw, "HeartbeatSeconds"),
        )

    def _choice(self, raw: Mapping[str, Any], pointer: str, jsonata: bool, common: dict[str, Any]) -> State:
        rules: list[ChoiceRule] = []
        for rule in raw.get("Choices", ()):
            io = compile_io(rule, jsonata=jsonata) if ("Assign" in rule or "Output" in rule) else None
            if jsonata:
                condition = rule["Condition"]
                if isinstance(condition, bool):  # AWS accepts a literal boolean Condition
                    rules.append(ChoiceRule(rule["Next"], constant=condition, io=io))
                else:
                    rules.append(ChoiceRule(rule["Next"], condition=compile_jsonata(condition), io=io))
            else:
                rules.append(ChoiceRule(rule["Next"], test=compile_condition(rule), io=io))
        return ChoiceState(**common, choices=tuple(rules), default=raw.get("Default"))

    def _wait(self, raw: Mapping[str, Any], pointer: str, jsonata: bool, common: dict[str, Any]) -> State:
        return WaitState(
            **common, seconds=dynamic_field(raw, "Seconds"), timestamp=dynamic_field(raw, "Timestamp")
        )

    def _succeed(self, raw: Mapping[str, Any], pointer: str, jsonata: bool, common: dict[str, Any]) -> State:
        return SucceedState(**common)

    def _fail(self, raw: Mapping[str, Any], pointer: str, jsonata: bool, common: dict[str, Any]) -> State:
        error_expr = cause_expr = None
        if not jsonata:
            if "ErrorPath" in raw:
                error_expr = compile_value_expression(raw["ErrorPath"], "ErrorPath")
            if "CausePath" in raw:
                cause_expr = compile_value_expression(raw["CausePath"], "CausePath")
        return FailState(
            **common,
            error=dynamic_field(raw, "Error", with_path=False),
            cause=dynamic_field(raw, "Cause", with_path=False),
            error_expression=error_expr,
            cause_expression=cause_expr,
        )

    def _parallel(self, raw: Mapping[str, Any], pointer: str, jsonata: bool, common: dict[str, Any]) -> State:
        branches = tuple(
            self.machine(branch, f"{pointer}/Branches/{i}")
            for i, branch in enumerate(raw.get("Branches", ()))
        )
        return ParallelState(**common, branches=branches)

    def _map(self, raw: Mapping[str, Any], pointer: str, jsonata: bool, common: dict[str, Any]) -> State:
        key = "ItemProcessor" if "ItemProcessor" in raw else "Iterator"
        processor_raw = raw[key]
        config = processor_raw.get("ProcessorConfig", {})
        selector_raw = raw.get("ItemSelector", raw.get("Parameters"))
        arguments = "Arguments" if jsonata else "Parameters"
        reader = raw.get("ItemReader")
        batcher = raw.get("ItemBatcher")
        writer = raw.get("ResultWriter")
        items_path = None
        items_tree = None
        items_expression = None
        if jsonata and "Items" in raw:
            if is_jsonata_template(raw["Items"]):
                items_expression = compile_jsonata(raw["Items"])
            else:
                items_tree = compile_template_tree(raw["Items"])
        elif "ItemsPath" in raw:
            items_path = compile_path(raw["ItemsPath"])
        return MapState(
            **common,
            processor=self.machine(processor_raw, f"{pointer}/{key}"),
            distributed=config.get("Mode") == "DISTRIBUTED",
            execution_type=config.get("ExecutionType", "STANDARD"),
            label=raw.get("Label"),
            items_path=items_path,
            items=items_tree,
            items_expression=items_expression,
            item_selector=None
            if selector_raw is None
            else Template(selector_raw, jsonata=jsonata, field="ItemSelector"),
            max_concurrency=dynamic_field(raw, "MaxConcurrency"),
            tolerated_count=dynamic_field(raw, "ToleratedFailureCount"),
            tolerated_percentage=dynamic_field(raw, "ToleratedFailurePercentage"),
            item_reader=None
            if reader is None
            else ItemReader(reader, Template(reader.get(arguments, {}), jsonata=jsonata, field="ItemReader")),
            item_batcher=None
            if batcher is None
            else ItemBatcher(
                max_items=dynamic_field(batcher, "MaxItemsPerBatch"),
                max_bytes=dynamic_field(batcher, "MaxInputBytesPerBatch"),
                batch_input=None
                if "BatchInput" not in batcher
                else Template(batcher["BatchInput"], jsonata=jsonata, field="BatchInput"),
            ),
            result_writer=None
            if writer is None
            else Template(writer.get(arguments, {}), jsonata=jsonata, field="ResultWriter"),
        )


def compile_machine(definition: Mapping[str, Any]) -> Machine:
    """Compile a (validated) definition. Raises :class:`DefinitionError` if it cannot."""
    if not isinstance(definition, Mapping):
        raise DefinitionError([Diagnostic("", "The definition must be a JSON object.")])
    compiler = _Compiler(definition.get("QueryLanguage", JSONPATH))
    try:
        machine = compiler.machine(definition, "", top=True)
    except ASLError as exc:
        raise DefinitionError([Diagnostic("", str(exc))]) from None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise DefinitionError([Diagnostic("", f"The definition cannot be compiled: {exc!r}")]) from None
    machine.machines = compiler.machines
    return machine
