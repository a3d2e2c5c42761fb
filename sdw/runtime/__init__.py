"""sdw.runtime: what user code imports, inside a Lambda or locally (see DESIGN.md).

Small and stable: functions import these names, so they do not move.
"""

from __future__ import annotations

from sdw.runtime._usage import track_usage_middleware

__all__ = ["track_usage_middleware"]
