"""Time, injected: the interpreter never calls ``time.time()`` itself.

Two clocks cover every host:

* :class:`SystemClock` is wall time, for the durable engine and real runs;
* :class:`VirtualClock` runs at real speed while a task's code is running (so a
  task's ``TimeoutSeconds`` is real, as the conformance runner's 60-second Lambda
  under a 5-second timeout requires) but can *skip* ahead when the execution only waits
  for a timer (a Wait state, a Retry interval): the driver calls :meth:`skip_to` and the
  wait is instant while every timestamp stays consistent, in the manner of temporalio's
  time-skipping test server.

Times are float seconds since the epoch (UTC); :func:`to_datetime` turns one into the
aware ``datetime`` that history events carry.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Protocol

__all__ = ["Clock", "SystemClock", "VirtualClock", "to_datetime"]


class Clock(Protocol):
    """What the interpreter needs of time: ``now()`` in epoch seconds."""

    def now(self) -> float: ...


class SystemClock:
    """Wall time."""

    def now(self) -> float:
        return time.time()


class VirtualClock:
    """Real time plus an offset that only grows: ``skip_to(t)`` jumps forward, never back.

    ``start`` fixes the first reading (defaults to the wall time at creation); the clock
    then advances with a monotonic timer, so two readings are never out of order.
    """

    def __init__(self, start: float | None = None) -> None:
        self._lock = threading.Lock()
        self._start = time.time() if start is None else start
        self._origin = time.monotonic()
        self._offset = 0.0

    def now(self) -> float:
        # Lock-free: reading a float is atomic, and only skip_to (under the lock) writes.
        return self._start + (time.monotonic() - self._origin) + self._offset

    def skip_to(self, when: float) -> None:
        """Advance the clock so that ``now() >= when``; an earlier ``when`` does nothing."""
        with self._lock:
            current = self._start + (time.monotonic() - self._origin) + self._offset
            if when > current:
                self._offset += when - current


def to_datetime(seconds: float) -> datetime:
    """Epoch seconds as an aware UTC datetime (what boto3 returns for event timestamps)."""
    return datetime.fromtimestamp(seconds, UTC)
