"""Which fields each state type allows, in each query language, and the Next/End rule.

Step Functions rejects a field a state type does not know ("The field 'X' is not
supported by Step Functions"), and since JSONata arrived (Nov 2024) the allowed set
also depends on the state's query language: the five JSONPath fields (InputPath,
Parameters, ResultSelector, ResultPath, OutputPath) and the other ``...Path`` fields
are errors in a JSONata state, whose data fields are Arguments and Output; Arguments,
Output, Items and Condition are errors in a JSONPath state.

The tables are the AWS "state type" pages, corrected by what real executions accept
(the conformance recordings use Assign in JSONPath Pass states, which the Pass page
marks "JSONata only").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sdw.asl.validate._base import JSONATA, JSONPATH, Code, Report, json_type, pointer, quoted


@dataclass(frozen=True)
class Fields:
    """The fields of one state type: in both languages, JSONPath only, JSONata only."""

    both: frozenset[str]
    jsonpath: frozenset[str]
    jsonata: frozenset[str]


def _fields(both: str, jsonpath: str, jsonata: str) -> Fields:
    common = {"Type", "Comment", "QueryLanguage"}
    return Fields(
        frozenset(common | set(both.split())), frozenset(jsonpath.split()), frozenset(jsonata.split())
    )


_IO = "InputPath OutputPath"
_TASK_LIKE = f"{_IO} ResultPath Parameters ResultSelector"

FIELDS: dict[str, Fields] = {
    "Pass": _fields("Next End Assign", f"{_IO} ResultPath Parameters Result", "Output"),
    "Task": _fields(
        "Next End Assign Resource Retry Catch TimeoutSeconds HeartbeatSeconds Credentials",
        f"{_TASK_LIKE} TimeoutSecondsPath HeartbeatSecondsPath",
        "Arguments Output",
    ),
    "Choice": _fields("Choices Default Assign", _IO, "Output"),
    "Wait": _fields("Next End Assign Seconds Timestamp", f"{_IO} SecondsPath TimestampPath", "Output"),
    "Succeed": _fields("", _IO, "Output"),
    "Fail": _fields("Error Cause", "ErrorPath CausePath", ""),
    "Parallel": _fields("Next End Assign Branches Retry Catch", _TASK_LIKE, "Arguments Output"),
    "Map": _fields(
        "Next End Assign ItemProcessor Iterator ItemSelector MaxConcurrency ItemReader ItemBatcher "
        "ResultWriter ToleratedFailureCount ToleratedFailurePercentage Label Retry Catch",
        f"{_TASK_LIKE} ItemsPath MaxConcurrencyPath ToleratedFailureCountPath ToleratedFailurePercentagePath",
        "Items Output",
    ),
}

# What to write instead, when a field belongs to the other query language.
_JSONATA_INSTEAD = {
    "Parameters": "'Arguments'",
    "InputPath": "'Arguments' with $states.input",
    "ResultSelector": "'Output' with $states.result",
    "ResultPath": "'Output' or 'Assign'",
    "OutputPath": "'Output'",
    "Result": "'Output'",
    "ItemsPath": "'Items'",
    "SecondsPath": "'Seconds' with a {% %} expression",
    "TimestampPath": "'Timestamp' with a {% %} expression",
    "TimeoutSecondsPath": "'TimeoutSeconds' with a {% %} expression",
    "HeartbeatSecondsPath": "'HeartbeatSeconds' with a {% %} expression",
    "MaxConcurrencyPath": "'MaxConcurrency' with a {% %} expression",
    "ToleratedFailureCountPath": "'ToleratedFailureCount' with a {% %} expression",
    "ToleratedFailurePercentagePath": "'ToleratedFailurePercentage' with a {% %} expression",
    "ErrorPath": "'Error' with a {% %} expression",
    "CausePath": "'Cause' with a {% %} expression",
}
_JSONPATH_INSTEAD = {
    "Arguments": "'Parameters'",
    "Output": "'OutputPath' or 'ResultSelector'",
    "Items": "'ItemsPath'",
}
_TERMINAL = {"Choice", "Succeed", "Fail"}

# Fields whose presence makes Map distributed-only features AWS runs against S3.
_S3_ONLY = {
    "ItemReader": "reads the items from Amazon S3",
    "ResultWriter": "writes the results to Amazon S3",
}


# The S3 actions the interpreter runs against its local object store (sdw.asl._map_io).
_LOCAL_S3 = {
    "ItemReader": ("arn:aws:states:::s3:getObject", "arn:aws:states:::s3:listObjectsV2"),
    "ResultWriter": ("arn:aws:states:::s3:putObject",),
}


def _runs_locally(name: str, value: Any) -> bool:
    return isinstance(value, dict) and value.get("Resource") in _LOCAL_S3[name]


def check_fields(report: Report, where: str, state_type: str, state: dict[str, Any], language: str) -> None:
    """Report every field ``state_type`` does not allow in ``language``."""
    table = FIELDS[state_type]
    other = table.jsonata if language == JSONPATH else table.jsonpath
    for name in state:
        here = pointer(where, name)
        if name in table.both or name in (table.jsonpath if language == JSONPATH else table.jsonata):
            if name in _S3_ONLY and not _runs_locally(name, state[name]):
                report.error(
                    here,
                    f"{quoted(name)} {_S3_ONLY[name]}, which the local runtime cannot do; "
                    "pass the items in the state input instead.",
                    Code.UNSUPPORTED_FEATURE,
                )
            continue
        if name in other:
            if language == JSONATA:
                hint = _JSONATA_INSTEAD.get(name)
                report.error(
                    here,
                    f"The field {quoted(name)} is a JSONPath field and this state uses JSONata"
                    + (f"; use {hint} instead." if hint else "."),
                )
            else:
                hint = _JSONPATH_INSTEAD.get(name)
                report.error(
                    here,
                    f"The field {quoted(name)} is a JSONata field and this state uses JSONPath"
                    + (f' (use {hint}, or set "QueryLanguage": "JSONata").' if hint else "."),
                )
        elif name in ("Next", "End") and state_type in _TERMINAL:
            report.error(here, _terminal_message(state_type, name))
        else:
            report.error(here, f"The field {quoted(name)} is not supported by a {state_type} state.")


def _terminal_message(state_type: str, name: str) -> str:
    if state_type == "Choice":
        return (
            f"A Choice state cannot have {quoted(name)}: each choice rule names its own 'Next', "
            "and 'Default' names the state to go to when no rule matches."
        )
    return f"A {state_type} state ends the execution, so it cannot have {quoted(name)}."


def check_transition(report: Report, where: str, state_type: str, state: dict[str, Any]) -> None:
    """A non-terminal state needs exactly one of ``Next`` (a state name) and ``"End": true``."""
    if state_type in _TERMINAL:
        return
    has_next = "Next" in state
    end = state.get("End")
    if "End" in state and not isinstance(end, bool):
        report.error(pointer(where, "End"), f"'End' must be true or false, not {json_type(end)}.")
    if has_next and not isinstance(state["Next"], str):
        report.error(pointer(where, "Next"), f"'Next' must be a state name, not {json_type(state['Next'])}.")
    if has_next and end is True:
        report.error(
            pointer(where, "End"),
            "A state cannot have both 'Next' and \"End\": true; keep one of them.",
        )
    elif not has_next and end is not True:
        report.error(
            where,
            f"The {state_type} state has neither 'Next' nor \"End\": true; "
            "say which state runs after it, or that the execution ends here.",
        )


def check_string(report: Report, where: str, name: str, value: Any) -> None:
    if not isinstance(value, str):
        report.error(where, f"{quoted(name)} must be a string, not {json_type(value)}.")
