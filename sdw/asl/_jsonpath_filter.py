"""Jayway's filter expressions, the ``[?(...)]`` step of a JSONPath, parsed once into a predicate.

A filter keeps the array elements (or the object) for which its expression holds:
``$.items[?(@.price > 10 && @.tags contains 'new')]``. The grammar and the comparison
rules are Jayway's, which Step Functions runs:

* ``||``, ``&&``, ``!`` and parentheses combine comparisons; a bare operand tests that
  the path is present (``[?(@.x)]``);
* operands are relative paths (``@.x``, against the element), absolute ones (``$.x``,
  against the whole document), quoted strings, numbers, ``true``/``false``/``null``,
  ``/regex/flags`` and ``[...]`` lists;
* ``==`` and ``!=`` are type-strict except between numbers; ``<``, ``<=``, ``>``, ``>=``
  compare two numbers or two strings and are false otherwise; ``=~``, ``in``, ``nin``,
  ``contains``, ``subsetof``, ``anyof``, ``noneof``, ``size`` and ``empty`` as Jayway
  defines them; a comparison with a missing value is false (``!=`` true).

The paths inside a filter are paths again, so the two grammars nest. This module does
not import the path parser: :func:`parse_filter` takes the function that compiles an
operand path (``compile_operand``), and :mod:`sdw.asl._jsonpath` hands its own in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Protocol

from sdw.asl._errors import JsonPathSyntaxError

__all__ = ["MISSING", "FilterExpr", "OperandPath", "parse_filter"]

MISSING: Any = object()
"""The value of a path that does not resolve (what :meth:`JsonPath.find` returns for it)."""

FilterExpr = Callable[[Any, Any], bool]
"""A compiled filter: ``expr(node, root)`` says whether ``node`` is kept (``root`` is ``$``)."""


class OperandPath(Protocol):
    """A compiled path inside a filter: its value in a document, or ``MISSING``."""

    def find(self, doc: Any) -> Any: ...


CompileOperand = Callable[[str, str, int], OperandPath]
"""``compile_operand(text, whole_path, offset)``: compile ``@...`` or ``$...`` found at
``offset`` in ``whole_path`` (which syntax errors name)."""


def parse_filter(path_text: str, body: str, offset: int, compile_operand: CompileOperand) -> FilterExpr:
    """Compile the ``body`` of ``[?(body)]``, found at ``offset`` in the path ``path_text``.

    Raises :class:`JsonPathSyntaxError` naming the whole path and the offset of the problem.
    """
    return _FilterParser(path_text, body, offset, compile_operand).parse()


_Operand = Callable[[Any, Any], Any]


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _equals(left: Any, right: Any) -> bool:
    if _number(left) and _number(right):
        return bool(left == right)
    return type(left) is type(right) and bool(left == right)


def _ordered(left: Any, right: Any) -> bool:
    return (_number(left) and _number(right)) or (isinstance(left, str) and isinstance(right, str))


def _compare(op: str, left: Any, right: Any) -> bool:
    if left is MISSING or right is MISSING:
        return op == "!="
    if op == "==":
        return _equals(left, right)
    if op == "!=":
        return not _equals(left, right)
    if op in ("<", "<=", ">", ">="):
        if not _ordered(left, right):
            return False
        if op == "<":
            return bool(left < right)
        if op == "<=":
            return bool(left <= right)
        if op == ">":
            return bool(left > right)
        return bool(left >= right)
    if op == "=~":
        return isinstance(left, str) and isinstance(right, re.Pattern) and right.fullmatch(left) is not None
    if op in ("in", "nin"):
        found = isinstance(right, list) and any(_equals(left, r) for r in right)
        return found if op == "in" else not found
    if op == "contains":
        if isinstance(left, str) and isinstance(right, str):
            return right in left
        return isinstance(left, list) and any(_equals(item, right) for item in left)
    if op in ("subsetof", "anyof", "noneof"):
        if not (isinstance(left, list) and isinstance(right, list)):
            return False
        hits = [any(_equals(item, r) for r in right) for item in left]
        if op == "subsetof":
            return all(hits)
        return any(hits) if op == "anyof" else not any(hits)
    if op == "size":
        return isinstance(left, str | list | dict) and _number(right) and len(left) == right
    # "empty"
    is_empty = isinstance(left, str | list | dict) and len(left) == 0
    return is_empty if right is True else (not is_empty if right is False else False)


_FILTER_OPS = (
    "==", "!=", "<=", ">=", "=~", "<", ">",
    "nin", "in", "subsetof", "anyof", "noneof", "contains", "size", "empty",
)  # fmt: skip


class _FilterParser:
    """Recursive descent over Jayway's filter syntax: ``@.x > 1 && (@.y == 'a' || !@.z)``."""

    def __init__(self, path_text: str, text: str, offset: int, compile_operand: CompileOperand) -> None:
        self.path_text = path_text
        self.text = text
        self.offset = offset
        self.compile_operand = compile_operand
        self.pos = 0

    def fail(self, message: str) -> JsonPathSyntaxError:
        return JsonPathSyntaxError(
            f"Invalid JSONPath '{self.path_text}': {message}", self.path_text, self.offset + self.pos
        )

    def skip_ws(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self, literal: str) -> bool:
        self.skip_ws()
        return self.text.startswith(literal, self.pos)

    def parse(self) -> FilterExpr:
        expr = self.parse_or()
        self.skip_ws()
        if self.pos != len(self.text):
            raise self.fail(f"unexpected {self.text[self.pos :]!r} in filter")
        return expr

    def parse_or(self) -> FilterExpr:
        left = self.parse_and()
        while self.peek("||"):
            self.pos += 2
            right = self.parse_and()
            left = _or(left, right)
        return left

    def parse_and(self) -> FilterExpr:
        left = self.parse_unary()
        while self.peek("&&"):
            self.pos += 2
            right = self.parse_unary()
            left = _and(left, right)
        return left

    def parse_unary(self) -> FilterExpr:
        if self.peek("!") and not self.peek("!="):
            self.pos += 1
            inner = self.parse_unary()
            return lambda node, root: not inner(node, root)
        if self.peek("("):
            self.pos += 1
            inner = self.parse_or()
            if not self.peek(")"):
                raise self.fail("expected ')' in filter")
            self.pos += 1
            return inner
        left = self.parse_operand()
        self.skip_ws()
        for op in _FILTER_OPS:
            if self.text.startswith(op, self.pos):
                end = self.pos + len(op)
                if op.isalpha() and end < len(self.text) and self.text[end].isalnum():
                    continue
                self.pos = end
                right = self.parse_operand()
                return _comparison(op, left, right)
        return lambda node, root: _truthy(left(node, root))

    def parse_operand(self) -> _Operand:
        self.skip_ws()
        if self.pos >= len(self.text):
            raise self.fail("a filter ends too early")
        ch = self.text[self.pos]
        if ch in "@$":
            return self.parse_relative(ch)
        if ch in "'\"":
            text = self.parse_string(ch)
            return lambda node, root: text
        if ch == "/":
            return self.parse_regex()
        if ch == "[":
            return self.parse_list()
        match = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?").match(self.text, self.pos)
        if match:
            self.pos = match.end()
            number: float | int = (
                float(match.group(0)) if match.group(1) or match.group(2) else int(match.group(0))
            )
            return lambda node, root: number
        for word, value in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return _constant(value)
        raise self.fail(f"unexpected {self.text[self.pos :]!r} in filter")

    def parse_relative(self, anchor: str) -> _Operand:
        start = self.pos
        self.pos += 1
        depth = 0
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch in "'\"":
                self.parse_string(ch)
                continue
            if ch == "[":
                depth += 1
            elif ch == "]":
                depth -= 1
            elif depth == 0 and (ch.isspace() or ch in "=!<>&|)"):
                break
            self.pos += 1
        sub_text = self.text[start : self.pos]
        path = self.compile_operand(sub_text, self.path_text, self.offset + start)
        if anchor == "@":
            return lambda node, root: path.find(node)
        return lambda node, root: path.find(root)

    def parse_string(self, quote: str) -> str:
        end = self.pos + 1
        chars: list[str] = []
        while end < len(self.text) and self.text[end] != quote:
            if self.text[end] == "\\" and end + 1 < len(self.text):
                end += 1
            chars.append(self.text[end])
            end += 1
        if end >= len(self.text):
            raise self.fail("a string in a filter is not closed")
        self.pos = end + 1
        return "".join(chars)

    def parse_regex(self) -> _Operand:
        end = self.text.find("/", self.pos + 1)
        while end > 0 and self.text[end - 1] == "\\":
            end = self.text.find("/", end + 1)
        if end < 0:
            raise self.fail("a regular expression in a filter is not closed")
        pattern = self.text[self.pos + 1 : end]
        self.pos = end + 1
        flags = 0
        while self.pos < len(self.text) and self.text[self.pos] in "imsx":
            flags |= {"i": re.I, "m": re.M, "s": re.S, "x": re.X}[self.text[self.pos]]
            self.pos += 1
        try:
            regex = re.compile(pattern, flags)
        except re.error as exc:
            raise self.fail(f"invalid regular expression /{pattern}/: {exc}") from None
        return lambda node, root: regex

    def parse_list(self) -> _Operand:
        self.pos += 1
        items: list[_Operand] = []
        while not self.peek("]"):
            items.append(self.parse_operand())
            if self.peek(","):
                self.pos += 1
            elif not self.peek("]"):
                raise self.fail("expected ',' or ']' in a filter list")
        self.pos += 1
        return lambda node, root: [item(node, root) for item in items]


def _constant(value: Any) -> _Operand:
    return lambda node, root: value


def _truthy(value: Any) -> bool:
    # Jayway's existence check: ``[?(@.x)]`` keeps nodes where x is present.
    return value is not MISSING and not (isinstance(value, list) and not value)


def _and(left: FilterExpr, right: FilterExpr) -> FilterExpr:
    return lambda node, root: left(node, root) and right(node, root)


def _or(left: FilterExpr, right: FilterExpr) -> FilterExpr:
    return lambda node, root: left(node, root) or right(node, root)


def _comparison(op: str, left: _Operand, right: _Operand) -> FilterExpr:
    return lambda node, root: _compare(op, left(node, root), right(node, root))
