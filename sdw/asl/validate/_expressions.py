"""Checks of the expressions inside a definition: JSONPath, intrinsic functions, JSONata.

Step Functions compiles every expression when the state machine is created, so a path
that does not parse is a creation error, not a run-time ``States.Runtime``. This module
only *asks* the real parsers (``_jsonpath.compile_path``, ``sdw.asl.intrinsic.parse_intrinsic``,
``sdw.asl.jsonata.compile_jsonata``) and turns their syntax errors into diagnostics; it owns
no grammar of its own, so validation and execution can never disagree on what parses.

What each field accepts, per AWS's "Paths" and "Transforming data with JSONata" pages:

* a *path* (InputPath, OutputPath, the Choice ``...Path`` operators): any JSONPath,
  rooted at ``$`` (input), ``$$`` (context object) or ``$name`` (a variable);
* a *reference path* (ResultPath, ItemsPath, Choice ``Variable``, the ``...Path`` twins of
  number fields): only ``.name``, ``['name']`` and ``[index]`` steps; ResultPath must
  also be rooted at ``$``, since it writes into the state's input;
* ErrorPath and CausePath take a path or an intrinsic function;
* in a payload template (Parameters, ResultSelector, ItemSelector, Assign...), a key
  ending in ``.$`` takes a path or an intrinsic function; other keys are literals;
* in a JSONata state, a string ``{% ... %}`` anywhere in Arguments, Output, Assign and
  the number/time fields is a JSONata expression; any other string is a literal.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from sdw.asl._errors import IntrinsicSyntaxError, JsonataSyntaxError, JsonPathSyntaxError
from sdw.asl._jsonpath import compile_path, compile_reference_path
from sdw.asl.intrinsic import is_intrinsic, parse_intrinsic
from sdw.asl.jsonata import compile_jsonata
from sdw.asl.jsonata import is_jsonata_template as is_jsonata
from sdw.asl.validate._base import Code, Report, json_type, pointer, quoted


class PathKind(Enum):
    PATH = "a JSONPath"
    REFERENCE = "a reference path"
    RESULT = "a reference path rooted at '$'"
    PATH_OR_INTRINSIC = "a JSONPath or an intrinsic function"


def check_path(report: Report, where: str, name: str, value: Any, kind: PathKind, *, nullable: bool) -> None:
    """Check the value of a path field ``name`` (``null`` only where AWS allows it: Input-,
    Output- and ResultPath, where it means "nothing" / "discard")."""
    if value is None and nullable:
        return
    if not isinstance(value, str):
        allowed = " or null" if nullable else ""
        report.error(where, f"{quoted(name)} must be {kind.value}{allowed}, not {json_type(value)}.")
        return
    if kind is PathKind.PATH_OR_INTRINSIC and is_intrinsic(value):
        check_intrinsic(report, where, value)
        return
    _compile(report, where, name, value, kind)


def _compile(report: Report, where: str, name: str, text: str, kind: PathKind) -> None:
    try:
        if kind in (PathKind.REFERENCE, PathKind.RESULT):
            path = compile_reference_path(text)
        else:
            path = compile_path(text)
    except JsonPathSyntaxError as exc:
        report.error(where, f"{quoted(name)} is not {kind.value}: {text!r} ({exc}).", Code.INVALID_JSON_PATH)
        return
    if kind is PathKind.RESULT and path.root != "$":
        report.error(
            where,
            f"{quoted(name)} must start with '$': {text!r} would write into "
            + ("the context object" if path.root == "$$" else "a variable")
            + ", which a state cannot do (use Assign to set a variable).",
            Code.INVALID_JSON_PATH,
        )


def check_intrinsic(report: Report, where: str, text: str) -> None:
    """An intrinsic function call: its syntax, name and arity (sdw.asl.intrinsic._calls), and
    every path among its arguments."""
    try:
        call = parse_intrinsic(text)
    except IntrinsicSyntaxError as exc:
        report.error(where, f"{text!r} is not a valid intrinsic function call: {exc}", Code.INVALID_INTRINSIC)
        return
    for path in call.paths:
        try:
            compile_path(path)
        except JsonPathSyntaxError as exc:
            report.error(
                where,
                f"The intrinsic function call {text!r} has an invalid path argument {path!r} ({exc}).",
                Code.INVALID_JSON_PATH,
            )


def check_payload(report: Report, where: str, value: Any) -> None:
    """A JSONPath payload template: every key ending in ``.$`` must hold a path or an
    intrinsic function, at any depth (AWS: "Payload templates")."""
    if isinstance(value, dict):
        for key, item in value.items():
            here = pointer(where, key)
            if isinstance(key, str) and key.endswith(".$"):
                _check_dollar_value(report, here, key, item)
            else:
                check_payload(report, here, item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_payload(report, pointer(where, index), item)


def _check_dollar_value(report: Report, where: str, key: str, value: Any) -> None:
    if not isinstance(value, str):
        report.error(
            where,
            f"The field {quoted(key)} ends in '.$', so its value must be a JSONPath or an intrinsic "
            f"function string, not {json_type(value)}; drop the '.$' to pass a literal.",
        )
    elif is_intrinsic(value):
        check_intrinsic(report, where, value)
    elif value.lstrip().startswith("$"):
        _compile(report, where, key, value, PathKind.PATH)
    else:
        report.error(
            where,
            f"The field {quoted(key)} ends in '.$', so its value must be a JSONPath (starting with '$') "
            f"or an intrinsic function (States.*), not the literal {value!r}; drop the '.$' to pass "
            "a literal.",
            Code.INVALID_JSON_PATH,
        )


def check_jsonata_value(report: Report, where: str, value: Any) -> None:
    """A JSONata template: any string ``{% ... %}`` inside must be a valid expression."""
    if isinstance(value, str):
        if is_jsonata(value):
            check_jsonata(report, where, value)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_jsonata_value(report, pointer(where, key), item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_jsonata_value(report, pointer(where, index), item)


def check_jsonata(report: Report, where: str, text: str) -> None:
    """One ``{% ... %}`` template: its syntax (sdw.asl.jsonata._templates), and what AWS refuses at
    creation because it can never read anything: Step Functions gives an expression no
    context item, so ``$`` or a bare field name at the top level is an error ("Reference
    to 'phone' at the top level is not supported.")."""
    try:
        expression = compile_jsonata(text)
    except JsonataSyntaxError as exc:
        report.error(where, str(exc), Code.INVALID_JSONATA)
        return
    references = expression.references
    for name in references.top_level_fields:
        report.error(
            where,
            f"Reference to {name!r} at the top level of {text!r} is not supported: a JSONata expression "
            "has no context item in Step Functions; read the input through "
            + (f"$states.input.{name}." if name.isidentifier() else "$states.input."),
            Code.INVALID_JSONATA,
        )
    if references.uses_context_item:
        report.error(
            where,
            f"{text!r} reads '$' at the top level, which is empty in Step Functions; "
            "use $states.input (or $states.context).",
            Code.INVALID_JSONATA,
        )


def check_assign(report: Report, where: str, value: Any, language: str) -> None:
    """``Assign``: an object whose keys are variable names (``name.$`` in JSONPath, where
    the value is then a path or intrinsic; AWS: "Passing data between states with
    variables")."""
    if not isinstance(value, dict):
        report.error(
            where, f"'Assign' must be an object of variable names to values, not {json_type(value)}."
        )
        return
    for key, item in value.items():
        here = pointer(where, key)
        name = key[:-2] if language == "JSONPath" and key.endswith(".$") else key
        if not name.isidentifier():
            report.error(
                here,
                f"{quoted(name)} is not a valid variable name: it must start with a letter or '_' "
                "and contain only letters, digits and '_'.",
            )
        if language == "JSONata":
            check_jsonata_value(report, here, item)
        elif key.endswith(".$"):
            _check_dollar_value(report, here, key, item)
        else:
            check_payload(report, here, item)
