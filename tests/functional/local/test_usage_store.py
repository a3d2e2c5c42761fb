"""The SQLite usage store: the seed's schema, one atomic upsert per call, a TTL that never slides."""

from __future__ import annotations

import sqlite3
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sdw.local import LocalUsageStore, StateError, create_local_usage_store
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
