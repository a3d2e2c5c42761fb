"""Validation of a state machine definition at creation, as Step Functions does it.

CreateStateMachine and ValidateStateMachineDefinition reject an invalid definition
before anything runs, and report *all* of its problems, each located by a JSON pointer
(``/States/Route/Choices/2/Next``). :func:`validate_definition` does the same and
returns the list; :func:`ensure_valid_definition` raises :class:`DefinitionError`
carrying it, which is what the interpreter calls before it starts an execution.

This module checks the document and each (nested) state machine and dispatches per
state; the other modules of :mod:`sdw.asl.validate` (listed in its face) each check one
topic and state the AWS rules they imitate.

The hard rule is *no false positives*: every definition that real Step Functions
accepted and ran (the shared conformance recordings) must validate with no diagnostic,
so a rule AWS does not enforce is not added here, however tempting.

Query language: a state uses its own ``QueryLanguage``, else the top-level one (default
JSONPath); nested states inherit the top level's, not their Parallel's or Map's (AWS:
"If the state does not contain a QueryLanguage field, then it will use the query
language specified in the top-level QueryLanguage field"). A state cannot ask for
JSONPath when the top level says JSONata.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sdw.asl._errors import DefinitionError, Diagnostic
from sdw.asl.validate._base import (
    JSONPATH,
    MAX_SECONDS,
    MAX_STATE_NAME,
    QUERY_LANGUAGES,
    Code,
    Report,
    is_int,
    json_type,
    pointer,
    quoted,
    shown,
)
from sdw.asl.validate._fields import FIELDS, check_fields, check_string, check_transition
from sdw.asl.validate._graph import check_graph
from sdw.asl.validate._resource import check_resource
from sdw.asl.validate._states import check_state_values

__all__ = ["ensure_valid_definition", "validate_definition"]

_TOP_FIELDS = frozenset({"StartAt", "States", "Comment", "Version", "TimeoutSeconds", "QueryLanguage"})
# A branch of a Parallel is a state machine without the top-level settings; an item
# processor (and the legacy Iterator, which real executions accept with it) adds
# ProcessorConfig.
_BRANCH_FIELDS = frozenset({"StartAt", "States", "Comment"})
_PROCESSOR_FIELDS = _BRANCH_FIELDS | {"ProcessorConfig"}
_MODES = ("INLINE", "DISTRIBUTED")  # tuples, not sets: a value may be an unhashable list
_TYPES = ("STANDARD", "EXPRESS")
_EXECUTION_TYPES = ("STANDARD", "EXPRESS")


def validate_definition(definition: Any, *, state_machine_type: str = "STANDARD") -> list[Diagnostic]:
    """Every problem in ``definition`` (a parsed ASL document); an empty list when valid.

    ``state_machine_type`` is ``"STANDARD"`` or ``"EXPRESS"``, as CreateStateMachine's
    ``type``; an EXPRESS machine may not use the .sync and .waitForTaskToken patterns.

    >>> validate_definition({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}})
    []
    """
    if state_machine_type not in _TYPES:
        raise ValueError(f"state_machine_type must be STANDARD or EXPRESS, not {state_machine_type!r}")
    validator = _Validator(express=state_machine_type == "EXPRESS")
    validator.check_document(_with_string_keys(definition, "", validator.report))
    return validator.report.diagnostics


def ensure_valid_definition(definition: Any, *, state_machine_type: str = "STANDARD") -> None:
    """Raise :class:`DefinitionError` with every diagnostic when ``definition`` is invalid."""
    diagnostics = validate_definition(definition, state_machine_type=state_machine_type)
    if diagnostics:
        raise DefinitionError(diagnostics)


def _with_string_keys(value: Any, where: str, report: Report) -> Any:
    """``value`` with every object key a string. JSON keys always are; a YAML key may be a
    number, a boolean or null (``1: ...``, ``yes: ...``), which AWS would never see, so
    each is reported and then validated under its text."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            name = (
                key
                if isinstance(key, str)
                else json.dumps(key)
                if key is None or isinstance(key, bool)
                else str(key)
            )
            here = pointer(where, name)
            if not isinstance(key, str):
                report.error(here, f"The key {shown(key)} must be a string; quote it in YAML.")
            out[name] = _with_string_keys(item, here, report)
        return out
    if isinstance(value, list):
        return [_with_string_keys(item, pointer(where, index), report) for index, item in enumerate(value)]
    return value


@dataclass
class _Validator:
    express: bool
    report: Report = field(default_factory=Report)
    # state names and Map labels are unique across the whole definition, nested machines included
    names: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    language: str = JSONPATH

    def check_document(self, definition: Any) -> None:
        if not isinstance(definition, dict):
            self.report.error(
                "", f"A state machine definition must be a JSON object, not {json_type(definition)}."
            )
            return
        for name in definition:
            if name not in _TOP_FIELDS:
                self.report.error(
                    pointer("", name), f"The field {quoted(name)} is not supported at the top level."
                )
        if "Comment" in definition:
            check_string(self.report, "/Comment", "Comment", definition["Comment"])
        if "Version" in definition:
            check_string(self.report, "/Version", "Version", definition["Version"])
        if "TimeoutSeconds" in definition:
            timeout = definition["TimeoutSeconds"]
            if not is_int(timeout) or not 1 <= timeout <= MAX_SECONDS:
                self.report.error(
                    "/TimeoutSeconds",
                    f"'TimeoutSeconds' must be a positive integer up to {MAX_SECONDS}, not {shown(timeout)}.",
                )
        language = definition.get("QueryLanguage", JSONPATH)
        if language not in QUERY_LANGUAGES:
            self.report.error(
                "/QueryLanguage", f'\'QueryLanguage\' must be "JSONPath" or "JSONata", not {shown(language)}.'
            )
        else:
            self.language = language
        self.check_machine("", definition)

    def check_machine(self, where: str, machine: dict[str, Any]) -> None:
        """StartAt, States and every state of the machine at ``where``, then its graph."""
        start = machine.get("StartAt")
        states = machine.get("States")
        if "StartAt" not in machine:
            self.report.error(where, "The state machine needs 'StartAt': the name of the first state.")
        elif not isinstance(start, str):
            self.report.error(
                pointer(where, "StartAt"), f"'StartAt' must be a state name, not {json_type(start)}."
            )
        if "States" not in machine:
            self.report.error(where, "The state machine needs 'States': an object of named states.")
            return
        if not isinstance(states, dict) or not states:
            self.report.error(
                pointer(where, "States"), "'States' must be a non-empty object of named states."
            )
            return
        if isinstance(start, str) and start not in states:
            self.report.error(
                pointer(where, "StartAt"),
                f"'StartAt' names the state {quoted(start)}, which is not in 'States'.",
                Code.MISSING_TRANSITION_TARGET,
            )
        for name, state in states.items():
            self.check_state(pointer(where, "States", name), name, state)
        check_graph(self.report, where, start, states)

    def check_state(self, where: str, name: str, state: Any) -> None:
        if len(name) > MAX_STATE_NAME:
            self.report.error(
                where,
                f"The state name {quoted(name[:20] + '...')} has {len(name)} characters; "
                f"the limit is {MAX_STATE_NAME}.",
                Code.INVALID_STATE_NAME,
            )
        if name in self.names:
            self.report.error(
                where,
                f"The state name {quoted(name)} is already used at {self.names[name]}; state names must be "
                "unique across the whole definition, nested state machines included.",
                Code.DUPLICATE_STATE_NAME,
            )
        else:
            self.names[name] = where
        if not isinstance(state, dict):
            self.report.error(where, f"A state must be an object, not {json_type(state)}.")
            return
        state_type = state.get("Type")
        if "Type" not in state:
            self.report.error(where, "The state needs 'Type': " + ", ".join(FIELDS) + ".")
            return
        if not isinstance(state_type, str) or state_type not in FIELDS:
            self.report.error(
                pointer(where, "Type"),
                f"{shown(state_type)} is not a state type; use one of " + ", ".join(FIELDS) + ".",
            )
            return
        language = self._state_language(where, state)
        check_fields(self.report, where, state_type, state, language)
        check_transition(self.report, where, state_type, state)
        check_state_values(self.report, where, state_type, state, language)
        if state_type == "Task":
            check_resource(self.report, where, state, language, express=self.express)
        if state_type == "Map":
            self._check_label(where, state)
        self._check_children(where, state)

    def _state_language(self, where: str, state: dict[str, Any]) -> str:
        if "QueryLanguage" not in state:
            return self.language
        language = state["QueryLanguage"]
        if language not in QUERY_LANGUAGES:
            self.report.error(
                pointer(where, "QueryLanguage"),
                f'\'QueryLanguage\' must be "JSONPath" or "JSONata", not {shown(language)}.',
            )
            return self.language
        if language == JSONPATH and self.language != JSONPATH:
            self.report.error(
                pointer(where, "QueryLanguage"),
                "A state cannot use JSONPath when the state machine's top-level QueryLanguage is JSONata; "
                "set the top level to JSONPath and mark the JSONata states instead.",
            )
            return self.language
        return str(language)

    def _check_label(self, where: str, state: dict[str, Any]) -> None:
        label = state.get("Label")
        if not isinstance(label, str):
            return
        if label in self.labels:
            self.report.error(
                pointer(where, "Label"),
                f"The Map label {quoted(label)} is already used at {self.labels[label]}; labels are unique.",
                Code.DUPLICATE_LABEL_NAME,
            )
        else:
            self.labels[label] = pointer(where, "Label")

    def _check_children(self, where: str, state: dict[str, Any]) -> None:
        branches = state.get("Branches") if state.get("Type") == "Parallel" else None
        if isinstance(branches, list):
            for index, branch in enumerate(branches):
                self._check_nested(pointer(where, "Branches", index), branch, _BRANCH_FIELDS)
        if state.get("Type") == "Map":
            for key in ("ItemProcessor", "Iterator"):
                if key in state:
                    self._check_nested(pointer(where, key), state[key], _PROCESSOR_FIELDS)

    def _check_nested(self, where: str, machine: Any, allowed: frozenset[str]) -> None:
        if not isinstance(machine, dict):
            self.report.error(where, f"A nested state machine must be an object, not {json_type(machine)}.")
            return
        for name in machine:
            if name not in allowed:
                self.report.error(
                    pointer(where, name),
                    f"The field {quoted(name)} is not supported in a nested state machine.",
                )
        if "Comment" in machine:
            check_string(self.report, pointer(where, "Comment"), "Comment", machine["Comment"])
        if "ProcessorConfig" in machine and "ProcessorConfig" in allowed:
            self._check_processor_config(pointer(where, "ProcessorConfig"), machine["ProcessorConfig"])
        self.check_machine(where, machine)

    def _check_processor_config(self, where: str, config: Any) -> None:
        if not isinstance(config, dict):
            self.report.error(where, f"'ProcessorConfig' must be an object, not {json_type(config)}.")
            return
        for name, value in config.items():
            here = pointer(where, name)
            if name == "Mode" and value not in _MODES:
                self.report.error(here, f'\'Mode\' must be "INLINE" or "DISTRIBUTED", not {shown(value)}.')
            elif name == "ExecutionType" and value not in _EXECUTION_TYPES:
                self.report.error(
                    here, f'\'ExecutionType\' must be "STANDARD" or "EXPRESS", not {shown(value)}.'
                )
            elif name not in ("Mode", "ExecutionType"):
                self.report.error(here, f"The field {quoted(name)} is not supported in 'ProcessorConfig'.")
