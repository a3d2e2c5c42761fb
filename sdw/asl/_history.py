"""The execution history, in the shape of Step Functions' GetExecutionHistory.

Every event has ``id`` (from 1), ``previousEventId``, ``timestamp``, ``type`` and, for most
types, a ``<camelCaseType>EventDetails`` object (``stateEnteredEventDetails`` for every
``*StateEntered`` type, ``taskFailedEventDetails``...). Payloads inside details (state
input and output, task parameters and results) are JSON *strings*, with a sibling
``...Details: {"truncated": false}``, as AWS returns them.

Recording is on the hot path, so an event is stored as a small tuple and its details
are rendered only when someone reads the history (:meth:`History.events`). Payload
strings are produced once by the interpreter (it serialises every state output anyway
to enforce the 256 KiB quota) and shared here.

``previousEventId`` follows AWS: the previous event of the same branch of control, so in
a Parallel state each branch's first event points at ``ParallelStateStarted``.

An EXPRESS execution keeps no history on AWS (only logs); :class:`History` then counts
ids, which appear in causes (``entered at the event id #2``), but stores nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sdw.asl._clock import to_datetime

__all__ = ["MAX_EVENTS", "History"]

MAX_EVENTS = 25_000
"""Step Functions quota: events in one standard execution's history."""

_DETAILS_KEY: dict[str, str] = {}
_STATE_TYPES = ("Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")
for _state in _STATE_TYPES:
    _DETAILS_KEY[f"{_state}StateEntered"] = "stateEnteredEventDetails"
    _DETAILS_KEY[f"{_state}StateExited"] = "stateExitedEventDetails"
_PAYLOAD_FIELDS = ("input", "output", "parameters")


def _details_key(event_type: str) -> str:
    key = _DETAILS_KEY.get(event_type)
    if key is None:
        key = _DETAILS_KEY[event_type] = event_type[0].lower() + event_type[1:] + "EventDetails"
    return key


class History:
    """Append-only event log of one execution (or one distributed Map child)."""

    __slots__ = ("_events", "_first", "count", "recording")

    def __init__(self, *, recording: bool = True, count: int = 0) -> None:
        self.recording = recording
        self._events: list[tuple[Any, ...]] = []
        self.count = count
        self._first = count + 1  # id of self._events[0]; a resumed history starts after the persisted ones

    def add(
        self, event_type: str, previous: int, timestamp: float, details: dict[str, Any] | None = None
    ) -> int:
        """Record an event; returns its id."""
        self.count += 1
        if self.recording:
            self._events.append((self.count, previous, timestamp, event_type, details))
        return self.count

    def __len__(self) -> int:
        return self.count

    def events(self, since: int = 0) -> list[dict[str, Any]]:
        """The events with an id above ``since``, as GetExecutionHistory returns them (oldest first).

        A host that persists the history calls this after each step with the last id it
        stored; a resumed execution holds only the events recorded since it was resumed.
        """
        start = max(0, since + 1 - self._first)
        return [self._render(event) for event in self._events[start:]]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.events())

    @staticmethod
    def _render(event: tuple[Any, ...]) -> dict[str, Any]:
        event_id, previous, timestamp, event_type, details = event
        out: dict[str, Any] = {
            "id": event_id,
            "previousEventId": previous,
            "timestamp": to_datetime(timestamp),
            "type": event_type,
        }
        if details is not None:
            rendered = dict(details)
            for field in _PAYLOAD_FIELDS:
                if field in rendered:
                    rendered[f"{field}Details"] = {"truncated": False}
            out[_details_key(event_type)] = rendered
        return out
