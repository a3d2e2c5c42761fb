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
once per definition; :meth:`JsonPath.get` on a definite path is a tight loop. Filter
expressions (``[?(@.price > 10)]``) have their own grammar, in :mod:`sdw.asl._jsonpath_filter`.

*Reference paths* (ResultPath, Choice ``Variable``) allow only definite steps;
:func:`compile_reference_path` enforces that, and :meth:`JsonPath.set` writes a value
into a copy of a document, copying only the containers along the path (ResultPath
merges the result into a copy of the input, the rest of the input is shared).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sdw.asl._errors import JsonPathSyntaxError, PathNotFoundError
from sdw.asl._jsonpath_filter import MISSING, FilterExpr, parse_filter
from sdw.asl.intrinsic import json_type_name

__all__ = [
    "MISSING",
    "JsonPath",
    "compile_path",
    "compile_reference_path",
]

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
    expr: FilterExpr
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
    return "missing value" if value is MISSING else json_type_name(value, integers=False)


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
                raise self.fail(f"unexpected {text[self.pos :]!r}")
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
            self.skip_ws()
            while text.startswith(",", self.pos):
                self.pos += 1
                self.skip_ws()
                if self.pos >= len(text) or text[self.pos] not in "'\"":
                    raise self.fail("expected a quoted name after ','")
                names.append(self.parse_quoted())
                self.skip_ws()
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

    def skip_ws(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] == " ":
            self.pos += 1

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
        return _Filter(parse_filter(self.original, body, self.offset + start, _compile_operand), body)


def _compile_operand(text: str, whole_path: str, offset: int) -> JsonPath:
    """A path inside a filter (``@.price`` or ``$.limit``), for :mod:`sdw.asl._jsonpath_filter`."""
    tokens = _Parser("$" + text[1:], whole_path, offset).parse_tokens()
    return JsonPath(text, text[0], tokens)


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
