"""Checks of a Choice state's rules.

AWS ("Choice workflow state") accepts two shapes of rule, by query language:

* JSONPath: a *data-test expression*, ``Variable`` (a reference path) and exactly one
  comparison operator, or a *boolean expression*, ``And``/``Or`` (a non-empty array of
  rules) or ``Not`` (one rule). Only a top-level rule has ``Next`` (and ``Assign``); a
  rule nested in And/Or/Not must not.
* JSONata: ``Condition`` (a ``{% %}`` expression, or a literal boolean) and ``Next``,
  with optional ``Assign`` and ``Output``; no Variable, operators or And/Or/Not.

Each operator constrains its operand: String* take a string, Numeric* a number (not a
boolean), BooleanEquals a boolean, Timestamp* an RFC 3339 timestamp, the ``Is*`` tests
a boolean, and every ``...Path`` variant a path. ``"StringEquals": 1`` is rejected at
creation, not at run time.
"""

from __future__ import annotations

from typing import Any

from sdw.asl.jsonata import is_jsonata_template as is_jsonata
from sdw.asl.validate._base import (
    JSONATA,
    Report,
    is_number,
    is_timestamp,
    json_type,
    pointer,
    quoted,
    shown,
)
from sdw.asl.validate._expressions import (
    PathKind,
    check_assign,
    check_jsonata,
    check_jsonata_value,
    check_path,
)

_COMPARISONS = ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
_TYPED: dict[str, str] = {}
for _kind in ("String", "Numeric", "Timestamp"):
    for _cmp in _COMPARISONS:
        _TYPED[_kind + _cmp] = _kind
_TYPED["StringMatches"] = "String"
_TYPED["BooleanEquals"] = "Boolean"
OPERATORS: dict[str, str] = dict(_TYPED)
for _name in list(_TYPED):
    if _name != "StringMatches":
        OPERATORS[_name + "Path"] = "Path"
for _name in ("IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"):
    OPERATORS[_name] = "Test"

_EXPECTED = {
    "String": "a string",
    "Numeric": "a number",
    "Boolean": "true or false",
    "Timestamp": 'an RFC 3339 timestamp such as "2016-03-14T01:59:00Z"',
    "Test": "true or false",
}
_BOOLEAN_OPERATORS = ("And", "Or", "Not")
_TOP_ONLY = ("Next", "Assign")


def check_choices(report: Report, where: str, choices: Any, language: str) -> None:
    """Check ``Choices`` of one Choice state (``where`` points at the ``Choices`` field)."""
    if not isinstance(choices, list) or not choices:
        report.error(where, "'Choices' must be a non-empty array of choice rules.")
        return
    for index, rule in enumerate(choices):
        here = pointer(where, index)
        if not isinstance(rule, dict):
            report.error(here, f"A choice rule must be an object, not {json_type(rule)}.")
            continue
        if "Next" not in rule:
            report.error(here, "A choice rule needs 'Next': the state to go to when the rule matches.")
        elif not isinstance(rule["Next"], str):
            report.error(
                pointer(here, "Next"), f"'Next' must be a state name, not {json_type(rule['Next'])}."
            )
        if "Assign" in rule:
            check_assign(report, pointer(here, "Assign"), rule["Assign"], language)
        if language == JSONATA:
            _check_jsonata_rule(report, here, rule)
        else:
            _check_rule(report, here, rule, top=True)


def _check_jsonata_rule(report: Report, where: str, rule: dict[str, Any]) -> None:
    for name in rule:
        if name in ("Next", "Assign", "Comment", "Condition"):
            continue
        here = pointer(where, name)
        if name == "Output":
            check_jsonata_value(report, here, rule[name])
        elif name == "Variable" or name in OPERATORS or name in _BOOLEAN_OPERATORS:
            report.error(
                here,
                f"The field {quoted(name)} is a JSONPath choice rule field and this state uses JSONata; "
                "write the test as a 'Condition' {% %} expression.",
            )
        else:
            report.error(here, f"The field {quoted(name)} is not supported in a choice rule.")
    if "Condition" not in rule:
        report.error(where, "A JSONata choice rule needs 'Condition': a {% %} expression or a boolean.")
        return
    condition = rule["Condition"]
    if isinstance(condition, bool):
        return
    if is_jsonata(condition):
        check_jsonata(report, pointer(where, "Condition"), condition)
    else:
        report.error(
            pointer(where, "Condition"),
            f"'Condition' must be a JSONata expression \"{{% ... %}}\" or a boolean, not {shown(condition)}.",
        )


def _check_rule(report: Report, where: str, rule: dict[str, Any], *, top: bool) -> None:
    operators = [name for name in rule if name in OPERATORS]
    booleans = [name for name in rule if name in _BOOLEAN_OPERATORS]
    for name in rule:
        if name in OPERATORS or name in _BOOLEAN_OPERATORS or name in ("Variable", "Comment"):
            continue
        here = pointer(where, name)
        if name in _TOP_ONLY:
            if not top:
                report.error(
                    here,
                    f"A rule nested in And, Or or Not cannot have {quoted(name)}; only a top-level "
                    "choice rule does.",
                )
        elif name in ("Condition", "Output"):
            report.error(
                here,
                f"The field {quoted(name)} is a JSONata choice rule field and this state uses JSONPath "
                '(use Variable and a comparison operator, or set "QueryLanguage": "JSONata").',
            )
        else:
            report.error(here, f"The field {quoted(name)} is not a comparison operator Step Functions knows.")
    if booleans:
        if operators or "Variable" in rule or len(booleans) > 1:
            extra = [*booleans[1:], *operators] + (["Variable"] if "Variable" in rule else [])
            report.error(
                where,
                f"A choice rule with {quoted(booleans[0])} cannot also have "
                + ", ".join(map(quoted, extra))
                + ".",
            )
        for name in booleans:
            _check_boolean(report, pointer(where, name), name, rule[name])
        return
    if "Variable" not in rule:
        report.error(
            where,
            "A choice rule needs 'Variable' and one comparison operator, or And, Or or Not"
            + (" (JSONPath rules have no 'Condition')." if "Condition" in rule else "."),
        )
    else:
        check_path(
            report,
            pointer(where, "Variable"),
            "Variable",
            rule["Variable"],
            PathKind.REFERENCE,
            nullable=False,
        )
    if not operators:
        if "Variable" in rule:
            report.error(
                where, "A choice rule with 'Variable' needs one comparison operator, such as StringEquals."
            )
        return
    if len(operators) > 1:
        report.error(
            where,
            "A choice rule must have exactly one comparison operator, not "
            + ", ".join(map(quoted, operators))
            + ".",
        )
    for name in operators:
        _check_operand(report, pointer(where, name), name, rule[name])


def _check_boolean(report: Report, where: str, name: str, value: Any) -> None:
    if name == "Not":
        if isinstance(value, dict):
            _check_rule(report, where, value, top=False)
        else:
            report.error(where, f"'Not' must be one choice rule (an object), not {json_type(value)}.")
        return
    if not isinstance(value, list) or not value:
        report.error(where, f"{quoted(name)} must be a non-empty array of choice rules.")
        return
    for index, rule in enumerate(value):
        if isinstance(rule, dict):
            _check_rule(report, pointer(where, index), rule, top=False)
        else:
            report.error(pointer(where, index), f"A choice rule must be an object, not {json_type(rule)}.")


def _check_operand(report: Report, where: str, name: str, value: Any) -> None:
    kind = OPERATORS[name]
    if kind == "Path":
        check_path(report, where, name, value, PathKind.PATH, nullable=False)
        return
    if kind == "String":
        ok = isinstance(value, str)
    elif kind == "Numeric":
        ok = is_number(value)
    elif kind == "Timestamp":
        ok = is_timestamp(value)
    else:
        ok = isinstance(value, bool)
    if not ok:
        shown = repr(value) if isinstance(value, str) else json_type(value)
        report.error(where, f"{quoted(name)} compares with {_EXPECTED[kind]}, not {shown}.")
