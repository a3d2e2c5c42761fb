"""A state machine's IAM role, derived from what its definition does and nothing more.

Step Functions calls the outside with the machine's role, so the role is exactly the
Tasks' needs, read from the ASL (every state, nested Parallel branches and Map item
processors included):

    Task Resource                                       grants
    ${fnArn}, a Lambda ARN                              lambda:InvokeFunction on that function
    arn:aws:states:::lambda:invoke[.waitForTaskToken]   lambda:InvokeFunction on its FunctionName
    arn:aws:states:::states:startExecution              states:StartExecution on its StateMachineArn
      .sync / .sync:2                                   + states:DescribeExecution, StopExecution on the
                                                          child's executions, and events:PutTargets,
                                                          PutRule, DescribeRule on the managed rule
                                                          StepFunctionsGetEventsForStepFunctionsExecutionRule
    Map with ProcessorConfig.Mode DISTRIBUTED           states:StartExecution on the machine itself,
                                                          DescribeExecution/StopExecution on its child
                                                          executions (execution:<name>/*); an S3
                                                          ItemReader / ResultWriter: the bucket and key
                                                          or prefix it names

(AWS's "IAM policies for integrated services" and "IAM policies for using Distributed Map
states" pages.) Anything else - another service integration, an Activity, ``Credentials``,
or a function or machine computed at run time (``FunctionName.$``, a JSONata expression) -
is an ``UnsupportedError`` naming the state: a least-privilege role cannot be derived
from it, and a broad one is what this module exists to avoid.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sdw.deploy._arns import cfn_value, sub_text
from sdw.deploy._errors import UnsupportedError

_INTEGRATION = re.compile(
    r"arn:[^:]+:states:::(?P<api>lambda:invoke|states:startExecution)"
    r"(?P<pattern>\.sync:2|\.sync|\.waitForTaskToken)?"
)
_LAMBDA_ARN = re.compile(r"arn:[^:]+:lambda:[^:]*:[^:]*:function:.+")
_FUNCTION_NAME = re.compile(r"[A-Za-z0-9_-]+(:[A-Za-z0-9$_-]+)?")
_MACHINE_ARN = re.compile(r"arn:[^:]+:states:[^:]*:[^:]*:stateMachine:.+")
_S3_READERS = {
    "arn:aws:states:::s3:getObject": ("s3:GetObject",),
    "arn:aws:states:::s3:listObjectsV2": ("s3:ListBucket",),
}
_S3_WRITER = "arn:aws:states:::s3:putObject"
_S3_WRITER_ACTIONS = (
    "s3:PutObject",
    "s3:GetObject",
    "s3:ListMultipartUploadParts",
    "s3:AbortMultipartUpload",
)
SYNC_RULE = "StepFunctionsGetEventsForStepFunctionsExecutionRule"
_PREFIX = "arn:${AWS::Partition}"
_HERE = "${AWS::Region}:${AWS::AccountId}"


@dataclass
class _Needs:
    invoke: set[str] = field(default_factory=set)
    start: set[str] = field(default_factory=set)
    watch: set[str] = field(default_factory=set)  # executions: Describe/StopExecution
    sync: bool = False
    s3: dict[tuple[str, ...], set[str]] = field(default_factory=dict)

    def statements(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []

        def add(actions: tuple[str, ...], resources: set[str]) -> None:
            if resources:
                found.append(
                    {
                        "Effect": "Allow",
                        "Action": list(actions),
                        "Resource": [cfn_value(text) for text in sorted(resources)],
                    }
                )

        add(("lambda:InvokeFunction",), self.invoke)
        add(("states:StartExecution",), self.start)
        add(("states:DescribeExecution", "states:StopExecution"), self.watch)
        if self.sync:
            add(
                ("events:PutTargets", "events:PutRule", "events:DescribeRule"),
                {f"{_PREFIX}:events:{_HERE}:rule/{SYNC_RULE}"},
            )
        for actions, resources in sorted(self.s3.items()):
            add(actions, resources)
        return found


def role_statements(
    definition: dict[str, Any], arns: Mapping[str, str], self_arn: str, where: str
) -> list[dict[str, Any]]:
    """The IAM statements a machine running ``definition`` needs (possibly none).

    ``arns`` maps each placeholder to its ARN text (``Names``); ``self_arn`` is the
    machine's own ARN text; ``where`` prefixes error locations (``flows/a.yml``).
    """
    needs = _Needs()
    _walk(definition, "", needs, arns, self_arn, where)
    return needs.statements()


def _walk(
    machine: Any, pointer: str, needs: _Needs, arns: Mapping[str, str], self_arn: str, where: str
) -> None:
    states = machine.get("States") if isinstance(machine, dict) else None
    if not isinstance(states, dict):
        return
    for name, state in states.items():
        if not isinstance(state, dict):
            continue
        here = f"{pointer}/States/{_token(name)}"
        kind = state.get("Type")
        if kind == "Task":
            _task(state, here, needs, arns, where)
        elif kind == "Parallel":
            for index, branch in enumerate(state.get("Branches") or []):
                _walk(branch, f"{here}/Branches/{index}", needs, arns, self_arn, where)
        elif kind == "Map":
            key = "ItemProcessor" if "ItemProcessor" in state else "Iterator"
            processor = state.get(key)
            if isinstance(processor, dict):
                config = processor.get("ProcessorConfig") or {}
                if isinstance(config, dict) and config.get("Mode") == "DISTRIBUTED":
                    _distributed(state, here, needs, arns, self_arn, where)
                _walk(processor, f"{here}/{key}", needs, arns, self_arn, where)


def _task(state: dict[str, Any], here: str, needs: _Needs, arns: Mapping[str, str], where: str) -> None:
    resource = state.get("Resource")
    at = f"{where}: {here}/Resource"
    if not isinstance(resource, str):
        raise UnsupportedError("a Task's Resource must be a string", at)
    if "Credentials" in state:
        raise UnsupportedError(
            "Credentials (a Task running under another role) is not supported: the compiler "
            "cannot derive that role's trust",
            f"{where}: {here}/Credentials",
        )
    text = sub_text(resource, arns, at)
    if _LAMBDA_ARN.fullmatch(_shape(text)):
        needs.invoke.add(text)
        return
    match = _INTEGRATION.fullmatch(resource)
    if match is None:
        raise UnsupportedError(
            f"the deploy compiler cannot derive the IAM that {resource!r} needs; a Task may call a "
            "function (${<fn>Arn} or arn:aws:states:::lambda:invoke) or start a flow "
            "(arn:aws:states:::states:startExecution[.sync|.sync:2])",
            at,
        )
    if match.group("api") == "lambda:invoke":
        value = _parameter(state, "FunctionName", here, where)
        function = sub_text(value, arns, f"{where}: {here}")
        if _FUNCTION_NAME.fullmatch(function):
            function = f"{_PREFIX}:lambda:{_HERE}:function:{function}"
        elif not _LAMBDA_ARN.fullmatch(_shape(function)):
            raise UnsupportedError(f"FunctionName {value!r} is not a function name or ARN", at)
        needs.invoke.add(function)
        return
    value = _parameter(state, "StateMachineArn", here, where)
    machine = sub_text(value, arns, f"{where}: {here}")
    if not _MACHINE_ARN.fullmatch(_shape(machine)):
        raise UnsupportedError(f"StateMachineArn {value!r} is not a state machine ARN", at)
    needs.start.add(machine)
    if match.group("pattern") in (".sync", ".sync:2"):
        needs.watch.add(machine.replace(":stateMachine:", ":execution:", 1) + ":*")
        needs.sync = True


def _shape(text: str) -> str:
    """``text`` with the pseudo parameters spelled as plain words, to match ARN shapes."""
    for pseudo, word in (
        ("${AWS::Partition}", "aws"),
        ("${AWS::Region}", "region"),
        ("${AWS::AccountId}", "account"),
    ):
        text = text.replace(pseudo, word)
    return text


def _parameter(state: dict[str, Any], field_name: str, here: str, where: str) -> str:
    """A static string field of the Task's Parameters (JSONPath) or Arguments (JSONata)."""
    block_name = "Arguments" if "Arguments" in state else "Parameters"
    block = state.get(block_name)
    at = f"{where}: {here}/{block_name}"
    if not isinstance(block, dict):
        raise UnsupportedError(f"{block_name} must be an object naming {field_name}", at)
    value = block.get(field_name)
    if f"{field_name}.$" in block or (isinstance(value, str) and value.strip().startswith("{%")):
        raise UnsupportedError(
            f"{field_name} is computed at run time; the deploy compiler grants a state machine "
            f"exactly what it names, so write it out (a placeholder such as ${{<name>Arn}})",
            f"{at}/{field_name}",
        )
    if not isinstance(value, str):
        raise UnsupportedError(f"{block_name} has no {field_name} string", at)
    return value


def _distributed(
    state: dict[str, Any], here: str, needs: _Needs, arns: Mapping[str, str], self_arn: str, where: str
) -> None:
    needs.start.add(self_arn)
    needs.watch.add(self_arn.replace(":stateMachine:", ":execution:", 1) + "/*")
    reader = state.get("ItemReader")
    if isinstance(reader, dict) and "Resource" in reader:
        actions = _S3_READERS.get(str(reader["Resource"]))
        if actions is None:
            raise UnsupportedError(
                f"ItemReader {reader['Resource']!r} is not supported (s3:getObject or s3:listObjectsV2)",
                f"{where}: {here}/ItemReader/Resource",
            )
        bucket = _s3_field(reader, "Bucket", f"{here}/ItemReader", arns, where)
        if actions == ("s3:ListBucket",):
            target = f"{_PREFIX}:s3:::{bucket}"
        else:
            target = f"{_PREFIX}:s3:::{bucket}/{_s3_field(reader, 'Key', f'{here}/ItemReader', arns, where)}"
        needs.s3.setdefault(actions, set()).add(target)
    writer = state.get("ResultWriter")
    if isinstance(writer, dict) and "Resource" in writer:
        if writer["Resource"] != _S3_WRITER:
            raise UnsupportedError(
                f"ResultWriter {writer['Resource']!r} is not supported ({_S3_WRITER})",
                f"{where}: {here}/ResultWriter/Resource",
            )
        bucket = _s3_field(writer, "Bucket", f"{here}/ResultWriter", arns, where)
        prefix = _s3_field(writer, "Prefix", f"{here}/ResultWriter", arns, where, required=False)
        needs.s3.setdefault(_S3_WRITER_ACTIONS, set()).add(f"{_PREFIX}:s3:::{bucket}/{prefix}*")


def _s3_field(
    block: dict[str, Any], name: str, here: str, arns: Mapping[str, str], where: str, *, required: bool = True
) -> str:
    container = "Arguments" if "Arguments" in block else "Parameters"
    params = block.get(container)
    if not isinstance(params, dict):
        params = {}
    value = params.get(name)
    if f"{name}.$" in params or (isinstance(value, str) and value.strip().startswith("{%")):
        raise UnsupportedError(
            f"{name} is computed at run time; name the bucket and key so the role can be scoped to them",
            f"{where}: {here}/{container}/{name}",
        )
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value:
        raise UnsupportedError(f"{container} has no {name}", f"{where}: {here}/{container}")
    return sub_text(value, arns, f"{where}: {here}")


def _token(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")
