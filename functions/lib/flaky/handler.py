"""flaky: fails its first ``failures`` calls for a ``key``, then succeeds (flows/retryCatchFlow.yml).

    {"key": "run-1", "failures": 2}  ->  FlakyError, FlakyError, then {"key": "run-1", "attempts": 3}

The attempts are counted in module memory: a warm Lambda instance keeps its module
state between calls, and so does sdw's warm invoker. On AWS a retry may land on another
(cold) instance and start counting again; the example relies on one warm instance, which
is what a short retry interval usually gets. Lambda reports a raised exception with its
class name as ``errorType``, which is the error name Retry and Catch match.
"""

from __future__ import annotations

import json
import threading
from typing import Any

_attempts: dict[str, int] = {}
_lock = threading.Lock()


class FlakyError(Exception):
    """The failure this function raises while it still has failures to make."""


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    # a flow's Task passes its state input as the event; POST /lib/... passes an HTTP API event
    data = json.loads(event.get("body") or "{}") if "requestContext" in event else event
    key = str(data.get("key", "default"))
    failures = int(data.get("failures", 1))
    with _lock:
        _attempts[key] = attempt = _attempts.get(key, 0) + 1
    if attempt <= failures:
        raise FlakyError(f"attempt {attempt} of {key!r} fails on purpose ({failures} failures asked for)")
    return {"key": key, "attempts": attempt}
