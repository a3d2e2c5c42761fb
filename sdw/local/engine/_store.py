"""Executions in SQLite (``<state>/flows.db``): the flow engine's only persistent state.

Tables:

    definitions   hash -> definition JSON. An execution points at the definition it
                  started with, so a flow edited while it runs still resumes on its own.
    executions    one row per execution: ARN, id, flow, owner, status, input, output or
                  error and cause, start and stop dates, parent. ``seq`` (the rowid) is
                  the start order, so "newest first" is ``seq DESC``.
    snapshots     execution -> the interpreter's last snapshot and its history count.
                  Apart from ``executions`` because it is rewritten after every
                  transition: SQLite rewrites a whole row on UPDATE, and the input and
                  output need not be rewritten with it.
    events        (execution, id) -> one history event; appended, never rewritten.
    stop_requests executions another process of ``sdw dev --workers N`` asked to stop.

Indexes answer every read without scanning executions: the ARN (unique: a standard
execution's name is its idempotency key), the id, the RUNNING ones (resumed at start),
and ``(owner[, flow][, status], seq)`` for ListExecutions' four filter combinations.

Settings, and why (the connection comes from ``StateDir.open_database``: 0600, WAL):

* ``journal_mode = WAL``: a commit appends to the log, readers (describe, list,
  history from request threads) never wait for the writer nor it for them.
* ``synchronous = FULL`` on the writer: the log is fsynced at every commit, so a
  checkpoint that committed survives a power cut or an OS crash, not only a killed
  process (NORMAL would survive ``kill -9`` but may lose the last commits of a power
  cut, which is not what "durable" means on Step Functions). The fsync costs about
  0.2 ms here; the journal shares each commit among every checkpoint waiting for it
  (group commit), so durability costs little throughput (bench/README.md, Flows).

Every sqlite3.Error is wrapped here, once, into ``StateError`` with the path.
"""

from __future__ import annotations

import contextlib
import json
import queue
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sdw.local._errors import StateError
from sdw.local._statedir import StateDir
from sdw.local.engine._checkpoint import Checkpoint
from sdw.local.engine._names import format_date
from sdw.system import ExecutionDescription, ExecutionSummary

__all__ = ["ExecutionRow", "ExecutionStore", "NewExecution"]

_SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS definitions (
    hash TEXT PRIMARY KEY,
    body TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS executions (
    seq INTEGER PRIMARY KEY,
    arn TEXT NOT NULL UNIQUE,
    execution_id TEXT NOT NULL,
    name TEXT NOT NULL,
    flow TEXT NOT NULL,
    state_machine_arn TEXT NOT NULL,
    type TEXT NOT NULL,
    owner TEXT NOT NULL,
    status TEXT NOT NULL,
    input TEXT NOT NULL,
    input_hash TEXT NOT NULL,
    output TEXT,
    error TEXT,
    cause TEXT,
    start_date REAL NOT NULL,
    stop_date REAL,
    definition_hash TEXT NOT NULL,
    parent_arn TEXT,
    queued INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS executions_by_id ON executions (execution_id);
CREATE INDEX IF NOT EXISTS executions_by_owner ON executions (owner, seq);
CREATE INDEX IF NOT EXISTS executions_by_owner_flow ON executions (owner, flow, seq);
CREATE INDEX IF NOT EXISTS executions_by_owner_status ON executions (owner, status, seq);
CREATE INDEX IF NOT EXISTS executions_by_owner_flow_status ON executions (owner, flow, status, seq);
CREATE INDEX IF NOT EXISTS executions_running ON executions (seq) WHERE status = 'RUNNING';
CREATE INDEX IF NOT EXISTS executions_queued ON executions (seq) WHERE queued = 1;
CREATE TABLE IF NOT EXISTS snapshots (
    execution INTEGER PRIMARY KEY,
    body TEXT,
    history_count INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    execution INTEGER NOT NULL,
    id INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (execution, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS stop_requests (
    arn TEXT PRIMARY KEY,
    error TEXT,
    cause TEXT
) WITHOUT ROWID;
"""
_COLUMNS = (
    "seq, arn, execution_id, name, flow, state_machine_arn, type, owner, status, input, input_hash, "
    "output, error, cause, start_date, stop_date, definition_hash, parent_arn"
)


@dataclass(frozen=True)
class NewExecution:
    """An execution about to be stored: its row, its definition, its first checkpoint."""

    arn: str
    execution_id: str
    name: str
    flow: str
    state_machine_arn: str
    type: str
    owner: str
    input: str
    input_hash: str
    start_date: float
    definition_hash: str
    definition: str
    first: Checkpoint
    parent_arn: str | None = None
    queued: bool = False


@dataclass(frozen=True)
class ExecutionRow:
    """One stored execution; ``input`` and ``output`` are JSON text."""

    seq: int
    arn: str
    execution_id: str
    name: str
    flow: str
    state_machine_arn: str
    type: str
    owner: str
    status: str
    input: str
    input_hash: str
    output: str | None
    error: str | None
    cause: str | None
    start_date: float
    stop_date: float | None
    definition_hash: str
    parent_arn: str | None

    def summary(self) -> ExecutionSummary:
        return ExecutionSummary(
            execution_arn=self.arn,
            execution_id=self.execution_id,
            flow=self.flow,
            state_machine_arn=self.state_machine_arn,
            owner=self.owner,
            status=self.status,
            start_date=format_date(self.start_date),
            stop_date=format_date(self.stop_date) if self.stop_date is not None else None,
        )

    def description(self) -> ExecutionDescription:
        return ExecutionDescription(
            **self.summary().__dict__,
            input=json.loads(self.input),
            output=json.loads(self.output) if self.output is not None else None,
            error=self.error,
            cause=self.cause,
        )


class ExecutionStore:
    """flows.db: written by one thread (the journal), read by any through a small pool."""

    FILE = "flows.db"

    def __init__(self, state: StateDir) -> None:
        self._state = state
        self._path = state.file(self.FILE)
        self._writer: sqlite3.Connection | None = None
        self._readers: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        self._opened: list[sqlite3.Connection] = []

    # ------------------------------------------------------------------ lifecycle
    def open(self) -> None:
        """Open the writer connection and create or check the schema."""
        connection = self._state.open_database(self.FILE)
        with self._wrapped("open"):
            connection.execute("PRAGMA synchronous = FULL")
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, _SCHEMA_VERSION):
                connection.close()
                raise StateError(self._path, "open", f"unknown schema version {version}")
            connection.executescript(_SCHEMA)
            connection.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")
        self._writer = connection

    def close(self) -> None:
        for connection in [self._writer, *self._opened]:
            if connection is not None:
                with contextlib.suppress(sqlite3.Error):
                    connection.close()
        self._writer = None
        self._opened.clear()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction on the writer connection (the journal's thread only)."""
        connection = self._connection()
        with self._wrapped("write"):
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    # ------------------------------------------------------------------ writes (in a transaction)
    def insert(self, new: NewExecution) -> tuple[ExecutionRow, bool]:
        """Store ``new`` unless its ARN exists: (the row, whether this call created it)."""
        connection = self._connection()
        with self._wrapped("write"):
            connection.execute(
                "INSERT OR IGNORE INTO definitions (hash, body) VALUES (?, ?)",
                (new.definition_hash, new.definition),
            )
            cursor = connection.execute(
                "INSERT OR IGNORE INTO executions (arn, execution_id, name, flow, state_machine_arn, type, "
                "owner, status, input, input_hash, start_date, definition_hash, parent_arn, queued) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 'RUNNING', ?, ?, ?, ?, ?, ?)",
                (new.arn, new.execution_id, new.name, new.flow, new.state_machine_arn, new.type, new.owner,
                 new.input, new.input_hash, new.start_date, new.definition_hash, new.parent_arn,
                 int(new.queued)),
            )
            created = cursor.rowcount == 1
            row = self._fetch_one(connection, "WHERE arn = ?", (new.arn,))
            assert row is not None
            if created:
                self._save(connection, row.seq, new.first)
                if new.first.done:  # it ended as it started (an input over the quota)
                    row = self._fetch_one(connection, "WHERE seq = ?", (row.seq,)) or row
        return row, created

    def save(self, checkpoint: Checkpoint) -> None:
        """Append a checkpoint's events, replace its snapshot, record its end if it ended."""
        with self._wrapped("write"):
            self._save(self._connection(), checkpoint.seq, checkpoint)

    def current(self, arn: str) -> ExecutionRow | None:
        """An execution as the journal's transaction sees it (its own writes included)."""
        return self._fetch_one(self._connection(), "WHERE arn = ?", (arn,))

    def dequeue(self, seq: int) -> None:
        """An execution another process stored has been taken over by this one."""
        with self._wrapped("write"):
            self._connection().execute(
                "UPDATE executions SET queued = 0 WHERE seq = ? AND queued = 1", (seq,)
            )

    def request_stop(self, arn: str, error: str | None, cause: str | None) -> None:
        with self._wrapped("write"):
            self._connection().execute(
                "INSERT OR REPLACE INTO stop_requests (arn, error, cause) VALUES (?, ?, ?)",
                (arn, error, cause),
            )

    def forget_stop_requests(self, arns: Sequence[str]) -> None:
        with self._wrapped("write"):
            self._connection().executemany("DELETE FROM stop_requests WHERE arn = ?", [(a,) for a in arns])

    # ------------------------------------------------------------------ reads (any thread)
    def get(self, arn: str) -> ExecutionRow | None:
        with self._reader() as connection:
            return self._fetch_one(connection, "WHERE arn = ?", (arn,))

    def find(self, execution_id: str, flow: str | None = None) -> ExecutionRow | None:
        """The execution with that id (the newest when several flows have one)."""
        where = "WHERE execution_id = ?" + (" AND flow = ?" if flow is not None else "")
        params: tuple[Any, ...] = (execution_id,) if flow is None else (execution_id, flow)
        with self._reader() as connection:
            return self._fetch_one(connection, where + " ORDER BY seq DESC LIMIT 1", params)

    def page(
        self, owner: str, *, flow: str | None, status: str | None, before: int | None, limit: int
    ) -> list[ExecutionRow]:
        """Up to ``limit`` of the owner's executions with ``seq < before``, newest first."""
        where = "WHERE owner = ?"
        params: list[Any] = [owner]
        if flow is not None:
            where += " AND flow = ?"
            params.append(flow)
        if status is not None:
            where += " AND status = ?"
            params.append(status)
        if before is not None:
            where += " AND seq < ?"
            params.append(before)
        with self._reader() as connection:
            return self._fetch(connection, where + " ORDER BY seq DESC LIMIT ?", (*params, limit))

    def events(self, seq: int, *, after: int | None, limit: int, reverse: bool) -> list[tuple[int, str]]:
        """Up to ``limit`` history events of execution ``seq`` past id ``after``, in order."""
        if reverse:
            sql = "SELECT id, body FROM events WHERE execution = ? AND id < ? ORDER BY id DESC LIMIT ?"
            bound = after if after is not None else 2**62
        else:
            sql = "SELECT id, body FROM events WHERE execution = ? AND id > ? ORDER BY id LIMIT ?"
            bound = after if after is not None else 0
        with self._reader() as connection, self._wrapped("read"):
            return [(int(i), str(b)) for i, b in connection.execute(sql, (seq, bound, limit))]

    def snapshot(self, seq: int) -> tuple[str | None, int]:
        """The last snapshot of execution ``seq`` and the history count it goes with."""
        with self._reader() as connection, self._wrapped("read"):
            row = connection.execute(
                "SELECT body, history_count FROM snapshots WHERE execution = ?", (seq,)
            ).fetchone()
        return (None, 0) if row is None else (row[0], int(row[1]))

    def definition(self, digest: str) -> str | None:
        with self._reader() as connection, self._wrapped("read"):
            row = connection.execute("SELECT body FROM definitions WHERE hash = ?", (digest,)).fetchone()
        return None if row is None else str(row[0])

    def running(self) -> list[ExecutionRow]:
        """Every RUNNING execution, oldest first (what a starting engine resumes)."""
        with self._reader() as connection:
            return self._fetch(connection, "WHERE status = 'RUNNING' ORDER BY seq", ())

    def stop_requests(self) -> list[tuple[str, str | None, str | None]]:
        """What other processes asked to stop: ``(ARN, error, cause)``."""
        with self._reader() as connection, self._wrapped("read"):
            rows = connection.execute("SELECT arn, error, cause FROM stop_requests").fetchall()
        return [(str(arn), error, cause) for arn, error, cause in rows]

    def queued(self) -> list[ExecutionRow]:
        """Executions another process stored for this one to run, oldest first."""
        with self._reader() as connection:
            return self._fetch(connection, "WHERE queued = 1 ORDER BY seq", ())

    def query_plan(self, sql: str, params: Sequence[Any]) -> list[str]:
        """SQLite's plan for a query (tests check that listings use an index)."""
        with self._reader() as connection, self._wrapped("read"):
            return [str(row[-1]) for row in connection.execute("EXPLAIN QUERY PLAN " + sql, tuple(params))]

    # ------------------------------------------------------------------ internals
    def _connection(self) -> sqlite3.Connection:
        if self._writer is None:
            raise StateError(self._path, "use", "the flow database is not open")
        return self._writer

    @contextlib.contextmanager
    def _reader(self) -> Iterator[sqlite3.Connection]:
        try:
            connection = self._readers.get_nowait()
        except queue.Empty:
            connection = self._state.open_database(self.FILE)
            self._opened.append(connection)
        try:
            yield connection
        finally:
            self._readers.put(connection)

    @contextlib.contextmanager
    def _wrapped(self, operation: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise StateError(self._path, operation, str(exc)) from exc

    def _fetch(self, connection: sqlite3.Connection, where: str, params: Sequence[Any]) -> list[ExecutionRow]:
        with self._wrapped("read"):
            rows = connection.execute(f"SELECT {_COLUMNS} FROM executions {where}", tuple(params)).fetchall()  # noqa: S608 - fixed fragments
        return [ExecutionRow(*row) for row in rows]

    def _fetch_one(
        self, connection: sqlite3.Connection, where: str, params: Sequence[Any]
    ) -> ExecutionRow | None:
        rows = self._fetch(connection, where, params)
        return rows[0] if rows else None

    @staticmethod
    def _save(connection: sqlite3.Connection, seq: int, checkpoint: Checkpoint) -> None:
        if checkpoint.events:
            connection.executemany(
                "INSERT OR REPLACE INTO events (execution, id, body) VALUES (?, ?, ?)",
                [(seq, event_id, body) for event_id, body in checkpoint.events],
            )
        if checkpoint.snapshot is not None:
            connection.execute(
                "INSERT OR REPLACE INTO snapshots (execution, body, history_count) VALUES (?, ?, ?)",
                (seq, checkpoint.snapshot, checkpoint.history_count),
            )
        if checkpoint.done:
            connection.execute(
                "UPDATE executions SET status = ?, output = ?, error = ?, cause = ?, stop_date = ? "
                "WHERE seq = ?",
                (checkpoint.status, checkpoint.output, checkpoint.error, checkpoint.cause,
                 checkpoint.stop_date, seq),
            )
            connection.execute("DELETE FROM snapshots WHERE execution = ?", (seq,))
