"""sdw.runtime.handler's wrapper: secrets into the environment at cold start, connections per call."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from sdw.runtime import (
    Connection,
    ConnectionNotFoundError,
    HandlerConfigError,
    LambdaEntry,
    SecretNotFoundError,
    parse_connections_variable,
)

BASE_ENV = {"SDW_HANDLER": "functions/lib/report/handler.handler", "SDW_SERVICE": "billing",
            "SDW_STAGE": "prod", "AWS_LAMBDA_FUNCTION_NAME": "billing-prod-report"}


class Reader:
    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        self.calls: list[list[str]] = []

    def get_parameters(self, paths: Sequence[str]) -> dict[str, str]:
        self.calls.append(list(paths))
        return {p: self.values[p] for p in paths if p in self.values}

    def get_parameter(self, path: str) -> str | None:
        return self.get_parameters([path]).get(path)


class Importer:
    """Stands in for importing the user's module: records the environment it saw."""

    def __init__(self, environ: dict[str, str]) -> None:
        self.environ = environ
        self.seen_at_import: dict[str, str] | None = None
        self.events: list[Any] = []
        self.roots: list[Path] = []

    def __call__(self, spec: str, roots: Sequence[Path]) -> Any:
        self.seen_at_import = dict(self.environ)
        self.roots = list(roots)

        def handler(event: Any, context: Any) -> Any:
            self.events.append(event)
            return {"ok": True}

        return handler


def make(env: dict[str, str], reader: Reader) -> tuple[LambdaEntry, Importer, list[str], list[int]]:
    importer = Importer(env)
    lines: list[str] = []
    made: list[int] = []

    def parameters() -> Reader:
        made.append(1)
        return reader

    entry = LambdaEntry(env, parameters, import_handler=importer, log=lines.append,
                        clock=lambda: 1_900_000_000.0)
    return entry, importer, lines, made


CONTEXT = SimpleNamespace(aws_request_id="req-1")


def test_puts_secrets_in_the_environment_before_the_users_module_is_imported() -> None:
    env = {**BASE_ENV, "SDW_SECRETS": "API_KEY,SMTP_PASSWORD"}
    reader = Reader({"/billing/prod/API_KEY": "k1", "/billing/prod/SMTP_PASSWORD": "p1"})
    entry, importer, _, _ = make(env, reader)
    assert entry({"a": 1}, CONTEXT) == {"ok": True}
    assert importer.seen_at_import is not None
    assert (importer.seen_at_import["API_KEY"], importer.seen_at_import["SMTP_PASSWORD"]) == ("k1", "p1")
    entry({"a": 2}, CONTEXT)
    assert reader.calls == [["/billing/prod/API_KEY", "/billing/prod/SMTP_PASSWORD"]]  # once: at cold start


def test_a_missing_secret_names_itself_and_fails_every_call_until_it_exists() -> None:
    env = {**BASE_ENV, "SDW_SECRETS": "API_KEY,SMTP_PASSWORD"}
    reader = Reader({"/billing/prod/API_KEY": "k1"})
    entry, importer, _, _ = make(env, reader)
    for _ in range(2):
        with pytest.raises(SecretNotFoundError) as raised:
            entry({}, CONTEXT)
        assert raised.value.missing == (("SMTP_PASSWORD", "/billing/prod/SMTP_PASSWORD"),)
        assert "'billing-prod-report': secret not set: SMTP_PASSWORD (/billing/prod/SMTP_PASSWORD)" in str(
            raised.value)
        assert "k1" not in str(raised.value)
    assert importer.seen_at_import is None and "API_KEY" not in env
    reader.values["/billing/prod/SMTP_PASSWORD"] = "p1"
    assert entry({}, CONTEXT) == {"ok": True}


def test_a_function_without_secrets_or_references_never_touches_the_parameter_store() -> None:
    entry, _, _, made = make(dict(BASE_ENV), Reader({}))
    entry({"plain": "{{connection:x}} inside text"}, CONTEXT)
    assert made == []


def test_resolves_connections_per_call_and_writes_an_access_line_without_the_value() -> None:
    env = {**BASE_ENV, "SDW_CONNECTIONS": "ai=openai"}
    reader = Reader({"/billing/prod/connections/ai": Connection("openai", {"apiKey": "sk-9"}).document()})
    entry, importer, lines, _ = make(env, reader)
    event = {"key": "{{connection:ai}}", "__user_id": "user-1"}
    entry(event, CONTEXT)
    assert importer.events == [{"key": {"apiKey": "sk-9"}, "__user_id": "user-1"}]
    assert event["key"] == "{{connection:ai}}"
    (line,) = lines
    assert json.loads(line) == {"sdw": "connection-access", "connection": "ai", "type": "openai",
                                "function": "billing-prod-report", "requestId": "req-1", "user": "user-1",
                                "time": "2030-03-17T17:46:40.000Z"}
    assert "sk-9" not in line


def test_an_unknown_connection_fails_the_call_with_its_named_error() -> None:
    env = {**BASE_ENV, "SDW_CONNECTIONS": "ai=openai"}
    entry, _, _, _ = make(env, Reader({}))
    with pytest.raises(ConnectionNotFoundError):
        entry({"key": "{{connection:ai}}"}, CONTEXT)


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"SDW_HANDLER": ""}, "SDW_HANDLER is not set"),
        ({"SDW_STAGE": "", "SDW_SECRETS": "API_KEY"}, "SDW_STAGE is not set"),
        ({"SDW_CONNECTIONS": "ai"}, "SDW_CONNECTIONS item 'ai' is not NAME=TYPE"),
    ],
)
def test_an_environment_the_deploy_got_wrong_is_named(change: dict[str, str], fragment: str) -> None:
    entry, _, _, _ = make({**BASE_ENV, **change}, Reader({}))
    with pytest.raises(HandlerConfigError, match=fragment):
        entry({}, CONTEXT)


def test_parses_the_connections_variable() -> None:
    assert parse_connections_variable("") == {}
    assert parse_connections_variable("a=openai, b=postgres") == {"a": "openai", "b": "postgres"}


def test_the_users_handler_is_imported_from_the_task_root_or_its_plugins_folder_first() -> None:
    env = {**BASE_ENV, "LAMBDA_TASK_ROOT": "/var/task"}
    entry, importer, _, _ = make(env, Reader({}))
    entry({}, CONTEXT)
    assert importer.roots == [Path("/var/task")]
    plugin_env = {**env, "SDW_PACKAGE_ROOT": "plugins/billing"}
    entry, importer, _, _ = make(plugin_env, Reader({}))
    entry({}, CONTEXT)
    assert importer.roots == [Path("/var/task/plugins/billing"), Path("/var/task")]
