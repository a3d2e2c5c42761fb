from __future__ import annotations

import pytest

from sdw.local._routing import Route, RouteConflictError, Router, SystemCall


def handler(call: SystemCall) -> object:
    return call


def test_routes_post_lib_name_to_its_function_behind_the_authorizer() -> None:
    router = Router()
    router.add_function("ping")
    router.add_function("billing/charge")
    route, params = router.match("POST", "/lib/billing/charge") or (None, None)
    assert route is not None and route.function == "billing/charge" and route.authorized
    assert route.key == "POST /lib/billing/charge"
    assert params == {}


def test_answers_none_for_an_unknown_path_or_another_method() -> None:
    router = Router()
    router.add_function("ping")
    assert router.match("POST", "/lib/pong") is None
    assert router.match("GET", "/lib/ping") is None
    assert router.match("POST", "/lib/ping/") is None


def test_can_route_path_parameters_for_system_endpoints() -> None:
    router = Router()
    router.add_system("GET", "/runs/{id}", handler, authorized=True)
    route, params = router.match("GET", "/runs/abc-1") or (None, None)
    assert route is not None and route.system is handler
    assert params == {"id": "abc-1"}
    assert router.match("GET", "/runs/a/b") is None


def test_prefers_an_exact_route_to_a_parameterised_one() -> None:
    router = Router()
    router.add_system("GET", "/runs/{id}", handler, authorized=True)
    router.add_system("GET", "/runs/latest", handler, authorized=False)
    route, params = router.match("GET", "/runs/latest") or (None, None)
    assert route is not None and not route.authorized and params == {}


def test_refuses_a_route_defined_twice() -> None:
    router = Router()
    router.add_function("ping")
    with pytest.raises(RouteConflictError):
        router.add_function("ping")
    router.add_system("GET", "/runs/{id}", handler, authorized=True)
    with pytest.raises(RouteConflictError):
        router.add(Route("GET", "/runs/{id}", authorized=False, system=handler))


def test_lists_routes_sorted_by_path() -> None:
    router = Router()
    router.add_function("zeta")
    router.add_system("GET", "/auth/config", handler, authorized=False)
    router.add_function("alpha")
    assert [r.path for r in router.routes] == ["/auth/config", "/lib/alpha", "/lib/zeta"]
