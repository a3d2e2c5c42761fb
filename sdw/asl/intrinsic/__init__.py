"""sdw.asl.intrinsic: the ``States.*`` intrinsic functions of JSONPath states, and Step Functions' text.

The face: :func:`is_intrinsic` and :func:`parse_intrinsic` (parse once, when the
definition is loaded; evaluate the :class:`Intrinsic` on every visit), and the two
helpers other parts of the interpreter share with it: :func:`json_type_name` (how AWS
names a JSON value's type in its messages) and :data:`HASH_ALGORITHMS` (``States.Hash``
and JSONata's ``$hash`` accept the same five).

    _calls       the call grammar: parse, check argument counts, evaluate
    _functions   the eighteen functions, as AWS runs them
    _text        JSON values as text the way AWS's JVM writes them
"""

from __future__ import annotations

from sdw.asl.intrinsic._calls import Intrinsic, IntrinsicFailure, is_intrinsic, parse_intrinsic
from sdw.asl.intrinsic._functions import HASH_ALGORITHMS
from sdw.asl.intrinsic._text import json_type_name

__all__ = [
    "HASH_ALGORITHMS",
    "Intrinsic",
    "IntrinsicFailure",
    "is_intrinsic",
    "json_type_name",
    "parse_intrinsic",
]
