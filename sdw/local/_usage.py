"""The usage table on one machine: the UsageStore port over SQLite, with DynamoDB's schema.

One database, ``usage.db`` in the state folder (0600, WAL, like the user pool's), one
table with the seed's (and the AWS table's) attributes: ``userId``, ``yearMonth``
(``YYYY-MM``), ``apiCalls`` and ``ttl`` (epoch seconds, ``usage_ttl``), keyed by
(userId, yearMonth). Every process that counts calls (``sdw dev``, each of its
``--workers``, a CLI) opens it; SQLite's locking with a busy timeout serialises them and
a lock here serialises the threads of one process on its connection.

``record_call`` is one statement, an upsert, so a count is never lost between a read and
a write, in one process or across several: the insert makes the month's row with
``apiCalls`` 1 and its ``ttl``; on conflict only ``apiCalls`` grows, so the ``ttl`` set
when the row was made never slides forward (AWS: ``ADD apiCalls :one SET #ttl =
if_not_exists(#ttl, :ttl)``). DynamoDB's TTL deletes expired rows in the background,
some time after they expire; here they are deleted when the store is opened.

Every sqlite3.Error is wrapped here, once, into StateError.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sdw.local._errors import StateError
from sdw.local._statedir import create_state_dir
from sdw.system import MonthlyUsage, parse_year_month, usage_ttl

DATABASE_NAME = "usage.db"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS usage (
    userId    TEXT    NOT NULL,
    yearMonth TEXT    NOT NULL,
    apiCalls  INTEGER NOT NULL,
    ttl       INTEGER NOT NULL,
    PRIMARY KEY (userId, yearMonth)
) WITHOUT ROWID
"""


class LocalUsageStore:
    """Calls per user per month in ``usage.db``; built by ``create_local_usage_store``."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._connection = connection
        self._path = path
        self._lock = threading.Lock()

    @contextmanager
    def _database(self, operation: str) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._connection
            except sqlite3.Error as exc:
                raise StateError(self._path, operation, str(exc)) from exc

    def create_schema(self) -> None:
        with self._database("create the usage table") as db:
            db.execute(_SCHEMA)

    def record_call(self, user_id: str, year_month: str) -> int:
        """Count one call of ``user_id`` in ``year_month`` (``YYYY-MM``); the month's count after it."""
        if not user_id:
            raise ValueError("a usage row needs a user id")
        ttl = usage_ttl(year_month)  # ValueError for a month that is not YYYY-MM
        with self._database("count a call") as db:
            rows = db.execute(
                "INSERT INTO usage (userId, yearMonth, apiCalls, ttl) VALUES (?, ?, 1, ?)"
                " ON CONFLICT (userId, yearMonth) DO UPDATE SET apiCalls = apiCalls + 1"
                " RETURNING apiCalls",
                (user_id, year_month, ttl),
            ).fetchall()  # all rows: the statement (and its implicit transaction) ends here
        return int(rows[0][0])

    def usage(self, user_id: str, *, start: str | None = None, end: str | None = None) -> list[MonthlyUsage]:
        """The user's months from ``start`` to ``end`` (both inclusive, either None), oldest first."""
        for month in (start, end):
            if month is not None and parse_year_month(month) is None:
                raise ValueError(f"{month!r} is not a YYYY-MM month")
        with self._database("read usage") as db:
            rows = db.execute(
                "SELECT yearMonth, apiCalls FROM usage WHERE userId = ?"
                " AND yearMonth >= ? AND yearMonth <= ? ORDER BY yearMonth",
                (user_id, start or "", end or "~"),  # "" and "~" sort before and after any YYYY-MM
            ).fetchall()
        return [MonthlyUsage(str(month), int(calls)) for month, calls in rows]

    def delete_expired(self, now: float) -> int:
        """Delete the rows whose ``ttl`` has passed, as DynamoDB's TTL does; how many went."""
        with self._database("delete expired usage") as db:
            return db.execute("DELETE FROM usage WHERE ttl <= ?", (int(now),)).rowcount

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    def __enter__(self) -> LocalUsageStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def create_local_usage_store(state_dir: Path, *, clock: Callable[[], float] = time.time) -> LocalUsageStore:
    """Open (on the first call, create) the usage table kept in ``state_dir``; expired rows go."""
    state = create_state_dir(state_dir)
    store = LocalUsageStore(state.open_database(DATABASE_NAME), state.file(DATABASE_NAME))
    try:
        store.create_schema()
        store.delete_expired(clock())
    except BaseException:
        store.close()
        raise
    return store
