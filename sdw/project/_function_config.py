"""``function.yml``: the few settings a function may change, checked with file:line:column.

    timeout: 30          # seconds; default 6 (Serverless Framework), Lambda allows 1-900
    memory: 512          # MB; default 1024, Lambda allows 128-10240
    description: Sends the weekly report
    secrets: [SMTP_PASSWORD]  # environment variables it gets, from SSM /<service>/<stage>/<NAME>
    connections:              # the connections it may be handed ({{connection:NAME}}), and their type
      openai-prod: openai

An unknown key is an error rather than ignored: a misspelt ``timout`` that silently kept
the 6-second default would only show up as a timeout in production.

A secret is a name, not a path: the function sees ``os.environ["SMTP_PASSWORD"]``, read
from the SSM parameter ``/<service>/<stage>/SMTP_PASSWORD`` on AWS and from the local
store (``sdw secrets``) by ``sdw dev``. So a name must be an environment variable's name,
and one Lambda keeps for itself (``AWS_*``, ``LAMBDA_*``, ``_HANDLER``...) or sdw does
(``SDW_*``) is refused: a secret must never replace the function's credentials or region.

``connections`` is an allow-list, as ``secrets`` is: a ``{{connection:NAME}}`` reference
reaches a function only when the function names it here, with the type the stored
connection must have; so each function's role can be given exactly its parameters.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sdw.project._model import Problem, Severity
from sdw.project._yaml import Location, YamlDocument, YamlError, load_yaml, pointer_token

MIN_TIMEOUT, MAX_TIMEOUT = 1, 900  # Lambda's limits, seconds
MIN_MEMORY, MAX_MEMORY = 128, 10240  # Lambda's limits, MB
MAX_DESCRIPTION = 256  # Lambda's limit on a function description
MAX_SECRET_NAME = 128
SECRET_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # an environment variable's name
RESERVED_PREFIXES = ("AWS_", "LAMBDA_", "_", "SDW_")  # Lambda's reserved variables, and sdw's own
CONNECTION_NAME = re.compile(r"[A-Za-z0-9_.-]{1,128}")  # one segment of an SSM parameter path
CONNECTION_TYPE = re.compile(r"[A-Za-z0-9_.-]{1,64}")


@dataclass(frozen=True)
class FunctionSettings:
    timeout: int | None = None
    memory: int | None = None
    description: str | None = None
    secrets: tuple[str, ...] | None = None
    connections: tuple[tuple[str, str], ...] | None = None


def parse_function_config(text: str, file: str) -> tuple[FunctionSettings, list[Problem]]:
    """The settings in one function.yml and every error in it (an empty list when valid)."""
    try:
        doc = load_yaml(text, file)
    except YamlError as exc:
        return FunctionSettings(), [Problem(Severity.ERROR, f"does not parse: {exc.reason}", exc.location)]
    if doc.data is None:
        return FunctionSettings(), []
    if not isinstance(doc.data, dict):
        return FunctionSettings(), [_error(doc, "", "must be a mapping of settings (timeout, memory, ...)")]
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for key, value in doc.data.items():
        pointer = f"/{key}"
        checker = _CHECKS.get(str(key))
        if checker is None:
            known = ", ".join(sorted(_CHECKS))
            problems.append(_error(doc, pointer, f"unknown key {key!r} (known: {known})"))
            continue
        found = list(checker(value))
        for where, message in found:
            problems.append(_error(doc, pointer + where, f"{key}: {message}"))
        if not found:
            values[str(key)] = _CONVERT.get(str(key), _same)(value)
    return FunctionSettings(**values), problems


def _error(doc: YamlDocument, pointer: str, message: str) -> Problem:
    location: Location = doc.locate(pointer)
    return Problem(Severity.ERROR, message, location)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_timeout(value: Any) -> str | None:
    if not _is_int(value):
        return f"must be a whole number of seconds, not {value!r}"
    if not MIN_TIMEOUT <= value <= MAX_TIMEOUT:
        return f"{value} is outside Lambda's {MIN_TIMEOUT}-{MAX_TIMEOUT} seconds"
    return None


def _check_memory(value: Any) -> str | None:
    if not _is_int(value):
        return f"must be a whole number of MB, not {value!r}"
    if not MIN_MEMORY <= value <= MAX_MEMORY:
        return f"{value} is outside Lambda's {MIN_MEMORY}-{MAX_MEMORY} MB"
    return None


def _check_description(value: Any) -> str | None:
    if not isinstance(value, str):
        return f"must be text, not {value!r}"
    if len(value) > MAX_DESCRIPTION:
        return f"is {len(value)} characters; Lambda allows {MAX_DESCRIPTION}"
    return None


def check_secret_name(name: Any) -> str | None:
    """Why ``name`` cannot be a secret's name, or None (``sdw secrets`` checks with it too)."""
    if not isinstance(name, str) or not SECRET_NAME.fullmatch(name) or len(name) > MAX_SECRET_NAME:
        if isinstance(name, str) and "/" in name:
            last = name.rstrip("/").rsplit("/", 1)[-1] or "NAME"
            return (
                f"{name!r} is a path; write the name only ({last}): "
                "it is read from /<service>/<stage>/<NAME>"
            )
        return (
            f"{name!r} is not a secret name: an environment variable's name (letters, digits, '_', "
            f"not starting with a digit, at most {MAX_SECRET_NAME} characters)"
        )
    reserved = next((prefix for prefix in RESERVED_PREFIXES if name.upper().startswith(prefix)), None)
    if reserved:
        return f"{name!r} starts with {reserved!r}, which Lambda or sdw keeps for its own variables"
    return None


def check_connection_name(name: Any) -> str | None:
    if isinstance(name, str) and CONNECTION_NAME.fullmatch(name):
        return None
    return f"{name!r} is not a connection name (1-128 letters, digits, '_', '.', '-')"


def check_connection_type(kind: Any) -> str | None:
    if isinstance(kind, str) and CONNECTION_TYPE.fullmatch(kind):
        return None
    return f"{kind!r} is not a connection type (1-64 letters, digits, '_', '.', '-')"


def _check_secrets(value: Any) -> Iterator[tuple[str, str]]:
    if not isinstance(value, list):
        yield "", f"must be a list of names such as [API_KEY], not {value!r}"
        return
    seen: set[Any] = set()
    for index, item in enumerate(value):
        reason = check_secret_name(item)
        if reason is None and item in seen:
            reason = f"{item!r} is listed twice"
        if reason:
            yield f"/{index}", reason
        seen.add(item if isinstance(item, str) else None)


def _check_connections(value: Any) -> Iterator[tuple[str, str]]:
    if not isinstance(value, dict):
        yield "", f"must map connection names to types, as in {{openai-prod: openai}}, not {value!r}"
        return
    for name, kind in value.items():
        reason = check_connection_name(name) or check_connection_type(kind)
        if reason:
            yield f"/{pointer_token(name)}", reason


def _single(check: Callable[[Any], str | None]) -> Callable[[Any], Iterator[tuple[str, str]]]:
    def checker(value: Any) -> Iterator[tuple[str, str]]:
        message = check(value)
        if message:
            yield "", message

    return checker


def _same(value: Any) -> Any:
    return value


_CHECKS: dict[str, Callable[[Any], Iterator[tuple[str, str]]]] = {
    "timeout": _single(_check_timeout),
    "memory": _single(_check_memory),
    "description": _single(_check_description),
    "secrets": _check_secrets,
    "connections": _check_connections,
}
_CONVERT: dict[str, Callable[[Any], Any]] = {
    "secrets": tuple,
    "connections": lambda value: tuple((str(k), str(v)) for k, v in value.items()),
}
