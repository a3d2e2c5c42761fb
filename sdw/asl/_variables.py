"""AWS's size limits on workflow variables, checked when a state assigns them.

Step Functions' quotas for variables (Developer Guide, "Passing data between states with
variables"): one variable's value at most 256 KiB, everything a single ``Assign`` sets at
most 256 KiB, and all the variables stored in an execution at most 10 MiB. Sizes are
those of the values serialised as JSON (UTF-8). Exceeding one fails the state with
``States.DataLimitExceeded``.

The 10 MiB total counts the variables visible to the assigning branch (its own and its
enclosing scopes'), which is what one execution holds at a time along that branch.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sdw.asl._errors import ErrorName, StatesError
from sdw.asl._payload import dumps_compact

if TYPE_CHECKING:
    from sdw.asl._branch import Branch

__all__ = ["MAX_ASSIGN_BYTES", "MAX_TOTAL_BYTES", "MAX_VARIABLE_BYTES", "check_assignment"]

MAX_VARIABLE_BYTES = 256 * 1024
MAX_ASSIGN_BYTES = 256 * 1024
MAX_TOTAL_BYTES = 10 * 1024 * 1024


def _size(value: Any) -> int:
    text = dumps_compact(value)
    return len(text) if text.isascii() else len(text.encode())


def check_assignment(assigned: Mapping[str, Any], branch: Branch) -> None:
    """Raise ``States.DataLimitExceeded`` when an assignment breaks one of AWS's limits."""
    total = 0
    for name, value in assigned.items():
        size = _size(value)
        if size > MAX_VARIABLE_BYTES:
            raise StatesError(
                ErrorName.DATA_LIMIT_EXCEEDED,
                f"The variable '{name}' has a size of {size} bytes, "
                f"above the {MAX_VARIABLE_BYTES}-byte limit.",
            )
        total += size
    if total > MAX_ASSIGN_BYTES:
        raise StatesError(
            ErrorName.DATA_LIMIT_EXCEEDED,
            f"The Assign field sets {total} bytes of variables, above the {MAX_ASSIGN_BYTES}-byte limit.",
        )
    if total * 40 < MAX_TOTAL_BYTES and _cheap_total_below(branch, MAX_TOTAL_BYTES // 2):
        return
    stored = 0
    for scope in branch.scopes():
        stored += sum(_size(v) for k, v in scope.variables.items() if not (scope is branch and k in assigned))
    if stored + total > MAX_TOTAL_BYTES:
        raise StatesError(
            ErrorName.DATA_LIMIT_EXCEEDED,
            f"The execution would hold {stored + total} bytes of variables, "
            f"above the {MAX_TOTAL_BYTES}-byte limit.",
        )


def _cheap_total_below(branch: Branch, bound: int) -> bool:
    """A quick upper bound: few, small variables cannot reach the total limit."""
    count = sum(len(scope.variables) for scope in branch.scopes())
    # Each variable is at most MAX_VARIABLE_BYTES, so this many cannot exceed the bound.
    return count * MAX_VARIABLE_BYTES < bound
