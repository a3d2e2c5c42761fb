"""JSONPath as Step Functions evaluates it.

Step Functions runs JSONPath through Jayway JsonPath (Java), so this module follows
Jayway's semantics, not those of the Python JSONPath libraries, where they differ:

* a *definite* path (only ``.key``, ``['key']`` and ``[n]``) yields one value, and a
  missing step is an error whose text names the path in Jayway's bracket notation
  (``No results for path: $['a']['b']``), which AWS copies into its ``cause``;
* an *indefinite* path (``[*]``, ``..``, slices, ``[a,b]`` lists, ``[?(...)]`` filters)
  yields a list, empty when nothing matches (AWS returns ``[]`` for ``$.items[*]`` on
  ``{}``);
* a negative index counts from the end; a slice is Python-like and clamps;
* inside a quoted key a backslash only protects the next character from ending the
  key, and stays in the key unless it protects the quote itself (AWS resolves
  ``$['Test\\""Name"']`` to the key ``Test\\""Name"``).

A path has a *root*: ``$`` (the state's input or the effective document), ``$$`` (the
context object) or a variable name (``$counter.x``), so that one parser serves
InputPath, ``.$`` fields, context paths and variable references. Paths are compiled
once per definition; :meth:`JsonPath.get` on a definite path is a tight loop.

*Reference paths* (ResultPath, Choice ``Variable``) allow only definite steps;
:func:`compile_reference_path` enforces that, and :meth:`JsonPath.set` writes a value
into a copy of a document, copying only the containers along the path (ResultPath
merges the result into a copy of the input, the rest of the input is shared).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sdw.asl._errors import JsonPathSyntaxError, PathNotFoundError

__all__ = [
    "MISSING",
    "JsonPath",
    "compile_path",
    "compile_reference_path",
]

MISSING: Any = object()
"""What :meth:`JsonPath.find` returns when a definite path does not resolve."""
_IDENT = re.compile(r"[^.\[\]()\s'\"@$,=<>!&|?*]+")
_VAR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


# --------------------------------------------------------------------------- tokens
@dataclass(frozen=True, slots=True)
class _Key:
    name: str

    def canonical(self) -> str:
        return "['" + self.name + "']"


@dataclass(frozen=True, slots=True)
class _Index:
    index: int

    def canonical(self) -> str:
        return f"[{self.index}]"


@dataclass(frozen=True, slots=True)
class _Wildcard:
    def canonical(self) -> str:
        return "[*]"


@dataclass(frozen=True, slots=True)
class _Slice:
    start: int | None
    stop: int | None
    step: int | None

    def canonical(self) -> str:
        start = "" if self.start is None else str(self.start)
        stop = "" if self.stop is None else str(self.stop)
        return f"[{start}:{stop}]" if self.step is None else f"[{start}:{stop}:{self.step}]"


@dataclass(frozen=True, slots=True)
class _Keys:
    names: tuple[str, ...]

    def canonical(self) -> str:
        return "[" + ",".join("'" + n + "'" for n in self.names) + "]"


@dataclass(frozen=True, slots=True)
class _Indexes:
    indexes: tuple[int, ...]

    def canonical(self) -> str:
        return "[" + ",".join(str(i) for i in self.indexes) + "]"


@dataclass(frozen=True, slots=True)
class _Scan:
    """``..``: the next step applies to this node and every node below it (pre-order)."""

    def canonical(self) -> str:
        return ".."


@dataclass(frozen=True, slots=True)
class _Filter:
    expr: _Expr
    text: str

    def canonical(self) -> str:
        return "[?(" + self.text + ")]"


_Token = _Key | _Index | _Wildcard | _Slice | _Keys | _Indexes | _Scan | _Filter
_DEFINITE = (_Key, _Index)


# --------------------------------------------------------------------------- compiled path
class JsonPath:
    """A compiled path. ``root`` is ``"$"``, ``"$$"`` or a variable name.

    >>> compile_path("$.a[0]").get({"a": [7]})
    7
    """

    __slots__ = ("_steps", "canonical", "definite", "root", "text", "tokens")

    def __init__(self, text: str, root: str, tokens: tuple[_Token, ...]) -> None:
        self.text = text
        self.root = root
        self.tokens = tokens
        self.definite = all(isinstance(t, _DEFINITE) for t in tokens)
        self.canonical = "$" + "".join(t.canonical() for t in tokens)
        self._steps: tuple[str | int, ...] = tuple(
            t.name if isinstance(t, _Key) else t.index for t in tokens if isinstance(t, _DEFINITE)
        )

    def __repr__(self) -> str:
        return f"JsonPath({self.text!r})"

    @property
    def is_root(self) -> bool:
        """True for the bare root (``$``, ``$$``, ``$name``): the whole document."""
        return not self.tokens

    def get(self, doc: Any) -> Any:
        """The value at this path in ``doc`` (a list for an indefinite path).

        Raises :class:`PathNotFoundError` when a definite path does not resolve.
        """
        if self.definite:
            cur = doc
            for step in self._steps:
                if type(step) is str:
                    if type(cur) is not dict:
                        raise PathNotFoundError(self.text, f"No results for path: {self.canonical}")
                    cur = cur.get(step, MISSING)
                    if cur is MISSING:
                        raise PathNotFoundError(self.text, f"No results for path: {self.canonical}")
                else:
                    cur = _item(cur, step)  # type: ignore[arg-type]
                    if cur is MISSING:
                        raise PathNotFoundError(self.text, f"No results for path: {self.canonical}")
            return cur
        return list(_walk(doc, self.tokens, 0, doc))

    def find(self, doc: Any) -> Any:
        """Like :meth:`get`, but a definite path that does not resolve gives ``MISSING``."""
        try:
            return self.get(doc)
        except PathNotFoundError:
            return MISSING

    def exists(self, doc: Any) -> bool:
        """Whether the path resolves (Choice ``IsPresent``): an empty indefinite result counts as absent."""
        if self.definite:
            return self.find(doc) is not MISSING
        return bool(self.get(doc))

    def set(self, doc: Any, value: Any) -> Any:
        """A copy of ``doc`` with ``value`` at this (definite) path; ``doc`` is not changed.

        Missing objects along the path are created (``$.a.b`` on ``{}`` gives
        ``{"a": {"b": value}}``). Raises :class:`PathNotFoundError` when a step meets a
        value that is not an object (or an array, for an index), as AWS's
        ``States.ResultPathMatchFailure`` does.
        """
        if not self.definite:
            raise PathNotFoundError(self.text, "a path with wildcards or filters cannot be written to")
        return self._set(doc, 0, value)

    def _set(self, node: Any, i: int, value: Any) -> Any:
        if i == len(self._steps):
            return value
        step = self._steps[i]
        if isinstance(step, str):
            if node is MISSING:
                node = {}
            elif type(node) is not dict:
                raise PathNotFoundError(self.text, f"cannot set {self.canonical} on a {_kind(node)}")
            copy = dict(node)
            copy[step] = self._set(node.get(step, MISSING), i + 1, value)
            return copy
        if type(node) is not list:
            raise PathNotFoundError(self.text, f"cannot set {self.canonical} on a {_kind(node)}")
        idx = step if step >= 0 else len(node) + step
        if not 0 <= idx < len(node):
            raise PathNotFoundError(self.text, f"index {step} is out of range in {self.canonical}")
        items = list(node)
        items[idx] = self._set(node[idx], i + 1, value)
        return items


def _kind(value: Any) -> str:
    if value is MISSING:
        return "missing value"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "null" if value is None else "object"


def _item(node: Any, index: int) -> Any:
    if type(node) is not list:
        return MISSING
    if index < 0:
        index += len(node)
    if 0 <= index < len(node):
        return node[index]
    return MISSING


# --------------------------------------------------------------------------- evaluation
def _walk(node: Any, tokens: tuple[_Token, ...], i: int, root: Any) -> Iterator[Any]:
    if i == len(tokens):
        yield node
        return
    token = tokens[i]
    nxt = i + 1
    if isinstance(token, _Key):
        if type(node) is dict and token.name in node:
            yield from _walk(node[token.name], tokens, nxt, root)
    elif isinstance(token, _Index):
        value = _item(node, token.index)
        if value is not MISSING:
            yield from _walk(value, tokens, nxt, root)
    elif isinstance(token, _Wildcard):
        for child in _children(node):
            yield from _walk(child, tokens, nxt, root)
    elif isinstance(token, _Slice):
        if type(node) is list:
            for child in node[token.start : token.stop : token.step]:
                yield from _walk(child, tokens, nxt, root)
    elif isinstance(token, _Keys):
        if type(node) is dict:
            for name in token.names:
                if name in node:
                    yield from _walk(node[name], tokens, nxt, root)
    elif isinstance(token, _Indexes):
        for index in token.indexes:
            value = _item(node, index)
            if value is not MISSING:
                yield from _walk(value, tokens, nxt, root)
    elif isinstance(token, _Filter):
        # Jayway applies a filter to each element of an array, or to an object itself.
        candidates = node if type(node) is list else [node] if type(node) is dict else []
        for child in candidates:
            if token.expr(child, root):
                yield from _walk(child, tokens, nxt, root)
    else:  # _Scan: apply the rest to this node, then to every descendant, depth first
        yield from _walk(node, tokens, nxt, root)
        for child in _children(node):
            if type(child) is dict or type(child) is list:
                yield from _walk(child, tokens, i, root)


def _children(node: Any) -> list[Any]:
    if type(node) is dict:
        return list(node.values())
    if type(node) is list:
        return node
    return []


# --------------------------------------------------------------------------- filters
_Expr = Callable[[Any, Any], bool]
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

    def __init__(self, path_text: str, text: str, offset: int) -> None:
        self.path_text = path_text
        self.text = text
        self.offset = offset
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

    def parse(self) -> _Expr:
        expr = self.parse_or()
        self.skip_ws()
        if self.pos != len(self.text):
            raise self.fail(f"unexpected {self.text[self.pos:]!r} in filter")
        return expr

    def parse_or(self) -> _Expr:
        left = self.parse_and()
        while self.peek("||"):
            self.pos += 2
            right = self.parse_and()
            left = _or(left, right)
        return left

    def parse_and(self) -> _Expr:
        left = self.parse_unary()
        while self.peek("&&"):
            self.pos += 2
            right = self.parse_unary()
            left = _and(left, right)
        return left

    def parse_unary(self) -> _Expr:
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
            number: float | int = float(match.group(0)) if match.group(1) or match.group(2) else int(
                match.group(0)
            )
            return lambda node, root: number
        for word, value in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return _constant(value)
        raise self.fail(f"unexpected {self.text[self.pos:]!r} in filter")

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
        tokens = _Parser("$" + sub_text[1:], self.path_text, self.offset + start).parse_tokens()
        path = JsonPath(sub_text, anchor, tokens)
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


def _and(left: _Expr, right: _Expr) -> _Expr:
    return lambda node, root: left(node, root) and right(node, root)


def _or(left: _Expr, right: _Expr) -> _Expr:
    return lambda node, root: left(node, root) or right(node, root)


def _comparison(op: str, left: _Operand, right: _Operand) -> _Expr:
    return lambda node, root: _compare(op, left(node, root), right(node, root))


# --------------------------------------------------------------------------- parser
class _Parser:
    def __init__(self, text: str, original: str | None = None, offset: int = 0) -> None:
        self.text = text
        self.original = original if original is not None else text
        self.offset = offset
        self.pos = 0

    def fail(self, message: str) -> JsonPathSyntaxError:
        return JsonPathSyntaxError(
            f"Invalid JSONPath '{self.original}': {message}", self.original, self.offset + self.pos
        )

    def parse_root(self) -> str:
        text = self.text
        if text.startswith("$$"):
            self.pos = 2
            return "$$"
        if not text.startswith("$"):
            raise self.fail("a path must start with '$'")
        match = _VAR_NAME.match(text, 1)
        if match:
            self.pos = match.end()
            return match.group(0)
        self.pos = 1
        return "$"

    def parse_tokens(self) -> tuple[_Token, ...]:
        if not self.pos:
            self.pos = 1  # a sub-path of a filter: the anchor was checked by the caller
        tokens: list[_Token] = []
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if text.startswith("..", self.pos):
                self.pos += 2
                tokens.append(_Scan())
                if self.pos < len(text) and text[self.pos] == "[":
                    continue
                tokens.append(self.parse_dot_name(allow_star=True))
            elif ch == ".":
                self.pos += 1
                tokens.append(self.parse_dot_name(allow_star=True))
            elif ch == "[":
                tokens.append(self.parse_bracket())
            else:
                raise self.fail(f"unexpected {text[self.pos:]!r}")
        if tokens and isinstance(tokens[-1], _Scan):
            raise self.fail("a path cannot end with '..'")
        return tuple(tokens)

    def parse_dot_name(self, *, allow_star: bool) -> _Token:
        if self.pos < len(self.text) and self.text[self.pos] == "*" and allow_star:
            self.pos += 1
            return _Wildcard()
        match = _IDENT.match(self.text, self.pos)
        if not match:
            raise self.fail("expected a name after '.'")
        self.pos = match.end()
        return _Key(match.group(0))

    def parse_bracket(self) -> _Token:
        text = self.text
        self.pos += 1
        self.skip_ws()
        if text.startswith("?(", self.pos):
            return self.parse_filter()
        if text.startswith("*", self.pos):
            self.pos += 1
            self.expect_close()
            return _Wildcard()
        if self.pos < len(text) and text[self.pos] in "'\"":
            names = [self.parse_quoted()]
            while self.skip_ws() or text.startswith(",", self.pos):
                self.pos += 1
                self.skip_ws()
                if self.pos >= len(text) or text[self.pos] not in "'\"":
                    raise self.fail("expected a quoted name after ','")
                names.append(self.parse_quoted())
            self.expect_close()
            return _Key(names[0]) if len(names) == 1 else _Keys(tuple(names))
        end = text.find("]", self.pos)
        if end < 0:
            raise self.fail("'[' is not closed")
        inner = text[self.pos : end].replace(" ", "")
        self.pos = end + 1
        if re.fullmatch(r"-?\d+", inner):
            return _Index(int(inner))
        if re.fullmatch(r"-?\d+(,-?\d+)+", inner):
            return _Indexes(tuple(int(i) for i in inner.split(",")))
        match = re.fullmatch(r"(-?\d+)?:(-?\d+)?(?::(-?\d+)?)?", inner)
        if match:
            start, stop, step = (int(g) if g else None for g in match.groups())
            if step == 0:
                raise self.fail("a slice step cannot be 0")
            return _Slice(start, stop, step)
        raise self.fail(f"unexpected '[{inner}]'")

    def skip_ws(self) -> bool:
        while self.pos < len(self.text) and self.text[self.pos] == " ":
            self.pos += 1
        return False

    def expect_close(self) -> None:
        self.skip_ws()
        if not self.text.startswith("]", self.pos):
            raise self.fail("expected ']'")
        self.pos += 1

    def parse_quoted(self) -> str:
        text = self.text
        quote = text[self.pos]
        i = self.pos + 1
        chars: list[str] = []
        while i < len(text):
            ch = text[i]
            if ch == "\\" and i + 1 < len(text):
                nxt = text[i + 1]
                # The backslash only protects the next character; it stays unless it escapes the quote.
                chars.append(nxt if nxt == quote else ch + nxt)
                i += 2
                continue
            if ch == quote:
                self.pos = i + 1
                return "".join(chars)
            chars.append(ch)
            i += 1
        raise self.fail("a quoted name is not closed")

    def parse_filter(self) -> _Token:
        text = self.text
        start = self.pos + 2
        depth = 1
        i = start
        quote = ""
        while i < len(text):
            ch = text[i]
            if quote:
                if ch == "\\":
                    i += 1
                elif ch == quote:
                    quote = ""
            elif ch in "'\"":
                quote = ch
            elif ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        if depth:
            raise self.fail("a filter '[?(' is not closed")
        body = text[start:i]
        self.pos = i + 1
        self.expect_close()
        expr = _FilterParser(self.original, body, self.offset + start).parse()
        return _Filter(expr, body)


def compile_path(text: str) -> JsonPath:
    """Compile a JSONPath, a context path (``$$...``) or a variable path (``$name...``).

    >>> compile_path("$.items[*].id").definite
    False

    Raises :class:`JsonPathSyntaxError` with the offset of the problem.
    """
    if not isinstance(text, str):
        raise JsonPathSyntaxError(f"a path must be a string, not {type(text).__name__}", str(text))
    stripped = text.strip()
    parser = _Parser(stripped, text)
    root = parser.parse_root()
    return JsonPath(text, root, parser.parse_tokens())


def compile_reference_path(text: str) -> JsonPath:
    """Compile a reference path (ResultPath, Choice ``Variable``): definite steps only.

    >>> compile_reference_path("$.result.items[0]").definite
    True
    """
    path = compile_path(text)
    if not path.definite:
        raise JsonPathSyntaxError(
            f"Invalid reference path '{text}': only '.name', ['name'] and [index] steps are allowed", text
        )
    return path
