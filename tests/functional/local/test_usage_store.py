"""The SQLite usage store: the seed's schema, one atomic upsert per call, a TTL that never slides;
and the buffered store ``sdw dev`` counts through, which adds its counts in batches, exactly."""

from __future__ import annotations

import sqlite3
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sdw.local import BufferedUsageStore, LocalUsageStore, StateError, create_local_usage_store
from sdw.system import MonthlyUsage, usage_ttl


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalUsageStore]:
    with create_local_usage_store(tmp_path / "state") as opened:
        yield opened


def rows(state: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(state / "usage.db") as db:
        query = "SELECT userId, yearMonth, apiCalls, ttl FROM usage ORDER BY userId, yearMonth"
        return db.execute(query).fetchall()


def test_counts_calls_per_user_and_month_in_the_seeds_schema(store: LocalUsageStore, tmp_path: Path) -> None:
    assert [store.record_call("ada", "2026-12") for _ in range(3)] == [1, 2, 3]
    assert store.record_call("ada", "2027-01") == 1
    assert store.record_call("bob", "2026-12") == 1
    assert rows(tmp_path / "state") == [
        ("ada", "2026-12", 3, usage_ttl("2026-12")),
        ("ada", "2027-01", 1, usage_ttl("2027-01")),
        ("bob", "2026-12", 1, usage_ttl("2026-12")),
    ]


def test_the_ttl_is_set_when_the_row_is_made_and_never_slides(store: LocalUsageStore, tmp_path: Path) -> None:
    store.record_call("ada", "2026-12")
    with sqlite3.connect(tmp_path / "state" / "usage.db") as db:  # as if made under an older rule
        db.execute("UPDATE usage SET ttl = 1900000000")
    store.record_call("ada", "2026-12")
    assert rows(tmp_path / "state") == [("ada", "2026-12", 2, 1900000000)]


def test_lists_a_users_months_oldest_first_within_an_inclusive_range(store: LocalUsageStore) -> None:
    for month in ("2026-11", "2026-09", "2026-10", "2026-12"):
        store.record_call("ada", month)
    store.record_call("bob", "2026-10")
    months = ["2026-09", "2026-10", "2026-11", "2026-12"]
    assert [m.year_month for m in store.usage("ada")] == months
    assert store.usage("ada", start="2026-10", end="2026-11") == [MonthlyUsage("2026-10", 1),
                                                                   MonthlyUsage("2026-11", 1)]
    assert [m.year_month for m in store.usage("ada", start="2026-11")] == ["2026-11", "2026-12"]
    assert [m.year_month for m in store.usage("ada", end="2026-09")] == ["2026-09"]
    assert store.usage("nobody") == []


def test_counts_every_call_from_many_threads_and_two_connections(tmp_path: Path) -> None:
    state = tmp_path / "state"
    first, second = create_local_usage_store(state), create_local_usage_store(state)  # two "processes"
    seen: list[int] = []
    lock = threading.Lock()

    def count(store: LocalUsageStore) -> None:
        for _ in range(50):
            after = store.record_call("ada", "2026-12")
            with lock:
                seen.append(after)

    threads = [threading.Thread(target=count, args=(store,)) for store in (first, second) * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert sorted(seen) == list(range(1, 401))  # each call saw its own count: none lost, none twice
        assert first.usage("ada") == [MonthlyUsage("2026-12", 400)]
    finally:
        first.close()
        second.close()


def test_refuses_a_month_that_is_not_yyyy_mm_and_an_empty_user(store: LocalUsageStore) -> None:
    with pytest.raises(ValueError, match="'2026-13' is not a YYYY-MM month"):
        store.record_call("ada", "2026-13")
    with pytest.raises(ValueError, match="needs a user id"):
        store.record_call("", "2026-12")
    with pytest.raises(ValueError, match="'26-1' is not a YYYY-MM month"):
        store.usage("ada", start="26-1")


def test_rows_past_their_ttl_are_gone_when_the_store_is_opened_again(tmp_path: Path) -> None:
    state = tmp_path / "state"
    with create_local_usage_store(state) as store:
        store.record_call("ada", "2026-01")
        store.record_call("ada", "2026-06")
    between = usage_ttl("2026-01") + 1  # January's row has expired, June's has not
    with create_local_usage_store(state, clock=lambda: between) as store:
        assert store.usage("ada") == [MonthlyUsage("2026-06", 1)]


def test_the_database_is_private(store: LocalUsageStore, tmp_path: Path) -> None:
    store.record_call("ada", "2026-12")
    for name in ("usage.db", "usage.db-wal", "usage.db-shm"):
        path = tmp_path / "state" / name
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, name


def test_a_file_that_is_not_a_database_is_a_state_error_naming_it(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    (state / "usage.db").write_bytes(b"not a database" * 100)
    with pytest.raises(StateError, match=r"usage\.db"):
        create_local_usage_store(state)


# --------------------------------------------------------------------------- BufferedUsageStore


def test_buffered_counts_reach_the_table_on_flush_and_reads_see_them_at_once(tmp_path: Path) -> None:
    state = tmp_path / "state"
    with BufferedUsageStore(create_local_usage_store(state)) as buffered:  # no thread: flushed by hand
        for _ in range(3):
            assert buffered.record_call("ada", "2026-12") is None
        assert (buffered.pending(), rows(state)) == (3, [])
        assert buffered.usage("ada") == [MonthlyUsage("2026-12", 3)]  # a read flushes first
        assert buffered.pending() == 0
        assert rows(state) == [("ada", "2026-12", 3, usage_ttl("2026-12"))]
        buffered.record_call("ada", "2026-12")
    assert rows(state) == [("ada", "2026-12", 4, usage_ttl("2026-12"))]  # close flushed the last one


def test_the_flushing_thread_adds_counts_within_its_interval(tmp_path: Path) -> None:
    state = tmp_path / "state"
    with BufferedUsageStore(create_local_usage_store(state), interval=0.01) as buffered:
        buffered.start()
        buffered.record_call("ada", "2026-12")
        deadline = time.monotonic() + 5
        while not rows(state) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert rows(state) == [("ada", "2026-12", 1, usage_ttl("2026-12"))]


def test_two_buffered_stores_on_one_table_add_up_exactly(tmp_path: Path) -> None:
    # as two `sdw dev --workers` processes do: each adds its own counts as deltas
    state = tmp_path / "state"
    first = BufferedUsageStore(create_local_usage_store(state), interval=0.001)
    second = BufferedUsageStore(create_local_usage_store(state), interval=0.001)
    first.start()
    second.start()

    def count(buffered: BufferedUsageStore) -> None:
        for _ in range(500):
            buffered.record_call("ada", "2026-12")

    threads = [threading.Thread(target=count, args=(b,)) for b in (first, second, first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    first.close()
    second.close()
    assert rows(state) == [("ada", "2026-12", 2000, usage_ttl("2026-12"))]


def test_a_failed_flush_keeps_its_counts_for_the_next_one(tmp_path: Path) -> None:
    state = tmp_path / "state"
    create_local_usage_store(state).close()
    database = state / "usage.db"
    impatient = sqlite3.connect(database, timeout=0, isolation_level=None, check_same_thread=False)
    buffered = BufferedUsageStore(LocalUsageStore(impatient, database))  # no 5 s busy wait here
    buffered.record_call("ada", "2026-12")
    buffered.record_call("bob", "2026-12")
    locker = sqlite3.connect(state / "usage.db", timeout=0)
    locker.execute("BEGIN EXCLUSIVE")  # another process holds the database
    try:
        with pytest.raises(StateError, match=r"usage\.db"):
            buffered.flush()
        assert buffered.pending() == 2
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    buffered.record_call("ada", "2026-12")
    buffered.close()
    assert rows(state) == [
        ("ada", "2026-12", 2, usage_ttl("2026-12")),
        ("bob", "2026-12", 1, usage_ttl("2026-12")),
    ]


def test_buffered_counts_refuse_what_the_table_would(tmp_path: Path) -> None:
    with BufferedUsageStore(create_local_usage_store(tmp_path / "state")) as buffered:
        with pytest.raises(ValueError, match="needs a user id"):
            buffered.record_call("", "2026-12")
        with pytest.raises(ValueError, match="'2026-13' is not a YYYY-MM month"):
            buffered.record_call("ada", "2026-13")
        assert buffered.pending() == 0
