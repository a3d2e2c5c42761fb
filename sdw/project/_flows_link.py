"""Link parsed flow files to the project and to each other, and keep only the sound ones.

Each file is parsed alone first (``_flows_parse``); here the checks that need the whole
project run, in this order, each adding its problems to the file it is about:

1. names: two flows that would become one state machine (the same name, or a plugin's
   ``billing-x`` against the project's own ``billing-x``) - the first wins, and the
   project's own flows come first, as for functions;
2. ``functions``: each handler must be the ``handler.py`` of a project function (a
   plugin flow's handlers are relative to the plugin's folder, so they name its own);
3. ``stateMachineReferences``: each must name a flow of the same namespace, by its name
   (``otherFlow``, placeholder ``${otherFlow}``) or as ``otherFlowStateMachine``; an entry
   that is a flow's exact name means that flow, whatever it ends with;
4. the definition: placeholders and the ASL validator (``_flows_definition``);
5. cycles: flows that start each other (``a -> b -> a``) through their references;
6. a flow that references a flow which is not loaded is not loaded either.

One bad flow never hides the others: it is reported and left out, and the rest load.
Everything here is pure: the text of the files comes in, and the only question asked
of the disk (does a handler file exist, to tell "no such file" from "not a project
function") goes through an injected ``file_exists``.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sdw.project._flows_definition import DefinitionValidator, link_definition
from sdw.project._flows_model import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_REGION,
    MAX_FLOW_NAME,
    ArnNaming,
    Flow,
    FlowFile,
    state_machine_name,
)
from sdw.project._flows_parse import REFERENCE_SUFFIX, FlowSpec, Reference, parse_flow
from sdw.project._model import Function, Problem


@dataclass(frozen=True)
class FlowSource:
    """One flow file's text and where it lives; ``base`` is what its handler paths are relative to."""

    text: str
    file: str  # as messages show it: flows/a.yml
    path: Path
    base: Path  # the project's root, or the plugin's
    plugin: str | None = None


@dataclass(frozen=True)
class FlowLoad:
    """The flows that loaded, every problem found, and a summary of every file."""

    flows: tuple[Flow, ...] = ()
    problems: tuple[Problem, ...] = ()
    files: tuple[FlowFile, ...] = ()


@dataclass
class _Unit:
    """A flow file on its way to becoming a ``Flow``."""

    source: FlowSource
    spec: FlowSpec
    links: list[tuple[Reference, _Unit]] = field(default_factory=list)  # each reference and its flow
    definition: dict[str, Any] | None = None
    functions: dict[str, Function] = field(default_factory=dict)
    placeholders: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        assert self.spec.name is not None
        return self.spec.name

    @property
    def machine(self) -> str:
        return state_machine_name(self.name, self.source.plugin)

    @property
    def targets(self) -> list[_Unit]:
        return [target for _, target in self.links]


def compile_flows(
    sources: Iterable[FlowSource],
    functions: Sequence[Function],
    *,
    validate_definition: DefinitionValidator | None = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    name_prefix: str = "",
    file_exists: Callable[[Path], bool] = Path.is_file,
) -> FlowLoad:
    """Parse and link ``sources`` (the project's own first) against the project's ``functions``.

    Without ``validate_definition`` the definitions are not checked as ASL (sdw.cli
    passes ``sdw.asl.validate_definition``). ``region``, ``account_id`` and ``name_prefix``
    make the ARNs the placeholders become (``ArnNaming``).
    """
    naming = ArnNaming(region, account_id, name_prefix)
    units = [_Unit(source, parse_flow(source.text, source.file)) for source in sources]
    named = [u for u in units if u.spec.name is not None]
    for unit in named:
        if unit.source.plugin is not None and len(unit.machine) > MAX_FLOW_NAME:
            unit.spec.error(
                "/name",
                f"as plugin {unit.source.plugin!r}'s flow it deploys as the state machine "
                f"{unit.machine!r}, {len(unit.machine)} characters; AWS allows {MAX_FLOW_NAME}",
            )
    namespace = {(u.source.plugin, u.name): u for u in _drop_duplicates(named)}
    by_handler = {os.path.normpath(fn.handler_file): fn for fn in functions}
    for unit in named:
        arns = _link_functions(unit, by_handler, functions, naming, file_exists)
        refs = _link_references(unit, namespace, naming, arns)
        unit.placeholders = {**arns, **refs}
        declared = {e.placeholder for e in unit.spec.functions} | {
            r.placeholder for r in unit.spec.references
        }
        unresolved = frozenset(declared - unit.placeholders.keys())
        hints = _hints(unit, functions, namespace)
        unit.definition = link_definition(
            unit.spec, unit.placeholders, hints, validate_definition, unresolved
        )
    _report_cycles(named)
    _drop_dependents(named)
    good = [u for u in named if u.spec.ok and u.definition is not None]
    problems = tuple(p for u in units for p in sorted(u.spec.problems, key=_position))
    loaded = {id(u) for u in good}
    files = tuple(_summary(u, id(u) in loaded) for u in units)
    return FlowLoad(tuple(_flow(u, naming) for u in good), problems, files)


def _drop_duplicates(units: list[_Unit]) -> list[_Unit]:
    """Keep the first flow of each state machine name; report the others where they name it."""
    first: dict[str, _Unit] = {}
    kept: list[_Unit] = []
    for unit in units:
        other = first.get(unit.machine)
        if other is None:
            first[unit.machine] = unit
            kept.append(unit)
            continue
        where = other.spec.where("/name")
        same = (
            f"the flow name {unit.name!r}"
            if unit.name == other.name
            else f"the state machine {unit.machine!r}"
        )
        unit.spec.error("/name", f"{same} is already taken by {where}; this flow is not loaded")
    return kept


def _link_functions(
    unit: _Unit,
    by_handler: dict[str, Function],
    functions: Sequence[Function],
    naming: ArnNaming,
    file_exists: Callable[[Path], bool],
) -> dict[str, str]:
    base = unit.source.base
    arns: dict[str, str] = {}
    for entry in unit.spec.functions:
        path = Path(os.path.normpath(base / entry.handler_path))
        function = by_handler.get(str(path))
        if function is None:
            pointer = f"{entry.pointer}/handler"
            if file_exists(path):
                unit.spec.error(
                    pointer,
                    f"{entry.handler_path} is not a project function: a function is "
                    f"functions/lib/<name>/handler.py{_suggest(entry.handler, base, functions)}",
                )
            else:
                unit.spec.error(
                    pointer,
                    f"the handler file {entry.handler_path} does not exist"
                    f"{_suggest(entry.handler, base, functions)}",
                )
            continue
        arn = naming.function_arn(function)
        arns[entry.placeholder] = arn
        unit.functions[arn] = function
    return arns


def _suggest(handler: str, base: Path, functions: Sequence[Function]) -> str:
    """The handler of the function whose folder name is nearest the one written, if one is near."""
    folders = {fn.directory.name: fn for fn in functions if fn.directory.is_relative_to(base)}
    written = Path(handler.rpartition(".")[0]).parent.name
    close = difflib.get_close_matches(written, list(folders), n=1, cutoff=0.6)
    return f"; did you mean {_handler_of(folders[close[0]], base)}?" if close else ""


def _handler_of(function: Function, base: Path) -> str:
    return f"{function.directory.relative_to(base).as_posix()}/handler.handler"


def _link_references(
    unit: _Unit,
    namespace: dict[tuple[str | None, str], _Unit],
    naming: ArnNaming,
    function_arns: dict[str, str],
) -> dict[str, str]:
    plugin = unit.source.plugin
    arns: dict[str, str] = {}
    for reference in unit.spec.references:
        target = next(
            (namespace[(plugin, name)] for name in reference.flow_names if (plugin, name) in namespace), None
        )
        if target is None:
            unit.spec.error(reference.pointer, _no_such_flow(reference, plugin, namespace))
            continue
        if reference.placeholder in function_arns:
            unit.spec.error(
                reference.pointer,
                f"${{{reference.placeholder}}} would stand for both this flow and a function under "
                f"'functions'; write {target.name}{REFERENCE_SUFFIX} here instead",
            )
            continue
        unit.links.append((reference, target))
        arns[reference.placeholder] = naming.state_machine_arn(target.machine)
    return arns


def _no_such_flow(
    reference: Reference, plugin: str | None, namespace: dict[tuple[str | None, str], _Unit]
) -> str:
    """Why ``reference`` names no flow, with both spellings shown on the nearest flow there is."""
    names = [name for (owner, name) in namespace if owner == plugin]
    written = reference.flow_names[-1]  # without the suffix, if it has one
    suffix = reference.placeholder[len(written) :]
    close = difflib.get_close_matches(written, names, n=1, cutoff=0.6)
    example = close[0] if close else (names[0] if names else "otherFlow")
    scope = f"plugin {plugin!r}" if plugin else "this project"
    hint = f"; did you mean {close[0]}{suffix}?" if close else ""
    return (
        f"{reference.placeholder!r} names no flow of {scope}: a reference is a flow's name "
        f"({example}, used as ${{{example}}}) or the name followed by {REFERENCE_SUFFIX} "
        f"({example}{REFERENCE_SUFFIX}, used as ${{{example}{REFERENCE_SUFFIX}}}){hint}"
    )


def _hints(
    unit: _Unit, functions: Sequence[Function], namespace: dict[tuple[str | None, str], _Unit]
) -> dict[str, str]:
    """Advice for placeholders that would resolve once declared."""
    plugin, base = unit.source.plugin, unit.source.base
    hints: dict[str, str] = {}
    for fn in functions:
        if fn.plugin == plugin and fn.directory.is_relative_to(base):
            hints[f"{fn.name}Arn"] = (
                f"add {{name: {fn.name}, handler: {_handler_of(fn, base)}}} to 'functions'"
            )
    for owner, name in namespace:
        if owner == plugin:
            for spelling in (f"{name}{REFERENCE_SUFFIX}", name):
                hints.setdefault(spelling, f"add {spelling} to 'stateMachineReferences'")
    return hints


def _report_cycles(units: list[_Unit]) -> None:
    """Report, in each flow of a cycle, the cycle as seen from that flow: ``a -> b -> a``."""
    for unit in units:
        path = _shortest_cycle(unit)
        if path is None:
            continue
        reference = next(r for r, target in unit.links if target is path[1])
        chain = " -> ".join(u.name for u in path)
        unit.spec.error(
            reference.pointer,
            f"flows start each other in a cycle: {chain}; each execution would start another without end",
        )


def _shortest_cycle(start: _Unit) -> list[_Unit] | None:
    """The shortest path from ``start`` back to itself through references, or None (breadth first)."""
    paths: list[list[_Unit]] = [[start]]
    seen: set[int] = set()
    while paths:
        path = paths.pop(0)
        for target in path[-1].targets:
            if target is start:
                return [*path, start]
            if id(target) not in seen:
                seen.add(id(target))
                paths.append([*path, target])
    return None


def _drop_dependents(units: list[_Unit]) -> None:
    """A flow whose referenced flow is not loaded cannot start it: it is not loaded either."""
    changed = True
    while changed:
        changed = False
        for unit in units:
            if not unit.spec.ok:
                continue
            found = next(((r, t) for r, t in unit.links if not t.spec.ok), None)
            if found is not None:
                reference, broken = found
                where = broken.spec.where("/name")
                unit.spec.error(
                    reference.pointer,
                    f"references flow {broken.name!r} ({where}), which has "
                    f"errors and is not loaded; so this flow is not loaded either",
                )
                changed = True


def _flow(unit: _Unit, naming: ArnNaming) -> Flow:
    spec = unit.spec
    assert spec.definition is not None and unit.definition is not None
    timeout = unit.definition.get("TimeoutSeconds")
    return Flow(
        name=unit.name,
        arn=naming.state_machine_arn(unit.machine),
        file=unit.source.path,
        source=unit.source.file,
        definition=unit.definition,
        raw_definition=spec.definition,
        description=spec.description,
        plugin=unit.source.plugin,
        type=spec.type,
        timeout=timeout if isinstance(timeout, int) and not isinstance(timeout, bool) else None,
        functions=unit.functions,
        references={naming.state_machine_arn(t.machine): _key(t) for t in unit.targets},
        placeholders=unit.placeholders,
        schedule=spec.schedule,
        input=spec.input,
    )


def _key(unit: _Unit) -> str:
    return unit.name if unit.source.plugin is None else f"{unit.source.plugin}/{unit.name}"


def _position(problem: Problem) -> tuple[int, int]:
    return (problem.location.line, problem.location.column) if problem.location else (0, 0)


def _summary(unit: _Unit, loaded: bool) -> FlowFile:
    source, parsed = unit.source, unit.spec
    data = parsed.document.data if parsed.document else None
    written = data.get("name") if isinstance(data, dict) else None  # shown even when AWS refuses it
    return FlowFile(
        source=source.file,
        path=source.path,
        loaded=loaded,
        name=parsed.name or (written if isinstance(written, str) else None),
        plugin=source.plugin,
        description=parsed.description,
        type=parsed.type.value,
        schedule=parsed.schedule.expression if parsed.schedule else None,
    )
