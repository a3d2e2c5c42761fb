"""Retriers and catchers: which failure a Retry or Catch entry handles, and how.

AWS's matching rules (Developer Guide, "Error handling in Step Functions"):

* entries are tried in order; the first whose ``ErrorEquals`` matches wins;
* ``States.ALL`` matches every error except ``States.Runtime``; the guide calls
  ``States.DataLimitExceeded`` terminal too, but AWS's recorded executions show
  ``States.ALL`` catching it when a task returns too large a result, so it matches;
* ``States.TaskFailed`` is a wildcard too, for every error except ``States.Timeout``;
* ``States.Runtime`` is never retried nor caught: it always fails the execution;
* any other name matches exactly (case-sensitive).

A retrier waits ``IntervalSeconds * BackoffRate ** attempt`` seconds (capped by
``MaxDelaySeconds``; with ``JitterStrategy: FULL`` a uniformly random part of it) and
gives up after ``MaxAttempts`` retries (default 3; 0 means never retry).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

from sdw.asl._errors import ErrorName

__all__ = ["Catcher", "Retrier", "error_matches"]


def error_matches(error_equals: frozenset[str], name: str | None) -> bool:
    """Whether an ``ErrorEquals`` list handles the error ``name``."""
    if name == ErrorName.RUNTIME:
        return False
    if name is not None and name in error_equals:
        return True
    if ErrorName.ALL in error_equals:
        return True
    return ErrorName.TASK_FAILED in error_equals and name != ErrorName.TIMEOUT


@dataclass(frozen=True, slots=True)
class Retrier:
    error_equals: frozenset[str]
    interval_seconds: float = 1.0
    max_attempts: int = 3
    backoff_rate: float = 2.0
    max_delay_seconds: float | None = None
    jitter_full: bool = False

    @classmethod
    def from_definition(cls, raw: dict[str, Any]) -> Retrier:
        return cls(
            error_equals=frozenset(raw.get("ErrorEquals", ())),
            interval_seconds=raw.get("IntervalSeconds", 1),
            max_attempts=raw.get("MaxAttempts", 3),
            backoff_rate=raw.get("BackoffRate", 2.0),
            max_delay_seconds=raw.get("MaxDelaySeconds"),
            jitter_full=raw.get("JitterStrategy") == "FULL",
        )

    def matches(self, name: str | None) -> bool:
        return error_matches(self.error_equals, name)

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry number ``attempt + 1`` (``attempt`` counts from 0)."""
        try:
            seconds = float(self.interval_seconds) * float(self.backoff_rate) ** attempt
        except OverflowError:  # a large BackoffRate after many attempts: wait "for ever"
            seconds = math.inf
        if self.max_delay_seconds is not None:
            seconds = min(seconds, float(self.max_delay_seconds))
        if self.jitter_full:
            seconds = (rng or random).uniform(0.0, seconds)
        return seconds


@dataclass(frozen=True, slots=True)
class Catcher:
    """One Catch entry; ``io`` carries its ResultPath (JSONPath) or Output (JSONata) and Assign."""

    error_equals: frozenset[str]
    next: str
    io: Any

    def matches(self, name: str | None) -> bool:
        return error_matches(self.error_equals, name)
