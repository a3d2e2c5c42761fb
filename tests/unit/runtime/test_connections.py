"""{{connection:NAME}} references: replaced in a copy, declared names only, typed, logged once."""

from __future__ import annotations

from typing import Any

import pytest

from sdw.runtime import (
    Connection,
    ConnectionFailure,
    ConnectionNotDeclaredError,
    ConnectionNotFoundError,
    ConnectionTypeMismatchError,
    ParameterStoreError,
    Resolution,
    connection_parameter,
    has_references,
    parse_connection,
    resolve_connections,
    secret_parameter,
)

SECRET = "sk-live-0123456789"


class Store:
    def __init__(self, **connections: Connection) -> None:
        self.connections = connections
        self.asked: list[str] = []

    def get_connection(self, name: str) -> Connection | None:
        self.asked.append(name)
        return self.connections.get(name)


def resolve(event: Any, store: Store, declared: dict[str, str] | None = None,
            log: list[Resolution] | None = None) -> Any:
    return resolve_connections(
        event, function="report", declared={"ai": "openai"} if declared is None else declared, source=store,
        on_resolve=None if log is None else log.append,
    )


def test_replaces_every_exact_reference_in_a_copy_and_logs_each_name_once() -> None:
    store = Store(ai=Connection("openai", {"apiKey": SECRET}))
    event = {"api": "{{connection:ai}}", "steps": [{"auth": "{{connection:ai}}"}, 3, None], "n": 1}
    log: list[Resolution] = []
    resolved = resolve(event, store, log=log)
    assert resolved == {"api": {"apiKey": SECRET}, "steps": [{"auth": {"apiKey": SECRET}}, 3, None], "n": 1}
    assert event["api"] == "{{connection:ai}}"  # the execution's copy keeps the reference
    assert log == [Resolution("ai", "openai")]
    assert store.asked == ["ai"]


def test_leaves_a_reference_inside_longer_text_and_events_without_references_alone() -> None:
    store = Store()
    event = {"header": "Bearer {{connection:ai}}", "x": "{{connection:}}"}
    assert resolve(event, store) is event
    assert not has_references(event)
    assert store.asked == []


@pytest.mark.parametrize(
    ("declared", "stored", "error", "name", "fragment"),
    [
        ({}, Connection("openai", {}), ConnectionNotDeclaredError, "sdw.ConnectionNotDeclared",
         "which its function.yml does not list"),
        ({"ai": "openai"}, None, ConnectionNotFoundError, "sdw.ConnectionNotFound",
         "sdw connections put ai --type openai"),
        ({"ai": "openai"}, Connection("anthropic", {"apiKey": SECRET}), ConnectionTypeMismatchError,
         "sdw.ConnectionTypeMismatch", "type 'anthropic', but function 'report' declares it as 'openai'"),
    ],
)
def test_a_reference_that_cannot_be_resolved_fails_with_a_named_error(
    declared: dict[str, str],
    stored: Connection | None,
    error: type[ConnectionFailure],
    name: str,
    fragment: str,
) -> None:
    store = Store(**({"ai": stored} if stored else {}))
    with pytest.raises(error) as raised:
        resolve({"api": "{{connection:ai}}"}, store, declared)
    assert type(raised.value).__name__ == name == raised.value.error_name  # what Lambda puts in errorType
    assert fragment in str(raised.value)
    assert SECRET not in str(raised.value) and raised.value.connection == "ai"


def test_stored_document_round_trips_and_never_shows_its_value() -> None:
    connection = Connection("openai", {"apiKey": SECRET})
    assert parse_connection(connection.document(), "ai") == connection
    assert SECRET not in repr(connection)
    for bad in ("not json", '{"value": 1}', '{"type": 3, "value": 1}', "[]"):
        with pytest.raises(ParameterStoreError, match="connection 'ai' is not stored as"):
            parse_connection(bad, "ai")


def test_parameter_paths_mirror_ssm() -> None:
    assert secret_parameter("sdw", "prod", "API_KEY") == "/sdw/prod/API_KEY"
    assert connection_parameter("billing", "local", "ai") == "/billing/local/connections/ai"
