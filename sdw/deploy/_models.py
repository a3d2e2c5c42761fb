"""What a deployed stage is made of, as plain models; ``_generate`` turns each into template parts.

The compiler is a pipeline (STYLE.md section 2, chalice's deployer): ``_compiler`` reads
the ``sdw.project`` model and builds these, ``_generate`` dispatches on each model's type
to emit its Serverless ``functions`` entry and CloudFormation resources, and ``_stacks``
spreads the result over nested stacks. A model holds decisions already made (the handler
path, the resolved definition text, the derived IAM), so generating is mechanical.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sdw.project import Flow, Function
from sdw.system import SystemRoute

RUNTIME_HANDLER = "sdw.runtime.handler"


@dataclass(frozen=True)
class UserFunction:
    """``functions/lib/<name>`` (or a plugin's): a Lambda and ``POST /lib/<key>`` behind the authorizer.

    Its Lambda handler is sdw's wrapper (``RUNTIME_HANDLER``), which loads the declared
    secrets and resolves connections before it calls the user's handler; ``environment``
    tells it where that is and what the function declared (sdw/runtime/_lambda.py). A
    function that declares secrets or connections gets a role of its own (``statements``:
    the shared user statements plus reading exactly its parameters); any other shares
    osls's role.
    """

    function: Function
    environment: dict[str, str]
    statements: tuple[dict[str, Any], ...] = ()
    handler: str = RUNTIME_HANDLER


@dataclass(frozen=True)
class SystemFunction:
    """``functions/base/<name>``: a Lambda with its own least-privilege role, serving ``routes``."""

    name: str
    routes: tuple[SystemRoute, ...]
    statements: tuple[dict[str, Any], ...]
    timeout: int = 30
    memory: int = 512

    @property
    def key(self) -> str:
        """The osls function key, also the end of its name: ``base_flows``."""
        return f"base_{self.name}"

    @property
    def handler(self) -> str:
        return f"functions/base/{self.name}/handler.handler"


@dataclass(frozen=True)
class StatusChangeRule:
    """EventBridge "Step Functions Execution Status Change" of this stage's machines -> ``function``."""

    function: SystemFunction


@dataclass(frozen=True)
class StateMachine:
    """A flow: its definition as ``Fn::Sub`` text and the role derived from its ASL."""

    flow: Flow
    definition: str
    statements: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class SchedulesRole:
    """The one role EventBridge assumes to start the scheduled flows (``states:StartExecution`` on them)."""

    machines: tuple[str, ...]  # state machine names (without the stage prefix)


@dataclass(frozen=True)
class HttpApi:
    """The HTTP API, its ``$default`` stage and the Cognito JWT authorizer."""


@dataclass(frozen=True)
class UserPool:
    """The Cognito user pool with its two app clients (``UserPoolClient`` and ``ToolsClient``)."""


@dataclass(frozen=True)
class UsageTable:
    """``<service>-<stage>-usage``: calls per user per month (BRIEF: the seed's schema)."""


@dataclass(frozen=True)
class ExecutionsTable:
    """``<service>-<stage>-executions``: the per-owner index of executions Step Functions lacks."""


@dataclass(frozen=True)
class RuntimeLayer:
    """The Lambda layer of ``layer/requirements.txt``; its S3 key is filled in when packaged."""


@dataclass(frozen=True)
class StackOutputs:
    """The outputs the CLI's ``--stage S`` reads (BRIEF: exactly these)."""


Model = (
    UserFunction
    | SystemFunction
    | StatusChangeRule
    | StateMachine
    | SchedulesRole
    | HttpApi
    | UserPool
    | UsageTable
    | ExecutionsTable
    | RuntimeLayer
    | StackOutputs
)
