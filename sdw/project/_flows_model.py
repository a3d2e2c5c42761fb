"""The flow model: one ``flows/<name>.yml`` as the state machine it becomes, plain data.

The flow engine runs ``Flow.definition``, in which every ``${...}`` placeholder is
already the ARN it stands for, and calls a Task's function through ``Flow.functions``
(ARN -> project ``Function``); ``Flow.references`` names the child flows whose ARNs the
definition may start. The deploy compiler reads ``raw_definition`` and ``placeholders``
instead, to emit the same substitutions as CloudFormation references.

ARNs are AWS's shapes with the local region and account (``000000000000`` by default,
as the local gateway and invoker use):

    arn:aws:lambda:us-east-1:000000000000:function:hello-world      (Function.deployed_name)
    arn:aws:states:us-east-1:000000000000:stateMachine:helloWorldFlow

Plugins are namespaced as their functions are: plugin ``billing``'s flow ``nightly`` has
the key ``billing/nightly`` and becomes the state machine ``billing-nightly`` (a state
machine name cannot hold ``/``).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sdw.project._model import Function
from sdw.project._schedule import Schedule

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT_ID = "000000000000"  # the local runtime's account: sdw.local's ARNs and events use it
MAX_FLOW_NAME = 80  # CreateStateMachine: name, 1-80 characters

# CreateStateMachine and StartExecution say the same of a name: it must not contain white
# space, brackets < > { } [ ], wildcards ? *, special characters " # % \ ^ | ~ ` $ & , ; : /
# or control characters (U+0000-001F, U+007F-009F); surrogates and U+FFFE/U+FFFF are refused too.
_REFUSED = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
# "To enable logging with CloudWatch Logs, the name should only contain 0-9, A-Z, a-z, - and _."
_LOGGABLE = re.compile(r"[0-9A-Za-z_-]+")


class FlowType(enum.StrEnum):
    """A state machine's type: Standard (durable, up to a year) or Express (up to 5 minutes)."""

    STANDARD = "STANDARD"
    EXPRESS = "EXPRESS"


def check_flow_name(name: str) -> str | None:
    """Why Step Functions would refuse ``name`` for a state machine, or None when it accepts it.

    >>> check_flow_name("helloWorldFlow") is None
    True
    >>> check_flow_name("my flow")
    "'my flow' has ' ', which a state machine name cannot contain"
    """
    if not name:
        return "the name is empty"
    if len(name) > MAX_FLOW_NAME:
        return f"{name!r} is {len(name)} characters; a state machine name has at most {MAX_FLOW_NAME}"
    bad = refused_character(name)
    if bad:
        return f"{name!r} has {bad!r}, which a state machine name cannot contain"
    return None


def refused_character(name: str) -> str | None:
    """The first character Step Functions refuses in a state machine's or an execution's name.

    >>> refused_character("nightly run"), refused_character("nightly-run")
    (' ', None)
    """
    bad = _REFUSED.search(name)
    return bad.group() if bad else None


def flow_name_warning(name: str) -> str | None:
    """A name AWS accepts but whose executions cannot log to CloudWatch Logs, or None."""
    if _LOGGABLE.fullmatch(name):
        return None
    return (
        f"{name!r} has characters other than 0-9, A-Z, a-z, '-' and '_'; "
        "AWS accepts it but cannot send its executions' logs to CloudWatch Logs"
    )


def state_machine_name(name: str, plugin: str | None) -> str:
    return name if plugin is None else f"{plugin}-{name}"


@dataclass(frozen=True)
class ArnNaming:
    """Where the project's resources live, so what its placeholders' ARNs are.

    ``prefix`` is put before every deployed name: empty locally (``hello-world``,
    ``helloWorldFlow``), ``<service>-<stage>-`` on AWS, where the Serverless Framework names
    a function ``sdw-dev-hello-world`` and sdw a state machine ``sdw-dev-helloWorldFlow``.
    """

    region: str = DEFAULT_REGION
    account_id: str = DEFAULT_ACCOUNT_ID
    prefix: str = ""

    def state_machine_arn(self, machine: str) -> str:
        return f"arn:aws:states:{self.region}:{self.account_id}:stateMachine:{self.prefix}{machine}"

    def function_arn(self, function: Function) -> str:
        name = self.prefix + function.deployed_name
        return f"arn:aws:lambda:{self.region}:{self.account_id}:function:{name}"


@dataclass(frozen=True)
class Flow:
    """A loaded, valid flow: what the engine runs and the deploy compiler emits.

    ``definition`` has every placeholder replaced by its ARN and, when the file sets
    ``timeout`` and the definition has no ``TimeoutSeconds``, that timeout as its
    ``TimeoutSeconds``; ``timeout`` is the effective value (None: no limit but AWS's own).
    """

    name: str
    arn: str
    file: Path
    source: str  # the file as messages show it: flows/helloWorldFlow.yml
    definition: dict[str, Any]
    raw_definition: dict[str, Any]
    description: str = ""
    plugin: str | None = None
    type: FlowType = FlowType.STANDARD
    timeout: int | None = None
    functions: dict[str, Function] = field(default_factory=dict)  # Lambda ARN -> Function
    references: dict[str, str] = field(default_factory=dict)  # child state machine ARN -> flow key
    placeholders: dict[str, str] = field(default_factory=dict)  # "helloArn" -> the ARN it became
    schedule: Schedule | None = None
    input: dict[str, Any] | None = None  # the static input of scheduled runs

    @property
    def key(self) -> str:
        """``helloWorldFlow``, or ``<plugin>/<name>`` for a plugin's flow (as ``Function.key``)."""
        return self.name if self.plugin is None else f"{self.plugin}/{self.name}"

    @property
    def state_machine_name(self) -> str:
        """The name Step Functions knows it by, the last part of ``arn``."""
        return state_machine_name(self.name, self.plugin)


@dataclass(frozen=True)
class FlowFile:
    """What ``sdw flows list`` shows of one flow file, loaded or not.

    The fields hold what could be read even from an invalid file (``name`` is None when
    not even that could); ``loaded`` says whether it became a ``Flow``.
    """

    source: str
    path: Path
    loaded: bool
    name: str | None = None
    plugin: str | None = None
    description: str = ""
    type: str = FlowType.STANDARD.value
    schedule: str | None = None

    @property
    def key(self) -> str | None:
        if self.name is None:
            return None
        return self.name if self.plugin is None else f"{self.plugin}/{self.name}"
