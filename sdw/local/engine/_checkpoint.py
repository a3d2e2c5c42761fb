"""What the flow engine writes after a step of an execution, and how often: pure, no I/O.

A :class:`Checkpoint` is everything a step changed: the history events recorded since the
last checkpoint (appended, never rewritten), the interpreter's snapshot, and the status
with the output or the error once the execution has ended. The engine's journal writes
each one in a transaction shared with other checkpoints (group commit), so what is in
the database is always the state after some completed transition, with its history.

:class:`CheckpointPolicy` decides how many transitions run between two checkpoints. By
default every transition is checkpointed, as Step Functions persists a standard
execution's state on every transition. A snapshot grows with its data (a Map's items and
results are in it), and writing a large one after each of thousands of transitions is
quadratic work; so when the last snapshot was large, the policy lets several transitions
run before the next one (``bytes_per_transition``): a crash then replays at most that many
transitions, which only ever re-run interpreter logic, never a task that has not been
issued again anyway. An execution always checkpoints before it waits for anything
outside it (a task, a timer, a child), so nothing a task returned is ever lost.

Rejected: checkpointing only when an execution blocks (fewer writes, but a long run of
Pass/Choice states would be one step to a crash, and it is not what "after each
transition" promises); writing history by rewriting one JSON document per execution
(quadratic, and a torn write would lose all of it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sdw.asl import Execution

__all__ = ["Checkpoint", "CheckpointPolicy", "event_rows", "take_checkpoint"]


@dataclass(frozen=True)
class CheckpointPolicy:
    """Transitions between two checkpoints: ``every``, more when snapshots are large.

    >>> CheckpointPolicy().budget(2_000)
    1
    >>> CheckpointPolicy(every=1, bytes_per_transition=65_536).budget(300_000)
    5
    """

    every: int = 1
    bytes_per_transition: int = 64 * 1024

    def __post_init__(self) -> None:
        if self.every < 1 or self.bytes_per_transition < 1:
            raise ValueError("a checkpoint policy needs at least one transition and one byte")

    def budget(self, snapshot_bytes: int) -> int:
        """How many transitions may run before the next checkpoint, after one of this size."""
        return max(self.every, -(-snapshot_bytes // self.bytes_per_transition))


@dataclass
class Checkpoint:
    """One write of one execution; ``snapshot`` None for an express execution (none kept)."""

    seq: int
    status: str
    history_count: int
    snapshot: str | None = None
    events: list[tuple[int, str]] = field(default_factory=list)
    output: str | None = None
    error: str | None = None
    cause: str | None = None
    stop_date: float | None = None

    @property
    def done(self) -> bool:
        return self.status != "RUNNING"


def event_rows(execution: Execution, since: int) -> list[tuple[int, str]]:
    """The history events after id ``since`` as ``(id, JSON)`` rows; timestamps as epoch seconds."""
    rows = []
    for event in execution.history.events(since=since):
        event["timestamp"] = event["timestamp"].timestamp()
        rows.append((event["id"], json.dumps(event, separators=(",", ":"), ensure_ascii=False)))
    return rows


def take_checkpoint(seq: int, execution: Execution, since: int, *, snapshot: bool = True) -> Checkpoint:
    """The checkpoint of ``execution`` (stored as row ``seq``) with the events after ``since``."""
    done = execution.done
    return Checkpoint(
        seq=seq,
        status=execution.status,
        history_count=execution.history.count,
        snapshot=_dumps(execution.snapshot()) if snapshot else None,
        events=event_rows(execution, since) if execution.history.recording else [],
        output=_dumps(execution.output) if done and execution.status == "SUCCEEDED" else None,
        error=execution.error if done else None,
        cause=execution.cause if done else None,
        stop_date=execution.stop_time if done else None,
    )


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
