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

``sdw dev`` counts through a BufferedUsageStore over it (see there why, and what it costs).

Every sqlite3.Error is wrapped here, once, into StateError.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from sdw.local._errors import StateError
from sdw.local._statedir import create_state_dir
from sdw.system import MonthlyUsage, parse_year_month, usage_ttl

log = logging.getLogger("sdw.local")
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

    def add_calls(self, counts: Mapping[tuple[str, str], int]) -> None:
        """Add ``counts`` ((user, month) -> calls) in one transaction: all of them, or none."""
        rows = [(user, month, calls, usage_ttl(month)) for (user, month), calls in counts.items()]
        with self._database("count calls") as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany(
                    "INSERT INTO usage (userId, yearMonth, apiCalls, ttl) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (userId, yearMonth) DO UPDATE SET apiCalls = apiCalls + excluded.apiCalls",
                    rows,
                )
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

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


class BufferedUsageStore:
    """The usage table as ``sdw dev`` counts into it: in memory first, in ``usage.db`` within 0.1 s.

    Why not one upsert per call, on the request's thread: measured with bench/features.py
    (2,000 concurrent calls from 50 users), a SQLite write per call halved the gateway's
    throughput for decorated functions (the write itself is ~40 us; the rest is the worker
    threads queueing for the connection and the GIL around it), while counting in a dict
    cost nothing measurable. So ``record_call`` adds one to a pending count under a lock,
    and a thread adds the pending counts to the table every ``interval`` seconds in one
    transaction (``LocalUsageStore.add_calls``), as a delta, so several processes
    (``sdw dev --workers N``, the CLI) still add up exactly.

    What that costs: ``usage()`` in this process flushes first, so it reads its own
    counts; another process sees them up to ``interval`` later (as a DynamoDB Query, which
    is eventually consistent by default, may lag an UpdateItem). ``close()`` (``sdw dev``'s
    Ctrl-C or SIGTERM) flushes what is pending; a ``kill -9`` loses at most the last
    ``interval`` of counts. A flush that fails keeps its counts and is retried.
    """

    FLUSH_INTERVAL_S = 0.1

    def __init__(self, store: LocalUsageStore, *, interval: float = FLUSH_INTERVAL_S) -> None:
        self._store = store
        self._interval = interval
        self._pending: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()
        self._flushing = threading.Lock()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Flush every ``interval`` seconds from now on, on a daemon thread, until ``close``."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="sdw-usage", daemon=True)
            self._thread.start()

    def record_call(self, user_id: str, year_month: str) -> None:
        """Count one call of ``user_id`` in ``year_month``; it reaches the table within ``interval``."""
        if not user_id:
            raise ValueError("a usage row needs a user id")
        if parse_year_month(year_month) is None:
            raise ValueError(f"{year_month!r} is not a YYYY-MM month")
        key = (user_id, year_month)
        with self._lock:
            self._pending[key] = self._pending.get(key, 0) + 1

    def pending(self) -> int:
        """Calls counted and not yet in the table."""
        with self._lock:
            return sum(self._pending.values())

    def flush(self) -> None:
        """Add the pending counts to the table now; StateError (and the counts kept) if it fails."""
        with self._flushing:  # one flush at a time, so a failed batch is merged back before the next
            with self._lock:
                batch, self._pending = self._pending, {}
            if not batch:
                return
            try:
                self._store.add_calls(batch)
            except BaseException:
                with self._lock:
                    for key, calls in batch.items():
                        self._pending[key] = self._pending.get(key, 0) + calls
                raise

    def usage(self, user_id: str, *, start: str | None = None, end: str | None = None) -> list[MonthlyUsage]:
        self.flush()
        return self._store.usage(user_id, start=start, end=end)

    def _run(self) -> None:
        while not self._stopped.wait(self._interval):
            try:
                self.flush()
            except StateError as exc:
                log.warning("usage: %s; the counts are kept and retried", exc)

    def close(self) -> None:
        """Stop the flushing thread, flush what is pending, close the table."""
        self._stopped.set()
        if self._thread is not None:
            self._thread.join()
        try:
            self.flush()
        except StateError as exc:
            log.error("usage: %s; %d calls were not counted", exc, self.pending())
        finally:
            self._store.close()

    def __enter__(self) -> BufferedUsageStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
