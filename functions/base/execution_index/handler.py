"""Keeps the executions table current: the target of the EventBridge rule on
"Step Functions Execution Status Change" events (sdw.aws.apply_status_change).

Not an HTTP route. A status is recorded only for an execution the flows Lambda indexed
when it started it, and a closed status is never moved back to RUNNING.
"""

from __future__ import annotations

import os

from sdw.aws import create_execution_index_lambda

handler = create_execution_index_lambda(os.environ)
