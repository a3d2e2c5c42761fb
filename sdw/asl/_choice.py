"""Choice rules of JSONPath mode, compiled into predicates.

A rule is a comparison (``Variable`` + one operator), a combination (``And``, ``Or``,
``Not``) or, at the top level, either of those plus ``Next`` (and ``Assign`` /
``Output``). Each compiles once into a predicate ``test(scope) -> bool``.

What AWS does, and so what this does:

* A comparison whose operand has the wrong type is simply false (``NumericEquals`` on a
  string, ``BooleanEquals`` on ``0``); booleans are never numbers.
* ``Variable`` (and a ``...Path`` operand) that does not resolve is a ``States.Runtime``
  failure, except for ``IsPresent``, which exists to test exactly that.
* Strings compare as Java's ``String.compareTo``: by UTF-16 code units.
* Timestamps compare as instants; a value that is not a valid timestamp never matches.
* ``StringMatches``: ``*`` matches any run of characters, ``\\*`` a literal star and
  ``\\\\`` a literal backslash.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sdw.asl._errors import ErrorName, PathNotFoundError, StatesError
from sdw.asl._jsonpath import MISSING, JsonPath, compile_path
from sdw.asl._payload import Scope, resolve_path
from sdw.asl._timestamps import parse_timestamp

__all__ = ["Predicate", "compile_condition", "string_matches_pattern"]

Predicate = Callable[[Scope], bool]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-be", "surrogatepass")


def _compare_strings(left: Any, right: Any) -> int | None:
    if not (isinstance(left, str) and isinstance(right, str)):
        return None
    if left == right:
        return 0
    if left.isascii() and right.isascii():
        return -1 if left < right else 1
    a, b = _utf16(left), _utf16(right)
    return -1 if a < b else 1


def _compare_numbers(left: Any, right: Any) -> int | None:
    if not (_is_number(left) and _is_number(right)):
        return None
    return 0 if left == right else (-1 if left < right else 1)


def _compare_timestamps(left: Any, right: Any) -> int | None:
    a, b = parse_timestamp(left), parse_timestamp(right)
    if a is None or b is None:
        return None
    return 0 if a == b else (-1 if a < b else 1)


def _compare_booleans(left: Any, right: Any) -> int | None:
    if isinstance(left, bool) and isinstance(right, bool):
        return 0 if left is right else 1
    return None


_KINDS: dict[str, Callable[[Any, Any], int | None]] = {
    "String": _compare_strings,
    "Numeric": _compare_numbers,
    "Timestamp": _compare_timestamps,
    "Boolean": _compare_booleans,
}
_RELATIONS: dict[str, Callable[[int], bool]] = {
    "Equals": lambda c: c == 0,
    "LessThan": lambda c: c < 0,
    "GreaterThan": lambda c: c > 0,
    "LessThanEquals": lambda c: c <= 0,
    "GreaterThanEquals": lambda c: c >= 0,
}
_OPERATOR = re.compile(
    r"(String|Numeric|Timestamp|Boolean)(Equals|LessThanEquals|GreaterThanEquals|LessThan|GreaterThan)(Path)?"
)


def string_matches_pattern(pattern: str) -> re.Pattern[str]:
    """The regex for a ``StringMatches`` pattern (``*`` any run; ``\\*`` and ``\\\\`` literal)."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "*" else re.escape(ch))
        i += 1
    return re.compile("".join(out), re.DOTALL)


def _type_test(name: str) -> Callable[[Any], bool]:
    tests: dict[str, Callable[[Any], bool]] = {
        "IsNull": lambda v: v is None,
        "IsNumeric": _is_number,
        "IsString": lambda v: isinstance(v, str),
        "IsBoolean": lambda v: isinstance(v, bool),
        "IsTimestamp": lambda v: parse_timestamp(v) is not None,
    }
    return tests[name]


@dataclass(frozen=True, slots=True)
class _Variable:
    path: JsonPath

    def value(self, scope: Scope) -> Any:
        try:
            return resolve_path(self.path, scope)
        except PathNotFoundError as exc:
            raise StatesError(ErrorName.RUNTIME, str(exc)) from None

    def present(self, scope: Scope) -> bool:
        try:
            value = resolve_path(self.path, scope)
        except PathNotFoundError:
            return False
        except StatesError:  # an undefined variable is not present either
            return False
        return value is not MISSING and not (not self.path.definite and value == [])


def compile_condition(rule: dict[str, Any]) -> Predicate:
    """Compile one JSONPath-mode choice rule (without its ``Next``) into a predicate.

    Raises KeyError/ValueError/JsonPathSyntaxError on a malformed rule; the validator
    reports those with their location before anything runs.
    """
    if "And" in rule:
        parts = tuple(compile_condition(r) for r in rule["And"])
        return lambda scope: all(p(scope) for p in parts)
    if "Or" in rule:
        options = tuple(compile_condition(r) for r in rule["Or"])
        return lambda scope: any(p(scope) for p in options)
    if "Not" in rule:
        inner = compile_condition(rule["Not"])
        return lambda scope: not inner(scope)
    variable = _Variable(compile_path(rule["Variable"]))
    operators = [k for k in rule if k not in ("Variable", "Next", "Assign", "Output", "Comment")]
    if len(operators) != 1:
        raise ValueError(f"a choice rule needs exactly one operator, found {operators}")
    op = operators[0]
    operand = rule[op]
    if op == "IsPresent":
        expected = bool(operand)
        return lambda scope: variable.present(scope) is expected
    if op.startswith("Is"):
        test = _type_test(op)
        want = bool(operand)
        return lambda scope: test(variable.value(scope)) is want
    if op == "StringMatches":
        regex = string_matches_pattern(operand)
        return lambda scope: _matches(regex, variable.value(scope))
    match = _OPERATOR.fullmatch(op)
    if not match:
        raise ValueError(f"unknown choice operator {op!r}")
    kind, relation, is_path = match.groups()
    compare = _KINDS[kind]
    holds = _RELATIONS[relation]
    if is_path:
        other = _Variable(compile_path(operand))

        def test_path(scope: Scope) -> bool:
            result = compare(variable.value(scope), other.value(scope))
            return result is not None and holds(result)

        return test_path

    def test_value(scope: Scope) -> bool:
        result = compare(variable.value(scope), operand)
        return result is not None and holds(result)

    return test_value


def _matches(regex: re.Pattern[str], value: Any) -> bool:
    return isinstance(value, str) and regex.fullmatch(value) is not None
