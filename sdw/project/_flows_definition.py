"""A flow's definition made runnable: placeholders replaced, then checked as AWS checks it.

The definition names the project's resources by placeholder, as a serverless.yml state
machine does: ``"${helloArn}"`` for the function declared as ``hello`` under
``functions``, ``"${otherFlowStateMachine}"`` for the flow listed under
``stateMachineReferences``. Here each becomes its ARN (a placeholder inside a longer
string is replaced in place), and the result goes through the ASL validator, which is
injected: ``sdw.project`` imports nothing of ``sdw.asl`` (DESIGN.md), ``sdw.cli`` wires
``sdw.asl.validate_definition`` in.

What is reported, each at its own line in the YAML:

* a placeholder that stands for nothing (with the nearest declared one), or for a
  function or flow that exists but is not declared (with the line to add);
* a declared function or reference the definition never uses (a warning);
* every diagnostic of the ASL validator, at the node its JSON pointer names
  (``flows/x.yml:12:9: /States/Route/Next: ...``), except where a placeholder problem
  was already reported;
* an Express flow using ``.sync`` or ``.waitForTaskToken``: AWS refuses both patterns
  in Express workflows when the state machine is created.

``timeout`` and ``TimeoutSeconds``: the definition's own ``TimeoutSeconds`` wins; the
flow's ``timeout`` fills it in when the definition has none.
"""

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Protocol

from sdw.project._flows_model import FlowType
from sdw.project._flows_parse import FlowSpec
from sdw.project._yaml import pointer_token

_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")
_UNSUPPORTED_IN_EXPRESS = (".sync", ".sync:2", ".waitForTaskToken")
EXPRESS_SECONDS = 300


class DefinitionDiagnostic(Protocol):
    """What the injected validator reports: sdw.asl's ``Diagnostic`` has this shape."""

    @property
    def path(self) -> str: ...

    @property
    def message(self) -> str: ...


DefinitionValidator = Callable[[Any], Sequence[DefinitionDiagnostic]]


def find_placeholders(value: Any, pointer: str = "") -> Iterator[tuple[str, str]]:
    """Every ``${name}`` in the strings of ``value``, as (name, JSON pointer of its string).

    >>> list(find_placeholders({"States": {"A": {"Resource": "${helloArn}"}}}))
    [('helloArn', '/States/A/Resource')]
    """
    if isinstance(value, dict):
        for key, item in value.items():
            yield from find_placeholders(item, f"{pointer}/{pointer_token(key)}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from find_placeholders(item, f"{pointer}/{index}")
    elif isinstance(value, str):
        for match in _PLACEHOLDER.finditer(value):
            yield match.group(1), pointer


def substitute_placeholders(value: Any, values: Mapping[str, str]) -> Any:
    """A copy of ``value`` with each ``${name}`` of ``values`` replaced; others stay as written."""
    if isinstance(value, dict):
        return {key: substitute_placeholders(item, values) for key, item in value.items()}
    if isinstance(value, list):
        return [substitute_placeholders(item, values) for item in value]
    if isinstance(value, str) and "${" in value:
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), value)
    return value


def link_definition(
    spec: FlowSpec,
    values: Mapping[str, str],
    hints: Mapping[str, str],
    validate: DefinitionValidator | None,
    unresolved: frozenset[str] = frozenset(),
) -> dict[str, Any] | None:
    """``spec``'s definition with ``values`` substituted, or None; problems go to ``spec``.

    ``values`` maps each declared placeholder to its ARN; ``hints`` maps placeholders
    that would be valid once declared to the advice for declaring them; ``unresolved``
    holds those declared whose declaration is in error (already reported there).
    """
    if spec.definition is None:
        return None
    reported = _check_placeholders(spec, values, hints, unresolved)
    reported |= {pointer.removeprefix("/definition") for pointer in spec.json_errors}
    resolved: dict[str, Any] = substitute_placeholders(spec.definition, values)
    if validate is not None:
        for diagnostic in validate(copy.deepcopy(resolved)):
            if diagnostic.path not in reported:
                spec.error(f"/definition{diagnostic.path}", f"{diagnostic.path or '/'}: {diagnostic.message}")
    if spec.type is FlowType.EXPRESS:
        _check_express(spec, resolved)
    _apply_timeout(spec, resolved)
    return resolved


def _check_placeholders(
    spec: FlowSpec, values: Mapping[str, str], hints: Mapping[str, str], unresolved: frozenset[str]
) -> set[str]:
    """Report unknown and unused placeholders; return the pointers (in the definition) reported."""
    used: set[str] = set()
    reported: set[str] = set()
    for name, pointer in find_placeholders(spec.definition):
        used.add(name)
        if name in values:
            continue
        reported.add(pointer)
        if name in unresolved:
            continue
        if name in hints:
            message = f"${{{name}}} is used but not declared: {hints[name]}"
        else:
            close = difflib.get_close_matches(name, list(values), n=1, cutoff=0.6)
            known = f"did you mean ${{{close[0]}}}?" if close else _known(values)
            message = f"unknown placeholder ${{{name}}}; {known}"
        spec.error(f"/definition{pointer}", message)
    for entry in spec.functions:
        if entry.placeholder not in used:
            spec.warn(
                f"{entry.pointer}/name",
                f"the function {entry.name!r} is declared but "
                f"${{{entry.placeholder}}} is not used in the definition",
            )
    for reference in spec.references:
        if reference.placeholder not in used:
            spec.warn(
                reference.pointer, f"${{{reference.placeholder}}} is declared but not used in the definition"
            )
    return reported


def _known(values: Mapping[str, str]) -> str:
    if not values:
        return "this flow declares none (functions: and stateMachineReferences: declare them)"
    return "declared: " + ", ".join(f"${{{name}}}" for name in sorted(values))


def _check_express(spec: FlowSpec, definition: dict[str, Any]) -> None:
    for pointer, resource in _task_resources(definition, ""):
        if resource.endswith(_UNSUPPORTED_IN_EXPRESS):
            pattern = "." + resource.rsplit(".", 1)[1]
            spec.error(
                f"/definition{pointer}",
                f"{pointer}: Express workflows do not support the {pattern} "
                f"integration pattern; use type: STANDARD or the plain request",
            )


def _task_resources(machine: Any, pointer: str) -> Iterator[tuple[str, str]]:
    """(pointer, Resource) of every Task in ``machine``, nested Parallel and Map included."""
    states = machine.get("States") if isinstance(machine, dict) else None
    if not isinstance(states, dict):
        return
    for name, state in states.items():
        if not isinstance(state, dict):
            continue
        here = f"{pointer}/States/{pointer_token(name)}"
        if state.get("Type") == "Task" and isinstance(state.get("Resource"), str):
            yield f"{here}/Resource", state["Resource"]
        for index, branch in enumerate(state.get("Branches") or []):
            yield from _task_resources(branch, f"{here}/Branches/{index}")
        for key in ("ItemProcessor", "Iterator"):
            yield from _task_resources(state.get(key), f"{here}/{key}")


def _apply_timeout(spec: FlowSpec, definition: dict[str, Any]) -> None:
    own = definition.get("TimeoutSeconds")
    if spec.timeout is not None:
        if own is None:
            definition["TimeoutSeconds"] = spec.timeout
        elif own != spec.timeout:
            spec.warn(
                "/timeout",
                f"'timeout' {spec.timeout} is ignored: the definition's TimeoutSeconds "
                f"({own}) takes precedence",
            )
    effective = definition.get("TimeoutSeconds")
    too_long = isinstance(effective, int) and effective > EXPRESS_SECONDS
    if spec.type is FlowType.EXPRESS and too_long and spec.timeout is None:
        spec.warn(
            "/definition/TimeoutSeconds",
            f"an Express execution stops after {EXPRESS_SECONDS} seconds "
            f"whatever TimeoutSeconds ({effective}) says",
        )
