"""Load a project tree into a ``Project`` plus the list of what is wrong with it.

The loader never raises for a problem in one function, plugin or flow: it records a
``Problem`` (warning or error, with a file:line:column where it has one) and goes on, so
``sdw dev`` serves every good function while it reports the bad ones. Only a missing
project folder is fatal.

Order is deterministic: functions sorted by key, the project's before each plugin's;
flows likewise, by file name (sdw.project._flows).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from sdw.project._errors import ProjectLoadError
from sdw.project._flows import load_flows
from sdw.project._flows_definition import DefinitionValidator
from sdw.project._flows_model import DEFAULT_ACCOUNT_ID, DEFAULT_REGION
from sdw.project._function_config import parse_function_config
from sdw.project._model import Function, LoadResult, Plugin, Problem, Project, Severity
from sdw.project._names import check_name, is_private_folder
from sdw.project._plugin_source import (
    DEFAULT_SERVICE,
    PluginFetcher,
    PluginFetchError,
    check_service,
    is_git_entry,
    parse_git_entry,
    redact,
)
from sdw.project._yaml import Location

FUNCTIONS_DIR = ("functions", "lib")
CONFIG_FILE = "config.json"
_Config = tuple[dict[str, Any], str]  # config.json's object and its text


def load_project(
    root: Path,
    *,
    validate_definition: DefinitionValidator | None = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    name_prefix: str = "",
    extra_flow_files: Sequence[Path] = (),
    fetch_plugin: PluginFetcher | None = None,
) -> LoadResult:
    """Read ``root`` (functions/lib, config.json plugins, flows) into a model and its problems.

    Flow definitions are checked as ASL only when ``validate_definition`` is given
    (``sdw.asl.validate_definition``; sdw.project may not import sdw.asl). ``region`` and
    ``account_id`` go into the ARNs of the flows' resolved definitions, each deployed name
    after ``name_prefix`` (``<service>-<stage>-`` on AWS; see ``ArnNaming``).

    A ``git+https://`` plugin is loaded from the folder ``fetch_plugin`` checks it out
    to; one it cannot fetch is reported and skipped, and the rest of the project loads.
    Without ``fetch_plugin`` git plugins are reported as not loaded (a warning).
    """
    root = root.resolve()
    if not root.is_dir():
        raise ProjectLoadError(f"{root}: no such project folder")
    problems: list[Problem] = []
    functions = _discover_functions(root, root, None, problems)
    config = _read_config(root, problems)
    plugins = _load_plugins(config, root, problems, fetch_plugin)
    for plugin in plugins:
        functions += _discover_functions(plugin.root, root, plugin.name, problems)
    functions = _drop_clashes(functions, root, problems)
    flows = load_flows(
        root,
        functions,
        plugins,
        validate_definition=validate_definition,
        region=region,
        account_id=account_id,
        name_prefix=name_prefix,
        extra_files=extra_flow_files,
    )
    service = _service(config, problems)
    project = Project(root=root, functions=tuple(functions), plugins=tuple(plugins), flows=flows.flows,
                      service=service)
    return LoadResult(project, tuple(problems) + flows.problems, flows.files)


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _read(path: Path, root: Path, problems: list[Problem]) -> str | None:
    """The text of ``path``, or None with the reason recorded (not UTF-8, unreadable)."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        where = Location(_rel(path, root), 1, 1)
        problems.append(Problem(Severity.ERROR, f"cannot read the file: {exc}", where))
        return None


def _discover_functions(
    base: Path, root: Path, plugin: str | None, problems: list[Problem]
) -> list[Function]:
    lib = base.joinpath(*FUNCTIONS_DIR)
    if not lib.is_dir():
        return []
    found: list[Function] = []
    for folder in sorted(lib.iterdir(), key=lambda p: p.name):
        if not folder.is_dir() or is_private_folder(folder.name):
            continue
        where = Location(_rel(folder, root), 1, 1)
        reason = check_name(folder.name)
        if reason:
            problems.append(Problem(Severity.ERROR, f"function folder {reason}; it is not served", where))
            continue
        if not (folder / "handler.py").is_file():
            problems.append(Problem(Severity.WARNING, "no handler.py in this folder; skipped", where))
            continue
        function = Function(name=folder.name, directory=folder, plugin=plugin)
        config = folder / "function.yml"
        if config.is_file():
            text = _read(config, root, problems)
            if text is None:
                continue
            settings, errors = parse_function_config(text, _rel(config, root))
            if errors:
                problems.extend(errors)
                continue
            changes = {k: v for k, v in vars(settings).items() if v is not None}
            function = replace(function, **changes)
        found.append(function)
    return found


def _drop_clashes(functions: list[Function], root: Path, problems: list[Problem]) -> list[Function]:
    """Refuse functions whose deployed names collide; a project function beats a plugin's."""
    groups: dict[str, list[Function]] = defaultdict(list)
    for fn in functions:
        groups[fn.deployed_name].append(fn)
    dropped: set[str] = set()
    for deployed, group in groups.items():
        if len(group) < 2:
            continue
        own = [fn for fn in group if fn.plugin is None]
        names = " and ".join(_rel(fn.directory, root) for fn in group)
        if len(own) == 1:
            losers = [fn for fn in group if fn.plugin is not None]
            note = f"the project's {own[0].key} is kept; the plugin's is not served"
        else:
            losers = group
            note = "none of them is served"
        problems.append(
            Problem(
                Severity.ERROR,
                f"{names} deploy under the same name {deployed!r}; {note}",
                Location(_rel(group[-1].directory, root), 1, 1),
            )
        )
        dropped.update(fn.key for fn in losers)
    return [fn for fn in functions if fn.key not in dropped]


def read_service(root: Path) -> str:
    """The service name config.json gives (``sdw`` by default); ProjectLoadError when it is wrong."""
    problems: list[Problem] = []
    service = _service(_read_config(root.resolve(), problems), problems)
    if problems:
        raise ProjectLoadError("; ".join(str(p) for p in problems), list(problems))
    return service


def _read_config(root: Path, problems: list[Problem]) -> _Config | None:
    """config.json as a JSON object and its text, or None (absent, or reported as wrong)."""
    path = root / CONFIG_FILE
    if not path.is_file():
        return None
    text = _read(path, root, problems)
    if text is None:
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        where = Location(CONFIG_FILE, exc.lineno, exc.colno)
        problems.append(Problem(Severity.ERROR, f"does not parse: {exc.msg}", where))
        return None
    if not isinstance(data, dict):
        problems.append(Problem(Severity.ERROR, "must be a JSON object", Location(CONFIG_FILE, 1, 1)))
        return None
    return data, text


def _service(config: _Config | None, problems: list[Problem]) -> str:
    if config is None or "service" not in config[0]:
        return DEFAULT_SERVICE
    data, text = config
    reason = check_service(data["service"])
    if reason:
        problems.append(Problem(Severity.ERROR, reason, _find(text, '"service"')))
        return DEFAULT_SERVICE
    return str(data["service"])


def _load_plugins(
    config: _Config | None, root: Path, problems: list[Problem], fetch: PluginFetcher | None
) -> list[Plugin]:
    if config is None:
        return []
    data, text = config
    entries = data.get("plugins", [])
    if not isinstance(entries, list):
        problems.append(Problem(Severity.ERROR, '"plugins" must be a list', _find(text, '"plugins"')))
        return []
    plugins: list[Plugin] = []
    seen: dict[str, str] = {}
    for entry in entries:
        plugin = _plugin_from_entry(entry, root, text, problems, fetch)
        if plugin is None:
            continue
        if plugin.name in seen:
            problems.append(
                Problem(
                    Severity.ERROR,
                    f"plugins {redact(seen[plugin.name])!r} and {redact(str(entry))!r} share the name "
                    f"{plugin.name!r}; the second is not loaded",
                    _find(text, json.dumps(entry) if isinstance(entry, str) else '"plugins"'),
                )
            )
            continue
        seen[plugin.name] = str(entry)
        plugins.append(plugin)
    return plugins


def _plugin_from_entry(
    entry: Any, root: Path, text: str, problems: list[Problem], fetch: PluginFetcher | None
) -> Plugin | None:
    """``"./plugins/billing"``, ``{"path": "../billing", "name": "billing"}``, or a ``git+https://`` URL."""
    if isinstance(entry, str):
        path_text, name = entry, None
    elif isinstance(entry, dict) and isinstance(entry.get("path"), str):
        path_text, name = entry["path"], entry.get("name")
    else:
        shape = '{"path": ..., "name": ...}'
        message = f"plugin entry {redact(repr(entry))} must be a path or {shape}"
        problems.append(Problem(Severity.ERROR, message, _find(text, '"plugins"')))
        return None
    where = _find(text, json.dumps(path_text))
    if is_git_entry(path_text):
        return _git_plugin(path_text, name if isinstance(name, str) else None, where, problems, fetch)
    plugin_root = (root / path_text).resolve()
    plugin_name = name if isinstance(name, str) else plugin_root.name
    reason = check_name(plugin_name)
    if reason:
        problems.append(Problem(Severity.ERROR, f"plugin name {reason}", where))
        return None
    if not plugin_root.is_dir():
        problems.append(Problem(Severity.ERROR, f"plugin folder {path_text!r} does not exist", where))
        return None
    return Plugin(name=plugin_name, root=plugin_root)


def _git_plugin(
    entry: str, name: str | None, where: Location, problems: list[Problem], fetch: PluginFetcher | None
) -> Plugin | None:
    source = parse_git_entry(entry, name)
    if isinstance(source, str):
        problems.append(Problem(Severity.ERROR, f"{source}; it is not loaded", where))
        return None
    if fetch is None:
        message = f"plugin {str(source)!r} is in git; it is loaded where it is fetched (sdw dev), not here"
        problems.append(Problem(Severity.WARNING, message, where))
        return None
    try:
        folder = fetch(source)
    except PluginFetchError as exc:
        problems.append(Problem(Severity.ERROR, f"{redact(str(exc))}; the plugin is not loaded", where))
        return None
    return Plugin(name=source.name, root=folder, source=str(source))


def _find(text: str, needle: str) -> Location:
    """Where ``needle`` first appears in config.json (json gives no locations for values)."""
    index = text.find(needle)
    if index < 0:
        return Location(CONFIG_FILE, 1, 1)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return Location(CONFIG_FILE, line, column)
