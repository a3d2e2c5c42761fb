"""Checks of the error handlers: ``Retry`` and ``Catch`` on Task, Parallel and Map.

The rules imitated (AWS "Handling errors in Step Functions workflows" and the ASL spec):

* each retrier and catcher needs a non-empty ``ErrorEquals`` of error-name strings;
* ``States.ALL`` must appear alone in its ``ErrorEquals``, and the retrier or catcher
  holding it must be the last one (it would shadow every handler after it);
* a retrier's ``IntervalSeconds`` (default 1) and ``MaxDelaySeconds`` are positive
  integers, ``MaxAttempts`` (default 3) a non-negative integer, all at most 99999999
  (MaxDelaySeconds below 31622401, one year); ``BackoffRate`` (default 2.0) a number
  of at least 1.0; ``JitterStrategy`` is ``FULL`` or ``NONE``;
* a catcher needs ``Next``; it may carry ``ResultPath`` (JSONPath) or ``Output``
  (JSONata), and ``Assign``.

Whether a catcher's ``Next`` names a state is a graph question, answered in
sdw.asl.validate._graph with the other transitions.
"""

from __future__ import annotations

from typing import Any

from sdw.asl.validate._base import (
    JSONATA,
    JSONPATH,
    MAX_SECONDS,
    Report,
    is_int,
    is_number,
    json_type,
    pointer,
    shown,
)
from sdw.asl.validate._expressions import PathKind, check_assign, check_jsonata_value, check_path

_RETRY_FIELDS = {
    "ErrorEquals",
    "IntervalSeconds",
    "MaxAttempts",
    "BackoffRate",
    "MaxDelaySeconds",
    "JitterStrategy",
    "Comment",
}
_CATCH_FIELDS = {"ErrorEquals", "Next", "Assign", "Comment"}
_CATCH_LANGUAGE_FIELDS = {JSONPATH: {"ResultPath"}, JSONATA: {"Output"}}
MAX_DELAY_SECONDS = 31_622_400


def check_retry(report: Report, where: str, value: Any) -> None:
    if not _is_handler_list(report, where, "Retry", value):
        return
    for index, retrier in enumerate(value):
        here = pointer(where, index)
        if not isinstance(retrier, dict):
            report.error(here, f"Each retrier must be an object, not {json_type(retrier)}.")
            continue
        for name in retrier:
            if name not in _RETRY_FIELDS:
                report.error(pointer(here, name), f"The field '{name}' is not supported in a retrier.")
        _check_error_equals(report, here, retrier, last=index == len(value) - 1, kind="retrier")
        _check_int(report, here, retrier, "IntervalSeconds", 1, MAX_SECONDS)
        _check_int(report, here, retrier, "MaxAttempts", 0, MAX_SECONDS)
        _check_int(report, here, retrier, "MaxDelaySeconds", 1, MAX_DELAY_SECONDS)
        if "BackoffRate" in retrier:
            rate = retrier["BackoffRate"]
            if not is_number(rate) or rate < 1.0:
                report.error(
                    pointer(here, "BackoffRate"),
                    f"'BackoffRate' must be a number of at least 1.0, not {shown(rate)}.",
                )
        if "JitterStrategy" in retrier and retrier["JitterStrategy"] not in ("FULL", "NONE"):
            report.error(
                pointer(here, "JitterStrategy"),
                f'\'JitterStrategy\' must be "FULL" or "NONE", not {shown(retrier["JitterStrategy"])}.',
            )


def check_catch(report: Report, where: str, value: Any, language: str) -> None:
    if not _is_handler_list(report, where, "Catch", value):
        return
    allowed = _CATCH_FIELDS | _CATCH_LANGUAGE_FIELDS[language]
    other = JSONATA if language == JSONPATH else JSONPATH
    for index, catcher in enumerate(value):
        here = pointer(where, index)
        if not isinstance(catcher, dict):
            report.error(here, f"Each catcher must be an object, not {json_type(catcher)}.")
            continue
        for name in catcher:
            if name in _CATCH_LANGUAGE_FIELDS[other]:
                report.error(
                    pointer(here, name),
                    f"The field '{name}' is a {other} field and this state uses {language}.",
                )
            elif name not in allowed:
                report.error(pointer(here, name), f"The field '{name}' is not supported in a catcher.")
        _check_error_equals(report, here, catcher, last=index == len(value) - 1, kind="catcher")
        if "Next" not in catcher:
            report.error(here, "A catcher needs 'Next': the state to go to when it catches an error.")
        elif not isinstance(catcher["Next"], str):
            report.error(
                pointer(here, "Next"), f"'Next' must be a state name, not {json_type(catcher['Next'])}."
            )
        if language == JSONPATH and "ResultPath" in catcher:
            check_path(
                report,
                pointer(here, "ResultPath"),
                "ResultPath",
                catcher["ResultPath"],
                PathKind.RESULT,
                nullable=True,
            )
        if language == JSONATA and "Output" in catcher:
            check_jsonata_value(report, pointer(here, "Output"), catcher["Output"])
        if "Assign" in catcher:
            check_assign(report, pointer(here, "Assign"), catcher["Assign"], language)


def _is_handler_list(report: Report, where: str, name: str, value: Any) -> bool:
    if not isinstance(value, list):
        report.error(where, f"'{name}' must be an array, not {json_type(value)}.")
        return False
    return True


def _check_error_equals(
    report: Report, where: str, handler: dict[str, Any], *, last: bool, kind: str
) -> None:
    if "ErrorEquals" not in handler:
        report.error(where, f"A {kind} needs 'ErrorEquals': the error names it handles.")
        return
    here = pointer(where, "ErrorEquals")
    names = handler["ErrorEquals"]
    if not isinstance(names, list) or not names:
        report.error(here, "'ErrorEquals' must be a non-empty array of error names.")
        return
    for index, name in enumerate(names):
        if not isinstance(name, str):
            report.error(pointer(here, index), f"An error name must be a string, not {json_type(name)}.")
    if "States.ALL" in names:
        if len(names) > 1:
            report.error(here, "'States.ALL' must appear alone in its 'ErrorEquals'.")
        if not last:
            report.error(
                here,
                f"The {kind} with 'States.ALL' must be the last one: it matches every error, "
                f"so no {kind} after it could ever run.",
            )


def _check_int(report: Report, where: str, handler: dict[str, Any], name: str, low: int, high: int) -> None:
    if name not in handler:
        return
    value = handler[name]
    if not is_int(value) or not low <= value <= high:
        kind = "a positive integer" if low == 1 else "a non-negative integer"
        report.error(
            pointer(where, name), f"'{name}' must be {kind} no greater than {high}, not {shown(value)}."
        )
