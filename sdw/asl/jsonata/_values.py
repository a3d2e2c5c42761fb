"""Values crossing the border between Step Functions' JSON and the JSONata engine.

jsonata-python, like jsonata-js, tells *undefined* ("no value") apart from JSON ``null``:
Python ``None`` is undefined and ``Utils.NULL_VALUE`` is null. Our JSON uses ``None``
for null, so every value bound into an expression is converted on the way in (``null``
becomes ``NULL_VALUE``, otherwise ``$exists($states.input.a)`` would be false for
``{"a": null}`` where AWS says true) and every result is converted on the way out.

Numbers follow what Step Functions writes, which is the JavaScript model JSONata is
defined by: every number is a double, and a whole double is written without a
fraction. So a JSONata result that is whole and fits in a 64-bit integer comes out as a
Python ``int`` (``$sum([1.5, 1.5])`` is ``3``, ``$parse("-0")`` is ``0``) and anything
else as a ``float``; an integer wider than a 64-bit long goes in as a double, as it
does on AWS. JSON has no literal for a non-finite number, and AWS writes the name
JavaScript gives it (``1/0`` comes back as ``"Infinity"``).

The way out copies: a result never shares a container with the execution's input, so
the interpreter may hand it on without defensive copies of its own.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

from jsonata.utils import Utils

__all__ = [
    "JSONATA_NULL",
    "UnsupportedValueError",
    "from_jsonata",
    "to_jsonata",
]

JSONATA_NULL: Final[Any] = Utils.NULL_VALUE
"""How jsonata-python spells JSON ``null`` (Python ``None`` is *undefined* there)."""

_LONG_LIMIT: Final = 2**63
"""Whole doubles below this magnitude are written as integers (a Java ``long``)."""


class UnsupportedValueError(ValueError):
    """A JSONata result that JSON cannot hold: a function, a regex, a host object."""


def to_jsonata(value: Any) -> Any:
    """A JSON value in the form the engine reads: ``None`` becomes JSON null.

    Containers are copied only where something inside them changes, so a large input
    without nulls is shared, not copied: this runs for every evaluation, and the engine
    never writes into its input (its functions copy before they reorder or extend).
    Whole floats stay floats; the engine computes with doubles and :func:`from_jsonata`
    writes the result.
    """
    kind = type(value)
    if kind is dict:
        return _dict_to_jsonata(value)
    if kind is list:
        return _list_to_jsonata(value)
    if value is None:
        return JSONATA_NULL
    if kind is int:
        # AWS keeps an integer exact while it fits in a long and reads a wider one as a double.
        return value if -_LONG_LIMIT <= value < _LONG_LIMIT else _wide_integer(value)
    if isinstance(value, Mapping):
        return _dict_to_jsonata(dict(value))
    if isinstance(value, tuple):
        return _list_to_jsonata(list(value))
    return value


def _dict_to_jsonata(value: dict[Any, Any]) -> dict[Any, Any]:
    converted: dict[Any, Any] = _convert_items(value, value.items(), dict)
    return converted


def _list_to_jsonata(value: list[Any]) -> list[Any]:
    converted: list[Any] = _convert_items(value, enumerate(value), list)
    return converted


def _convert_items(container: Any, items: Iterable[tuple[Any, Any]], copy: Callable[[Any], Any]) -> Any:
    """``container`` itself when no item changes, else a copy with the changed items."""
    copied = None
    for key, item in items:
        # Inlined "this scalar stays as it is": this loop runs over every item of the
        # input on every evaluation, and a call per item would double its cost.
        kind = type(item)
        if (
            kind is str
            or kind is float
            or kind is bool
            or (kind is int and -_LONG_LIMIT <= item < _LONG_LIMIT)
        ):
            continue
        converted = to_jsonata(item)
        if converted is not item:
            if copied is None:
                copied = copy(container)
            copied[key] = converted
    return container if copied is None else copied


def from_jsonata(value: Any) -> Any:
    """Copy a JSONata result back into JSON. The caller handles a top-level ``None``.

    Inside a container ``None`` can only be a null that a library function produced
    (``$clone`` writes nulls that way), so it stays ``None``. Raises
    :class:`UnsupportedValueError` for anything JSON cannot represent.
    """
    if value is None or value is JSONATA_NULL:
        return None
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int | float):
        return _normal_number(value)
    if isinstance(value, dict):
        return {str(key): from_jsonata(item) for key, item in value.items()}
    if isinstance(value, list):
        return [from_jsonata(item) for item in value]
    raise UnsupportedValueError(type(value).__name__)


def _wide_integer(value: int) -> float:
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _normal_number(value: float) -> Any:
    if isinstance(value, int):
        return value if -_LONG_LIMIT <= value < _LONG_LIMIT else _normal_number(_wide_integer(value))
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value.is_integer() and abs(value) < _LONG_LIMIT:
        return int(value)
    return value
