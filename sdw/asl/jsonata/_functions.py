"""The functions Step Functions adds to JSONata, and the one it takes away.

AWS doc "Transforming data with JSONata", section "JSONata functions provided by Step
Functions": JSONata states cannot use the ``States.*`` intrinsics, so Step Functions
binds equivalents into every expression:

``$partition(array, size)``
    ``States.ArrayPartition``: chunks of ``size`` items, the last one shorter.
``$range(start, end, step)``
    ``States.ArrayRange``: ``start``, ``start + step``... up to and including ``end``.
    It yields a JSONata *sequence*, so a one-item range collapses to that item
    (AWS returns ``1`` for ``$range(1, 9, 9)``).
``$hash(value, algorithm)``
    ``States.Hash``: hex digest with MD5, SHA-1, SHA-256, SHA-384 or SHA-512.
``$random([seed])``
    ``States.MathRandom``: a number in [0, 1). Seeded, it is reproducible, and AWS
    draws it from ``java.util.Random``: ``$random(42)`` is ``0.7275636800328681``
    there, and here.
``$uuid()``
    ``States.UUID``: a version 4 UUID.
``$parse(string)``
    JSON text to a value; it replaces ``$eval``, which Step Functions does not allow
    (calling ``$eval`` fails with T1006, "Attempted to invoke a non-function").

Numeric arguments are truncated towards zero, as a Java cast does. A failure raises a
JSONata error with code D3137 (the code jsonata-js gives ``$error``), which the
evaluator turns into ``States.QueryEvaluationError``.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import uuid
from collections.abc import Callable, Sequence
from typing import Any, Final

from jsonata import Jsonata
from jsonata.jexception import JException
from jsonata.utils import Utils

from sdw.asl.intrinsic import HASH_ALGORITHMS
from sdw.asl.jsonata._text import jsonata_string
from sdw.asl.jsonata._values import JSONATA_NULL, to_jsonata

__all__ = [
    "MAX_SEQUENCE_LENGTH",
    "create_step_functions_frame",
    "java_random_double",
]

MAX_SEQUENCE_LENGTH: Final = 873_782
"""The longest sequence an evaluation may build. Step Functions bounds the memory one
expression holds: ``[1..873782]`` evaluates there and one item more fails."""

# java.util.Random's linear congruential generator (Java SE API documentation).
_JAVA_MULTIPLIER: Final = 0x5DEECE66D
_JAVA_ADDEND: Final = 0xB
_JAVA_MASK: Final = (1 << 48) - 1


def java_random_double(seed: int) -> float:
    """``new java.util.Random(seed).nextDouble()``."""
    state = (seed ^ _JAVA_MULTIPLIER) & _JAVA_MASK

    def next_bits(bits: int) -> int:
        nonlocal state
        state = (state * _JAVA_MULTIPLIER + _JAVA_ADDEND) & _JAVA_MASK
        return state >> (48 - bits)

    high = next_bits(26)
    low = next_bits(27)
    return ((high << 27) + low) * 2.0**-53


def _refuse(message: str) -> JException:
    return JException("D3137", -1, message)


def _whole(value: Any) -> int:
    """Truncate towards zero, as Step Functions does with a non-integer argument."""
    if isinstance(value, float) and not math.isfinite(value):
        raise _refuse(f"The number {value} cannot be used as an integer argument.")
    return int(value)


def _partition(args: Sequence[Any]) -> Any:
    array, size = args[0], args[1]
    if array is None or size is None:
        return None
    chunk = _whole(size)
    if chunk < 0:
        raise _refuse("The chunk size of $partition must be zero or greater.")
    if chunk == 0 or not array:
        return None
    items = list(array)
    # A plain array of arrays, not a sequence: one chunk stays [[...]].
    return Utils.JList(Utils.JList(items[start : start + chunk]) for start in range(0, len(items), chunk))


def _range(args: Sequence[Any]) -> Any:
    if args[0] is None or args[1] is None or args[2] is None:
        return None
    start, end, step = _whole(args[0]), _whole(args[1]), _whole(args[2])
    if step == 0 or (step > 0 and start > end) or (step < 0 and start < end):
        return None
    count = (end - start) // step + 1
    if count > MAX_SEQUENCE_LENGTH:
        raise _refuse(
            f"$range would build {count} items, more than the {MAX_SEQUENCE_LENGTH} an evaluation may hold."
        )
    return Utils.create_sequence_from_iter(range(start, start + count * step, step))


def _hash(args: Sequence[Any]) -> Any:
    value, algorithm = args[0], args[1]
    if value is None or algorithm is None:
        return None
    name = HASH_ALGORITHMS.get(algorithm)
    if name is None:
        known = ", ".join(HASH_ALGORITHMS)
        raise _refuse(f"The hash algorithm '{algorithm}' is not supported; use one of {known}.")
    return hashlib.new(name, value.encode("utf-8")).hexdigest()


def _random(args: Sequence[Any]) -> Any:
    seed = args[0] if args else None
    if seed is None:
        return random.random()  # unseeded: any source will do
    return java_random_double(_whole(seed))


def _uuid(args: Sequence[Any]) -> Any:
    return str(uuid.uuid4())


def _no_constant(text: str) -> Any:
    raise ValueError(f"{text} is not a JSON value")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _parse(args: Sequence[Any]) -> Any:
    text = args[0]
    if text is None:
        return None
    try:
        value = json.loads(text, parse_constant=_no_constant, object_pairs_hook=_unique_keys)
    except (ValueError, RecursionError) as error:
        raise _refuse(f"The argument of $parse is not valid JSON: {error}") from None
    return to_jsonata(value)


class _Native:
    """Adapts a Python function to the engine's callable protocol (``call(input, args)``).

    The engine's signature check lets JSON null through as if it were a missing
    argument; a null where the function wants a value fails as jsonata-js fails it,
    with T0410 (the evaluator names the argument and the function).
    """

    def __init__(self, function: Callable[[Sequence[Any]], Any], *, accepts_null: bool = False) -> None:
        self._function = function
        self._accepts_null = accepts_null

    def call(self, input: Any, args: Any) -> Any:
        arguments = list(args) if args else []
        if not self._accepts_null and any(arg is JSONATA_NULL for arg in arguments):
            raise JException("T0410", -1)
        return self._function(arguments)


# name -> (implementation, JSONata signature). Signatures make the engine check the
# argument types and count, with its own T0410/T0412 errors, before the call.
_FUNCTIONS: Final[dict[str, tuple[Callable[[Sequence[Any]], Any], str]]] = {
    "partition": (_partition, "<an:a>"),
    "range": (_range, "<nnn:a>"),
    "hash": (_hash, "<ss:s>"),
    "random": (_random, "<n?:n>"),
    "uuid": (_uuid, "<:s>"),
    "parse": (_parse, "<s:x>"),
}


def _string(args: Sequence[Any]) -> Any:
    # JSONata's own $string, with jsonata-js's number notation (see jsonata/_text.py).
    return jsonata_string(*args[:2]) if args else None


def create_step_functions_frame() -> Any:
    """A frame over JSONata's built-ins with Step Functions' additions bound and ``$eval`` unbound.

    Built once per process and only read afterwards, so every evaluation on every
    thread may use it as its parent frame.
    """
    frame = Jsonata.Frame(Jsonata.static_frame)
    for name, (function, signature) in _FUNCTIONS.items():
        frame.bind(name, Jsonata.JFunction(_Native(function), signature))
    frame.bind("string", Jsonata.JFunction(_Native(_string, accepts_null=True), "<x-b?:s>"))
    # Step Functions does not allow $eval; an unbound name called as a function is T1006.
    frame.bind("eval", None)
    return frame
