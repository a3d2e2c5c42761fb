"""Handler modules imported as Lambda imports them, each warm instance in a namespace of its own.

On Lambda a function's package is unpacked in ``/var/task``, which is on ``sys.path``, and
the handler ``functions/lib/ping/handler.handler`` is imported as the module
``functions.lib.ping.handler`` (the runtime replaces ``/`` by ``.``). So a handler may
import anything under its package's root: ``functions.base.api_usage.handler``, its own
helpers as ``from functions.lib.ping import utils`` or ``from . import utils``. Its own
folder is *not* on ``sys.path``: a bare ``import utils`` of a sibling file fails there,
and so it fails here.

The package roots (``roots``): a project function's is the project's root; a plugin
function's is its plugin's folder, then the project's root, so ``functions.lib.<name>``
and the plugin's own modules come from the plugin and ``functions.base`` from the project.
Packages found in both (``functions``, ``functions/lib``) are merged, the plugin's first.

Many functions share one interpreter here, and one ``sys.modules``, where Lambda gives
each function a process of its own. So every warm instance gets a namespace: a package
``_sdw_fn_<n>`` whose ``__path__`` is the roots, under which every module of the tree is
loaded (``_sdw_fn_7.functions.lib.ping.handler``, ``_sdw_fn_7.functions.lib.ping.utils``).
Two functions' ``utils.py`` never meet, a function's copy of ``functions.base`` keeps its
own module state, and a reloaded instance re-imports its helpers from disk, as a cold
Lambda does. Each module of a namespace gets ``__builtins__`` of its own whose
``__import__`` sends an absolute import of a top-level name found under the roots
(``functions``, any folder or ``.py`` there) into the namespace; any other name (the
standard library, installed packages, ``sdw`` itself) is the process's one shared copy.

Designs not taken: putting the roots on ``sys.path`` (the first ``functions.lib.a.utils``
imported would serve every later function and every other project in the process, and
a reload would keep stale helpers); renaming modules after import (their ``__name__``
would not be where ``sys.modules`` keeps them, which breaks dataclasses, pickle and
pydantic's forward references). What is not redirected: ``importlib.import_module`` called
with a tree's module name (write an import statement), and builtins added to the
``builtins`` module after the namespace was made.
"""

from __future__ import annotations

import builtins
import importlib
import importlib.abc
import importlib.machinery
import itertools
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

SHARED = frozenset({"sdw", "__future__"}) | sys.stdlib_module_names
PREFIX = "_sdw_fn_"

_counter = itertools.count(1)
_counter_lock = threading.Lock()
ImportFunction = Callable[..., ModuleType]
_real_import: ImportFunction = builtins.__import__


class ImportNamespace:
    """The modules of one warm instance: ``<name>.<module>`` for every module of its roots."""

    def __init__(self, name: str, roots: Sequence[Path]) -> None:
        self.name = name
        self.roots = tuple(roots)
        self._local: dict[str, bool] = {}
        # an exact dict, not a subclass: builtin lookups keep CPython's fast path
        self.builtins: dict[str, Any] = {**builtins.__dict__, "__import__": self.import_}

    def is_local(self, top: str) -> bool:
        """Whether the top-level name ``top`` is a folder or module under the roots (and not shared)."""
        found = self._local.get(top)
        if found is None:
            found = top not in SHARED and any(
                (root / top).is_dir() or (root / f"{top}.py").is_file() for root in self.roots
            )
            self._local[top] = found
        return found

    def import_(
        self,
        name: str,
        globals: Mapping[str, Any] | None = None,
        locals: Mapping[str, Any] | None = None,
        fromlist: Sequence[str] | None = (),
        level: int = 0,
    ) -> ModuleType:
        """``__import__`` for the namespace's modules: the tree's absolute names go to the namespace."""
        if level == 0 and name and self.is_local(name.partition(".")[0]):
            module = _real_import(f"{self.name}.{name}", globals, locals, fromlist, 0)
            return module if fromlist else sys.modules[f"{self.name}.{name.partition('.')[0]}"]
        return _real_import(name, globals, locals, fromlist, level)

    def import_module(self, dotted: str) -> ModuleType:
        """Import ``dotted`` (``functions.lib.ping.handler``) inside the namespace."""
        return importlib.import_module(f"{self.name}.{dotted}")


class _NamespacedSourceLoader(importlib.machinery.SourceFileLoader):
    """A source file loader that gives the module its namespace's ``__builtins__`` first."""

    def __init__(self, fullname: str, path: str, namespace_builtins: dict[str, Any]) -> None:
        super().__init__(fullname, path)
        self._builtins = namespace_builtins

    def exec_module(self, module: ModuleType) -> None:
        module.__dict__["__builtins__"] = self._builtins
        super().exec_module(module)


class _NamespaceFinder(importlib.abc.MetaPathFinder):
    """Finds ``_sdw_fn_<n>.<module>`` under the namespace's roots; any other name is not its business."""

    def __init__(self) -> None:
        self.namespaces: dict[str, ImportNamespace] = {}

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if not fullname.startswith(PREFIX):
            return None
        namespace = self.namespaces.get(fullname.partition(".")[0])
        if namespace is None or "." not in fullname:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.origin is None:
            return spec  # not found, or a namespace package (PathFinder merges those itself)
        if isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            spec.loader = _NamespacedSourceLoader(fullname, spec.origin, namespace.builtins)
        if spec.submodule_search_locations is not None:  # a package with __init__.py: merge later roots'
            spec.submodule_search_locations.extend(_same_folder_in_later_roots(Path(spec.origin).parent,
                                                                               namespace.roots))
        return spec


def _same_folder_in_later_roots(folder: Path, roots: Sequence[Path]) -> list[str]:
    for index, root in enumerate(roots):
        if folder.is_relative_to(root):
            relative = folder.relative_to(root)
            return [str(later / relative) for later in roots[index + 1 :] if (later / relative).is_dir()]
    return []


_FINDER = _NamespaceFinder()


def create_namespace(roots: Sequence[Path]) -> ImportNamespace:
    """A new, empty namespace over ``roots`` (first wins), registered for import."""
    with _counter_lock:
        name = f"{PREFIX}{next(_counter)}"
        if _FINDER not in sys.meta_path:
            sys.meta_path.insert(0, _FINDER)
    importlib.invalidate_caches()  # a helper written since the last import is found
    namespace = ImportNamespace(name, roots)
    package = ModuleType(name, f"the modules of one warm function instance over {', '.join(map(str, roots))}")
    package.__path__ = [str(root) for root in namespace.roots]
    package.__package__ = name
    package.__spec__ = importlib.machinery.ModuleSpec(name, None, is_package=True)
    package.__spec__.submodule_search_locations = package.__path__
    _FINDER.namespaces[name] = namespace
    sys.modules[name] = package
    return namespace
