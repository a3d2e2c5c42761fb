"""A state's input and output processing, in both query languages.

JSONPath (AWS: "Processing input and output in Step Functions")::

    raw input -> InputPath -> Parameters -> [the state's work] -> ResultSelector
              -> ResultPath (merged into the raw input) -> OutputPath -> output
    Assign sees the result after ResultSelector; OutputPath and Assign both see the
    variables as they were when the state was entered.

JSONata (AWS: "Transforming data with JSONata")::

    $states.input -> Arguments -> [work] -> $states.result -> Output (default: the
    result, or the input for states without one) ; Assign alongside Output

Both are compiled once per state into an object with the same two methods, so the
interpreter treats them alike: :meth:`effective_input` before the work and
:meth:`finish` after it (and for a Catch, the same with the error output as result).
A Map's other templated fields (ItemSelector, ItemReader's and ResultWriter's
arguments, ItemBatcher's BatchInput) are each a :class:`Template`, likewise compiled once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from sdw.asl._errors import ErrorName, PathNotFoundError, StatesError
from sdw.asl._jsonpath import JsonPath, compile_path, compile_reference_path
from sdw.asl._payload import Payload, Scope, compile_payload, dumps_compact, resolve_path
from sdw.asl.jsonata import TemplateTree, compile_template_tree

__all__ = ["NULL_PATH", "Env", "JsonPathIO", "JsonataIO", "StateIO", "Template", "compile_io"]

NULL_PATH: Any = object()
"""A path field set to JSON null (``"ResultPath": null``): discard, or use ``{}``."""


class Env(Protocol):
    """What evaluation needs from the interpreter for one state visit.

    ``scope(doc)`` gives a JSONPath :class:`Scope` whose ``$`` is ``doc``; ``states(**)``
    builds the JSONata ``$states`` object; ``variables`` is the readable variable view.
    """

    def scope(self, doc: Any) -> Scope: ...

    def states(self, **fields: Any) -> dict[str, Any]: ...

    @property
    def variables(self) -> Mapping[str, Any]: ...

    @property
    def now_ms(self) -> int: ...


class StateIO(Protocol):
    """Input/output processing of one state (or one Catch): JsonPathIO or JsonataIO."""

    def effective_input(self, raw: Any, env: Env) -> Any: ...

    def finish(
        self, raw: Any, result: Any, env: Env, *, error_output: bool = False, default_result: bool = True
    ) -> tuple[Any, dict[str, Any] | None]:
        """``(output, assignments)``: the state's output, and the variables it assigns (or None)."""
        ...


def _optional_path(state: Mapping[str, Any], key: str, *, reference: bool = False) -> Any:
    if key not in state:
        return None
    value = state[key]
    if value is None:
        return NULL_PATH
    path = compile_reference_path(value) if reference else compile_path(value)
    # "$" selects (or, as ResultPath, replaces) the whole document: the same as no field.
    return None if path.is_root and path.root == "$" else path


class JsonPathIO:
    __slots__ = ("assign", "input_path", "output_path", "parameters", "result_path", "result_selector")

    def __init__(
        self,
        *,
        input_path: Any = None,
        parameters: Payload | None = None,
        result_selector: Payload | None = None,
        result_path: Any = None,
        output_path: Any = None,
        assign: Payload | None = None,
    ) -> None:
        self.input_path = input_path
        self.parameters = parameters
        self.result_selector = result_selector
        self.result_path = result_path
        self.output_path = output_path
        self.assign = assign

    def effective_input(self, raw: Any, env: Env) -> Any:
        doc = raw
        path = self.input_path
        if path is not None:
            doc = {} if path is NULL_PATH else _select(path, env.scope(raw))
        if self.parameters is not None:
            doc = self.parameters(env.scope(doc))
        return doc

    def finish(
        self, raw: Any, result: Any, env: Env, *, error_output: bool = False, default_result: bool = True
    ) -> tuple[Any, dict[str, Any] | None]:
        if self.result_selector is not None and not error_output:
            result = self.result_selector(env.scope(result))
        assigned = self.assign(env.scope(result)) if self.assign is not None else None
        path = self.result_path
        if path is None:
            output = result
        elif path is NULL_PATH:
            output = raw
        else:
            try:
                output = path.set(raw, result)
            except PathNotFoundError:
                # AWS's words, as a user quoted them from a failed execution (aws/aws-cdk#29473):
                # "Unable to apply ReferencePath $.partitioned to input \"{\\\"min_size\\\"...}\""
                # -- the path as written, then the state's input as compact JSON.
                raise StatesError(
                    ErrorName.RESULT_PATH_MATCH_FAILURE,
                    f"Unable to apply ReferencePath {path.text} to input {dumps_compact(raw)}",
                ) from None
        out_path = self.output_path
        if out_path is not None:
            output = {} if out_path is NULL_PATH else _select(out_path, env.scope(output))
        return output, assigned


def _select(path: JsonPath, scope: Scope) -> Any:
    """InputPath/OutputPath: a missing path is ``States.Runtime`` with Jayway's words."""
    try:
        return resolve_path(path, scope)
    except PathNotFoundError as exc:
        raise StatesError(ErrorName.RUNTIME, str(exc)) from None


class JsonataIO:
    __slots__ = ("arguments", "assign", "output")

    def __init__(
        self,
        *,
        arguments: TemplateTree | None = None,
        output: TemplateTree | None = None,
        assign: TemplateTree | None = None,
    ) -> None:
        self.arguments = arguments
        self.output = output
        self.assign = assign

    def effective_input(self, raw: Any, env: Env) -> Any:
        if self.arguments is None:
            return raw
        return self.arguments.evaluate(
            env.states(input=raw), env.variables, field="Arguments", now_ms=env.now_ms
        )

    def finish(
        self, raw: Any, result: Any, env: Env, *, error_output: bool = False, default_result: bool = True
    ) -> tuple[Any, dict[str, Any] | None]:
        if error_output:
            fields = {"input": raw, "errorOutput": result}
        elif default_result:
            fields = {"input": raw, "result": result}
        else:  # Pass, Choice, Wait, Succeed have no result: Output defaults to the input
            fields = {"input": raw}
        states: dict[str, Any] | None = None
        if self.output is not None:
            states = env.states(**fields)
            output = self.output.evaluate(states, env.variables, field="Output", now_ms=env.now_ms)
        else:
            output = result if (default_result or error_output) else raw
        assigned = None
        if self.assign is not None:
            states = states if states is not None else env.states(**fields)
            assigned = self.assign.evaluate(states, env.variables, field="Assign", now_ms=env.now_ms)
            if not isinstance(assigned, dict):
                raise StatesError(ErrorName.QUERY_EVALUATION_ERROR, "The Assign field must be an object.")
        return output, assigned


def compile_io(state: Mapping[str, Any], *, jsonata: bool, parameters_key: str = "Parameters") -> StateIO:
    """Compile the I/O fields of a state (or of a Catch entry) for its query language."""
    if jsonata:
        return JsonataIO(
            arguments=_tree(state, "Arguments"),
            output=_tree(state, "Output"),
            assign=_tree(state, "Assign"),
        )
    return JsonPathIO(
        input_path=_optional_path(state, "InputPath"),
        parameters=compile_payload(state[parameters_key]) if parameters_key in state else None,
        result_selector=compile_payload(state["ResultSelector"]) if "ResultSelector" in state else None,
        result_path=_optional_path(state, "ResultPath", reference=True),
        output_path=_optional_path(state, "OutputPath"),
        assign=compile_payload(state["Assign"]) if "Assign" in state else None,
    )


def _tree(state: Mapping[str, Any], key: str) -> TemplateTree | None:
    return compile_template_tree(state[key]) if key in state else None


class Template:
    """A templated field of a Map, in the state's query language, compiled once.

    JSONPath: a payload template (``.$`` keys) evaluated over a document, the Map's
    effective input. JSONata: a template tree evaluated with ``$states.input`` the raw
    input; ``field`` names it in causes (``ItemSelector``, ``BatchInput``...).
    """

    __slots__ = ("_field", "_payload", "_tree")

    def __init__(self, value: Any, *, jsonata: bool, field: str) -> None:
        self._field = field
        self._payload = None if jsonata else compile_payload(value)
        self._tree = compile_template_tree(value) if jsonata else None

    def evaluate(self, env: Env, raw: Any, effective: Any) -> Any:
        if self._payload is not None:
            return self._payload(env.scope(effective))
        assert self._tree is not None
        return self._tree.evaluate(env.states(input=raw), env.variables, field=self._field, now_ms=env.now_ms)
