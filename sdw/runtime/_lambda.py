"""The entry point of a deployed user function: Lambda's handler is ``sdw.runtime.handler``.

The deploy compiler points every user function's Lambda handler here and says where the
user's own handler is in the environment; this wrapper then does what the function's
function.yml promises, before and around the user's code:

    SDW_HANDLER      functions/lib/report/handler.handler   (Lambda's handler syntax, from the package root)
    SDW_PACKAGE_ROOT plugins/billing                        (a plugin function's package root, in the task)
    SDW_SECRETS      SMTP_PASSWORD,API_KEY                  (function.yml ``secrets``)
    SDW_CONNECTIONS  openai-prod=openai,db=postgres         (function.yml ``connections``)
    SDW_SERVICE, SDW_STAGE                                  (the parameter paths' prefix)

* Cold start (the first call of an instance): every secret is read from SSM SecureString
  ``/<service>/<stage>/<NAME>`` through Powertools' Parameters utility (one GetParameters
  per ten names, decrypted) and put in ``os.environ`` *before* the user's module is
  imported, so module-level code sees them too, as it would see any Lambda variable. A
  missing one is a :class:`SecretNotFoundError` naming each missing name and path, raised
  by this call and by every call until the instance starts with all of them: never a
  silent ``None``. Then the user's module is imported as Lambda imports a handler:
  ``functions/lib/report/handler`` as the module ``functions.lib.report.handler``, with the
  task root on ``sys.path`` (a plugin's function: its folder first), so the function imports
  ``functions.base...`` and its own helpers as it does under ``sdw dev``; and kept.
* Every call: ``{{connection:NAME}}`` references in the event are replaced by their values
  (sdw.runtime._connections: declared names only, type-checked, cached by Powertools for
  its ``max_age``), and each resolution writes one JSON line to the function's log:
  ``{"sdw": "connection-access", "connection", "type", "function", "requestId", "user", "time"}``.
  ``user`` is the input's ``__user_id`` when the flow passed it on. The execution is not
  visible inside a Lambda; the request id ties the line to it (a ``lambda:invoke`` task's
  result in the execution history carries the same id).

Why a wrapper rather than a decorator in user code: the same handler.py runs unchanged
under ``sdw dev`` (whose invoker does the same two things) and on AWS, and a function can
never forget the step that makes its secrets appear.

Only here and in the CLI is ``os.environ`` read; tests build a :class:`LambdaEntry` with
their own environment mapping, parameter reader and importer.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from sdw.runtime._connections import (
    Connection,
    Resolution,
    connection_parameter,
    has_references,
    parse_connection,
    resolve_connections,
    secret_parameter,
)
from sdw.runtime._errors import HandlerConfigError, SecretNotFoundError

Handler = Callable[[Any, Any], Any]
DEFAULT_SERVICE = "sdw"


class ParameterReader(Protocol):
    """Decrypted SecureString parameters by path (sdw.aws's SsmParameters, over Powertools)."""

    def get_parameters(self, paths: Sequence[str]) -> dict[str, str]:
        """The values of the ``paths`` that exist; a missing one is simply absent."""
        ...

    def get_parameter(self, path: str) -> str | None: ...


def parse_connections_variable(text: str) -> dict[str, str]:
    """``"a=openai,b=postgres"`` -> ``{"a": "openai", "b": "postgres"}``; HandlerConfigError if malformed."""
    declared: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, equals, kind = item.partition("=")
        if not equals or not name or not kind:
            raise HandlerConfigError(f"SDW_CONNECTIONS item {item!r} is not NAME=TYPE")
        declared[name] = kind
    return declared


def parse_names(text: str) -> list[str]:
    return [name for name in (part.strip() for part in text.split(",")) if name]


class _ParameterConnections:
    """Connections read from the parameter store (SSM on AWS)."""

    def __init__(self, reader: ParameterReader, service: str, stage: str) -> None:
        self._reader, self._service, self._stage = reader, service, stage

    def get_connection(self, name: str) -> Connection | None:
        text = self._reader.get_parameter(connection_parameter(self._service, self._stage, name))
        return None if text is None else parse_connection(text, name)


class LambdaEntry:
    """One Lambda instance's wrapper around the user's handler (see the module docstring)."""

    def __init__(
        self,
        environ: MutableMapping[str, str],
        parameters: Callable[[], ParameterReader],
        *,
        import_handler: Callable[[str, Sequence[Path]], Handler] | None = None,
        log: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._environ = environ
        self._make_reader = parameters
        self._reader: ParameterReader | None = None
        self._import = import_handler or import_user_handler
        self._log = log or _print_line
        self._clock = clock
        self._handler: Handler | None = None
        self._lock = threading.Lock()
        self._declared: dict[str, str] = {}
        self._function = ""

    def __call__(self, event: Any, context: Any) -> Any:
        handler = self._handler or self._cold_start()
        if has_references(event):
            event = resolve_connections(
                event,
                function=self._function,
                declared=self._declared,
                source=_ParameterConnections(self._parameters(), self._service, self._stage()),
                on_resolve=lambda found: self._log_access(found, event, context),
            )
        return handler(event, context)

    # -- cold start -------------------------------------------------------------------

    def _cold_start(self) -> Handler:
        with self._lock:
            if self._handler is not None:
                return self._handler
            env = self._environ
            self._function = env.get("AWS_LAMBDA_FUNCTION_NAME", "") or env.get("SDW_HANDLER", "")
            self._declared = parse_connections_variable(env.get("SDW_CONNECTIONS", ""))
            spec = env.get("SDW_HANDLER", "")
            if not spec:
                raise HandlerConfigError(
                    "SDW_HANDLER is not set: the deploy must name the user's handler, "
                    "e.g. functions/lib/report/handler.handler"
                )
            env.update(self.load_secrets(parse_names(env.get("SDW_SECRETS", ""))))
            root = Path(env.get("LAMBDA_TASK_ROOT") or os.getcwd())
            package = env.get("SDW_PACKAGE_ROOT", "")
            self._handler = self._import(spec, [root / package, root] if package else [root])
            return self._handler

    def load_secrets(self, names: Sequence[str]) -> dict[str, str]:
        """The values of secrets ``names``; SecretNotFoundError listing every missing one."""
        if not names:
            return {}
        paths = {name: secret_parameter(self._service, self._stage(), name) for name in names}
        values = self._parameters().get_parameters(list(paths.values()))
        missing = [(name, path) for name, path in paths.items() if path not in values]
        if missing:
            hint = "; put each with: sdw secrets put NAME --stage <stage> (an SSM SecureString)"
            raise SecretNotFoundError(self._function, missing, hint)
        return {name: values[path] for name, path in paths.items()}

    @property
    def _service(self) -> str:
        return self._environ.get("SDW_SERVICE") or DEFAULT_SERVICE

    def _stage(self) -> str:
        stage = self._environ.get("SDW_STAGE")
        if not stage:
            raise HandlerConfigError("SDW_STAGE is not set: secrets and connections are read from "
                                     "/<service>/<stage>/..., so the deploy must set it")
        return stage

    def _parameters(self) -> ParameterReader:
        if self._reader is None:
            self._reader = self._make_reader()
        return self._reader

    def _log_access(self, found: Resolution, event: Any, context: Any) -> None:
        user = event.get("__user_id") if isinstance(event, Mapping) else None
        record = {
            "sdw": "connection-access",
            "connection": found.connection,
            "type": found.type,
            "function": self._function,
            "requestId": getattr(context, "aws_request_id", None),
            "user": user if isinstance(user, str) else None,
            "time": _iso(self._clock()),
        }
        self._log(json.dumps(record, separators=(",", ":")))


def import_user_handler(spec: str, roots: Sequence[Path]) -> Handler:
    """``functions/lib/report/handler.handler``: import ``functions.lib.report.handler`` from ``roots``.

    Lambda's own handler import (the module path with ``/`` as ``.``, from the task root on
    ``sys.path``); ``roots`` go to the front of ``sys.path``, in their order. ``functions``
    and ``functions/lib`` have no ``__init__.py``, so a plugin's and the project's merge as
    namespace packages, the plugin's first: the same resolution as ``sdw dev``'s.
    """
    module_path, dot, attribute = spec.rpartition(".")
    if not dot or not module_path or not attribute or module_path.startswith("/"):
        raise HandlerConfigError(f"SDW_HANDLER {spec!r} is not <path/to/module>.<function>")
    relative = module_path + ".py"
    if not any((root / relative).is_file() for root in roots):
        where = ", ".join(map(str, roots))
        raise HandlerConfigError(f"SDW_HANDLER {spec!r}: no file {relative} under {where}")
    for root in reversed(roots):
        folder = str(root)
        if folder in sys.path:
            sys.path.remove(folder)
        sys.path.insert(0, folder)
    module = importlib.import_module(module_path.replace("/", "."))
    handler = getattr(module, attribute, None)
    if not callable(handler):
        raise HandlerConfigError(f"SDW_HANDLER {spec!r}: {module.__file__} has no function {attribute!r}")
    return handler  # type: ignore[no-any-return]


def _iso(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{int(seconds * 1000) % 1000:03d}Z"


def _print_line(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _ssm_reader() -> ParameterReader:
    from sdw.aws import SsmParameters  # boto3 and Powertools: only inside a Lambda, only when needed

    return SsmParameters()


_entry: LambdaEntry | None = None


def create_lambda_entry(environ: MutableMapping[str, str] | None = None) -> LambdaEntry:
    """The wrapper as a Lambda instance runs it: the process environment, SSM through sdw.aws."""
    return LambdaEntry(os.environ if environ is None else environ, _ssm_reader)


def handler(event: Any, context: Any) -> Any:
    """Lambda's handler for every user function (``handler: sdw.runtime.handler``)."""
    global _entry
    if _entry is None:
        _entry = create_lambda_entry()
    return _entry(event, context)
