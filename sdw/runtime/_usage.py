"""``track_usage_middleware``: the decorator the seed's functions put on their handler.

Every function of a seed-shaped project starts with

    from functions.base.api_usage.handler import track_usage_middleware

    @track_usage_middleware
    def handler(event, context): ...

``functions/base/api_usage/handler.py`` re-exports this one, so the decorator lives in one
place and a function keeps importing it from where the seed put it. It wraps the handler
and calls it: the event, the context, the result and any exception pass through untouched,
and ``functools.wraps`` keeps the handler's name, docstring and signature
(``inspect.signature`` follows ``__wrapped__``). Counting the call per user and month
(the usage table) is to be added here, in the wrapper, and nowhere else.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def track_usage_middleware(handler: Callable[P, R]) -> Callable[P, R]:
    """Wrap a Lambda handler ``handler(event, context)``; the wrapper calls it and returns its result."""

    @functools.wraps(handler)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        return handler(*args, **kwargs)

    return wrapper
