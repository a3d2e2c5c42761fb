"""Values written as text the way JavaScript writes them, which is what AWS shows.

Step Functions' JSONata is jsonata-js, so a number that becomes text follows
ECMAScript's ``Number.prototype.toString``: the shortest digits that read back as the
same double, written out in full up to 21 integer digits and in exponent form past
that (``$string(1e20)`` is ``"100000000000000000000"``, ``$string(1e21)`` is
``"1e+21"``, ``$string(1e-7)`` is ``"1e-7"``). jsonata-python writes Python's notation
instead and switches to exponents after 15 digits, so ``'id-' & $millis() * 1000``
would differ; :func:`jsonata_string` is bound as ``$string`` and used for ``&``.

jsonata-js's ``$string`` first rounds every number to 15 significant digits
(``$string(0.1 + 0.2)`` is ``"0.3"``), writes a function as ``""`` and refuses a
non-finite number (D3001). :func:`stringify` is plain ``JSON.stringify``, which AWS
uses to quote values in causes (``for value: {"foo":"bar"}``).
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

from jsonata.functions import Functions
from jsonata.jexception import JException
from jsonata.utils import Utils

from sdw.asl.jsonata._values import JSONATA_NULL

__all__ = ["js_number", "jsonata_string", "stringify"]


def js_number(value: float) -> str:
    """``String(value)`` in JavaScript, for a Python int or float."""
    number = float(value)
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number == 0:
        return "0"
    sign = "-" if number < 0 else ""
    # repr() gives the shortest round-tripping digits, as ECMAScript requires.
    _, digit_tuple, exponent = Decimal(repr(abs(number))).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0")
    exponent = int(exponent) + len("".join(map(str, digit_tuple))) - len(digits)
    k = len(digits)
    n = exponent + k  # the value is 0.<digits> * 10**n
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * -n + digits
    else:
        power = n - 1
        mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
        text = f"{mantissa}e{'+' if power >= 0 else '-'}{abs(power)}"
    return sign + text


def stringify(value: Any) -> str:
    """``JSON.stringify(value)``: compact, numbers as JavaScript writes them."""
    return _Writer(precision=None, indent=None).write(value, 0)


def jsonata_string(value: Any, prettify: Any = None) -> Any:
    """jsonata-js ``$string(value, prettify)``; ``None`` (undefined) stays undefined."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if _is_function(value):
        return ""
    if isinstance(value, float) and not math.isfinite(value):
        raise JException("D3001", -1)
    return _Writer(precision=15, indent="  " if prettify else None).write(value, 0)


def _is_function(value: Any) -> bool:
    # Engine callables, lambdas and regular expressions are all functions to JSONata.
    return bool(Utils.is_function(value) or Functions.is_lambda(value) or Functions.is_regex(value))


class _Writer:
    def __init__(self, *, precision: int | None, indent: str | None) -> None:
        self._precision = precision
        self._indent = indent

    def write(self, value: Any, level: int) -> str:
        if value is None or value is JSONATA_NULL:
            return "null"
        if value is True:
            return "true"
        if value is False:
            return "false"
        if isinstance(value, int | float):
            return self._number(value)
        if isinstance(value, str):
            return json.dumps(value, ensure_ascii=False)
        if isinstance(value, dict):
            members = [
                f"{json.dumps(str(key), ensure_ascii=False)}:{' ' if self._indent else ''}"
                + self.write(item, level + 1)
                for key, item in value.items()
            ]
            return self._wrap("{", members, "}", level)
        if isinstance(value, list):
            return self._wrap("[", [self.write(item, level + 1) for item in value], "]", level)
        return '""' if _is_function(value) else json.dumps(str(value), ensure_ascii=False)

    def _number(self, value: float) -> str:
        if isinstance(value, float) and not math.isfinite(value):
            if self._precision is not None:
                raise JException("D1001", -1, value)
            return "null"  # JSON.stringify writes a non-finite number as null
        if self._precision is not None:
            value = float(f"{value:.{self._precision}g}")
        return js_number(value)

    def _wrap(self, open_: str, members: list[str], close: str, level: int) -> str:
        if not members:
            return open_ + close
        if self._indent is None:
            return open_ + ",".join(members) + close
        inner = "\n" + self._indent * (level + 1)
        return open_ + inner + ("," + inner).join(members) + "\n" + self._indent * level + close
