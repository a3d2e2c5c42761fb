"""An execution's history events as lines a person reads: when, what, which state, how long.

``sdw run --wait`` prints these lines as the events arrive; ``sdw executions show`` prints
them all as a table. Events are Step Functions' GetExecutionHistory shapes (``id``,
``type``, ``timestamp`` and one ``<type>EventDetails`` object); the detail shown is the
first of: the state's or iteration's name, the error and cause of a failure, the
resource a task calls. Timestamps come as ISO-8601 text from the endpoints, but numbers
(epoch seconds, as Step Functions' JSON API gives) are read too.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

MAX_DETAIL = 100


@dataclass(frozen=True)
class TimelineRow:
    event_id: int
    type: str
    detail: str
    at: float | None  # epoch seconds
    since_start: float | None  # seconds since the first event shown
    since_previous: float | None  # seconds since the event before it


def parse_time(value: Any) -> float | None:
    """Epoch seconds from an ISO-8601 string, a number or a datetime; None when unreadable."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()
    return None


def format_duration(seconds: float | None) -> str:
    """``0.4 ms``, ``850 ms``, ``1.25 s``, ``2 min 03 s``, ``1 h 02 min``; ``-`` when unknown.

    >>> format_duration(0.0123), format_duration(61.2)
    ('12 ms', '1 min 01 s')
    """
    if seconds is None:
        return "-"
    seconds = max(seconds, 0.0)
    if seconds < 0.01:
        return f"{seconds * 1000:.1f} ms"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.2f} s"
    minutes, rest = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def format_run_time(execution: Mapping[str, Any]) -> str:
    """How long an execution (as the endpoints describe or list it) ran; ``-`` while it runs."""
    started, stopped = parse_time(execution.get("startDate")), parse_time(execution.get("stopDate"))
    return format_duration(None if started is None or stopped is None else stopped - started)


def is_express(execution: Mapping[str, Any]) -> bool:
    """Whether a described execution is an EXPRESS one: its ARN is ``...:express:<flow>:<name>:<run>``."""
    return ":express:" in str(execution.get("executionArn", ""))


def format_time(at: float | None) -> str:
    """``08:00:01.234`` (UTC): the time of day is what matters within one run."""
    if at is None:
        return "-"
    return datetime.fromtimestamp(at, UTC).strftime("%H:%M:%S.%f")[:-3]


def event_detail(event: Mapping[str, Any]) -> str:
    """What one event is about, in a few words."""
    found = (value for key, value in event.items() if key.endswith("EventDetails"))
    details = next((value for value in found if isinstance(value, Mapping)), None)
    if details is None:
        return ""
    parts: list[str] = []
    if "name" in details:
        parts.append(str(details["name"]))
        if "index" in details:
            parts[-1] += f"[{details['index']}]"
    if "error" in details or "cause" in details:
        error = details.get("error") or ""
        cause = _readable_cause(details.get("cause") or "")
        parts.append(f"{error}: {cause}" if error and cause else str(error or cause))
    elif "resource" in details:
        resource = str(details["resource"])
        kind = details.get("resourceType")
        parts.append(f"{kind}:{resource}" if kind else _short_arn(resource))
    text = " ".join(" ".join(parts).split())  # causes span lines; one line here
    return text if len(text) <= MAX_DETAIL else text[: MAX_DETAIL - 1] + "…"


def timeline(events: Iterable[Mapping[str, Any]], start: float | None = None) -> list[TimelineRow]:
    """Rows with the time since ``start`` (default: the first event) and since the previous event."""
    rows: list[TimelineRow] = []
    previous: float | None = None
    for event in events:
        at = parse_time(event.get("timestamp"))
        if start is None:
            start = at
        rows.append(
            TimelineRow(
                event_id=int(event.get("id", 0)),
                type=str(event.get("type", "?")),
                detail=event_detail(event),
                at=at,
                since_start=None if at is None or start is None else at - start,
                since_previous=None if at is None or previous is None else at - previous,
            )
        )
        previous = at if at is not None else previous
    return rows


def _readable_cause(cause: Any) -> str:
    """A Lambda error's cause is its JSON error document: its ``errorMessage`` says it best."""
    text = str(cause)
    if text.startswith("{"):
        with contextlib.suppress(ValueError):
            document = json.loads(text)
            if isinstance(document, dict) and isinstance(document.get("errorMessage"), str):
                return str(document["errorMessage"])
    return text


def _short_arn(resource: str) -> str:
    """A Lambda ARN's function name (``...:function:say-hello`` -> ``say-hello``); others as given."""
    if ":function:" in resource:
        return resource.rsplit(":function:", 1)[1]
    return resource
