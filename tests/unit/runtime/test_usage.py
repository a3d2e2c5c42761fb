"""track_usage_middleware: the seed's decorator wraps the handler and changes nothing it sees or gives."""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import pytest

import sdw.runtime
from sdw.runtime import track_usage_middleware


def test_the_wrapped_handler_gets_the_event_and_context_and_its_result_comes_back() -> None:
    seen: list[tuple[Any, Any]] = []

    @track_usage_middleware
    def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
        seen.append((event, context))
        return {"statusCode": 200, "body": "ok"}

    context = object()
    assert handler({"a": 1}, context) == {"statusCode": 200, "body": "ok"}
    assert seen == [({"a": 1}, context)]


def test_keeps_the_handlers_name_docstring_and_signature() -> None:
    def handler(event: dict[str, Any], context: object) -> str:
        """Says hello."""
        return "hello"

    wrapped = track_usage_middleware(handler)
    assert (wrapped.__name__, wrapped.__doc__) == ("handler", "Says hello.")
    assert inspect.signature(wrapped) == inspect.signature(handler)
    assert wrapped.__wrapped__ is handler  # type: ignore[attr-defined]


def test_an_exception_of_the_handler_passes_through_unchanged() -> None:
    @track_usage_middleware
    def handler(event: object, context: object) -> None:
        raise ValueError("bad input")

    with pytest.raises(ValueError, match="bad input"):
        handler({}, None)


def test_the_seeds_import_path_gives_the_same_decorator() -> None:
    module = importlib.import_module("functions.base.api_usage.handler")
    assert module.track_usage_middleware is sdw.runtime.track_usage_middleware
