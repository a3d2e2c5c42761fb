"""Test doubles for the gateway and invoker: plain classes, no patching, no files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sdw.local._invoker import Handler, LocalInvoker
from sdw.local._workers import WorkerPool
from sdw.project import Function, Project
from sdw.system import Principal

GOOD_TOKEN = "Bearer good"


class FakeAuthorizer:
    """Accepts exactly ``Bearer good``; counts calls."""

    def __init__(self) -> None:
        self.calls: list[str | None] = []

    def authorize(self, authorization: str | None) -> Principal | None:
        self.calls.append(authorization)
        if authorization == GOOD_TOKEN:
            return Principal({"sub": "user-1", "email": "a@example.com"})
        return None


class ManualClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def make_invoker(
    handlers: dict[str, Handler | BaseException],
    *,
    timeouts: dict[str, int] | None = None,
    clock: Callable[[], float] | None = None,
    mtimes: dict[str, float] | None = None,
    pool: WorkerPool | None = None,
    concurrency: int | None = None,
) -> LocalInvoker:
    """An invoker whose functions are Python callables (or the exception their import raises)."""
    timeouts = timeouts or {}
    functions = tuple(
        Function(name, Path(f"/project/functions/lib/{name}"), timeout=timeouts.get(name, 6))
        for name in handlers
    )
    loads: dict[str, int] = {}

    def loader(fn: Function) -> Handler:
        loads[fn.key] = loads.get(fn.key, 0) + 1
        found = handlers[fn.key]
        if isinstance(found, BaseException):
            raise found
        return found

    def stat(path: Path) -> float:
        return (mtimes or {}).get(path.parent.name, 1.0)

    invoker = LocalInvoker(
        Project(Path("/project"), functions=functions), pool=pool or WorkerPool(4), loader=loader, stat=stat,
        **({"clock": clock} if clock else {}), **({"concurrency": concurrency} if concurrency else {}),
    )
    invoker.loads = loads  # type: ignore[attr-defined]
    return invoker


def answer(result: Any) -> Handler:
    return lambda event, context: result
