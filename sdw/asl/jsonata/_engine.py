"""The one place that drives jsonata-python, made safe for concurrent evaluations.

Why this module exists rather than calling ``Jsonata(text).evaluate(...)``:

* **Threads.** Map iterations and Parallel branches evaluate expressions concurrently.
  jsonata-python keeps scratch state (the current input and frame, the timestamp
  ``$now()`` reads) on whichever ``Jsonata`` object is registered as the calling
  thread's ``Jsonata.CURRENT``, and parsing registers the parsed object there. So each
  thread here gets its own *runner* and installs it for the length of every
  evaluation; a parsed tree is only read, and each evaluation gets a fresh frame for
  its bindings (``Jsonata.evaluate`` without bindings would write ``$`` into the
  expression's shared frame).
* **Bounds.** Step Functions fails an evaluation nested deeper than 100 levels; it
  also stops runaway loops (a tail-recursive function with no base case never
  overflows, it loops). Both are counted per evaluation, on the engine's own
  evaluate-entry/exit hooks, because the library's ``Timebox`` keeps its counters on
  the shared frame and starts its clock when the expression is compiled.
* **Arithmetic as JavaScript does it.** ``1/0`` is ``Infinity`` rather than a Python
  ``ZeroDivisionError``, ``%`` keeps the fraction (``5.5 % 2`` is ``1.5``), ``&``
  writes numbers as JavaScript does, and the range operator stops at the memory bound
  Step Functions applies.
* **Messages.** :func:`describe_error` renders a failure the way jsonata-js words it,
  which is what AWS copies into the cause: the library's catalogue says "Object"
  where jsonata-js says "function" and leaves the inserted values unquoted.
"""

from __future__ import annotations

import copy
import math
import re
import threading
import time
from collections.abc import Mapping
from typing import Any, Final

from jsonata import Jsonata
from jsonata.jexception import JException
from jsonata.utils import Utils

from sdw.asl.jsonata._functions import MAX_SEQUENCE_LENGTH, create_step_functions_frame
from sdw.asl.jsonata._text import jsonata_string, stringify
from sdw.asl.jsonata._values import JSONATA_NULL

__all__ = [
    "EVALUATION_TIMEOUT_SECONDS",
    "MAX_EVALUATION_DEPTH",
    "create_binding_frame",
    "describe_error",
    "parse_expression",
    "run_expression",
]

MAX_EVALUATION_DEPTH: Final = 100
"""Step Functions evaluates an expression nested 100 levels deep and refuses 101."""

EVALUATION_TIMEOUT_SECONDS: Final = 5.0
"""How long one evaluation may run before it fails (D1012) instead of looping for ever."""

_TIME_CHECK_EVERY: Final = 1024
"""Read the clock once per this many evaluation steps; reading it every step costs."""


class _Runner(Jsonata):  # type: ignore[misc]  # the library ships no type hints
    """The per-thread evaluator; overrides where jsonata-python departs from jsonata-js."""

    def evaluate_numeric_expression(self, lhs: Any, rhs: Any, op: Any) -> Any:
        if op in ("/", "%") and _is_number(lhs) and _is_number(rhs):
            return _divide(float(lhs), float(rhs), op)
        return super().evaluate_numeric_expression(lhs, rhs, op)

    def apply_inner(self, proc: Any, args: Any, input: Any, environment: Any) -> Any:
        if not self.is_function_like(proc):
            # The library prints "Proc not found" to stdout before raising this.
            raise JException("T1006", 0)
        try:
            return super().apply_inner(proc, args, input, environment)
        except JException as error:
            # A built-in handed a JSON null fails with a bare T0410; jsonata-js names the
            # argument and the function ('Argument 1 of function "lowercase" ...').
            if error.error == "T0410" and error.current is None and error.expected is None:
                error.current = _null_position(args)
                error.expected = getattr(getattr(proc, "signature", None), "function_name", None)
            raise

    def evaluate_string_concat(self, lhs: Any, rhs: Any) -> str:
        # ``&`` writes its operands as $string does, numbers in JavaScript's notation.
        return str(jsonata_string(lhs) or "") + str(jsonata_string(rhs) or "")

    def evaluate_range_expression(self, lhs: Any, rhs: Any) -> Any:
        result = super().evaluate_range_expression(lhs, rhs)
        if result is not None and int(rhs) - int(lhs) + 1 > MAX_SEQUENCE_LENGTH:
            raise JException(
                f"The range operator would build {int(rhs) - int(lhs) + 1} items, more than the "
                f"{MAX_SEQUENCE_LENGTH} an evaluation may hold",
                -1,
            )
        return result


def _null_position(args: Any) -> int | None:
    return next((index + 1 for index, arg in enumerate(args or ()) if arg is JSONATA_NULL), None)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _divide(lhs: float, rhs: float, op: str) -> Any:
    # JavaScript division and remainder: x/0 is +-Infinity (NaN for 0/0); x % 0 is NaN.
    if not (math.isfinite(lhs) and math.isfinite(rhs)):
        raise JException("D1001", -1, lhs if not math.isfinite(lhs) else rhs)
    if rhs == 0:
        if op == "%" or lhs == 0:
            return math.nan
        return math.copysign(math.inf, lhs) * math.copysign(1.0, rhs)
    value = lhs / rhs if op == "/" else math.fmod(lhs, rhs)
    return Utils.convert_number(value)


class _Bounds:
    """Counts one evaluation's nesting depth and running time."""

    __slots__ = ("deadline", "depth", "steps")

    def __init__(self, timeout: float) -> None:
        self.depth = 0
        self.steps = 0
        self.deadline = time.monotonic() + timeout

    def enter(self, expr: Any, input: Any, environment: Any) -> None:
        self.depth += 1
        if self.depth > MAX_EVALUATION_DEPTH:
            raise JException("D1011", -1)
        self.steps += 1
        if self.steps % _TIME_CHECK_EVERY == 0 and time.monotonic() > self.deadline:
            raise JException("D1012", -1, int(EVALUATION_TIMEOUT_SECONDS * 1000))

    def leave(self, expr: Any, input: Any, environment: Any, result: Any) -> None:
        self.depth -= 1


_PROTOTYPE: Final = _Runner("$")
_BASE_FRAME: Final = create_step_functions_frame()
_THREAD = threading.local()


def _thread_runner() -> _Runner:
    runner: _Runner | None = getattr(_THREAD, "runner", None)
    if runner is None:
        runner = copy.copy(_PROTOTYPE)
        _THREAD.runner = runner
    return runner


def parse_expression(source: str) -> Any:
    """Parse JSONata text into the engine's tree. Raises the engine's own exceptions."""
    # The parser is per thread inside the library. Parsing registers the parsed object
    # as this thread's current instance; the runner is installed again before each
    # evaluation, so that is harmless.
    parsed = Jsonata(source)
    return parsed.ast


def run_expression(
    tree: Any, *, now_ms: int, timeout: float = EVALUATION_TIMEOUT_SECONDS, parent: Any = None
) -> Any:
    """Evaluate a parsed tree with no context item, its variables those of ``parent``
    (a frame from :func:`create_binding_frame`; by default only the functions).

    ``now_ms`` is what ``$now()`` and ``$millis()`` read. Returns the engine's raw
    result (``None`` for undefined); raises whatever the engine raises.
    """
    frame = Jsonata.Frame(parent if parent is not None else _BASE_FRAME)
    bounds = _Bounds(timeout)
    frame.bindings["__evaluate_entry"] = bounds.enter
    frame.bindings["__evaluate_exit"] = bounds.leave
    runner = _thread_runner()
    runner.timestamp = now_ms
    previous = getattr(Jsonata.CURRENT, "jsonata", None)
    Jsonata.CURRENT.jsonata = runner
    try:
        return runner.eval(tree, None, frame)
    finally:
        if previous is not None:
            Jsonata.CURRENT.jsonata = previous


def create_binding_frame(bindings: Mapping[str, Any]) -> Any:
    """A frame holding values several evaluations share (``parent`` of :func:`run_expression`)."""
    frame = Jsonata.Frame(_BASE_FRAME)
    frame.bindings.update(bindings)
    return frame


# --------------------------------------------------------------------------- messages
_PLACEHOLDER = re.compile(r"\{\{\{(\w+)\}\}\}|\{\{(\w+)\}\}")
_ARRAY_OF: Final[dict[str, str]] = {
    "a": "arrays",
    "b": "booleans",
    "f": "functions",
    "n": "numbers",
    "o": "objects",
    "s": "strings",
}


def describe_error(error: BaseException) -> tuple[str | None, str]:
    """``(code, message)`` as jsonata-js words the failure; ``code`` is None when it has none."""
    if isinstance(error, JException):
        code = str(error.error)
        template = JException.error_codes.get(code)
        if template is None:
            # The library raised with the message itself in the code slot.
            return None, code
        values = [error.current, error.expected, error.extra]
        if code == "T0412" and isinstance(error.extra, str):
            values[2] = _ARRAY_OF.get(error.extra, error.extra)
        return code, _render(template, values)
    if isinstance(error, RecursionError):
        return "D1011", _render(JException.error_codes["D1011"], [])
    return None, str(error) or type(error).__name__


def _render(template: str, values: list[Any]) -> str:
    # jsonata-python's catalogue was converted with "function" replaced by "Object".
    text = re.sub(r"\bObject\b", "function", template)
    position = iter(values)

    def substitute(match: re.Match[str]) -> str:
        value = next(position, None)
        if value is None:
            return "undefined"
        if match.group(1) is not None:  # {{{raw}}}
            return str(value)
        return stringify(value)  # {{json}}

    return _PLACEHOLDER.sub(substitute, text)
