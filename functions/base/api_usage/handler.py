"""The seed's import path of the usage decorator: ``functions.base.api_usage.handler``.

Seed functions write ``from functions.base.api_usage.handler import track_usage_middleware``;
the decorator itself is ``sdw.runtime.track_usage_middleware``, re-exported here so that
what it does is written once. The Lambda serving ``GET /usage`` will live here too (the
AWS side, over the DynamoDB usage table); locally sdw's gateway serves those routes.
"""

from __future__ import annotations

from sdw.runtime import track_usage_middleware

__all__ = ["track_usage_middleware"]
