"""The transition graph of one state machine (the top level, a branch, an item processor).

Step Functions checks, per state machine and each nested one on its own (a branch's
``Next`` cannot leave the branch):

* ``StartAt`` and every ``Next``, ``Default``, choice-rule ``Next`` and catcher ``Next``
  names a state of the same machine (MISSING_TRANSITION_TARGET);
* every state is reachable from ``StartAt`` ("State X is not reachable");
* the machine has a terminal state: ``"End": true``, Succeed or Fail
  (MISSING_END_STATE: "Workflow has no terminal state").

A loop with no way out (A -> B -> A while C ends) is accepted, as AWS accepts it: such a
machine runs until its TimeoutSeconds, and a polling loop that only ends by a Catch or a
timeout is a real pattern.
"""

from __future__ import annotations

from typing import Any

from sdw.asl.validate._base import Code, Report, pointer, quoted

_TERMINAL_TYPES = ("Succeed", "Fail")
_NO_NEXT = ("Choice", "Succeed", "Fail")


def transitions(state: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    """Every named transition out of ``state``: (pointer tokens below the state, target)."""
    out: list[tuple[tuple[str | int, ...], str]] = []
    # a Next on Choice, Succeed or Fail is reported as a field error and never followed
    if isinstance(state.get("Next"), str) and state.get("Type") not in _NO_NEXT:
        out.append((("Next",), state["Next"]))
    if isinstance(state.get("Default"), str):
        out.append((("Default",), state["Default"]))
    for field in ("Choices", "Catch"):
        rules = state.get(field)
        if isinstance(rules, list):
            for index, rule in enumerate(rules):
                if isinstance(rule, dict) and isinstance(rule.get("Next"), str):
                    out.append(((field, index, "Next"), rule["Next"]))
    return out


def is_terminal(state: dict[str, Any]) -> bool:
    return state.get("Type") in _TERMINAL_TYPES or state.get("End") is True


def check_graph(report: Report, where: str, start: Any, states: dict[str, Any]) -> None:
    """Check the transitions of the machine at ``where`` (its ``States`` map is ``states``)."""
    edges: dict[str, list[str]] = {}
    for name, state in states.items():
        edges[name] = []
        for tokens, target in transitions(state) if isinstance(state, dict) else []:
            if target in states:
                edges[name].append(target)
            else:
                report.error(
                    pointer(where, "States", name, *tokens),
                    f"{quoted(str(tokens[-1]))} names the state {quoted(target)}, "
                    "which does not exist in this state machine" + _scope_hint(where) + ".",
                    Code.MISSING_TRANSITION_TARGET,
                )
    if not isinstance(start, str) or start not in states:
        return  # reported with StartAt; nothing is reachable without a start
    reachable = _closure([start], edges)
    for name in states:
        if name not in reachable:
            report.error(
                pointer(where, "States", name),
                f"The state {quoted(name)} is not reachable: no transition leads to it from {quoted(start)}.",
                Code.MISSING_TRANSITION_TARGET,
            )
    terminals = [name for name, state in states.items() if isinstance(state, dict) and is_terminal(state)]
    if not terminals:
        report.error(
            pointer(where, "States"),
            'This state machine has no terminal state: give a state "End": true, or add a Succeed '
            "or Fail state.",
            Code.MISSING_END_STATE,
        )
        return


def _closure(seeds: list[str], edges: dict[str, list[str]]) -> set[str]:
    seen = set(seeds)
    todo = list(seeds)
    while todo:
        for target in edges.get(todo.pop(), ()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _scope_hint(where: str) -> str:
    if where:
        return " (a nested state machine can only name its own states)"
    return ""
