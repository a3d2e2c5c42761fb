"""Intrinsic function calls (``States.Format('{}', $.x)``): parse once, evaluate often.

A ``.$`` value that starts with ``States.`` is an intrinsic call rather than a path. The
interpreter parses each one when the definition is loaded (:func:`parse_intrinsic`), which
is also the creation-time syntax check the validator reports, and evaluates the parsed
:class:`Intrinsic` on every visit to the state, the hot path. Parsing rejects what AWS's
CreateStateMachine rejects: malformed text, an unknown function name, a wrong number of
arguments, more than 10 calls in one field (AWS guide: "You can nest up to 10 intrinsic
functions within a field").

The grammar, as the ASL specification and the AWS guide describe it::

    call     := "States." NAME "(" [ argument { "," argument } ] ")"
    argument := call | 'string' | number | true | false | null | path
    path     := $ ... | $$ ... | $name ...      (handed, as text, to the interpreter)

Strings are single-quoted and may span lines; a backslash escapes the reserved characters
``' { } \\`` and nothing else (AWS refuses ``\\"`` at creation). Numbers keep their JSON
type: ``1`` is an integer, ``1.0`` and ``1e2`` are doubles, as AWS keeps them apart in its
output.

Paths are not resolved here: :meth:`Intrinsic.evaluate` passes each path's text to the
``resolve_path`` callable the interpreter supplies, so this module knows nothing of
JSONPath, the context object or variables; whatever ``resolve_path`` raises (a missing
path) propagates unchanged. :attr:`Intrinsic.paths` lists them for the validator to check.

Functions that refuse their arguments at run time raise :class:`IntrinsicFailure`, a
``StatesError`` named ``States.IntrinsicFailure`` whose cause names the expression and says
what is wrong. Results may share structure with the values ``resolve_path`` returned
(``States.Array($.a)`` holds the very object found at ``$.a``): treat them as immutable.
"""

from __future__ import annotations

import difflib
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sdw.asl._errors import ErrorName, IntrinsicSyntaxError, StatesError
from sdw.asl.intrinsic._functions import (
    ESCAPABLE,
    FUNCTIONS,
    FormatTemplate,
    FunctionFailure,
    FunctionSpec,
    unescape_literal,
)

__all__ = ["Intrinsic", "IntrinsicFailure", "is_intrinsic", "parse_intrinsic"]

PathResolver = Callable[[str], Any]

MAX_CALLS_PER_FIELD = 10
_PREFIX = "States."
_NAME = re.compile(r"States\.([A-Za-z0-9_]*)")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?P<fraction>\.[0-9]+)?(?P<exponent>[eE][+-]?[0-9]+)?")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_KEYWORDS: dict[str, Any] = {"true": True, "false": False, "null": None}
_SPACE = " \t\r\n"
_OPENERS = {"[": "]", "(": ")"}


class IntrinsicFailure(StatesError):
    """An intrinsic function refused its arguments at run time (``States.IntrinsicFailure``).

    ``expression`` is the whole field value, ``function`` the call that failed (maybe a
    nested one) and ``detail`` what is wrong, so a caller can word its own cause.
    """

    def __init__(self, expression: str, function: str, detail: str) -> None:
        self.expression = expression
        self.function = function
        self.detail = detail
        super().__init__(
            ErrorName.INTRINSIC_FAILURE,
            f"The intrinsic function '{expression}' failed: {function} {detail}",
        )


class _Node(Protocol):
    def evaluate(self, resolve: PathResolver, rng: random.Random | None) -> Any: ...


@dataclass(frozen=True, slots=True)
class _Literal:
    value: Any

    def evaluate(self, resolve: PathResolver, rng: random.Random | None) -> Any:
        return self.value


@dataclass(frozen=True, slots=True)
class _Path:
    text: str

    def evaluate(self, resolve: PathResolver, rng: random.Random | None) -> Any:
        return resolve(self.text)


@dataclass(frozen=True, slots=True)
class _Call:
    spec: FunctionSpec
    args: tuple[_Node, ...]

    def evaluate(self, resolve: PathResolver, rng: random.Random | None) -> Any:
        values = [arg.evaluate(resolve, rng) for arg in self.args]
        try:
            return self.spec.body(values, rng)
        except FunctionFailure as failure:
            failure.function = failure.function or self.spec.name
            raise


@dataclass(frozen=True, slots=True)
class Intrinsic:
    """A parsed intrinsic call. ``text`` is the source, ``function`` the outermost name,
    ``paths`` every path argument (nested calls included) in source order."""

    text: str
    function: str
    paths: tuple[str, ...]
    _root: _Call

    def evaluate(self, resolve_path: PathResolver, rng: random.Random | None = None) -> Any:
        """Run the call. ``resolve_path`` maps a path's text (``$.a``, ``$$.Execution.Id``,
        ``$var``) to its value; ``rng`` makes States.MathRandom and States.UUID repeatable."""
        try:
            return self._root.evaluate(resolve_path, rng)
        except FunctionFailure as failure:
            raise IntrinsicFailure(self.text, failure.function, failure.detail) from None
        except RecursionError:
            detail = "got data nested too deeply to process."
            raise IntrinsicFailure(self.text, self.function, detail) from None


def is_intrinsic(text: str) -> bool:
    """Whether a ``.$`` value is an intrinsic call (it starts with ``States.``), not a path."""
    return text.startswith(_PREFIX)


def parse_intrinsic(text: str) -> Intrinsic:
    """Parse an intrinsic call, or raise :class:`IntrinsicSyntaxError` saying what is wrong
    and where (``position`` is an offset into ``text``).

    >>> parse_intrinsic("States.MathAdd($.count, -1)").evaluate(lambda path: 41)
    40
    """
    parser = _Parser(text)
    root = parser.parse()
    return Intrinsic(text, root.spec.name, tuple(parser.paths), root)


class _Parser:
    """Recursive descent over the text; at most 10 calls deep, so recursion stays shallow."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.calls = 0
        self.paths: list[str] = []

    def parse(self) -> _Call:
        if not is_intrinsic(self.text):
            raise self._error("An intrinsic function call must start with 'States.'.", 0)
        root = self._call()
        self._skip_space()
        if self.pos != len(self.text):
            raise self._error(
                f"Unexpected text {self._snippet()} after the closing parenthesis of {root.spec.name}.",
            )
        return root

    # ------------------------------------------------------------------ productions
    def _call(self) -> _Call:
        start = self.pos
        match = _NAME.match(self.text, start)
        assert match is not None  # callers check the "States." prefix first
        name = match.group(0)
        spec = FUNCTIONS.get(name)
        if spec is None:
            raise self._error(self._unknown_function(name), start)
        self.calls += 1
        if self.calls > MAX_CALLS_PER_FIELD:
            raise self._error(
                f"A field can hold at most {MAX_CALLS_PER_FIELD} intrinsic function calls; "
                f"{name} is call number {self.calls}.",
                start,
            )
        self.pos = match.end()
        if not self.text.startswith("(", self.pos):
            raise self._error(f"Expected '(' after {name}, found {self._snippet()}.")
        self.pos += 1
        args = self._arguments(name)
        if len(args) < spec.min_args or (spec.max_args is not None and len(args) > spec.max_args):
            given = f"{len(args)} {'was' if len(args) == 1 else 'were'} given"
            raise self._error(f"{name} takes {spec.arity_text()}, but {given}.", start)
        return _Call(spec, self._prepare(spec, args))

    def _arguments(self, name: str) -> list[_Node]:
        args: list[_Node] = []
        self._skip_space()
        if self._peek() == ")":
            self.pos += 1
            return args
        while True:
            self._skip_space()
            args.append(self._argument(name))
            self._skip_space()
            char = self._peek()
            self.pos += 1
            if char == ")":
                return args
            if char != ",":
                raise self._error(
                    f"Expected ',' or ')' in the arguments of {name}, found {self._snippet(self.pos - 1)}.",
                    self.pos - 1,
                )

    def _argument(self, name: str) -> _Node:
        char = self._peek()
        if char == "'":
            return _Literal(_RawString(self._string()))
        if char == "$":
            path = self._path()
            self.paths.append(path)
            return _Path(path)
        if self.text.startswith(_PREFIX, self.pos):
            return self._call()
        if char == "-" or char.isdigit():
            return _Literal(self._number())
        word = _WORD.match(self.text, self.pos)
        if word is not None and word.group(0) in _KEYWORDS:
            self.pos = word.end()
            return _Literal(_KEYWORDS[word.group(0)])
        if char in (")", ","):
            raise self._error(f"An argument of {name} is missing before {self._snippet()}.")
        if char == "":
            raise self._error(f"The arguments of {name} are not closed with ')'.")
        raise self._error(
            f"Unexpected {self._snippet()} in the arguments of {name}: an argument is a 'string', "
            "a number, true, false, null, a path starting with '$' or a States.* call."
        )

    def _string(self) -> str:
        """A single-quoted literal; returns its raw text, escapes still in it."""
        start = self.pos
        index = start + 1
        end = len(self.text)
        while index < end:
            char = self.text[index]
            if char == "\\":
                escaped = self.text[index + 1 : index + 2]
                if escaped and escaped not in ESCAPABLE:
                    raise self._error(
                        f"Invalid escape sequence '\\{escaped}' in a string literal: a backslash may only "
                        "escape ' { } and \\.",
                        index,
                    )
                index += 2
            elif char == "'":
                self.pos = index + 1
                return self.text[start + 1 : index]
            else:
                index += 1
        raise self._error("A string literal is not closed with a single quote.", start)

    def _number(self) -> int | float:
        start = self.pos
        match = _NUMBER.match(self.text, start)
        if match is None:
            raise self._error(f"Expected a number, found {self._snippet()}.")
        self.pos = match.end()
        literal = match.group(0)
        if self._peek() not in ("", ",", ")", *_SPACE):
            raise self._error(f"Malformed number {self._snippet(start)}.", start)
        if match.group("fraction") or match.group("exponent"):
            return float(literal)
        try:
            return int(literal)
        except ValueError:  # longer than Python converts (4,300 digits)
            raise self._error(f"The number starting {literal[:20]} is too long.", start) from None

    def _path(self) -> str:
        """A path runs to the first ',' ')' or space outside brackets, parentheses and quotes,
        so filters such as ``$.a[?(@.b == 'x, y')]`` stay whole."""
        start = self.pos
        closers: list[str] = []
        quote = ""
        index, end = start, len(self.text)
        while index < end:
            char = self.text[index]
            if quote:
                if char == "\\":
                    index += 1
                elif char == quote:
                    quote = ""
            elif char in "'\"" and closers:
                quote = char
            elif char in _OPENERS:
                closers.append(_OPENERS[char])
            elif char in "])":
                if not closers:
                    break
                if closers.pop() != char:
                    raise self._error(f"The path {self._snippet(start)} has mismatched brackets.", start)
            elif not closers and (char == "," or char in _SPACE):
                break
            index += 1
        if quote or closers:
            raise self._error(f"The path {self._snippet(start)} has an unclosed bracket or quote.", start)
        self.pos = index
        return self.text[start:index]

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _prepare(spec: FunctionSpec, args: list[_Node]) -> tuple[_Node, ...]:
        """Compile a literal States.Format template once, from its raw text, so escaped
        braces stay text; every other string literal is unescaped now."""
        prepared: list[_Node] = []
        for index, arg in enumerate(args):
            if isinstance(arg, _Literal) and isinstance(arg.value, _RawString):
                raw = str(arg.value)
                if spec.name == "States.Format" and index == 0:
                    prepared.append(_Literal(FormatTemplate.compile(raw)))
                else:
                    prepared.append(_Literal(unescape_literal(raw)))
            else:
                prepared.append(arg)
        return tuple(prepared)

    def _unknown_function(self, name: str) -> str:
        if name == _PREFIX:
            return "Expected a function name after 'States.'."
        close = difflib.get_close_matches(name, FUNCTIONS, n=1)
        hint = f" Did you mean {close[0]}?" if close else ""
        return f"Unknown intrinsic function {name}.{hint}"

    def _peek(self) -> str:
        return self.text[self.pos : self.pos + 1]

    def _skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in _SPACE:
            self.pos += 1

    def _snippet(self, at: int | None = None) -> str:
        start = self.pos if at is None else at
        piece = self.text[start : start + 20]
        return repr(piece) if piece else "the end of the text"

    def _error(self, message: str, position: int | None = None) -> IntrinsicSyntaxError:
        at = self.pos if position is None else position
        return IntrinsicSyntaxError(f"{message} (at offset {at})", self.text, at)


class _RawString(str):
    """A string literal's text as written, escapes not yet applied."""

    __slots__ = ()
