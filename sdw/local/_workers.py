"""A warm pool of handler threads that survives abandoned work.

Handlers run off the event loop so one slow function never blocks the others. The
standard ``ThreadPoolExecutor`` would do, except for timeouts: Python cannot stop a
thread, so a handler past its timeout keeps its thread until it returns by itself (as a
timed-out Lambda instance is frozen and thrown away, not interrupted). With a fixed pool,
a few stuck handlers would starve every other call. Here ``abandon()`` adds a replacement
thread at once, and the pool shrinks back when the abandoned thread finally finishes.

It is also leaner per call than the executor (no Future per job): the hot path is one
``SimpleQueue.put`` and one ``get``.

A job that raises, even a ``BaseException`` (``KeyboardInterrupt``, ``SystemExit``), does not
take its thread with it: the error is logged and the thread takes the next job, so the
pool's count of threads stays true and it never shrinks to nothing. (The invoker answers
such handlers itself; this is the floor under it.)
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

Job = Callable[[], None]

log = logging.getLogger("sdw.workers")


class WorkerPool:
    """``submit(job)`` runs ``job()`` on one of ``size`` daemon threads, started lazily."""

    def __init__(self, size: int = 64, name: str = "sdw-handler") -> None:
        if size < 1:
            raise ValueError("a worker pool needs at least one thread")
        self._size = size
        self._name = name
        self._jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads = 0  # running threads, abandoned ones included
        self._idle = 0  # threads waiting for a job
        self._queued = 0  # jobs submitted and not yet taken by a thread
        self._excess = 0  # threads to retire once their job ends (replacements of abandoned ones)
        self._closed = False

    @property
    def threads(self) -> int:
        return self._threads

    def submit(self, job: Job) -> None:
        if self._closed:
            raise RuntimeError("the worker pool is shut down")
        with self._lock:
            self._queued += 1
            # every queued job needs an idle thread of its own, or a new one while below size
            if self._queued > self._idle and self._threads - self._excess < self._size:
                self._start_locked()
        self._jobs.put(job)

    def abandon(self) -> None:
        """The job on one thread ran past its time: add a thread to take its place."""
        with self._lock:
            self._excess += 1
            self._start_locked()

    def shutdown(self) -> None:
        """Ask idle threads to exit; busy or abandoned ones exit when their job returns."""
        with self._lock:
            self._closed = True
            count = self._threads
        for _ in range(count):
            self._jobs.put(None)

    def _start_locked(self) -> None:
        self._threads += 1
        thread = threading.Thread(target=self._run, name=f"{self._name}-{self._threads}", daemon=True)
        thread.start()

    def _run(self) -> None:
        jobs = self._jobs
        while True:
            with self._lock:
                self._idle += 1
            job = jobs.get()
            with self._lock:
                self._idle -= 1
                if job is not None:
                    self._queued -= 1
            if job is None:
                break
            try:
                job()  # jobs catch their own errors (the invoker wraps every handler call)
            except BaseException:
                log.exception("a job raised; its thread goes on to the next one")
            if self._excess:
                with self._lock:
                    if self._excess:
                        self._excess -= 1
                        break
        with self._lock:
            self._threads -= 1
