"""The flow endpoints on AWS (GET /flows, POST /run/{flow}, GET /run/{flow}/{execution},
.../history, .../stop, GET /runs): sdw.system's FlowEndpoints over Step Functions.

The logic, bodies and status codes are the local runtime's (sdw.system); this Lambda only
reads its environment. Nothing is built at import: the first invocation loads the project
model and the adapters (sdw.aws.create_flows_lambda), kept for the instance's life.
"""

from __future__ import annotations

import os

from sdw.aws import create_flows_lambda

handler = create_flows_lambda(os.environ)
