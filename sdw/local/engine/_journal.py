"""The one thread that writes flows.db, committing many writes at once (group commit).

Every write of the flow engine (a new execution, a checkpoint, an end) is a small
function of the store queued here. The journal takes every write waiting, runs them in
one transaction and commits once: with ``synchronous = FULL`` a commit is an fsync, and
200 executions checkpointing at once share it instead of queueing for 200 of them. Writes
are applied in the order they were queued, so the database never holds a later state of
an execution without the earlier ones, nor a child's start after its parent's next step.

A caller that needs its write to be durable before it answers (StartExecution returns
only once the execution is stored) waits on the ``Future`` ``submit`` returns; the engine's
own checkpoints do not wait: their tasks are at-least-once anyway, and what a reader sees
(describe, list, history) is only ever what has committed.

The backlog of unwaited writes is bounded (``MAX_BACKLOG``): when the disk falls behind,
``write`` blocks the runner that queues checkpoints until a commit makes room. Without the
bound a long execution could queue checkpoints faster than they commit, the queue would
grow without limit, and a StartExecution behind it would wait for all of them (seen: a
start answered after 350 ms while a 10,000-transition execution ran).

When a transaction fails (a full disk, say), the batch is rolled back and each write is
tried again alone, so one bad write fails only its own caller.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from sdw.local.engine._store import ExecutionStore

__all__ = ["Journal"]

log = logging.getLogger("sdw.flows")

T = TypeVar("T")
Write = Callable[[ExecutionStore], Any]
_CLOSE = object()


class Journal:
    """Queue writes with ``submit``/``write``; a daemon thread commits them in batches."""

    MAX_BATCH = 1024
    MAX_BACKLOG = 2 * MAX_BATCH

    def __init__(self, store: ExecutionStore) -> None:
        self._store = store
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._room = threading.Semaphore(self.MAX_BACKLOG)
        self._thread: threading.Thread | None = None
        self.commits = 0
        self.writes = 0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="sdw-flows-journal", daemon=True)
        self._thread.start()

    def submit(self, write: Callable[[ExecutionStore], T]) -> Future[T]:
        """Queue ``write``; the future has its result once it has committed."""
        future: Future[T] = Future()
        self._queue.put((write, future))
        return future

    def write(self, write: Write) -> None:
        """Queue ``write`` with nobody waiting for it; blocks while the backlog is full."""
        self._room.acquire()
        self._queue.put((write, None))

    def close(self) -> None:
        """Commit what is queued, then stop the thread."""
        if self._thread is None:
            return
        self._queue.put(_CLOSE)
        self._thread.join()
        self._thread = None

    def _run(self) -> None:
        pending = self._queue
        closing = False
        while not closing:
            batch = [pending.get()]
            while len(batch) < self.MAX_BATCH:
                try:
                    batch.append(pending.get_nowait())
                except queue.Empty:
                    break
            if _CLOSE in batch:
                closing = True
                batch = [item for item in batch if item is not _CLOSE]
            if batch:
                self._commit(batch)

    def _commit(self, batch: list[tuple[Write, Future[Any] | None]]) -> None:
        results: list[Any] = []
        try:
            with self._store.transaction():
                for write, _ in batch:
                    results.append(write(self._store))
        except Exception:
            log.warning("a batch of %d flow writes failed; writing them one by one", len(batch),
                        exc_info=True)
            for item in batch:
                self._commit_alone(item)
            return
        self.commits += 1
        self.writes += len(batch)
        for (_, future), result in zip(batch, results, strict=True):
            if future is not None:
                future.set_result(result)
            else:
                self._room.release()

    def _commit_alone(self, item: tuple[Write, Future[Any] | None]) -> None:
        write, future = item
        try:
            with self._store.transaction():
                result = write(self._store)
        except Exception as exc:
            log.error("a flow write failed: %s", exc, exc_info=True)
            if future is not None:
                future.set_exception(exc)
            else:
                self._room.release()
            return
        self.commits += 1
        self.writes += 1
        if future is not None:
            future.set_result(result)
        else:
            self._room.release()
