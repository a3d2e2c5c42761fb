"""The deploy compiler's errors: one base, each carrying where the problem is.

    DeployError                 anything the compiler refuses; ``where`` names the file,
    |                           flow state or resource it is about ("flows/a.yml: /States/X")
    +-- UnsupportedError        a construct the compiler cannot turn into least-privilege
    |                           IAM or CloudFormation (an unknown Task resource, a model type)
    +-- StackLimitError         a template over CloudFormation's limits (500 resources, 1 MB)

The CLI prints ``str(error)``, one line per problem; no traceback reaches a user.
"""

from __future__ import annotations


class DeployError(Exception):
    def __init__(self, message: str, where: str | None = None) -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.message = message
        self.where = where


class UnsupportedError(DeployError):
    pass


class StackLimitError(DeployError):
    pass
