"""Secrets and connections around a warm handler: what ``sdw.runtime.handler`` does on Lambda.

The invoker loads a handler through a ``HandlerLoader``; :meth:`FunctionEnvironment.wrap_loader`
wraps that loader, so each function's instance gets, as a Lambda instance does:

* at load (its cold start): the values of the secrets its function.yml lists, read from
  the local store; a missing one fails the load with sdw.runtime's ``SecretNotFoundError``
  naming each (every call then answers that error, as a failed Lambda init does, until
  the function is reloaded: save its handler.py or restart ``sdw dev``). The module is
  imported inside :func:`function_environment`, so module-level ``os.environ`` reads work.
* at every call: the same variables in ``os.environ`` for that call only (the overlay of
  sdw.local._environ: other functions, on other threads, never see them), and the
  ``{{connection:NAME}}`` references of its event resolved by sdw.runtime's
  ``resolve_connections`` from the store. A failure raises the named error
  (``sdw.ConnectionNotFound``...), which the invoker reports as Lambda's ``errorType``
  and Step Functions as the state's error.

Each resolution is access-logged: one JSON line appended to ``connections-access.log`` in
the state folder (0600) and one ``sdw.connections`` log line, with who (the execution's
owner, or the HTTP caller's ``sub``), which execution (its ARN; for ``POST /lib`` the
request id), the function, the connection and its type, and when. Never the value.

Which execution: the flow engine sets :func:`call_origin` while it hands a Task to the
invoker, whose worker runs the call in a copy of that context.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sdw.local._environ import function_environment
from sdw.local._errors import StateError
from sdw.local._invoker import Handler, HandlerLoader
from sdw.local._secrets import LocalSecretStore
from sdw.local._statedir import FILE_MODE, StateDir
from sdw.project import Function, Project
from sdw.runtime import Resolution, SecretNotFoundError, has_references, resolve_connections

log = logging.getLogger("sdw.connections")


@dataclass(frozen=True)
class CallOrigin:
    """The execution a Task's call belongs to, and its owner."""

    execution_arn: str
    owner: str


_ORIGIN: ContextVar[CallOrigin | None] = ContextVar("sdw_call_origin", default=None)


@contextmanager
def call_origin(execution_arn: str, owner: str) -> Iterator[None]:
    """Calls started within this block belong to that execution (for the access log)."""
    token = _ORIGIN.set(CallOrigin(execution_arn, owner))
    try:
        yield
    finally:
        _ORIGIN.reset(token)


class ConnectionAccessLog:
    """``<state>/connections-access.log`` (JSON lines, 0600) and the ``sdw.connections`` log."""

    FILE = "connections-access.log"

    def __init__(self, state: StateDir) -> None:
        self._state = state
        self._lock = threading.Lock()

    @property
    def path(self) -> Any:
        return self._state.file(self.FILE)

    def record(self, entry: Mapping[str, Any]) -> None:
        line = json.dumps(dict(entry), separators=(",", ":"), ensure_ascii=False) + "\n"
        path = self.path
        with self._lock:
            try:
                self._state.ensure()
                fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
                try:
                    os.fchmod(fd, FILE_MODE)
                    os.write(fd, line.encode("utf-8"))
                finally:
                    os.close(fd)
            except OSError as exc:
                raise StateError(path, "append to", exc.strerror or str(exc)) from exc
        log.info("connection %s (%s) resolved for %s, execution %s, by %s", entry["connection"],
                 entry["type"], entry["function"], entry["execution"], entry["who"])


class FunctionEnvironment:
    """Gives each function its secrets and resolved connections (see the module docstring)."""

    def __init__(self, store: LocalSecretStore, access_log: ConnectionAccessLog, *,
                 clock: Any = time.time) -> None:
        self.store = store
        self.access_log = access_log
        self._clock = clock

    def wrap_loader(self, loader: HandlerLoader) -> HandlerLoader:
        """``loader`` with secrets in the environment at import and around every call."""

        def load(function: Function) -> Handler:
            variables = self.load_secrets(function)
            with function_environment(variables):
                handler = loader(function)
            declared = function.connection_types

            def call(event: Any, context: Any) -> Any:
                with function_environment(variables):
                    if has_references(event):
                        event = resolve_connections(
                            event, function=function.key, declared=declared, source=self.store,
                            on_resolve=lambda found: self._log_access(found, function, event, context),
                        )
                    return handler(event, context)

            return call

        return load

    def load_secrets(self, function: Function) -> dict[str, str]:
        """The values of ``function``'s secrets; SecretNotFoundError naming the missing ones."""
        if not function.secrets:
            return {}
        values = self.store.get_secrets(function.secrets)
        missing = [(name, self.store.secret_path(name)) for name in function.secrets if name not in values]
        if missing:
            names = " ".join(name for name, _ in missing)
            hint = (f"; set with: sdw secrets put NAME (for {names}), then save the handler or restart "
                    "sdw dev")
            raise SecretNotFoundError(function.key, missing, hint)
        return values

    def missing_secrets(self, project: Project) -> list[str]:
        """One message per function whose secrets are not all stored (``sdw dev`` start-up)."""
        messages = []
        for function in project.functions:
            try:
                self.load_secrets(function)
            except SecretNotFoundError as exc:
                messages.append(f"{exc}; its calls fail until then")
        return messages

    def _log_access(self, found: Resolution, function: Function, event: Any, context: Any) -> None:
        origin = _ORIGIN.get()
        who: str | None = None if origin is None else origin.owner
        execution = None if origin is None else origin.execution_arn
        if origin is None:  # POST /lib: the caller, from the event the gateway built
            who = _http_caller(event)
        self.access_log.record({
            "time": _iso(self._clock()),
            "connection": found.connection,
            "type": found.type,
            "function": function.key,
            "execution": execution,
            "who": who,
            "requestId": _request_id(event) or getattr(context, "aws_request_id", None),
        })


def _http_caller(event: Any) -> str | None:
    try:
        sub = event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"]
    except (KeyError, TypeError):
        return None
    return sub if isinstance(sub, str) else None


def _request_id(event: Any) -> str | None:
    try:
        value = event["requestContext"]["requestId"]
    except (KeyError, TypeError):
        return None
    return value if isinstance(value, str) else None


def _iso(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{int(seconds * 1000) % 1000:03d}Z"
