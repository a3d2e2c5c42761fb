"""SSM Parameter Store, read through Powertools' Parameters utility: secrets and connections.

``sdw.runtime.handler`` reads a function's secrets at cold start and its connections per
call with this reader. Powertools does the batching (GetParameters, ten names a call),
the decryption (``WithDecryption``) and the caching (``max_age`` seconds, Powertools'
``POWERTOOLS_PARAMETERS_MAX_AGE``, 5 s by default, when None); this class only asks for
SecureStrings by path and says which ones do not exist, so the runtime can name them.

A missing parameter is not an error here: it is absent from the answer (Powertools'
``raise_on_error=False`` lists it under ``_errors``). Anything else (access denied,
throttling, no credentials) is wrapped once into sdw.runtime's ``ParameterStoreError``,
which names the paths and never a value.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sdw.runtime import ParameterStoreError


class SsmParameters:
    """Decrypted SecureStrings by path (sdw.runtime's ``ParameterReader``)."""

    _ERRORS_KEY = "_errors"

    def __init__(self, provider: Any = None, *, boto3_client: Any = None, max_age: int | None = None) -> None:
        self._provider = provider
        self._client = boto3_client
        self._max_age = max_age

    def get_parameters(self, paths: Sequence[str]) -> dict[str, str]:
        if not paths:
            return {}
        from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            found = dict(
                self._ssm().get_parameters_by_name(
                    {path: {} for path in paths}, decrypt=True, max_age=self._max_age, raise_on_error=False
                )
            )
        except (GetParameterError, ClientError, BotoCoreError) as exc:
            raise ParameterStoreError(f"cannot read SSM parameters {', '.join(paths)}: {exc}") from exc
        missing = set(found.pop(self._ERRORS_KEY, []))
        return {path: str(value) for path, value in found.items() if path not in missing}

    def get_parameter(self, path: str) -> str | None:
        return self.get_parameters([path]).get(path)

    def _ssm(self) -> Any:
        if self._provider is None:
            from aws_lambda_powertools.utilities.parameters import SSMProvider

            self._provider = SSMProvider(boto3_client=self._client)
        return self._provider
