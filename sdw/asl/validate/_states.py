"""Per-state-type checks of field values: types, ranges, fields that exclude each other.

Dispatch is by ``Type`` name (``_check_<type>``), in the jinja-visitor manner: one
function per state type, each with the AWS rule it imitates. The nested state machines
of Parallel and Map are not walked here; sdw.asl.validate._definition recurses into them so that
state names and labels are collected across the whole definition.

Rules worth stating (AWS state pages and quotas):

* Task ``TimeoutSeconds`` and ``HeartbeatSeconds`` are positive integers no greater than
  99999999, each exclusive with its ``...Path`` twin; the heartbeat must be shorter
  than the timeout;
* a Wait state has exactly one of ``Seconds`` (0..99999999), ``SecondsPath``,
  ``Timestamp`` (RFC 3339) and ``TimestampPath``;
* a Fail state's ``Error``/``ErrorPath`` and ``Cause``/``CausePath`` exclude each other;
* a Map has exactly one of ``ItemProcessor`` and ``Iterator``; ``MaxConcurrency`` and
  ``ToleratedFailureCount`` are non-negative integers, ``ToleratedFailurePercentage`` a
  number from 0 to 100, each exclusive with its ``...Path`` twin; ``Label`` has at most
  40 characters;
* in a JSONata state each of those numbers (and ``Seconds``, ``Timestamp``, ``Items``,
  ``Arguments``) may instead be a ``{% %}`` expression, evaluated at run time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sdw.asl.jsonata import is_jsonata_template as is_jsonata
from sdw.asl.validate._base import (
    JSONATA,
    MAX_SECONDS,
    Code,
    Report,
    is_int,
    is_number,
    is_timestamp,
    json_type,
    pointer,
    quoted,
    shown,
)
from sdw.asl.validate._choice import check_choices
from sdw.asl.validate._expressions import (
    PathKind,
    check_assign,
    check_jsonata,
    check_jsonata_value,
    check_path,
    check_payload,
)
from sdw.asl.validate._fields import check_string
from sdw.asl.validate._retry import check_catch, check_retry

MAX_LABEL = 40

_PATHS = {
    "InputPath": (PathKind.PATH, True),
    "OutputPath": (PathKind.PATH, True),
    "ResultPath": (PathKind.RESULT, True),
    "ItemsPath": (PathKind.REFERENCE, False),
    "SecondsPath": (PathKind.REFERENCE, False),
    "TimestampPath": (PathKind.REFERENCE, False),
    "TimeoutSecondsPath": (PathKind.REFERENCE, False),
    "HeartbeatSecondsPath": (PathKind.REFERENCE, False),
    "MaxConcurrencyPath": (PathKind.REFERENCE, False),
    "ToleratedFailureCountPath": (PathKind.REFERENCE, False),
    "ToleratedFailurePercentagePath": (PathKind.REFERENCE, False),
    "ErrorPath": (PathKind.PATH_OR_INTRINSIC, False),
    "CausePath": (PathKind.PATH_OR_INTRINSIC, False),
}
_PAYLOADS = ("Parameters", "ResultSelector", "ItemSelector", "Credentials")


def check_state_values(
    report: Report, where: str, state_type: str, state: dict[str, Any], language: str
) -> None:
    """Check the values of a state's fields (the field *names* were checked before)."""
    if "Comment" in state:
        check_string(report, pointer(where, "Comment"), "Comment", state["Comment"])
    if language == JSONATA:
        _check_jsonata_data(report, where, state)
    else:
        _check_jsonpath_data(report, where, state)
    if "Assign" in state:
        check_assign(report, pointer(where, "Assign"), state["Assign"], language)
    if "Retry" in state:
        check_retry(report, pointer(where, "Retry"), state["Retry"])
    if "Catch" in state:
        check_catch(report, pointer(where, "Catch"), state["Catch"], language)
    _BY_TYPE[state_type](report, where, state, language)


def _check_jsonpath_data(report: Report, where: str, state: dict[str, Any]) -> None:
    for name, (kind, nullable) in _PATHS.items():
        if name in state:
            check_path(report, pointer(where, name), name, state[name], kind, nullable=nullable)
    for name in _PAYLOADS:
        if name in state:
            check_payload(report, pointer(where, name), state[name])


def _check_jsonata_data(report: Report, where: str, state: dict[str, Any]) -> None:
    for name in ("Arguments", "ItemSelector"):
        if name in state:
            value = state[name]
            if isinstance(value, dict) or is_jsonata(value):
                check_jsonata_value(report, pointer(where, name), value)
            else:
                report.error(
                    pointer(where, name),
                    f'{quoted(name)} must be an object or a JSONata expression "{{% ... %}}", '
                    f"not {json_type(value)}.",
                )
    for name in ("Output", "Credentials"):
        if name in state:
            check_jsonata_value(report, pointer(where, name), state[name])


def _number(
    report: Report,
    where: str,
    state: dict[str, Any],
    name: str,
    language: str,
    *,
    low: float,
    high: float,
    integer: bool = True,
) -> float | None:
    """Check a number field (or its JSONata expression); the value when it is a literal."""
    if name not in state:
        return None
    value = state[name]
    here = pointer(where, name)
    if language == JSONATA and isinstance(value, str):
        if is_jsonata(value):
            check_jsonata(report, here, value)
        else:
            report.error(
                here,
                f'{quoted(name)} must be a number or a JSONata expression "{{% ... %}}", not {shown(value)}.',
            )
        return None
    ok = is_int(value) if integer else is_number(value)
    if not ok or not low <= value <= high:
        kind = "an integer" if integer else "a number"
        report.error(
            here, f"{quoted(name)} must be {kind} from {_show(low)} to {_show(high)}, not {shown(value)}."
        )
        return None
    return float(value)


def _show(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def _exclusive(report: Report, where: str, state: dict[str, Any], *names: str) -> None:
    present = [name for name in names if name in state]
    if len(present) > 1:
        report.error(
            pointer(where, present[1]),
            " and ".join(map(quoted, present)) + " cannot both be set; keep one.",
        )


def _check_task(report: Report, where: str, state: dict[str, Any], language: str) -> None:
    _exclusive(report, where, state, "TimeoutSeconds", "TimeoutSecondsPath")
    _exclusive(report, where, state, "HeartbeatSeconds", "HeartbeatSecondsPath")
    timeout = _number(report, where, state, "TimeoutSeconds", language, low=1, high=MAX_SECONDS)
    heartbeat = _number(report, where, state, "HeartbeatSeconds", language, low=1, high=MAX_SECONDS)
    if heartbeat is not None and heartbeat >= (timeout if timeout is not None else MAX_SECONDS):
        report.error(
            pointer(where, "HeartbeatSeconds"),
            f"'HeartbeatSeconds' ({_show(heartbeat)}) must be smaller than 'TimeoutSeconds' "
            f"({_show(timeout if timeout is not None else MAX_SECONDS)}).",
        )
    if "Credentials" in state and not isinstance(state["Credentials"], dict):
        report.error(pointer(where, "Credentials"), "'Credentials' must be an object with a 'RoleArn'.")


def _check_wait(report: Report, where: str, state: dict[str, Any], language: str) -> None:
    present = [name for name in ("Seconds", "SecondsPath", "Timestamp", "TimestampPath") if name in state]
    if len(present) != 1:
        options = (
            "'Seconds' or 'Timestamp'"
            if language == JSONATA
            else ("'Seconds', 'SecondsPath', 'Timestamp' or 'TimestampPath'")
        )
        found = "none" if not present else ", ".join(map(quoted, present))
        report.error(where, f"A Wait state needs exactly one of {options}; it has {found}.")
    _number(report, where, state, "Seconds", language, low=0, high=MAX_SECONDS)
    if "Timestamp" in state:
        value = state["Timestamp"]
        here = pointer(where, "Timestamp")
        if language == JSONATA and is_jsonata(value):
            check_jsonata(report, here, value)
        elif not is_timestamp(value):
            report.error(
                here,
                f"'Timestamp' must be RFC 3339, like \"2016-03-14T01:59:00Z\", not {shown(value)}.",
            )


def _check_fail(report: Report, where: str, state: dict[str, Any], language: str) -> None:
    _exclusive(report, where, state, "Error", "ErrorPath")
    _exclusive(report, where, state, "Cause", "CausePath")
    for name in ("Error", "Cause"):
        if name in state:
            check_string(report, pointer(where, name), name, state[name])
            if language == JSONATA and is_jsonata(state[name]):
                check_jsonata(report, pointer(where, name), state[name])


def _check_choice(report: Report, where: str, state: dict[str, Any], language: str) -> None:
    if "Choices" not in state:
        report.error(where, "A Choice state needs 'Choices': a non-empty array of choice rules.")
    else:
        check_choices(report, pointer(where, "Choices"), state["Choices"], language)
    if "Default" in state and not isinstance(state["Default"], str):
        report.error(
            pointer(where, "Default"), f"'Default' must be a state name, not {json_type(state['Default'])}."
        )


def _check_parallel(report: Report, where: str, state: dict[str, Any], language: str) -> None:
    branches = state.get("Branches")
    if not isinstance(branches, list) or not branches:
        report.error(
            pointer(where, "Branches") if "Branches" in state else where,
            "A Parallel state needs 'Branches': a non-empty array of state machines.",
        )


def _check_map(report: Report, where: str, state: dict[str, Any], language: str) -> None:
    if ("ItemProcessor" in state) == ("Iterator" in state):
        report.error(
            where if "Iterator" not in state else pointer(where, "Iterator"),
            "A Map state needs exactly one of 'ItemProcessor' and 'Iterator' (the state machine run "
            "for each item).",
        )
    _exclusive(report, where, state, "ItemSelector", "Parameters")
    _exclusive(report, where, state, "MaxConcurrency", "MaxConcurrencyPath")
    _exclusive(report, where, state, "ToleratedFailureCount", "ToleratedFailureCountPath")
    _exclusive(report, where, state, "ToleratedFailurePercentage", "ToleratedFailurePercentagePath")
    _number(report, where, state, "MaxConcurrency", language, low=0, high=2**31 - 1)
    _number(report, where, state, "ToleratedFailureCount", language, low=0, high=2**31 - 1)
    _number(report, where, state, "ToleratedFailurePercentage", language, low=0, high=100, integer=False)
    if "Items" in state:
        items = state["Items"]
        if is_jsonata(items):
            check_jsonata(report, pointer(where, "Items"), items)
        elif isinstance(items, list):
            check_jsonata_value(report, pointer(where, "Items"), items)
        else:
            report.error(
                pointer(where, "Items"),
                f"'Items' must be an array or a JSONata expression \"{{% ... %}}\", not {json_type(items)}.",
            )
    if "Label" in state:
        label = state["Label"]
        if (
            not isinstance(label, str)
            or not label
            or len(label) > MAX_LABEL
            or any(c.isspace() for c in label)
        ):
            report.error(
                pointer(where, "Label"),
                f"'Label' must be 1 to {MAX_LABEL} characters without whitespace, not {shown(label)}.",
                Code.INVALID_LABEL_NAME,
            )
    if "ItemBatcher" in state:
        _check_item_batcher(report, pointer(where, "ItemBatcher"), state["ItemBatcher"], language)
    for name in ("ItemReader", "ResultWriter"):
        if isinstance(state.get(name), dict):  # not an object: check_fields reported it
            _check_s3_call(report, pointer(where, name), state[name], language)


def _check_item_batcher(report: Report, where: str, batcher: Any, language: str) -> None:
    """The expressions of an ItemBatcher: its ...Path limits, and BatchInput (a payload
    template in JSONPath); in JSONata any ``{% %}`` in it."""
    if not isinstance(batcher, dict):
        report.error(where, f"'ItemBatcher' must be an object, not {json_type(batcher)}.")
        return
    if language == JSONATA:
        check_jsonata_value(report, where, batcher)
        return
    for name in ("MaxItemsPerBatchPath", "MaxInputBytesPerBatchPath"):
        if name in batcher:
            check_path(report, pointer(where, name), name, batcher[name], PathKind.REFERENCE, nullable=False)
    if "BatchInput" in batcher:
        check_payload(report, pointer(where, "BatchInput"), batcher["BatchInput"])


def _check_s3_call(report: Report, where: str, call: dict[str, Any], language: str) -> None:
    """ItemReader and ResultWriter: the arguments of their S3 call (Parameters, or
    Arguments in JSONata) are a template like a Task's, and ReaderConfig an object."""
    arguments = "Arguments" if language == JSONATA else "Parameters"
    if arguments in call:
        if language == JSONATA:
            check_jsonata_value(report, pointer(where, arguments), call[arguments])
        else:
            check_payload(report, pointer(where, arguments), call[arguments])
    if "ReaderConfig" in call and not isinstance(call["ReaderConfig"], dict):
        report.error(
            pointer(where, "ReaderConfig"),
            f"'ReaderConfig' must be an object, not {json_type(call['ReaderConfig'])}.",
        )


def _check_nothing(report: Report, where: str, state: dict[str, Any], language: str) -> None:
    """Pass and Succeed have no type-specific rule beyond their fields' shared ones."""


_BY_TYPE: dict[str, Callable[[Report, str, dict[str, Any], str], None]] = {
    "Task": _check_task,
    "Wait": _check_wait,
    "Fail": _check_fail,
    "Choice": _check_choice,
    "Parallel": _check_parallel,
    "Map": _check_map,
    "Pass": _check_nothing,
    "Succeed": _check_nothing,
}
