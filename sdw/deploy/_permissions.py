"""``lambda-permissions.yml``: the extra IAM statements the user functions' role gets.

    iamRoleStatements:
      - Effect: Allow
        Action: [s3:GetObject]
        Resource: ["arn:aws:s3:::reports-*/*"]

The seed project's file, read strictly: each statement needs ``Effect`` (Allow or Deny),
``Action`` and ``Resource`` (a string or a list of strings, or a CloudFormation intrinsic
for Resource) and may have ``Sid`` and ``Condition``; anything else is an error at its
file:line:column, since IAM would refuse it only at deploy time, minutes later. An action
of ``*`` (every action of every service) is refused: that is not a permission, it is
administrator access.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sdw.project import Problem, Severity, YamlError, load_yaml

PERMISSIONS_FILE = "lambda-permissions.yml"
_KEYS = {"Sid", "Effect", "Action", "Resource", "Condition"}


def parse_permissions(text: str, file: str = PERMISSIONS_FILE) -> tuple[list[dict[str, Any]], list[Problem]]:
    """The statements of ``text`` and every problem found (an empty file grants nothing)."""
    try:
        document = load_yaml(text, file)
    except YamlError as exc:
        return [], [Problem(Severity.ERROR, exc.reason, exc.location)]
    data = document.data
    problems: list[Problem] = []

    def error(pointer: str, message: str) -> None:
        problems.append(Problem(Severity.ERROR, message, document.locate(pointer)))

    if data is None:
        return [], []
    if not isinstance(data, dict) or set(data) - {"iamRoleStatements"}:
        error("", "must be a mapping with one key, iamRoleStatements (a list of IAM statements)")
        return [], problems
    statements = data.get("iamRoleStatements") or []
    if not isinstance(statements, list):
        error("/iamRoleStatements", "iamRoleStatements must be a list of IAM statements")
        return [], problems
    good: list[dict[str, Any]] = []
    for index, statement in enumerate(statements):
        here = f"/iamRoleStatements/{index}"
        before = len(problems)
        if not isinstance(statement, dict):
            error(here, "a statement must be a mapping with Effect, Action and Resource")
            continue
        for key in sorted(set(statement) - _KEYS, key=str):
            error(f"{here}/{key}", f"unknown key {key!r}; a statement has {', '.join(sorted(_KEYS))}")
        if statement.get("Effect") not in ("Allow", "Deny"):
            error(f"{here}/Effect" if "Effect" in statement else here, "Effect must be Allow or Deny")
        _strings(statement, "Action", here, error, allow_intrinsic=False)
        _strings(statement, "Resource", here, error, allow_intrinsic=True)
        actions = statement.get("Action")
        if actions == "*" or (isinstance(actions, list) and "*" in actions):
            error(f"{here}/Action", "Action '*' grants every action of every service; name the actions")
        if len(problems) == before:
            good.append(statement)
    return good, problems


def _strings(
    statement: dict[str, Any],
    key: str,
    here: str,
    error: Callable[[str, str], None],
    *,
    allow_intrinsic: bool,
) -> None:
    value = statement.get(key)
    if value is None:
        error(here, f"the statement has no {key}")
        return
    items = value if isinstance(value, list) else [value]
    for item in items:
        ok = isinstance(item, str) and item != ""
        if allow_intrinsic and isinstance(item, dict) and len(item) == 1:
            ok = next(iter(item)).startswith("Fn::") or "Ref" in item
        if not ok or not items:
            error(f"{here}/{key}", f"{key} must be a non-empty string or a list of them")
            return
