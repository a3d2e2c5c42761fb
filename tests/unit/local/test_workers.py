from __future__ import annotations

import threading

import pytest

from sdw.local._workers import WorkerPool


def test_runs_jobs_on_its_threads() -> None:
    pool = WorkerPool(2)
    done = threading.Event()
    names: list[str] = []
    pool.submit(lambda: (names.append(threading.current_thread().name), done.set()))
    assert done.wait(5)
    assert names[0].startswith("sdw-handler")
    pool.shutdown()


def test_a_stuck_job_does_not_starve_the_next_one_once_abandoned() -> None:
    pool = WorkerPool(1)
    stuck = threading.Event()
    ran = threading.Event()
    pool.submit(lambda: stuck.wait(5))
    pool.abandon()
    pool.submit(ran.set)
    assert ran.wait(5)
    stuck.set()
    pool.shutdown()


def test_starts_a_thread_per_concurrent_job_up_to_its_size() -> None:
    pool = WorkerPool(3)
    gate = threading.Event()
    started = threading.Semaphore(0)

    def job() -> None:
        started.release()
        gate.wait(5)

    for _ in range(3):
        pool.submit(job)
    for _ in range(3):
        assert started.acquire(timeout=5)
    assert pool.threads == 3
    gate.set()
    pool.shutdown()


def test_refuses_work_after_shutdown_and_a_size_below_one() -> None:
    pool = WorkerPool(1)
    pool.shutdown()
    with pytest.raises(RuntimeError):
        pool.submit(lambda: None)
    with pytest.raises(ValueError):
        WorkerPool(0)


def test_a_job_raising_a_base_exception_keeps_its_thread() -> None:
    pool = WorkerPool(1)
    ran = threading.Event()

    def interrupted() -> None:
        raise KeyboardInterrupt

    for _ in range(5):
        pool.submit(interrupted)
    pool.submit(ran.set)
    assert ran.wait(5)
    assert pool.threads == 1
    pool.shutdown()
