"""How Step Functions turns JSON values into text, and when it holds two values equal.

AWS runs intrinsic functions on the JVM over Jackson trees, and the visible results carry
that heritage. This module reproduces it so ``States.Format`` and ``States.JsonToString``
give byte-for-byte what AWS gives:

- A JSON number written ``1`` stays an integer and ``1.0`` a double; doubles print as Java's
  ``Double.toString`` does (``1.1``, ``100.0``, ``1.0E20``, ``1.0E-4``), not as Python's
  ``repr`` (``1e+20``).
- ``States.Format`` inserts objects and arrays the way Java's ``Map.toString`` /
  ``List.toString`` print them: ``{Arg1=1, Arg2=[]}`` (recorded by AWS in the case
  ``test_format_2``), strings unquoted.
- ``States.JsonToString`` writes compact JSON as Jackson does: no spaces, non-ASCII kept,
  control characters escaped with upper-case hex (``\\u001F``).
- ``States.ArrayContains`` / ``States.ArrayUnique`` compare as Jackson's ``JsonNode.equals``:
  type-strict, so ``1``, ``1.0`` and ``true`` are three different values, while objects
  compare without regard to key order.

:func:`json_type_name`, the word for a value's JSON type in messages, serves the JSONPath
and JSONata modules too (they do not tell integers apart).

Kept apart from the functions so the rendering rules can be read (and tested) on their own.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

# Jackson escapes these in JSON strings; every other character is written as it is.
_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
_JSON_ESCAPES: dict[int, str] = {code: f"\\u{code:04X}" for code in range(0x20)}
_JSON_ESCAPES.update({ord(char): text for char, text in _SHORT_ESCAPES.items()})


def java_double_text(number: float) -> str:
    """Print a double as Java's ``Double.toString`` does.

    >>> java_double_text(1.1), java_double_text(100.0), java_double_text(1e20), java_double_text(1e-4)
    ('1.1', '100.0', '1.0E20', '1.0E-4')
    """
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number == 0:
        return "-0.0" if math.copysign(1.0, number) < 0 else "0.0"
    # repr gives the shortest digits that read back to the same double, which is what
    # Double.toString prints (JDK 19+); only the layout differs.
    sign, digit_tuple, exponent = Decimal(repr(number)).as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(map(str, digit_tuple))
    point = len(digits) + exponent  # the decimal point sits after this many digits
    digits = digits.rstrip("0")
    minus = "-" if sign else ""
    if 1e-3 <= abs(number) < 1e7:
        if point <= 0:
            return f"{minus}0.{'0' * -point}{digits}"
        if point >= len(digits):
            return f"{minus}{digits}{'0' * (point - len(digits))}.0"
        return f"{minus}{digits[:point]}.{digits[point:]}"
    return f"{minus}{digits[0]}.{digits[1:] or '0'}E{point - 1}"


def number_text(number: int | float) -> str:
    """An integer as its digits, a double as Java prints it."""
    if isinstance(number, float):
        return java_double_text(number)
    return str(number)


def _scalar_text(value: Any) -> str:
    """null, a boolean or a number, written the same way by Java and by Jackson."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return number_text(value)
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def java_string_text(value: Any) -> str:
    """A value as ``States.Format`` inserts it: strings bare, containers as Java prints them.

    >>> java_string_text({"Arg1": 1, "Arg2": [None, "x", 1.0]})
    '{Arg1=1, Arg2=[null, x, 1.0]}'
    """
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "[" + ", ".join(java_string_text(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}={java_string_text(item)}" for key, item in value.items()) + "}"
    return _scalar_text(value)


def json_string_text(text: str) -> str:
    """A JSON string literal as Jackson writes it."""
    return '"' + text.translate(_JSON_ESCAPES) + '"'


def json_text(value: Any) -> str:
    """Compact JSON as Jackson's ``writeValueAsString`` writes it.

    >>> json_text({"Arg1": 1, "Arg2": [1.5, "é"]})
    '{"Arg1":1,"Arg2":[1.5,"é"]}'
    """
    if isinstance(value, str):
        return json_string_text(value)
    if isinstance(value, list):
        return "[" + ",".join(json_text(item) for item in value) + "]"
    if isinstance(value, dict):
        members = (f"{json_string_text(key)}:{json_text(item)}" for key, item in value.items())
        return "{" + ",".join(members) + "}"
    return _scalar_text(value)


def json_identity(value: Any) -> object:
    """A hashable key such that two JSON values are equal, as Jackson holds them, exactly
    when their keys are equal: type-strict numbers, order-free objects."""
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, int):
        return ("i", value)
    if isinstance(value, float):
        # Jackson's DoubleNode compares with Double.compare, which tells 0.0 from -0.0.
        return ("f", value, math.copysign(1.0, value))
    if isinstance(value, str):
        return ("s", value)
    if value is None:
        return ("n",)
    if isinstance(value, list):
        return ("l", tuple(json_identity(item) for item in value))
    if isinstance(value, dict):
        return ("o", frozenset((key, json_identity(item)) for key, item in value.items()))
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def json_type_name(value: Any, *, integers: bool = True) -> str:
    """The JSON type of a value as a word for messages: null, boolean, integer, number...

    Intrinsic functions run over Jackson nodes, which tell an integer from a double, so
    their messages say ``integer``; with ``integers=False`` every number is a ``number``,
    as JSONata's ``$type`` and Jayway's messages say. A value JSON cannot hold is named by
    its Python type.

    >>> json_type_name(1), json_type_name(1, integers=False), json_type_name([])
    ('integer', 'number', 'array')
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "integer" if integers and isinstance(value, int) else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__
