"""Routes of the local HTTP API: ``METHOD /path`` to a function or a system endpoint.

HTTP API matches the most specific route first: an exact path beats one with
``{parameters}``. A path that matches no route with the request's method answers 404
``Not Found`` (HTTP API has no 405). Function routes are exact (``POST /lib/<key>``);
system endpoints may take parameters (``GET /runs/{id}``), so the flows engineer can add
``/run/{flow}``, ``/runs`` and ``/flows`` with one ``add_system`` call each.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from sdw.local._events import GatewayRequest
from sdw.system import Principal


class SystemResult(Protocol):
    """What a system endpoint returns (sdw.system's ``SystemResponse`` fits)."""

    @property
    def status(self) -> int: ...

    @property
    def body(self) -> Any: ...


@dataclass(frozen=True)
class SystemCall:
    """Everything a system endpoint may look at."""

    request: GatewayRequest
    path_parameters: Mapping[str, str]
    principal: Principal | None


SystemHandler = Callable[[SystemCall], SystemResult | Awaitable[SystemResult]]


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # "/lib/ping" or "/runs/{id}"
    authorized: bool
    function: str | None = None  # the function key, for function routes
    system: SystemHandler | None = None
    blocking: bool = False  # run the system handler on a thread (it does I/O)
    _pattern: re.Pattern[str] | None = field(default=None, repr=False, compare=False)

    @property
    def key(self) -> str:
        """HTTP API's routeKey: ``POST /lib/ping``."""
        return f"{self.method} {self.path}"


class RouteConflictError(ValueError):
    """Two routes with the same method and path."""


_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _compile(path: str) -> re.Pattern[str] | None:
    if "{" not in path:
        return None
    pattern = "".join(
        f"(?P<{part}>[^/]+)" if i % 2 else re.escape(part) for i, part in enumerate(_PARAM.split(path))
    )
    return re.compile(pattern + r"\Z")


class Router:
    """Exact routes in a dict (one lookup per request); parameterised ones tried in order."""

    def __init__(self) -> None:
        self._exact: dict[tuple[str, str], Route] = {}
        self._patterns: list[Route] = []

    def add(self, route: Route) -> Route:
        pattern = _compile(route.path)
        route = Route(route.method.upper(), route.path, route.authorized, route.function, route.system,
                      route.blocking, pattern)
        if pattern is None:
            if (route.method, route.path) in self._exact:
                raise RouteConflictError(f"route {route.key} is defined twice")
            self._exact[(route.method, route.path)] = route
        else:
            if any(r.key == route.key for r in self._patterns):
                raise RouteConflictError(f"route {route.key} is defined twice")
            self._patterns.append(route)
        return route

    def add_function(self, key: str) -> Route:
        """``POST /lib/<key>``, behind the JWT authorizer."""
        return self.add(Route("POST", f"/lib/{key}", authorized=True, function=key))

    def add_system(self, method: str, path: str, handler: SystemHandler, *, authorized: bool,
                   blocking: bool = False) -> Route:
        return self.add(Route(method, path, authorized=authorized, system=handler, blocking=blocking))

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        route = self._exact.get((method, path))
        if route is not None:
            return route, {}
        for route in self._patterns:
            if route.method != method or route._pattern is None:
                continue
            found = route._pattern.match(path)
            if found:
                return route, found.groupdict()
        return None

    @property
    def routes(self) -> list[Route]:
        """Every route, sorted by path then method (what ``sdw dev`` prints)."""
        return sorted([*self._exact.values(), *self._patterns], key=lambda r: (r.path, r.method))
