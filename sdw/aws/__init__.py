"""sdw.aws: see DESIGN.md."""

from __future__ import annotations

from sdw.aws._parameters import SsmParameters

__all__ = ["SsmParameters"]
