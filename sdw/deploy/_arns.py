"""Turn the strings of a flow definition into ``Fn::Sub`` text.

A flow's definition names the project's resources by placeholder (``${sayHelloArn}``);
in the template each becomes the ARN text of ``Names`` (``arn:${AWS::Partition}:lambda:
${AWS::Region}:${AWS::AccountId}:function:sdw-dev-say-hello``), so the whole definition is
one ``Fn::Sub`` string with no variable map. Any other ``${`` a string holds is escaped as
``${!``, which ``Fn::Sub`` writes back as a literal ``${``.

One text form for the definition and for the IAM statements derived from it, so the ARN a
Task calls and the ARN its role may invoke are spelled by one function.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sdw.deploy._errors import DeployError

_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")


def sub_text(value: str, arns: Mapping[str, str], where: str = "") -> str:
    """``value`` with each placeholder replaced by its ARN text and other ``${`` escaped.

    >>> sub_text("${a}:live", {"a": "arn:${AWS::Partition}:x"})
    'arn:${AWS::Partition}:x:live'
    >>> sub_text("cost: ${", {})
    'cost: ${!'
    """
    out: list[str] = []
    last = 0
    for match in _PLACEHOLDER.finditer(value):
        out.append(_escape(value[last : match.start()]))
        name = match.group(1)
        if name not in arns:
            raise DeployError(f"placeholder ${{{name}}} stands for nothing the compiler knows", where)
        out.append(arns[name])
        last = match.end()
    out.append(_escape(value[last:]))
    return "".join(out)


def _escape(text: str) -> str:
    return text.replace("${", "${!")


def sub_tree(value: Any, arns: Mapping[str, str], where: str = "") -> Any:
    """``sub_text`` applied to every string (keys included) of a JSON value."""
    if isinstance(value, dict):
        return {sub_text(k, arns, where): sub_tree(v, arns, where) for k, v in value.items()}
    if isinstance(value, list):
        return [sub_tree(item, arns, where) for item in value]
    if isinstance(value, str):
        return sub_text(value, arns, where)
    return value


def cfn_value(text: str) -> Any:
    """``Fn::Sub`` of ``text`` when it refers to a pseudo parameter, else the plain string."""
    unescaped = text.replace("${!", "")
    return {"Fn::Sub": text} if "${" in unescaped else text.replace("${!", "${")
