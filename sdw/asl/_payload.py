"""Payload templates of JSONPath mode: Parameters, ResultSelector, ItemSelector, Assign.

A payload template is JSON whose object keys ending in ``.$`` are *dynamic*: the key
loses its ``.$`` and the value, a string, is a path into the input (``$.a``), the
context object (``$$.Execution.Id``), a variable (``$name.x``) or an intrinsic function
call (``States.Format(...)``). Every other value is a literal, kept as it is, even a
string that looks like a path (AWS's ``"bucketName": "$bucket"`` stays ``"$bucket"``).
Objects are processed recursively, also inside arrays.

Each template is compiled once (:func:`compile_payload`) into a tree of small callables.
A template with nothing dynamic compiles to its own value, shared by every evaluation:
the interpreter never mutates documents, so sharing is safe and costs nothing.

Missing paths become the ``States.Runtime`` failure AWS reports, naming the field and the
input: ``The JSONPath '$.x' specified for the field 'value.$' could not be found in the
input '{...}'``.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any, Protocol

from sdw.asl._errors import ErrorName, JsonPathSyntaxError, PathNotFoundError, StatesError
from sdw.asl._jsonpath import JsonPath, compile_path
from sdw.asl.intrinsic import is_intrinsic, parse_intrinsic

__all__ = [
    "Payload",
    "Scope",
    "compile_payload",
    "compile_value_expression",
    "dumps_compact",
    "resolve_path",
]


class Scope(Protocol):
    """What evaluating a template needs: the document ``$``, the context ``$$``, variables."""

    @property
    def input(self) -> Any: ...

    def context(self) -> dict[str, Any]: ...

    def variable(self, name: str) -> Any:
        """The variable's value; raises StatesError when it is not defined."""
        ...

    @property
    def rng(self) -> random.Random | None: ...


Payload = Callable[[Scope], Any]
"""A compiled template: ``payload(scope)`` gives the value."""


def _make_dumps() -> Callable[[Any], str]:
    # json.dumps builds an encoder per call; the interpreter serialises every state's
    # output (for the 256 KiB quota and the history), so build the C encoder once.
    make = getattr(json.encoder, "c_make_encoder", None)
    encode_str = getattr(json.encoder, "c_encode_basestring", None)
    if make is None or encode_str is None:  # pragma: no cover - CPython always has them
        return lambda value: json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    iterencode = make(None, _unserialisable, encode_str, None, ":", ",", False, False, True)

    def dumps(value: Any) -> str:
        if isinstance(value, str):
            return str(encode_str(value))
        return "".join(iterencode(value, 0))

    return dumps


def _unserialisable(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


dumps_compact: Callable[[Any], str] = _make_dumps()
"""JSON as Step Functions writes it in events and causes: no spaces, non-ASCII kept."""


def resolve_path(path: JsonPath, scope: Scope) -> Any:
    """The value of ``path`` in ``scope``; raises :class:`PathNotFoundError` when it is missing."""
    root = path.root
    if root == "$":
        return path.get(scope.input)
    if root == "$$":
        return path.get(scope.context())
    return path.get(scope.variable(root))


def _not_found(text: str, field: str, scope: Scope) -> StatesError:
    return StatesError(
        ErrorName.RUNTIME,
        f"The JSONPath '{text}' specified for the field '{field}' could not be found in the input "
        f"'{dumps_compact(scope.input)}'",
    )


def compile_value_expression(text: str, field: str) -> Payload:
    """Compile the value of one ``.$`` field: a path or an intrinsic function call.

    Raises JsonPathSyntaxError / IntrinsicSyntaxError for text that does not parse.
    """
    if is_intrinsic(text):
        intrinsic = parse_intrinsic(text)
        paths = {path_text: compile_path(path_text) for path_text in intrinsic.paths}

        def evaluate_intrinsic(scope: Scope) -> Any:
            def resolve(path_text: str) -> Any:
                try:
                    return resolve_path(paths[path_text], scope)
                except PathNotFoundError:
                    raise _not_found(path_text, field, scope) from None

            return intrinsic.evaluate(resolve, scope.rng)

        return evaluate_intrinsic
    path = compile_path(text)

    def evaluate_path(scope: Scope) -> Any:
        try:
            return resolve_path(path, scope)
        except PathNotFoundError:
            raise _not_found(text, field, scope) from None

    return evaluate_path


_CONSTANT = object()


def compile_payload(template: Any) -> Payload:
    """Compile a payload template once; evaluate it per visit with ``payload(scope)``.

    >>> from types import SimpleNamespace
    >>> payload = compile_payload({"a.$": "$.x", "b": [1]})
    >>> payload(SimpleNamespace(input={"x": 2}))
    {'a': 2, 'b': [1]}
    """
    compiled = _compile(template)
    if compiled is _CONSTANT:
        return lambda scope: template
    payload: Payload = compiled
    return payload


def _compile(template: Any) -> Any:
    """A callable for a template with dynamic parts, or ``_CONSTANT`` when it has none."""
    if isinstance(template, dict):
        parts: list[tuple[str, Any, bool]] = []
        dynamic = False
        for key, value in template.items():
            if isinstance(key, str) and key.endswith(".$"):
                if not isinstance(value, str):
                    raise JsonPathSyntaxError(
                        f"The value of the field '{key}' must be a path or an intrinsic function", str(value)
                    )
                parts.append((key[:-2], compile_value_expression(value, key), True))
                dynamic = True
            else:
                inner = _compile(value)
                if inner is _CONSTANT:
                    parts.append((key, value, False))
                else:
                    parts.append((key, inner, True))
                    dynamic = True
        if not dynamic:
            return _CONSTANT
        frozen = tuple(parts)

        def evaluate_object(scope: Scope) -> Any:
            return {key: (value(scope) if call else value) for key, value, call in frozen}

        return evaluate_object
    if isinstance(template, list):
        items = [_compile(item) for item in template]
        if all(item is _CONSTANT for item in items):
            return _CONSTANT
        frozen_items = tuple((item, original) for item, original in zip(items, template, strict=True))

        def evaluate_array(scope: Scope) -> Any:
            return [original if item is _CONSTANT else item(scope) for item, original in frozen_items]

        return evaluate_array
    return _CONSTANT
