"""``function.yml``: the few settings a function may change, checked with file:line:column.

    timeout: 30          # seconds; default 6 (Serverless Framework), Lambda allows 1-900
    memory: 512          # MB; default 1024, Lambda allows 128-10240
    description: Sends the weekly report
    secrets: [/sdw/smtp/password]   # SSM parameter names the function may read

An unknown key is an error rather than ignored: a misspelt ``timout`` that silently kept
the 6-second default would only show up as a timeout in production.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sdw.project._model import Problem, Severity
from sdw.project._yaml import Location, YamlDocument, YamlError, load_yaml

MIN_TIMEOUT, MAX_TIMEOUT = 1, 900  # Lambda's limits, seconds
MIN_MEMORY, MAX_MEMORY = 128, 10240  # Lambda's limits, MB
MAX_DESCRIPTION = 256  # Lambda's limit on a function description
# SSM parameter names: letters, digits, . - _ and / for hierarchies (at most 2048 chars)
_SSM_NAME = re.compile(r"/?[a-zA-Z0-9_.\-]+(/[a-zA-Z0-9_.\-]+)*")


@dataclass(frozen=True)
class FunctionSettings:
    timeout: int | None = None
    memory: int | None = None
    description: str | None = None
    secrets: tuple[str, ...] | None = None


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
        message = checker(value)
        if message:
            problems.append(_error(doc, pointer, f"{key}: {message}"))
        else:
            values[str(key)] = tuple(value) if key == "secrets" else value
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


def _check_secrets(value: Any) -> str | None:
    if not isinstance(value, list):
        return f"must be a list of SSM parameter names, not {value!r}"
    for item in value:
        if not isinstance(item, str) or len(item) > 2048 or not _SSM_NAME.fullmatch(item):
            return f"{item!r} is not an SSM parameter name"
    return None


_CHECKS = {
    "timeout": _check_timeout,
    "memory": _check_memory,
    "description": _check_description,
    "secrets": _check_secrets,
}
