"""The flow engine's journal: group commit with a bounded backlog (real SQLite in tmp_path)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sdw.local._statedir import StateDir
from sdw.local.engine._journal import Journal
from sdw.local.engine._store import ExecutionStore


class SmallJournal(Journal):
    MAX_BACKLOG = 3


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ExecutionStore]:
    store = ExecutionStore(StateDir(tmp_path / "state"))
    store.open()
    yield store
    store.close()


def test_write_blocks_while_the_backlog_is_full_and_resumes_after_a_commit(store: ExecutionStore) -> None:
    journal = SmallJournal(store)
    journal.start()
    gate = threading.Event()
    done: list[int] = []

    def held(_: Any) -> None:
        gate.wait(10)  # the journal thread is stuck committing this batch

    journal.write(held)
    queued = threading.Event()

    def writer() -> None:
        for i in range(4):  # one more than the room left while `held` is uncommitted
            journal.write(lambda _, i=i: done.append(i))
        queued.set()

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    assert not queued.wait(0.3), "write() returned with the backlog full"
    gate.set()
    assert queued.wait(5)
    journal.close()
    assert done == [0, 1, 2, 3]
    assert journal.writes == 5


def test_a_submitted_write_is_answered_after_its_commit_even_with_a_full_backlog(
    store: ExecutionStore,
) -> None:
    journal = SmallJournal(store)
    journal.start()
    for _ in range(3):
        journal.write(lambda _: None)
    assert journal.submit(lambda _: "stored").result(timeout=5) == "stored"
    journal.close()
