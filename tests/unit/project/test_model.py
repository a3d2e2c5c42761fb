from __future__ import annotations

from pathlib import Path

from sdw.project import Function, LoadResult, Problem, Project, Severity


def test_gives_a_plugin_function_a_namespaced_key_route_and_deployed_name() -> None:
    fn = Function("charge_card", Path("/p/functions/lib/charge_card"), plugin="billing")
    assert fn.key == "billing/charge_card"
    assert fn.route_path == "/lib/billing/charge_card"
    assert fn.deployed_name == "billing-charge-card"


def test_uses_the_serverless_framework_defaults() -> None:
    fn = Function("ping", Path("/p/functions/lib/ping"))
    assert (fn.timeout, fn.memory, fn.secrets, fn.plugin) == (6, 1024, (), None)
    assert fn.handler_file == Path("/p/functions/lib/ping/handler.py")


def test_finds_a_function_by_key() -> None:
    ping = Function("ping", Path("/p/ping"))
    project = Project(Path("/p"), functions=(ping,))
    assert project.function("ping") is ping
    assert project.function("nope") is None
    assert list(project) == [ping]


def test_splits_problems_into_errors_and_warnings() -> None:
    error = Problem(Severity.ERROR, "bad")
    warning = Problem(Severity.WARNING, "doubtful")
    result = LoadResult(Project(Path("/p")), (error, warning))
    assert result.errors == (error,)
    assert result.warnings == (warning,)
    assert str(warning) == "warning: doubtful"
