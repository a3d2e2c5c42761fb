"""JSONata templates as Step Functions evaluates them (``"QueryLanguage": "JSONata"``).

A field value is a *template* when it is a string that starts with ``{%`` and ends with
``%}``, with nothing before or after (AWS doc "Transforming data with JSONata": a
leading or trailing space makes it a plain string). Inside, the expression sees:

* ``$states``: ``input``, ``context``, and where the state has them ``result`` and
  ``errorOutput`` (AWS doc "Reserved variable: $states");
* every workflow variable as ``$name`` (Assign);
* JSONata 2.0's functions minus ``$eval``, plus Step Functions' own
  (:mod:`sdw.asl.jsonata._functions`);
* no context item: ``$`` and a bare field name at the top level read nothing, which
  is why AWS refuses them when a definition is created
  (:attr:`JsonataReferences.top_level_fields` lets the validator do the same).

An expression that returns nothing fails with ``States.QueryEvaluationError``, as does
one that throws, one whose result JSON cannot hold (a function), and one whose result
has the wrong type for its field. The cause is AWS's sentence without the state part,
for example ``The JSONata expression '$x' specified for the field 'Output/result'
returned nothing (undefined).``; the interpreter puts ``An error occurred while
executing the state 'S' (entered at the event id #2). `` in front, since only it knows
the state and the event.

Templates are parsed once (:func:`compile_jsonata` keeps a cache keyed by text) and
evaluated many times. :func:`compile_template_tree` does the same for a whole
``Arguments``/``Output``/``Assign`` value and converts the ``$states`` fields and
variables its expressions read once per evaluation of the tree, not once per
expression. Compiled objects are immutable and safe to share between threads.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from sdw.asl._errors import ErrorName, JsonataSyntaxError, StatesError
from sdw.asl.intrinsic import json_type_name
from sdw.asl.jsonata._engine import (
    create_binding_frame,
    describe_error,
    parse_expression,
    run_expression,
)
from sdw.asl.jsonata._references import JsonataReferences, find_references
from sdw.asl.jsonata._text import stringify
from sdw.asl.jsonata._values import UnsupportedValueError, from_jsonata, to_jsonata

__all__ = [
    "JsonataExpression",
    "JsonataReferences",
    "TemplateTree",
    "compile_jsonata",
    "compile_template_tree",
    "is_jsonata_template",
]

_OPEN: Final = "{%"
_CLOSE: Final = "%}"


def is_jsonata_template(value: Any) -> bool:
    """True for a string that is exactly one ``{% ... %}`` template, delimiters at both ends."""
    return (
        isinstance(value, str)
        and len(value) >= len(_OPEN) + len(_CLOSE)
        and value.startswith(_OPEN)
        and value.endswith(_CLOSE)
    )


@functools.lru_cache(maxsize=4096)
def compile_jsonata(text: str) -> JsonataExpression:
    """Parse a whole ``{% ... %}`` template. Raises :class:`JsonataSyntaxError`.

    >>> compile_jsonata("{% $states.input.a + 1 %}").source
    '$states.input.a + 1'
    """
    if not is_jsonata_template(text):
        raise JsonataSyntaxError(
            f"The value {text!r} is not a JSONata template: it must start with '{{%' and end with '%}}'.",
            text,
            0,
        )
    inner = text[len(_OPEN) : -len(_CLOSE)]
    source = inner.strip()
    offset = len(_OPEN) + (len(inner) - len(inner.lstrip()))
    if not source:
        raise JsonataSyntaxError("The JSONata expression is empty.", text, offset)
    try:
        tree = parse_expression(source)
    except Exception as error:  # the parser raises its own exceptions, and sometimes Python's
        code, message = describe_error(error)
        location = getattr(error, "location", None)
        position = offset + location if isinstance(location, int) and location >= 0 else None
        detail = f"{message} ({code})" if code else message
        raise JsonataSyntaxError(
            f"The JSONata expression '{source}' does not parse: {detail}.", text, position
        ) from None
    return JsonataExpression(text, source, tree, find_references(tree))


class JsonataExpression:
    """One compiled template. Evaluate it with :meth:`evaluate`; it holds no run-time state."""

    __slots__ = ("_tree", "references", "source", "text")

    def __init__(self, text: str, source: str, tree: Any, references: JsonataReferences) -> None:
        self.text = text
        """The template as written, delimiters included."""
        self.source = source
        """The expression between the delimiters, trimmed: what AWS quotes in a cause."""
        self.references = references
        self._tree = tree

    def __repr__(self) -> str:
        return f"JsonataExpression({self.text!r})"

    def evaluate(
        self,
        states: Mapping[str, Any],
        variables: Mapping[str, Any],
        *,
        field: str | None = None,
        expected_type: str | None = None,
        now_ms: int | None = None,
    ) -> Any:
        """The expression's JSON value. Raises ``StatesError`` (States.QueryEvaluationError).

        ``field`` is where the template sits in its state (``Items``, ``Output/result``)
        and is named in the cause. ``expected_type`` is a ``$type()`` name
        (``"array"``, ``"number"``...) the result must have. ``now_ms`` is the epoch
        milliseconds ``$now()`` and ``$millis()`` read; by default the wall clock.
        """
        frame = _binding_frame(self.references, states, variables)
        return self._evaluate_in(frame, field, expected_type, _now(now_ms))

    def _evaluate_in(self, frame: Any, field: str | None, expected_type: str | None, now_ms: int) -> Any:
        try:
            raw = run_expression(self._tree, now_ms=now_ms, parent=frame)
        except Exception as error:  # every failure inside the engine is wrapped here, once
            code, message = describe_error(error)
            tail = f". {code}: {message}" if code else f": {message}"
            raise self._failure(field, "threw an error during evaluation" + tail) from None
        if raw is None:
            raise self._failure(field, "returned nothing (undefined).")
        try:
            value = from_jsonata(raw)
        except UnsupportedValueError:
            raise self._failure(field, "returned an unsupported result type.") from None
        if expected_type is not None and not _has_type(value, expected_type):
            raise self._failure(
                field,
                f"returned an unexpected result type. Expected '{expected_type}', but was "
                f"'{json_type_name(value, integers=False)}' for value: {stringify(value)}",
            )
        return value

    def _failure(self, field: str | None, what: str) -> StatesError:
        where = f" specified for the field '{field}'" if field else ""
        return StatesError(
            ErrorName.QUERY_EVALUATION_ERROR, f"The JSONata expression '{self.source}'{where} {what}"
        )


def _has_type(value: Any, expected: str) -> bool:
    if expected == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    return json_type_name(value, integers=False) == expected


def _now(now_ms: int | None) -> int:
    return int(time.time() * 1000) if now_ms is None else now_ms


def _binding_frame(refs: JsonataReferences, states: Mapping[str, Any], variables: Mapping[str, Any]) -> Any:
    """The ``$states`` fields and variables the expressions read, converted once, in a frame."""
    values = {name: to_jsonata(variables[name]) for name in refs.names if name in variables}
    if refs.whole_states:
        values["states"] = to_jsonata(dict(states))
    elif refs.states_fields:
        values["states"] = {name: to_jsonata(states[name]) for name in refs.states_fields if name in states}
    # $states is bound last: a variable called "states" does not hide it.
    return create_binding_frame(values)


# --------------------------------------------------------------------------- trees
@dataclass(frozen=True, slots=True)
class _Constant:
    value: Any


@dataclass(frozen=True, slots=True)
class _Template:
    expression: JsonataExpression
    path: str


@dataclass(frozen=True, slots=True)
class _Object:
    items: tuple[tuple[str, _Node], ...]


@dataclass(frozen=True, slots=True)
class _Array:
    items: tuple[_Node, ...]


_Node = _Constant | _Template | _Object | _Array


class TemplateTree:
    """A JSON value (Arguments, Output, Assign, ItemSelector...) with its templates compiled."""

    __slots__ = ("_references", "_root", "expressions")

    def __init__(self, root: _Node, expressions: tuple[JsonataExpression, ...]) -> None:
        self._root = root
        self.expressions = expressions
        """Every template in the value, in document order."""
        self._references = JsonataReferences.union(e.references for e in expressions)

    def evaluate(
        self,
        states: Mapping[str, Any],
        variables: Mapping[str, Any],
        *,
        field: str | None = None,
        now_ms: int | None = None,
    ) -> Any:
        """The value with every template replaced by its result; literals are copied.

        ``field`` names the value in causes; a nested template is named by its path
        below it, ``Output/a/b[0]``, the way AWS names it.
        """
        frame = _binding_frame(self._references, states, variables) if self.expressions else None
        return self._build(self._root, frame, field, _now(now_ms))

    def _build(self, node: _Node, frame: Any, field: str | None, now_ms: int) -> Any:
        if isinstance(node, _Constant):
            return _copy_json(node.value)
        if isinstance(node, _Template):
            where = _join(field, node.path)
            return node.expression._evaluate_in(frame, where, None, now_ms)
        if isinstance(node, _Object):
            return {key: self._build(child, frame, field, now_ms) for key, child in node.items}
        return [self._build(child, frame, field, now_ms) for child in node.items]


def compile_template_tree(value: Any) -> TemplateTree:
    """Compile every template inside a JSON value. Raises :class:`JsonataSyntaxError`."""
    expressions: list[JsonataExpression] = []
    root = _compile_node(value, "", expressions)
    return TemplateTree(root, tuple(expressions))


def _compile_node(value: Any, path: str, expressions: list[JsonataExpression]) -> _Node:
    if is_jsonata_template(value):
        expression = compile_jsonata(value)
        expressions.append(expression)
        return _Template(expression, path)
    if isinstance(value, Mapping):
        items = tuple(
            (str(key), _compile_node(child, f"{path}/{key}", expressions)) for key, child in value.items()
        )
        return _Object(items) if any(not isinstance(n, _Constant) for _, n in items) else _Constant(value)
    if isinstance(value, list | tuple):
        children = tuple(_compile_node(child, f"{path}[{i}]", expressions) for i, child in enumerate(value))
        return _Array(children) if any(not isinstance(n, _Constant) for n in children) else _Constant(value)
    return _Constant(value)


def _join(field: str | None, path: str) -> str | None:
    if not path:
        return field
    if field:
        return field + path
    return path.lstrip("/")


def _copy_json(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _copy_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_copy_json(item) for item in value]
    return value
