"""Checks of a Task state's ``Resource``: only the integrations sdw runs locally pass.

AWS accepts hundreds of service integrations; the local runtime runs three families,
and everything else must fail here, when the definition is validated, rather than when
an execution first reaches the Task:

* a Lambda function ARN, ``arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]``
  (the "legacy" invoke, whose result is the function's return value);
* ``arn:aws:states:::lambda:invoke`` and ``...:lambda:invoke.waitForTaskToken``, which
  need ``FunctionName`` in Parameters/Arguments (AWS: "Invoke an AWS Lambda function
  with Step Functions");
* ``arn:aws:states:::states:startExecution`` with ``.sync``, ``.sync:2`` or
  ``.waitForTaskToken``, which need ``StateMachineArn`` (AWS: "Start a new AWS Step
  Functions state machine from a running execution").

``arn:aws:states:::aws-sdk:...`` (the SDK integrations), activities and every other
service integration are reported as unsupported. A placeholder such as
``${helloArn}`` is not special-cased: the project layer substitutes placeholders
before it validates, so one still here was never resolved, and the message says so.
"""

from __future__ import annotations

import re
from typing import Any

from sdw.asl._integrations import parse_resource
from sdw.asl.jsonata import is_jsonata_template as is_jsonata
from sdw.asl.validate._base import JSONATA, Code, Report, json_type, pointer

_PARTITION = r"arn:aws(?:-[a-z]+)*"  # aws, aws-cn, aws-us-gov, aws-iso-b...
LAMBDA_ARN = re.compile(
    _PARTITION
    + r":lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,140}(?::(?:\$LATEST|[A-Za-z0-9_-]{1,128}))?"
)
_OPTIMISED = re.compile(
    _PARTITION + r":states:[a-z0-9-]*:(?:\d{12})?:(?P<service>[A-Za-z0-9-]+):(?P<action>.+)"
)
# Which integrations and patterns run is the interpreter's own table
# (sdw.asl._integrations.parse_resource), asked here so the two cannot disagree; this
# adds the argument each service needs.
_REQUIRED_ARGUMENT = {"lambda": "FunctionName", "states": "StateMachineArn"}
_SUPPORTED = (
    "sdw runs Lambda function ARNs (arn:aws:lambda:REGION:ACCOUNT:function:NAME), "
    "arn:aws:states:::lambda:invoke[.waitForTaskToken] and "
    "arn:aws:states:::states:startExecution[.sync|.sync:2|.waitForTaskToken]"
)


def check_resource(
    report: Report, where: str, state: dict[str, Any], language: str, *, express: bool
) -> None:
    """Check the ``Resource`` of the Task state at ``where``, and the argument it requires.

    ``express``: the state machine is EXPRESS, which AWS creates only without the
    ``.sync`` and ``.waitForTaskToken`` patterns ("Express Workflows do not support the
    Run a Job (.sync) or Wait for Callback (.waitForTaskToken) service integration
    patterns").
    """
    if "Resource" not in state:
        report.error(where, "A Task state needs 'Resource': the ARN of the work to run.")
        return
    here = pointer(where, "Resource")
    resource = state["Resource"]
    if not isinstance(resource, str):
        report.error(
            here, f"'Resource' must be an ARN string, not {json_type(resource)}.", Code.INVALID_RESOURCE
        )
        return
    if LAMBDA_ARN.fullmatch(resource):
        return
    match = _OPTIMISED.fullmatch(resource)
    if match is None:
        report.error(here, _unsupported(resource), Code.INVALID_RESOURCE)
        return
    try:
        integration = parse_resource(resource)
    except ValueError:
        report.error(here, _unsupported(resource, match.group("service")), Code.INVALID_RESOURCE)
        return
    if express and integration.pattern != "request_response":
        pattern = ".waitForTaskToken" if integration.pattern == "token" else ".sync"
        report.error(
            here,
            f"An EXPRESS state machine cannot use the {pattern} integration pattern ({resource}); "
            "use a STANDARD state machine or the request-response form.",
            Code.INVALID_RESOURCE,
        )
    required = _REQUIRED_ARGUMENT[integration.service]
    _check_required_argument(report, where, state, language, required, resource)


def _unsupported(resource: str, service: str | None = None) -> str:
    if "${" in resource:
        return (
            f"The Task Resource {resource!r} contains an unresolved ${{...}} placeholder; "
            f"define it in the flow so it is substituted before validation ({_SUPPORTED})."
        )
    if service == "aws-sdk":
        return f"The AWS SDK integration {resource!r} is not supported locally; {_SUPPORTED}."
    return f"The Task Resource {resource!r} is not a supported integration; {_SUPPORTED}."


def _check_required_argument(
    report: Report, where: str, state: dict[str, Any], language: str, required: str, resource: str
) -> None:
    field = "Arguments" if language == JSONATA else "Parameters"
    arguments = state.get(field)
    if is_jsonata(arguments):
        return  # computed at run time; the interpreter checks the evaluated object
    if isinstance(arguments, dict) and (required in arguments or required + ".$" in arguments):
        return
    target = pointer(where, field) if field in state else where
    report.error(
        target,
        f"The integration {resource} needs {field}.{required}"
        + (f" (or {required}.$)" if field == "Parameters" else "")
        + ".",
        Code.INVALID_RESOURCE,
    )
