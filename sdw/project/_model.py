"""The project model: what the tree declares, as plain frozen data.

Everything that serves or deploys a project (the local gateway, the flow engine, the
deploy compiler) reads these objects and never the tree itself, so a rule about the tree
(names, defaults, plugin namespacing) is written once, in the loader, and a test can build
a ``Project`` by hand without touching a disk.

Plugins are namespaced by a path segment: plugin ``billing``'s ``functions/lib/charge``
is served at ``POST /lib/billing/charge`` and deployed as ``billing-charge``. A project
function can never be shadowed: its key has no ``/``, a plugin function's always has one.
Deployed names can still clash (project ``billing-charge`` vs that plugin function);
the loader reports that as an error naming both and keeps the project's own function.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sdw.project._yaml import Location

if TYPE_CHECKING:  # _flows_model imports Function from here
    from sdw.project._flows_model import Flow, FlowFile


class Severity(enum.StrEnum):
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or doubtful) in the tree, with where to look."""

    severity: Severity
    message: str
    location: Location | None = None

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        return f"{where}{self.severity.value}: {self.message}"


@dataclass(frozen=True)
class Function:
    """``functions/lib/<name>/handler.py`` with the settings of its ``function.yml``.

    Defaults are the Serverless Framework's (timeout 6 s) and ours (memory 1024 MB).
    """

    DEFAULT_TIMEOUT = 6
    DEFAULT_MEMORY = 1024

    name: str
    directory: Path
    plugin: str | None = None
    timeout: int = DEFAULT_TIMEOUT
    memory: int = DEFAULT_MEMORY
    description: str = ""
    secrets: tuple[str, ...] = ()  # names of environment variables, from SSM /<service>/<stage>/<NAME>
    connections: tuple[tuple[str, str], ...] = ()  # (connection name, the type it must have)

    @property
    def connection_types(self) -> dict[str, str]:
        """The connections this function may be handed, by name, with the type each must have."""
        return dict(self.connections)

    @property
    def handler_file(self) -> Path:
        return self.directory / "handler.py"

    @property
    def handler_module(self) -> str:
        """Lambda's module path of the handler, the ``handler`` setting without ``.handler``.

        ``functions/lib/ping/handler``: Lambda imports it as ``functions.lib.ping.handler``
        from the package root, and names it so in its import errors.
        """
        return f"functions/lib/{self.name}/handler"

    @property
    def package_root(self) -> Path:
        """What Lambda unpacks as ``/var/task`` for it: the project's root, or its plugin's folder.

        Imports of the function resolve from here (``functions.lib.<name>.<helper>``); a
        plugin function's imports fall back to the project's root (``functions.base``).
        """
        return self.directory.parent.parent.parent

    @property
    def key(self) -> str:
        """The name used in routes and flows: ``ping`` or ``<plugin>/<name>``."""
        return self.name if self.plugin is None else f"{self.plugin}/{self.name}"

    @property
    def route_path(self) -> str:
        return f"/lib/{self.key}"

    @property
    def deployed_name(self) -> str:
        """The Lambda function's name in serverless.yml: ``_`` and ``/`` become ``-``.

        Two functions with one deployed name cannot both deploy, so the loader refuses
        them here already (``a-b`` and ``a_b``).
        """
        return deployed_name(self.key)


def deployed_name(key: str) -> str:
    return key.replace("/", "-").replace("_", "-")


@dataclass(frozen=True)
class Plugin:
    """A plugin from config.json: a folder with its own functions/lib and flows/.

    ``source`` is the ``git+https://...`` entry it was fetched from (None for a local folder).
    """

    name: str
    root: Path
    source: str | None = None


@dataclass(frozen=True)
class Project:
    """The whole tree: functions (project's and plugins'), plugins, and flows.

    ``flows`` holds the valid flows of flows/*.yml (sdw.project._flows), in load order.
    """

    root: Path
    functions: tuple[Function, ...] = ()
    plugins: tuple[Plugin, ...] = ()
    flows: tuple[Flow, ...] = ()
    service: str = "sdw"  # config.json "service": <service>-<stage> on AWS, /<service>/<stage>/ in SSM
    _by_key: dict[str, Function] = field(default_factory=dict, init=False, repr=False, compare=False)
    _flows_by_name: dict[str, Flow] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_key.update((fn.key, fn) for fn in self.functions)
        for flow in self.flows:  # the loader keeps both unique across all flows
            self._flows_by_name[flow.key] = flow
            self._flows_by_name[flow.state_machine_name] = flow

    def function(self, key: str) -> Function | None:
        """The function served at ``/lib/<key>``, or None."""
        return self._by_key.get(key)

    def flow(self, name: str) -> Flow | None:
        """The flow with key ``name`` (``billing/nightly``) or state machine name (``billing-nightly``)."""
        return self._flows_by_name.get(name)

    def __iter__(self) -> Iterator[Function]:
        return iter(self.functions)


@dataclass(frozen=True)
class LoadResult:
    """The model plus every problem found; one bad function never hides the others.

    ``flow_files`` lists every flow file found, loaded or not (``sdw flows list``).
    """

    project: Project
    problems: tuple[Problem, ...] = ()
    flow_files: tuple[FlowFile, ...] = ()

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.WARNING)
