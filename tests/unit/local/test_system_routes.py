"""The local runtime binds sdw.system's route table to its endpoints, and refuses any drift between them."""

from __future__ import annotations

import pytest

from sdw.local import Router, SystemCall
from sdw.local._runtime import add_system_routes
from sdw.system import SYSTEM_ROUTES, SystemResponse


def answer(call: SystemCall) -> SystemResponse:
    return SystemResponse(200, {})


def test_adds_every_route_the_table_gives_a_function_with_its_auth() -> None:
    router = Router()
    add_system_routes(router, "api_usage", {"GET /usage": answer, "GET /usage/{user_id}": answer})
    added = {(route.key, route.authorized, route.blocking) for route in router.routes}
    assert added == {("GET /usage", True, True), ("GET /usage/{user_id}", True, True)}
    assert router.match("GET", "/usage/sub-1") is not None


def test_a_route_of_the_table_without_a_handler_or_a_handler_without_a_route_is_refused() -> None:
    expected = r"functions/base/api_usage: routes and handlers differ on GET /usage/\{user_id\}"
    with pytest.raises(ValueError, match=expected):
        add_system_routes(Router(), "api_usage", {"GET /usage": answer})
    with pytest.raises(ValueError, match="differ on GET /usage/me"):
        add_system_routes(Router(), "api_usage", {"GET /usage": answer, "GET /usage/{user_id}": answer,
                                                  "GET /usage/me": answer})


def test_inline_routes_run_on_the_event_loop() -> None:
    router = Router()
    keys = [route.key for route in SYSTEM_ROUTES if route.function == "auth"]
    add_system_routes(router, "auth", dict.fromkeys(keys, answer), inline={"GET /auth/config"})
    blocking = {route.key: route.blocking for route in router.routes}
    assert blocking == {"GET /auth/config": False, "GET /auth/verify": True}
