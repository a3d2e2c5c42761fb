"""The local user pool's SQLite tables: the pool's ids, its users, its refresh tokens.

One database, ``userpool.db`` in the state folder (0600, WAL), shared by every process
that opens the pool: ``sdw dev`` serving requests while ``sdw users create`` adds a user
from another terminal. SQLite's own locking (WAL plus a busy timeout) serialises the
processes; a lock here serialises the threads of one process on its connection.

Emails are unique case-insensitively, as a Cognito pool with the default
``UsernameConfiguration.CaseSensitive = false`` treats them: ``email_key`` holds the
lower-cased form under a UNIQUE constraint, ``email`` the address as it was given.
Refresh tokens are stored as their SHA-256 only, so the database never holds a credential
that can be replayed.

Every sqlite3.Error is wrapped here, once, into StateError.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sdw.local._errors import StateError
from sdw.system import UserExistsError

T = TypeVar("T")

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS pool_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
    sub           TEXT PRIMARY KEY,
    email         TEXT NOT NULL,
    email_key     TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    enabled       INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS user_groups (
    sub        TEXT NOT NULL REFERENCES users(sub) ON DELETE CASCADE,
    group_name TEXT NOT NULL,
    PRIMARY KEY (sub, group_name)
);
CREATE TABLE IF NOT EXISTS refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    sub        TEXT NOT NULL REFERENCES users(sub) ON DELETE CASCADE,
    origin_jti TEXT NOT NULL,
    auth_time  INTEGER NOT NULL,
    issued_at  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
"""


def email_key(email: str) -> str:
    """The form under which an email is unique: ``Alice@Example.COM`` -> ``alice@example.com``."""
    return email.strip().lower()


@dataclass(frozen=True)
class UserRecord:
    sub: str
    email: str
    password_hash: str
    created_at: str
    enabled: bool


@dataclass(frozen=True)
class RefreshRecord:
    sub: str
    origin_jti: str
    auth_time: int
    expires_at: int


class UserStore:
    """The pool's tables over one sqlite3 connection (from ``StateDir.open_database``)."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._connection = connection
        self._path = path
        self._lock = threading.Lock()

    @contextmanager
    def _cursor(self, operation: str) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._connection
            except sqlite3.Error as exc:
                raise StateError(self._path, operation, str(exc)) from exc

    def _transaction(self, operation: str, work: Callable[[sqlite3.Connection], T]) -> T:
        with self._cursor(operation) as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                result = work(db)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            return result

    def create_schema(self) -> None:
        def work(db: sqlite3.Connection) -> None:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            elif version > SCHEMA_VERSION:
                raise StateError(self._path, "open the user pool", f"made by a newer sdw (schema {version})")

        self._transaction("create the user pool tables", work)

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    # -- the pool's own ids ---------------------------------------------------------------

    def get_or_set_meta(self, key: str, make: Callable[[], str]) -> str:
        """The value kept under ``key``; the first caller's ``make()`` wins and is kept."""

        def work(db: sqlite3.Connection) -> str:
            row = db.execute("SELECT value FROM pool_meta WHERE key = ?", (key,)).fetchone()
            if row is not None:
                return str(row[0])
            value = make()
            db.execute("INSERT INTO pool_meta (key, value) VALUES (?, ?)", (key, value))
            return value

        return self._transaction("read the user pool ids", work)

    # -- users ----------------------------------------------------------------------------

    def insert_user(self, record: UserRecord) -> None:
        with self._cursor("add a user") as db:
            try:
                db.execute(
                    "INSERT INTO users (sub, email, email_key, password_hash, created_at, enabled)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        record.sub,
                        record.email,
                        email_key(record.email),
                        record.password_hash,
                        record.created_at,
                        int(record.enabled),
                    ),
                )
            except sqlite3.IntegrityError as exc:
                raise UserExistsError(record.email) from exc

    def find_user(self, email: str) -> UserRecord | None:
        with self._cursor("read a user") as db:
            row = db.execute(
                "SELECT sub, email, password_hash, created_at, enabled FROM users WHERE email_key = ?",
                (email_key(email),),
            ).fetchone()
        return None if row is None else _record(row)

    def find_user_by_sub(self, sub: str) -> UserRecord | None:
        with self._cursor("read a user") as db:
            row = db.execute(
                "SELECT sub, email, password_hash, created_at, enabled FROM users WHERE sub = ?", (sub,)
            ).fetchone()
        return None if row is None else _record(row)

    def list_users(self) -> list[UserRecord]:
        with self._cursor("list the users") as db:
            rows = db.execute(
                "SELECT sub, email, password_hash, created_at, enabled FROM users"
                " ORDER BY created_at, email_key"
            ).fetchall()
        return [_record(row) for row in rows]

    def delete_user(self, email: str) -> bool:
        with self._cursor("delete a user") as db:
            cursor = db.execute("DELETE FROM users WHERE email_key = ?", (email_key(email),))
        return cursor.rowcount > 0

    def set_password_hash(self, email: str, password_hash: str) -> bool:
        """Replace a user's password; their refresh tokens stop working, as in Cognito."""

        def work(db: sqlite3.Connection) -> bool:
            cursor = db.execute(
                "UPDATE users SET password_hash = ? WHERE email_key = ?", (password_hash, email_key(email))
            )
            db.execute(
                "DELETE FROM refresh_tokens WHERE sub IN (SELECT sub FROM users WHERE email_key = ?)",
                (email_key(email),),
            )
            return cursor.rowcount > 0

        return self._transaction("change a password", work)

    # -- groups ---------------------------------------------------------------------------

    def set_membership(self, email: str, group: str, member: bool) -> bool:
        """Put the user in ``group`` or take them out (either idempotent); False: no such user."""

        def work(db: sqlite3.Connection) -> bool:
            row = db.execute("SELECT sub FROM users WHERE email_key = ?", (email_key(email),)).fetchone()
            if row is None:
                return False
            statement = (
                "INSERT OR IGNORE INTO user_groups (sub, group_name) VALUES (?, ?)"
                if member
                else "DELETE FROM user_groups WHERE sub = ? AND group_name = ?"
            )
            db.execute(statement, (row[0], group))
            return True

        return self._transaction("change a user's groups", work)

    def groups_of(self, sub: str) -> list[str]:
        with self._cursor("read a user's groups") as db:
            rows = db.execute(
                "SELECT group_name FROM user_groups WHERE sub = ? ORDER BY group_name", (sub,)
            ).fetchall()
        return [str(row[0]) for row in rows]

    # -- refresh tokens -------------------------------------------------------------------

    def insert_refresh_token(self, token_hash: str, record: RefreshRecord, issued_at: int) -> None:
        with self._cursor("store a refresh token") as db:
            db.execute(
                "INSERT INTO refresh_tokens (token_hash, sub, origin_jti, auth_time, issued_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (token_hash, record.sub, record.origin_jti, record.auth_time, issued_at, record.expires_at),
            )

    def find_refresh_token(self, token_hash: str) -> RefreshRecord | None:
        with self._cursor("read a refresh token") as db:
            row = db.execute(
                "SELECT sub, origin_jti, auth_time, expires_at FROM refresh_tokens WHERE token_hash = ?",
                (token_hash,),
            ).fetchone()
        if row is None:
            return None
        return RefreshRecord(
            sub=str(row[0]), origin_jti=str(row[1]), auth_time=int(row[2]), expires_at=int(row[3])
        )

    def delete_expired_refresh_tokens(self, now: int) -> None:
        with self._cursor("prune refresh tokens") as db:
            db.execute("DELETE FROM refresh_tokens WHERE expires_at <= ?", (now,))


def _record(row: tuple[object, ...]) -> UserRecord:
    sub, email, password_hash, created_at, enabled = row
    return UserRecord(
        sub=str(sub),
        email=str(email),
        password_hash=str(password_hash),
        created_at=str(created_at),
        enabled=bool(enabled),
    )
