"""Every name the deployed stage gives its resources, in one place.

On AWS a stage of a service is one CloudFormation stack ``<service>-<stage>``, and every
named resource starts with ``<service>-<stage>-`` (``sdw.project.ArnNaming``'s prefix):

    Lambda            sdw-dev-hello-world            (Function.deployed_name)
    system Lambda     sdw-dev-base_flows             (``_`` never occurs in a deployed user name,
                                                      so no user function can take it)
    state machine     sdw-dev-helloWorldFlow         (Flow.state_machine_name)
    tables            sdw-dev-usage, sdw-dev-executions
    user pool         sdw-dev

ARNs are written as ``Fn::Sub`` text with the pseudo parameters, never with a literal
region or account, so one template deploys to any account; and they are built from the
names rather than taken from the resources (``Fn::GetAtt``), so a state machine and the
functions it calls can live in different nested stacks without a cross-stack reference.

Logical ids follow the Serverless Framework's documented convention for the resources it
makes (``hello-world`` -> ``HelloDashworldLambdaFunction``), because the routes and rules the
compiler adds must name those resources.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sdw.deploy._errors import DeployError

MAX_LAMBDA_NAME = 64
MAX_STATE_MACHINE_NAME = 80
_SERVICE = re.compile(r"[a-z][a-z0-9-]*")
_STAGE = re.compile(r"[a-z0-9][a-z0-9-]*")
MAX_SERVICE = 20
MAX_STAGE = 16
_WORDS = {"-": "Dash", "_": "Underscore"}
_ARN = "arn:${AWS::Partition}"
_HERE = "${AWS::Region}:${AWS::AccountId}"


def logical_id(name: str) -> str:
    """The Serverless Framework's normalized name: ``hello-world`` -> ``HelloDashworld``.

    Other characters than letters, digits, ``-`` and ``_`` are spelled by their code
    point (``.`` -> ``X2e``) so the id stays alphanumeric, as CloudFormation requires.
    """
    spelled = "".join(ch if ch.isascii() and ch.isalnum() else _WORDS.get(ch, f"X{ord(ch):x}") for ch in name)
    return spelled[:1].upper() + spelled[1:]


def osls_function_id(key: str) -> str:
    """The logical id osls gives the ``AWS::Lambda::Function`` of ``functions.<key>``."""
    return f"{logical_id(key)}LambdaFunction"


def osls_log_group_id(key: str) -> str:
    return f"{logical_id(key)}LogGroup"


@dataclass(frozen=True)
class Names:
    service: str
    stage: str

    def __post_init__(self) -> None:
        for what, value, pattern, limit in (
            ("service", self.service, _SERVICE, MAX_SERVICE),
            ("stage", self.stage, _STAGE, MAX_STAGE),
        ):
            if not pattern.fullmatch(value) or len(value) > limit:
                raise DeployError(
                    f"the {what} name {value!r} must be 1-{limit} lowercase letters, digits and '-',"
                    f" starting with a {'letter' if what == 'service' else 'letter or digit'}"
                )

    @property
    def stack(self) -> str:
        return f"{self.service}-{self.stage}"

    @property
    def prefix(self) -> str:
        """``sdw.project``'s ``name_prefix``: ``<service>-<stage>-``."""
        return f"{self.stack}-"

    def function(self, deployed: str) -> str:
        return self.prefix + deployed

    def state_machine(self, machine: str) -> str:
        return self.prefix + machine

    @property
    def usage_table(self) -> str:
        return f"{self.prefix}usage"

    @property
    def executions_table(self) -> str:
        return f"{self.prefix}executions"

    def function_arn(self, deployed: str) -> str:
        return f"{_ARN}:lambda:{_HERE}:function:{self.function(deployed)}"

    def state_machine_arn(self, machine: str) -> str:
        return (
            "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:"
            + self.state_machine(machine)
        )

    def executions_arn(self, machine: str) -> str:
        """Every execution of the machine (``execution:<name>:<id>``)."""
        return (
            "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:"
            + self.state_machine(machine)
            + ":*"
        )

    def table_arn(self, table: str) -> str:
        return f"arn:${{AWS::Partition}}:dynamodb:${{AWS::Region}}:${{AWS::AccountId}}:table/{table}"

    def parameter_arn(self, path: str) -> str:
        """The SSM parameter at ``path`` (``/sdw/dev/API_KEY``), as sdw.runtime reads it."""
        return f"{_ARN}:ssm:{_HERE}:parameter{path}"

    def secret_parameter(self, name: str) -> str:
        """Where secret ``name`` is kept: ``/<service>/<stage>/<NAME>`` (sdw.runtime.secret_parameter)."""
        return f"/{self.service}/{self.stage}/{name}"

    def connection_parameter(self, name: str) -> str:
        """Where connection ``name`` is kept: ``/<service>/<stage>/connections/<name>``."""
        return f"/{self.service}/{self.stage}/connections/{name}"

    @property
    def stage_machines_arn(self) -> str:
        """Every state machine of this stage: ``...:stateMachine:sdw-dev-*``."""
        return self.state_machine_arn("*")
