"""One flow file, parsed and checked on its own, before it is linked to the project.

    name: helloWorldFlow                  # the state machine's name (AWS's rules)
    description: Says hello               # optional text
    type: STANDARD                        # or EXPRESS; default STANDARD
    timeout: 300                          # seconds; see below
    functions:                            # what ${helloArn} in the definition stands for
      - name: hello
        handler: functions/lib/hello_world/handler.handler
    stateMachineReferences:               # flows it starts, by name: ${otherFlow} is its ARN
      - otherFlow                         # (or otherFlowStateMachine, used as ${otherFlowStateMachine})
    schedule: rate(5 minutes)             # or cron(...), as EventBridge accepts them
    input: {report: daily}                # the static input of scheduled runs
    definition:                           # Amazon States Language, written in YAML
      StartAt: Hello
      States: ...

``timeout`` becomes the definition's ``TimeoutSeconds`` when the definition has none;
when it has one, the definition wins (it is what Step Functions reads) and a different
``timeout`` is reported as ignored.

Everything here needs only the file's text: an unknown key (with the nearest known one),
a missing or wrongly typed field, a name AWS refuses, a bad schedule. Each problem is
located by the JSON pointer of its node, so it prints as ``flows/x.yml:12:9``. What
needs other files (handlers, other flows, placeholders) is checked by the flows linker.

YAML reads some unquoted text as other types (``2024-01-01`` is a date, ``no`` a
boolean key); the definition and input go to Step Functions as JSON, so a value JSON
cannot hold is an error at its line, with the advice to quote it.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from sdw.project._flows_model import FlowType, check_flow_name, flow_name_warning
from sdw.project._model import Problem, Severity
from sdw.project._schedule import Schedule, ScheduleError, parse_schedule
from sdw.project._yaml import Location, YamlDocument, YamlError, load_yaml, pointer_token

MAX_TIMEOUT = 99_999_999  # ASL: TimeoutSeconds is a positive integer up to 99999999
MAX_EXPRESS_TIMEOUT = 300  # Express executions run for at most five minutes
MAX_INPUT = 8192  # EventBridge PutTargets: a target's Input is at most 8192 characters
REFERENCE_SUFFIX = "StateMachine"
HANDLER_ATTRIBUTE = "handler"  # the invoker calls handler(event, context) of handler.py

KNOWN_KEYS = (
    "name", "description", "definition", "functions", "stateMachineReferences",
    "schedule", "input", "type", "timeout",
)  # fmt: skip
_ENTRY_KEYS = ("name", "handler")
_PLACEHOLDER_NAME = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class FunctionEntry:
    """One item of ``functions``: ``${<name>Arn}`` is the function at ``handler``."""

    name: str
    handler: str
    pointer: str  # /functions/<i>

    @property
    def placeholder(self) -> str:
        return f"{self.name}Arn"

    @property
    def handler_path(self) -> str:
        """``functions/lib/x/handler.handler`` -> ``functions/lib/x/handler.py``."""
        return self.handler.rsplit(".", 1)[0] + ".py"


@dataclass(frozen=True)
class Reference:
    """One item of ``stateMachineReferences``, which is also its placeholder (``${<entry>}``).

    Two spellings name flow ``otherFlow``: ``otherFlow`` (the seed's deploy code resolves an
    entry so) and ``otherFlowStateMachine`` (the seed's README shows that one). Which flow
    it is needs the other files: the linker tries ``flow_names`` in order.
    """

    placeholder: str
    pointer: str  # /stateMachineReferences/<i>

    @property
    def flow_names(self) -> tuple[str, ...]:
        """The flows it may name, the exact name first: ``aStateMachine`` -> (aStateMachine, a)."""
        stem = self.placeholder.removesuffix(REFERENCE_SUFFIX)
        return (self.placeholder, stem) if stem and stem != self.placeholder else (self.placeholder,)


@dataclass
class FlowSpec:
    """A flow file as written, with the problems found in it alone (``document`` None: no YAML)."""

    file: str
    document: YamlDocument | None = None
    name: str | None = None
    description: str = ""
    definition: dict[str, Any] | None = None
    functions: list[FunctionEntry] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    schedule: Schedule | None = None
    input: dict[str, Any] | None = None
    type: FlowType = FlowType.STANDARD
    timeout: int | None = None
    problems: list[Problem] = field(default_factory=list)
    json_errors: set[str] = field(default_factory=set)  # pointers of values JSON cannot hold

    @property
    def ok(self) -> bool:
        return not any(p.severity is Severity.ERROR for p in self.problems)

    def error(self, pointer: str, message: str) -> None:
        self.problems.append(Problem(Severity.ERROR, message, self.where(pointer)))

    def warn(self, pointer: str, message: str) -> None:
        self.problems.append(Problem(Severity.WARNING, message, self.where(pointer)))

    def where(self, pointer: str) -> Location:
        return self.document.locate(pointer) if self.document else Location(self.file, 1, 1)


def parse_flow(text: str, file: str) -> FlowSpec:
    """Parse one flow file's ``text``; ``file`` is how messages name it (``flows/a.yml``)."""
    spec = FlowSpec(file)
    try:
        spec.document = load_yaml(text, file)
    except YamlError as exc:
        spec.problems.append(Problem(Severity.ERROR, f"does not parse: {exc.reason}", exc.location))
        return spec
    data = spec.document.data
    if data is None:
        spec.error("", "the file is empty; a flow needs at least name and definition")
        return spec
    if not isinstance(data, dict):
        spec.error("", f"a flow file is a mapping (name, definition, ...), not {_kind(data)}")
        return spec
    for key in data:
        if key not in KNOWN_KEYS:
            spec.error(f"/{pointer_token(key)}", f"unknown key {key!r}{_did_you_mean(str(key), KNOWN_KEYS)}")
    _read_name(spec, data)
    spec.description = _optional(spec, data, "description", str, "text") or ""
    _read_type_and_timeout(spec, data)
    _read_definition(spec, data)
    _read_functions(spec, data.get("functions"))
    _read_references(spec, data.get("stateMachineReferences"))
    _read_schedule_and_input(spec, data)
    return spec


def _read_name(spec: FlowSpec, data: dict[Any, Any]) -> None:
    if "name" not in data:
        spec.error("", "missing 'name': the flow's (state machine's) name, such as helloWorldFlow")
        return
    name = data["name"]
    if not isinstance(name, str):
        spec.error("/name", f"'name' must be text, not {_kind(name)}")
        return
    reason = check_flow_name(name)
    if reason:
        spec.error("/name", f"Step Functions refuses this name: {reason}")
        return
    spec.name = name
    warning = flow_name_warning(name)
    if warning:
        spec.warn("/name", warning)


def _read_type_and_timeout(spec: FlowSpec, data: dict[Any, Any]) -> None:
    kind = data.get("type", FlowType.STANDARD.value)
    if isinstance(kind, str) and kind in {t.value for t in FlowType}:
        spec.type = FlowType(kind)
    else:
        choices = [t.value for t in FlowType]
        hint = _did_you_mean(kind.upper(), choices) if isinstance(kind, str) else ""
        spec.error("/type", f"'type' must be STANDARD or EXPRESS, not {kind!r}{hint}")
    if "timeout" not in data:
        return
    timeout = data["timeout"]
    limit = MAX_EXPRESS_TIMEOUT if spec.type is FlowType.EXPRESS else MAX_TIMEOUT
    if not _is_int(timeout) or not 1 <= timeout <= limit:
        why = " (an Express execution runs for at most 5 minutes)" if spec.type is FlowType.EXPRESS else ""
        spec.error(
            "/timeout", f"'timeout' must be a whole number of seconds from 1 to {limit}{why}, not {timeout!r}"
        )
        return
    spec.timeout = timeout


def _read_definition(spec: FlowSpec, data: dict[Any, Any]) -> None:
    if "definition" not in data:
        spec.error("", "missing 'definition': the state machine, in Amazon States Language")
        return
    definition = data["definition"]
    if not isinstance(definition, dict):
        spec.error(
            "/definition", f"'definition' must be a mapping (StartAt, States, ...), not {_kind(definition)}"
        )
        return
    # kept even when a value is not JSON (made text), so that the linker still reports the rest
    spec.definition = _as_json(spec, definition, "/definition")


def _read_functions(spec: FlowSpec, entries: Any) -> None:
    if entries is None:
        return
    if not isinstance(entries, list):
        spec.error("/functions", f"'functions' must be a list of {{name, handler}}, not {_kind(entries)}")
        return
    seen: dict[str, str] = {}
    for index, entry in enumerate(entries):
        pointer = f"/functions/{index}"
        if not isinstance(entry, dict):
            spec.error(
                pointer,
                f"a function is {{name: ..., handler: functions/lib/<name>/handler.handler}}, "
                f"not {_kind(entry)}",
            )
            continue
        before = len(spec.problems)
        for key in entry:
            if key not in _ENTRY_KEYS:
                spec.error(
                    f"{pointer}/{pointer_token(key)}",
                    f"unknown key {key!r}{_did_you_mean(str(key), _ENTRY_KEYS)}",
                )
        name, handler = entry.get("name"), entry.get("handler")
        if not isinstance(name, str) or not _PLACEHOLDER_NAME.fullmatch(name):
            spec.error(
                f"{pointer}/name" if "name" in entry else pointer,
                f"a function needs a 'name' of letters, digits, '-' and '_' (it makes ${{<name>Arn}}), "
                f"not {name!r}",
            )
        elif name in seen:
            spec.error(
                f"{pointer}/name", f"the function name {name!r} is declared twice (first at {seen[name]})"
            )
        reason = _check_handler(handler)
        if reason:
            spec.error(f"{pointer}/handler" if "handler" in entry else pointer, reason)
        if isinstance(name, str) and isinstance(handler, str) and len(spec.problems) == before:
            seen[name] = str(spec.where(f"{pointer}/name"))
            spec.functions.append(FunctionEntry(name, handler, pointer))


def _check_handler(handler: Any) -> str | None:
    example = "functions/lib/<name>/handler.handler"
    if not isinstance(handler, str):
        return f"a function needs a 'handler' such as {example}, not {handler!r}"
    module, dot, attribute = handler.rpartition(".")
    if not dot or not module or module.startswith("/") or "\\" in handler:
        return f"the handler {handler!r} is not a path relative to the project such as {example}"
    if attribute != HANDLER_ATTRIBUTE:
        return (
            f"the handler {handler!r} names {attribute!r}; sdw calls handler(event, context) "
            f"in handler.py: write {module}.{HANDLER_ATTRIBUTE}"
        )
    return None


def _read_references(spec: FlowSpec, entries: Any) -> None:
    if entries is None:
        return
    if not isinstance(entries, list):
        spec.error(
            "/stateMachineReferences",
            f"'stateMachineReferences' must be a list of flow names such as [otherFlow], "
            f"not {_kind(entries)}",
        )
        return
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        pointer = f"/stateMachineReferences/{index}"
        if not isinstance(entry, str) or not entry or "}" in entry:
            spec.error(
                pointer,
                f"a reference is a flow's name (otherFlow, used as ${{otherFlow}}) or the name followed "
                f"by {REFERENCE_SUFFIX} (otherFlow{REFERENCE_SUFFIX}), not {entry!r}",
            )
        elif entry in seen:
            spec.error(pointer, f"{entry!r} is listed twice")
        else:
            seen.add(entry)
            spec.references.append(Reference(entry, pointer))


def _read_schedule_and_input(spec: FlowSpec, data: dict[Any, Any]) -> None:
    expression = _optional(spec, data, "schedule", str, "text such as rate(5 minutes) or cron(0 12 * * ? *)")
    if expression is not None:
        try:
            spec.schedule = parse_schedule(expression)
        except ScheduleError as exc:
            spec.error("/schedule", f"EventBridge refuses the schedule {expression!r}: {exc.reason}")
    if "input" not in data:
        return
    value = data["input"]
    if not isinstance(value, dict):
        spec.error(
            "/input",
            f"'input' must be a mapping (the JSON object a scheduled run starts with), not {_kind(value)}",
        )
        return
    before = len(spec.problems)
    _as_json(spec, value, "/input")
    if len(spec.problems) > before:
        return
    size = len(json.dumps(value, separators=(",", ":"), ensure_ascii=False))
    if size > MAX_INPUT:
        spec.error(
            "/input",
            f"'input' is {size} characters as JSON; an EventBridge target's input is at most {MAX_INPUT}",
        )
        return
    spec.input = value
    if "schedule" not in data:
        spec.warn("/input", "'input' is used only by scheduled runs, and this flow has no 'schedule'")


def _optional(spec: FlowSpec, data: dict[Any, Any], key: str, kind: type, described: str) -> Any:
    value = data.get(key)
    if value is None or isinstance(value, kind):
        return value
    spec.error(f"/{key}", f"{key!r} must be {described}, not {_kind(value)}")
    return None


def _as_json(spec: FlowSpec, value: Any, pointer: str) -> Any:
    """``value`` with what JSON cannot hold reported, each at its line, and turned into text."""
    if isinstance(value, dict):
        result: dict[str, Any] = {}
        for key, item in value.items():
            child = f"{pointer}/{pointer_token(key)}"
            if not isinstance(key, str):
                spec.json_errors.add(child)
                spec.error(child, f"YAML reads the key {key!r} as {_kind(key)}; a JSON key is text: quote it")
            result[str(key)] = _as_json(spec, item, child)
        return result
    if isinstance(value, list):
        return [_as_json(spec, item, f"{pointer}/{index}") for index, item in enumerate(value)]
    if (
        value is None
        or isinstance(value, str | bool | int)
        or (isinstance(value, float) and math.isfinite(value))
    ):
        return value
    spec.json_errors.add(pointer)
    what = (
        "a number JSON cannot hold" if isinstance(value, float) else f"{_kind(value)}, which JSON cannot hold"
    )
    spec.error(pointer, f"YAML reads this unquoted value as {what}; put it in quotes to keep it as text")
    return str(value)


def _kind(value: Any) -> str:
    names = {
        dict: "a mapping",
        list: "a list",
        str: "text",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        type(None): "nothing (null)",
    }
    return names.get(type(value), f"a {type(value).__name__}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _did_you_mean(word: str, choices: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    return f" (known: {', '.join(choices)})"
