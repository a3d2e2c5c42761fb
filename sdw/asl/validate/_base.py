"""What every part of the definition validator shares: the report, pointers, value tests.

The validator is split by topic (structure and graph, per-state fields, Retry/Catch,
Choice rules, expressions, Task resources); each part appends to one :class:`Report`
instead of raising, because ValidateStateMachineDefinition and CreateStateMachine
return *every* problem, not the first. A problem is located by a JSON pointer into
the definition (``/States/Route/Choices/2/Next``), the form AWS gives in a
diagnostic's ``location`` and the form sdw.project's YAML loader resolves to
``file:line:column``.

The diagnostic codes are AWS's (API reference, ValidateStateMachineDefinitionDiagnostic),
plus ``UNSUPPORTED_FEATURE`` for what AWS accepts but sdw cannot run on one machine.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sdw.asl._errors import Diagnostic


class Code(StrEnum):
    """Diagnostic codes, as ValidateStateMachineDefinition names them."""

    SCHEMA = "SCHEMA_VALIDATION_FAILED"
    INVALID_RESOURCE = "INVALID_RESOURCE"
    MISSING_END_STATE = "MISSING_END_STATE"
    DUPLICATE_STATE_NAME = "DUPLICATE_STATE_NAME"
    INVALID_STATE_NAME = "INVALID_STATE_NAME"
    DUPLICATE_LABEL_NAME = "DUPLICATE_LABEL_NAME"
    INVALID_LABEL_NAME = "INVALID_LABEL_NAME"
    MISSING_TRANSITION_TARGET = "MISSING_TRANSITION_TARGET"
    INVALID_JSON_PATH = "INVALID_JSON_PATH"
    INVALID_INTRINSIC = "INVALID_INTRINSIC_FUNCTION"
    INVALID_JSONATA = "INVALID_JSONATA"
    UNSUPPORTED_FEATURE = "UNSUPPORTED_FEATURE"


JSONPATH = "JSONPath"
JSONATA = "JSONata"
QUERY_LANGUAGES = (JSONPATH, JSONATA)

# AWS quota: "Maximum length of a state name: 80 characters"; the same 99999999 cap
# bounds TimeoutSeconds, HeartbeatSeconds, Wait Seconds, IntervalSeconds, MaxAttempts.
MAX_STATE_NAME = 80
MAX_SECONDS = 99_999_999

_TIMESTAMP = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))")


def pointer(base: str, *tokens: str | int) -> str:
    """``base`` extended by ``tokens``, escaped as RFC 6901 says (``~`` -> ``~0``, ``/`` -> ``~1``).

    >>> pointer("/States", "a/b", "Next")
    '/States/a~1b/Next'
    """
    out = base
    for token in tokens:
        out += "/" + str(token).replace("~", "~0").replace("/", "~1")
    return out


@dataclass
class Report:
    """The diagnostics found so far; every check appends here and carries on."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def error(self, where: str, message: str, code: Code = Code.SCHEMA) -> None:
        self.diagnostics.append(Diagnostic(where, message, str(code)))


def is_int(value: Any) -> bool:
    """A JSON integer (``true`` is not one, though Python says ``bool`` is an ``int``)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def json_type(value: Any) -> str:
    """The JSON name of ``value``'s type, for messages: ``a number``, ``an object``..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, datetime.date):
        # YAML turns an unquoted 2016-03-14T01:59:00Z into a datetime; JSON has no such type
        return f"the YAML date {value.isoformat()} (quote it to keep it a string)"
    return type(value).__name__


def shown(value: Any) -> str:
    """A value in a message, JSON-spelled: ``'text'``, ``3``, ``true``, ``null``, else its type."""
    if isinstance(value, str):
        return repr(value)
    if value is None or isinstance(value, bool | int | float):
        return json.dumps(value)
    return json_type(value)


def is_timestamp(value: Any) -> bool:
    """An RFC 3339 timestamp as Step Functions accepts it: uppercase ``T``, a ``Z`` or an
    offset, optional fractional seconds (``2016-03-14T01:59:00Z``); the fields must be a
    real date and time (``2016-13-05T...`` is rejected)."""
    if not isinstance(value, str):
        return False
    match = _TIMESTAMP.fullmatch(value)
    if match is None:
        return False
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    if not (1 <= month <= 12 and hour <= 23 and minute <= 59 and second <= 59):
        return False
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    if not 1 <= day <= days:
        return False
    if match.group(9) is not None:
        return int(match.group(9)) <= 23 and int(match.group(10)) <= 59
    return True


def quoted(name: str) -> str:
    """A state or field name in a message: ``'Route'``."""
    return "'" + name + "'"
