"""Per-function environment variables in one shared process: the overlay behind ``os.environ``.

On Lambda each function has its own process, so a secret put in its environment is seen
by that function alone. ``sdw dev`` runs every function in one process, and
``os.environ`` is process-global: writing function A's ``API_KEY`` there would hand it to
function B, running at the same moment on another thread. So secrets never go into the
real environment. :func:`install_scoped_environ` replaces ``os.environ`` (once, by
``sdw dev``; never at import) with :class:`ScopedEnviron`, which reads the process
environment *plus* the variables of the function running in the current context:

    with function_environment({"API_KEY": "..."}):   # what the invoker does around a call
        os.environ["API_KEY"]; os.getenv("API_KEY")  # seen here
    # and not here, nor on any other thread

What cannot be isolated, and is said in the README:

* The overlay follows Python's ``contextvars``: a thread the handler starts itself (a
  ``threading.Thread``, a pool created outside the call) does not see the secrets;
  ``asyncio`` tasks created inside the call do.
* Child processes get the real environment only (``subprocess`` passes the C-level
  environ): pass a secret to one explicitly (``env={**os.environ, ...}``).
* Code that took a reference before the swap (``from os import environ`` in a module
  imported earlier) sees the real environment only.
* A function writing ``os.environ[NAME]`` for one of its own secret names changes its
  own copy for that call; any other write goes to the process, as before.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

_OVERLAY: ContextVar[dict[str, str] | None] = ContextVar("sdw_function_environment", default=None)


class ScopedEnviron(os._Environ[str]):
    """``os.environ`` plus the current function's variables (sharing the real one's storage)."""

    def __getitem__(self, key: str) -> str:
        overlay = _OVERLAY.get()
        if overlay is not None and key in overlay:
            return overlay[key]
        return super().__getitem__(key)

    def __setitem__(self, key: str, value: str) -> None:
        overlay = _OVERLAY.get()
        if overlay is not None and key in overlay:
            overlay[key] = str(value)
            return
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        overlay = _OVERLAY.get()
        if overlay is not None and key in overlay:
            del overlay[key]
            return
        super().__delitem__(key)

    def __iter__(self) -> Iterator[str]:
        overlay = _OVERLAY.get()
        yield from super().__iter__()
        if overlay:
            yield from (key for key in overlay if key not in self._data_keys())

    def __len__(self) -> int:
        overlay = _OVERLAY.get()
        extra = sum(1 for key in overlay if key not in self._data_keys()) if overlay else 0
        return super().__len__() + extra

    def copy(self) -> dict[str, str]:
        return dict(self)

    def _data_keys(self) -> set[str]:
        return set(super().__iter__())


def install_scoped_environ() -> None:
    """Make ``os.environ`` (and so ``os.getenv``) see function variables; idempotent."""
    current = os.environ
    if isinstance(current, ScopedEnviron):
        return
    scoped = ScopedEnviron(
        current._data,  # type: ignore[attr-defined]  # the same storage: one process environment
        current.encodekey,
        current.decodekey,
        current.encodevalue,
        current.decodevalue,
    )
    os.environ = scoped  # noqa: B003 - a swap that keeps every variable: the storage is shared


@contextmanager
def function_environment(variables: Mapping[str, str]) -> Iterator[None]:
    """Within this block, in this context only, ``os.environ`` also holds ``variables``."""
    token = _OVERLAY.set(dict(variables))
    try:
        yield
    finally:
        _OVERLAY.reset(token)
