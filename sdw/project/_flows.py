"""Flow files on disk: find ``flows/*.yml`` in the project and its plugins, then link them.

This is the only part of the flows loader that touches the disk; parsing and linking
(``_flows_parse``, ``_flows_link``) work on text, so unit tests need no files.

Where flows are found, in this order (the order decides which of two flows with one
name is kept, so the project's own always beat a plugin's):

    <project>/flows/*.yml, *.yaml        the project's flows, sorted by file name
    <plugin>/flows/*.yml, *.yaml         each plugin's, in config.json order, namespaced
    extra files                          ``sdw flows validate FILE`` outside flows/

Files whose name starts with ``.`` or ``_`` are skipped, as function folders are.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sdw.project._flows_definition import DefinitionValidator
from sdw.project._flows_link import FlowLoad, FlowSource, compile_flows
from sdw.project._flows_model import DEFAULT_ACCOUNT_ID, DEFAULT_REGION, FlowFile
from sdw.project._model import Function, Plugin, Problem, Severity
from sdw.project._names import is_private_folder
from sdw.project._yaml import Location

FLOWS_DIR = "flows"
FLOW_SUFFIXES = (".yml", ".yaml")


def load_flows(
    root: Path,
    functions: Sequence[Function],
    plugins: Sequence[Plugin] = (),
    *,
    validate_definition: DefinitionValidator | None = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    name_prefix: str = "",
    extra_files: Sequence[Path] = (),
) -> FlowLoad:
    """Every flow of the project at ``root`` (and of its ``plugins``), linked to ``functions``."""
    paths = _discover(root, None)
    for plugin in plugins:
        paths += _discover(plugin.root, plugin)
    known = {path for path, _, _ in paths}
    paths += [(p.resolve(), root, None) for p in extra_files if p.resolve() not in known]
    sources: list[FlowSource] = []
    unread: list[tuple[Problem, FlowFile]] = []
    for path, base, owner in paths:
        shown = _rel(path, root)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problem = Problem(Severity.ERROR, f"cannot read the flow file: {exc}", Location(shown, 1, 1))
            unread.append(
                (problem, FlowFile(shown, path, loaded=False, plugin=owner.name if owner else None))
            )
            continue
        sources.append(FlowSource(text, shown, path, base, owner.name if owner else None))
    load = compile_flows(
        sources,
        functions,
        validate_definition=validate_definition,
        region=region,
        account_id=account_id,
        name_prefix=name_prefix,
    )
    return FlowLoad(
        load.flows,
        tuple(problem for problem, _ in unread) + load.problems,
        tuple(summary for _, summary in unread) + load.files,
    )


def _discover(base: Path, plugin: Plugin | None) -> list[tuple[Path, Path, Plugin | None]]:
    folder = base / FLOWS_DIR
    if not folder.is_dir():
        return []
    found = [
        path
        for path in folder.iterdir()
        if path.suffix in FLOW_SUFFIXES and path.is_file() and not is_private_folder(path.name)
    ]
    return [(path.resolve(), base, plugin) for path in sorted(found, key=lambda p: p.name)]


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
