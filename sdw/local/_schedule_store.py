"""What the local scheduler must remember across restarts: ``<state>/schedules.db`` (0600).

    schedules  one row per schedule (flow + expression): when it was first seen, so a
               schedule added while ``sdw dev`` was down is not "missed" for that time
    fires      one row per fired due time: (schedule, due) is the primary key, so a due
               time fires once, whoever fires it (``sdw dev``'s loop or ``sdw schedules tick``)
    scheduler  one row: the time up to which the running scheduler has looked, so a
               restart knows which due times it missed while it was down

Every sqlite3 error is wrapped once, into ``StateError`` with the path.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sdw.local._errors import StateError
from sdw.local._statedir import StateDir

_SCHEMA = """
CREATE TABLE IF NOT EXISTS schedules (
    key TEXT PRIMARY KEY,
    flow TEXT NOT NULL,
    expression TEXT NOT NULL,
    since REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS fires (
    key TEXT NOT NULL,
    due TEXT NOT NULL,
    execution_arn TEXT,
    fired_at TEXT NOT NULL,
    PRIMARY KEY (key, due)
);
CREATE TABLE IF NOT EXISTS scheduler (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    checked_until REAL NOT NULL
);
"""


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ScheduleStore:
    """The scheduler's memory; opened lazily, safe to share between threads."""

    FILE = "schedules.db"

    def __init__(self, state: StateDir) -> None:
        self._state = state
        self._connection: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def first_seen(self, key: str, flow: str, expression: str, now: float) -> float:
        """When schedule ``key`` was first seen (``now`` if this is the first time)."""
        with self._db() as db:
            db.execute("INSERT OR IGNORE INTO schedules (key, flow, expression, since) VALUES (?, ?, ?, ?)",
                       (key, flow, expression, now))
            row = db.execute("SELECT since FROM schedules WHERE key = ?", (key,)).fetchone()
        return float(row[0])

    def has_fired(self, key: str, due: datetime) -> bool:
        with self._db() as db:
            row = db.execute("SELECT 1 FROM fires WHERE key = ? AND due = ?", (key, _iso(due))).fetchone()
        return row is not None

    def record_fire(self, key: str, due: datetime, execution_arn: str | None, fired_at: datetime) -> bool:
        """Remember that ``due`` fired; False when it was already recorded (someone else fired it)."""
        with self._db() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO fires (key, due, execution_arn, fired_at) VALUES (?, ?, ?, ?)",
                (key, _iso(due), execution_arn, _iso(fired_at)),
            )
        return bool(cursor.rowcount)

    def last_fire(self, key: str) -> tuple[str, str | None] | None:
        """The latest due time fired for ``key`` and its execution ARN, or None."""
        with self._db() as db:
            row = db.execute("SELECT due, execution_arn FROM fires WHERE key = ? ORDER BY due DESC LIMIT 1",
                             (key,)).fetchone()
        return None if row is None else (str(row[0]), row[1])

    def checked_until(self) -> float | None:
        with self._db() as db:
            row = db.execute("SELECT checked_until FROM scheduler WHERE id = 1").fetchone()
        return None if row is None else float(row[0])

    def set_checked_until(self, moment: float) -> None:
        with self._db() as db:
            db.execute("INSERT INTO scheduler (id, checked_until) VALUES (1, ?) ON CONFLICT (id) "
                       "DO UPDATE SET checked_until = MAX(checked_until, excluded.checked_until)", (moment,))

    @contextmanager
    def _db(self) -> Iterator[Any]:
        with self._lock:
            try:
                if self._connection is None:
                    connection = self._state.open_database(self.FILE)
                    connection.executescript(_SCHEMA)
                    self._connection = connection
                yield self._connection
            except sqlite3.Error as exc:
                raise StateError(self._state.file(self.FILE), "use", str(exc)) from exc
