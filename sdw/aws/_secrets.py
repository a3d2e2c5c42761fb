"""A deployed stage's secrets and connections: SSM SecureStrings, as ``sdw.runtime.handler`` reads them.

``sdw secrets ... --stage S`` and ``sdw connections ... --stage S`` use this store where
they would use the local one (sdw.local's ``LocalSecretStore``, same methods, same paths):

    secret      /<service>/<stage>/<NAME>               SecureString, the value itself
    connection  /<service>/<stage>/connections/<name>   SecureString, sdw.runtime's document
                                                         {"type": ..., "value": ...}

SecureStrings use the account's AWS-managed key ``aws/ssm`` (no key to create, and the
functions' roles need no ``kms:Decrypt`` statement for it). The description of each
parameter says what it is (``sdw secret``, ``sdw connection of type <type>``), so that a
listing, which reads only descriptions (DescribeParameters, one level under the path),
shows a connection's type without decrypting anything. Values are read only by ``get``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from sdw.aws._errors import error_code, translated
from sdw.runtime import Connection, connection_parameter, parse_connection, secret_parameter
from sdw.system import StoredParameter

SECRET_DESCRIPTION = "sdw secret"  # noqa: S105 (a description, not a value)
CONNECTION_DESCRIPTION = "sdw connection of type "
_NOT_FOUND = "ParameterNotFound"


class SsmSecretStore:
    """The secrets and connections of one deployed stage, over an SSM client."""

    def __init__(self, client: Any, *, service: str, stage: str) -> None:
        self._client = client
        self.service = service
        self.stage = stage

    def __enter__(self) -> SsmSecretStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        return None

    # -- secrets -----------------------------------------------------------------------

    def secret_path(self, name: str) -> str:
        return secret_parameter(self.service, self.stage, name)

    def put_secret(self, name: str, value: str) -> str:
        path = self.secret_path(name)
        self._put(path, value, SECRET_DESCRIPTION)
        return path

    def get_secret(self, name: str) -> str | None:
        return self._get(self.secret_path(name))

    def list_secrets(self) -> list[StoredParameter]:
        return self._list(f"/{self.service}/{self.stage}", None)

    def delete_secret(self, name: str) -> bool:
        return self._delete(self.secret_path(name))

    # -- connections -------------------------------------------------------------------

    def connection_path(self, name: str) -> str:
        return connection_parameter(self.service, self.stage, name)

    def put_connection(self, name: str, kind: str, value: Any) -> str:
        path = self.connection_path(name)
        self._put(path, Connection(kind, value).document(), CONNECTION_DESCRIPTION + kind)
        return path

    def get_connection(self, name: str) -> Connection | None:
        text = self._get(self.connection_path(name))
        return None if text is None else parse_connection(text, name)

    def list_connections(self) -> list[StoredParameter]:
        return self._list(f"/{self.service}/{self.stage}/connections", CONNECTION_DESCRIPTION)

    def delete_connection(self, name: str) -> bool:
        return self._delete(self.connection_path(name))

    # -- SSM ---------------------------------------------------------------------------

    def _put(self, path: str, value: str, description: str) -> None:
        with translated("PutParameter"):
            self._client.put_parameter(
                Name=path, Value=value, Type="SecureString", Overwrite=True, Description=description
            )

    def _get(self, path: str) -> str | None:
        with translated("GetParameter"):
            try:
                found = self._client.get_parameter(Name=path, WithDecryption=True)
            except ClientError as exc:
                if error_code(exc) == _NOT_FOUND:
                    return None
                raise
        return str(found["Parameter"]["Value"])

    def _delete(self, path: str) -> bool:
        with translated("DeleteParameter"):
            try:
                self._client.delete_parameter(Name=path)
            except ClientError as exc:
                if error_code(exc) == _NOT_FOUND:
                    return False
                raise
        return True

    def _list(self, folder: str, connections: str | None) -> list[StoredParameter]:
        """The parameters one level under ``folder``; with ``connections``, each type from its description."""
        found: list[StoredParameter] = []
        request: dict[str, Any] = {
            "ParameterFilters": [{"Key": "Path", "Option": "OneLevel", "Values": [folder]}],
            "MaxResults": 50,
        }
        while True:
            with translated("DescribeParameters"):
                page = self._client.describe_parameters(**request)
            for item in page.get("Parameters", []):
                path = str(item["Name"])
                description = str(item.get("Description") or "")
                kind = None
                if connections is not None:
                    known = description.startswith(connections)
                    kind = description.removeprefix(connections) if known else "?"
                updated = _iso(item.get("LastModifiedDate"))
                found.append(StoredParameter(path.rsplit("/", 1)[1], path, updated, kind))
            if not page.get("NextToken"):
                break
            request["NextToken"] = page["NextToken"]
        return sorted(found, key=lambda row: row.name)


def _iso(moment: Any) -> str:
    if not isinstance(moment, datetime):
        return ""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
