"""Connections: credentials by reference, resolved just before a function is called (seed 000).

A flow state's ``Parameters``/``Arguments``, or any function input, may hold the string
``{{connection:NAME}}``. The execution (its input, its history) keeps that string; only
the function gets the value, put in its place in a copy of the event, just before its
handler runs: by the warm invoker of ``sdw dev``, and by ``sdw.runtime.handler`` inside
a Lambda. This module is that replacement, shared by both, with the store injected.

The rules:

* A string that is exactly ``{{connection:NAME}}`` is replaced by the connection's value,
  whatever JSON it is (an object such as ``{"apiKey": "..."}``, or a string). A reference
  inside a longer string is left as it is: a value is JSON, not text to splice.
* ``NAME`` must be one the function lists in function.yml (``connections: {NAME: TYPE}``),
  else ``sdw.ConnectionNotDeclared``: the allow-list keeps a caller from handing any
  stored credential to any function (an echo function would give it back).
* No connection ``NAME`` stored: ``sdw.ConnectionNotFound``; stored with another type than
  the declared one: ``sdw.ConnectionTypeMismatch``. Each fails the call, so the state,
  with that error; Retry and Catch match it.
* Every resolution is reported to ``on_resolve`` (the access log), once per name per call.

How a connection is stored, locally and in SSM alike: a SecureString at
``/<service>/<stage>/connections/<NAME>`` holding ``{"type": TYPE, "value": VALUE}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sdw.runtime._errors import (
    ConnectionNotDeclaredError,
    ConnectionNotFoundError,
    ConnectionTypeMismatchError,
    ParameterStoreError,
)

REFERENCE = re.compile(r"\{\{connection:([A-Za-z0-9_.-]{1,128})\}\}")
_MARKER = "{{connection:"


@dataclass(frozen=True)
class Connection:
    """A stored connection: its ``type`` (``openai``, ``postgres``...) and its JSON ``value``."""

    type: str
    value: Any

    def document(self) -> str:
        """How it is stored (a SecureString's text)."""
        return json.dumps({"type": self.type, "value": self.value}, separators=(",", ":"))

    def __repr__(self) -> str:  # never print a credential by accident
        return f"Connection(type={self.type!r}, value=<hidden>)"


def parse_connection(text: str, name: str) -> Connection:
    """The Connection stored as ``text``; ParameterStoreError (naming it, not quoting it) when malformed."""
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("type"), str) or "value" not in data:
        raise ParameterStoreError(
            f"connection {name!r} is not stored as {{\"type\": ..., \"value\": ...}}; put it again"
        )
    return Connection(data["type"], data["value"])


class ConnectionSource(Protocol):
    """Where connections are read from: the local encrypted store, or SSM through Powertools."""

    def get_connection(self, name: str) -> Connection | None:
        """The connection ``name``, or None when none is stored."""
        ...


@dataclass(frozen=True)
class Resolution:
    """One reference resolved (for the access log): which connection, of which type."""

    connection: str
    type: str


def secret_parameter(service: str, stage: str, name: str) -> str:
    """The SSM parameter of secret ``name``: ``/<service>/<stage>/<name>``."""
    return f"/{service}/{stage}/{name}"


def connection_parameter(service: str, stage: str, name: str) -> str:
    """The SSM parameter of connection ``name``: ``/<service>/<stage>/connections/<name>``."""
    return f"/{service}/{stage}/connections/{name}"


def has_references(event: Any) -> bool:
    """Whether any string in ``event`` is exactly a connection reference (cheap: no lookups)."""
    stack = [event]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if item.startswith(_MARKER) and REFERENCE.fullmatch(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def resolve_connections(
    event: Any,
    *,
    function: str,
    declared: Mapping[str, str],
    source: ConnectionSource,
    on_resolve: Callable[[Resolution], None] | None = None,
) -> Any:
    """``event`` with every ``{{connection:NAME}}`` replaced by the value (a new object; ``event``
    is left as it is). Raises a ConnectionFailure naming the connection and ``function``.

    >>> class One:
    ...     def get_connection(self, name): return Connection("openai", {"apiKey": "k"})
    >>> event = {"api": "{{connection:ai}}"}
    >>> resolve_connections(event, function="f", declared={"ai": "openai"}, source=One())
    {'api': {'apiKey': 'k'}}
    """
    if not has_references(event):
        return event
    resolved: dict[str, Any] = {}

    def value_of(name: str) -> Any:
        if name not in resolved:
            resolved[name] = _lookup(name, function, declared, source)
            if on_resolve is not None:
                on_resolve(Resolution(name, declared[name]))
        return resolved[name]

    def walk(item: Any) -> Any:
        if isinstance(item, str):
            match = REFERENCE.fullmatch(item) if item.startswith(_MARKER) else None
            return value_of(match.group(1)) if match else item
        if isinstance(item, dict):
            return {key: walk(value) for key, value in item.items()}
        if isinstance(item, list):
            return [walk(value) for value in item]
        return item

    return walk(event)


def _lookup(name: str, function: str, declared: Mapping[str, str], source: ConnectionSource) -> Any:
    wanted = declared.get(name)
    if wanted is None:
        listed = ", ".join(sorted(declared)) or "none"
        raise ConnectionNotDeclaredError(
            name,
            f"function {function!r} is handed connection {name!r}, which its function.yml does not list "
            f"(connections: {{{name}: <type>}}); it lists: {listed}",
        )
    connection = source.get_connection(name)
    if connection is None:
        raise ConnectionNotFoundError(
            name, f"connection {name!r} (for function {function!r}) is not stored: "
            f"sdw connections put {name} --type {wanted} --value '<JSON>'",
        )
    if connection.type != wanted:
        raise ConnectionTypeMismatchError(
            name,
            f"connection {name!r} is of type {connection.type!r}, but function {function!r} "
            f"declares it as {wanted!r}",
        )
    return connection.value
