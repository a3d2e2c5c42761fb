"""The local secret store: what SSM Parameter Store's SecureStrings are on AWS, kept encrypted.

``sdw secrets put API_KEY`` and ``sdw connections put ai --type openai --value '{...}'``
write here; ``sdw dev`` reads a function's secrets when it loads the function (its cold
start) and a connection when a call references it. Parameters are named by SSM's paths,
so what a project reads locally it reads from the same names on AWS:

    secret      /<service>/<stage>/<NAME>               the value, as text
    connection  /<service>/<stage>/connections/<NAME>   {"type": ..., "value": ...} (sdw.runtime)

``service`` is config.json's (``sdw`` by default) and the local stage is ``local``.

Why it is built this way:

* Encrypted at rest with ``cryptography``'s Fernet (AES-128-CBC + HMAC-SHA256, a
  timestamped token per value). The key is ``secrets.key`` in the state folder, 0600,
  made once with ``StateDir.create_private`` (two processes starting at once agree on one
  key). Names and types stay in clear, as SSM shows names and keeps only values secret,
  so ``list`` needs no key. Whoever can read the state folder can read the key: this is
  at-rest protection against copies of the database (a backup, a stray ``git add``), not
  against the machine's own user.
* SQLite (``secrets.db``, 0600, WAL), so ``sdw secrets put`` and a running ``sdw dev`` can
  use the store at once, and a write is atomic.
* A value never appears in an error, a log line or ``repr``; a key that cannot decrypt
  a value (replaced, corrupt) is a :class:`StateError` naming the parameter, not the value.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from sdw.local._errors import StateError
from sdw.local._statedir import StateDir
from sdw.runtime import Connection, connection_parameter, parse_connection, secret_parameter
from sdw.system import StoredParameter

LOCAL_STAGE = "local"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS parameters (
    path TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('secret', 'connection')),
    name TEXT NOT NULL,
    type TEXT,
    value BLOB NOT NULL,
    updated TEXT NOT NULL
);
"""


class LocalSecretStore:
    """Secrets and connections of one service and stage, in ``<state>/secrets.db``."""

    DB = "secrets.db"
    KEY = "secrets.key"

    def __init__(self, state: StateDir, *, service: str = "sdw", stage: str = LOCAL_STAGE) -> None:
        self._state = state
        self.service = service
        self.stage = stage
        self._lock = threading.Lock()
        self._connection: Any = None
        self._fernet: Fernet | None = None

    def __repr__(self) -> str:
        return f"LocalSecretStore({str(self._state.path)!r}, service={self.service!r}, stage={self.stage!r})"

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def __enter__(self) -> LocalSecretStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- secrets -----------------------------------------------------------------------

    def secret_path(self, name: str) -> str:
        return secret_parameter(self.service, self.stage, name)

    def put_secret(self, name: str, value: str) -> str:
        """Store secret ``name`` (replacing it); its parameter path."""
        path = self.secret_path(name)
        self._put(path, "secret", name, None, value)
        return path

    def get_secret(self, name: str) -> str | None:
        return self._get(self.secret_path(name))

    def get_secrets(self, names: Sequence[str]) -> dict[str, str]:
        """The stored values of ``names``; a missing one is absent (the caller names it)."""
        found = {}
        for name in names:
            value = self.get_secret(name)
            if value is not None:
                found[name] = value
        return found

    def list_secrets(self) -> list[StoredParameter]:
        return self._list("secret")

    def delete_secret(self, name: str) -> bool:
        return self._delete(self.secret_path(name))

    # -- connections -------------------------------------------------------------------

    def connection_path(self, name: str) -> str:
        return connection_parameter(self.service, self.stage, name)

    def put_connection(self, name: str, kind: str, value: Any) -> str:
        path = self.connection_path(name)
        self._put(path, "connection", name, kind, Connection(kind, value).document())
        return path

    def get_connection(self, name: str) -> Connection | None:
        """sdw.runtime's ConnectionSource: the connection ``name``, or None."""
        text = self._get(self.connection_path(name))
        return None if text is None else parse_connection(text, name)

    def list_connections(self) -> list[StoredParameter]:
        return self._list("connection")

    def delete_connection(self, name: str) -> bool:
        return self._delete(self.connection_path(name))

    # -- storage -----------------------------------------------------------------------

    def _put(self, path: str, kind: str, name: str, type_: str | None, plain: str) -> None:
        token = self._cipher().encrypt(plain.encode("utf-8"))
        now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        with self._database() as db:
            db.execute(
                "INSERT INTO parameters (path, kind, name, type, value, updated) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (path) DO UPDATE SET kind = excluded.kind, type = excluded.type, "
                "value = excluded.value, updated = excluded.updated",
                (path, kind, name, type_, token, now),
            )

    def _get(self, path: str) -> str | None:
        with self._database() as db:
            row = db.execute("SELECT value FROM parameters WHERE path = ?", (path,)).fetchone()
        if row is None:
            return None
        try:
            return self._cipher().decrypt(bytes(row[0])).decode("utf-8")
        except InvalidToken:
            raise StateError(
                self._state.file(self.KEY), f"decrypt {path} with",
                "the key does not match the value (was secrets.key replaced?); put the value again",
            ) from None

    def _list(self, kind: str) -> list[StoredParameter]:
        prefix = f"/{self.service}/{self.stage}/"
        with self._database() as db:
            rows = db.execute(
                "SELECT name, path, updated, type FROM parameters WHERE kind = ? AND path LIKE ? ESCAPE '\\' "
                "ORDER BY name",
                (kind, _like_prefix(prefix)),
            ).fetchall()
        return [StoredParameter(str(n), str(p), str(u), t) for n, p, u, t in rows]

    def _delete(self, path: str) -> bool:
        with self._database() as db:
            return bool(db.execute("DELETE FROM parameters WHERE path = ?", (path,)).rowcount)

    @contextmanager
    def _database(self) -> Iterator[Any]:
        import sqlite3

        with self._lock:
            try:
                if self._connection is None:
                    self._connection = self._state.open_database(self.DB)
                    self._connection.executescript(_SCHEMA)
                yield self._connection
            except sqlite3.Error as exc:
                raise StateError(self._state.file(self.DB), "use", str(exc)) from exc

    def _cipher(self) -> Fernet:
        if self._fernet is None:
            key = self._state.read_private(self.KEY)
            if key is None:
                self._state.create_private(self.KEY, Fernet.generate_key())
                key = self._state.read_private(self.KEY)
            try:
                self._fernet = Fernet(key or b"")
            except ValueError:
                raise StateError(self._state.file(self.KEY), "use", "it is not a Fernet key") from None
        return self._fernet


def _like_prefix(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
