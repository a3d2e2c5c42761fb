"""The packaged template, made deployable: tidied, and spread over nested stacks.

osls compiles one template; ``finalize`` (run from the ``before:package:finalize`` hook of
scripts/serverless/plugin.js, through ``sdw deploy finalize``) then

1. drops each ``DependsOn`` entry that the resource also references with ``Ref``/``GetAtt``/
   ``Fn::Sub`` (cfn-lint W3005: the reference already orders them);
2. points the runtime layer at its zip, uploaded under a key made of its content hash, so
   an unchanged layer keeps its version across deploys;
3. moves each unit the compiler recorded (a function with its log group, integration,
   route and permission; a flow with its role and schedule) into its nested stack
   (``AWS::CloudFormation::Stack``), rewriting references across the boundary: what a
   nested resource references in the root becomes a stack parameter, what the root
   references in a nested stack becomes a stack output. A reference between two nested
   stacks is an error (the compiler never makes one: ARNs are spelled from names).
4. checks each template against CloudFormation's limits: 500 resources, 1 MB when
   uploaded to S3 (``StackLimitError`` names the template and the figure).

Pure: templates in, templates out. Nested templates are uploaded beside the function
package (``<artifact directory>/cloudformation-template-nested-<Stack>.json``) by the plugin's deploy hook.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sdw.deploy._errors import DeployError, StackLimitError
from sdw.deploy._generate import LAYER_ID, LAYER_KEY_MARK, Unit

MAX_RESOURCES = 500
MAX_TEMPLATE_BYTES = 1_000_000  # a template body uploaded to S3 (TemplateURL)
_SUB_VAR = re.compile(r"\$\{(?!!)([^}]*)\}")


@dataclass
class Packaged:
    """The root template and each nested one by the logical id of its stack resource."""

    root: dict[str, Any]
    nested: dict[str, dict[str, Any]] = field(default_factory=dict)

    def files(self) -> dict[str, dict[str, Any]]:
        """File name -> template of the nested ones (``cloudformation-template-nested-FlowsStack1.json``)."""
        return {nested_file(name): template for name, template in self.nested.items()}


def nested_file(stack: str) -> str:
    return f"cloudformation-template-nested-{stack}.json"


def template_bytes(template: Mapping[str, Any]) -> int:
    """The size of ``template`` as osls writes and uploads it (two-space JSON)."""
    return len(json.dumps(template, indent=2).encode())


def layer_key(service: str, stage: str, digest: str) -> str:
    """Where the runtime layer's zip goes in the deployment bucket: by content, so it is reused."""
    return f"sdw-layers/{service}/{stage}/runtime-{digest[:16]}.zip"


def finalize(
    template: Mapping[str, Any],
    units: Sequence[Unit],
    *,
    artifact_directory: str,
    layer: str,
) -> Packaged:
    """The deployable templates of osls's compiled ``template`` (see the module docstring)."""
    root = copy.deepcopy(dict(template))
    resources = root.get("Resources")
    if not isinstance(resources, dict):
        raise DeployError("the packaged template has no Resources")
    bucket = _code_bucket(resources)
    if LAYER_ID in resources:
        content = resources[LAYER_ID]["Properties"]["Content"]
        if content.get("S3Key") == LAYER_KEY_MARK:
            content["S3Bucket"] = copy.deepcopy(bucket)
            content["S3Key"] = layer
    packaged = split(root, units, lambda stack: _template_url(bucket, artifact_directory, stack))
    for name, body in [("the root template", packaged.root), *packaged.files().items()]:
        drop_redundant_depends_on(body)
        _check_limits(name, body)
    return packaged


def _code_bucket(resources: Mapping[str, Any]) -> Any:
    for resource in resources.values():
        if resource.get("Type") == "AWS::Lambda::Function":
            code = resource.get("Properties", {}).get("Code", {})
            if "S3Bucket" in code:
                return code["S3Bucket"]
    raise DeployError("the packaged template has no Lambda function with its code in S3")


def _template_url(bucket: Any, directory: str, stack: str) -> dict[str, Any]:
    return {
        "Fn::Join": [
            "",
            [
                "https://",
                bucket,
                ".s3.",
                {"Ref": "AWS::Region"},
                ".",
                {"Ref": "AWS::URLSuffix"},
                f"/{directory}/{nested_file(stack)}",
            ],
        ]
    }


def _check_limits(name: str, template: Mapping[str, Any]) -> None:
    count = len(template.get("Resources", {}))
    if count > MAX_RESOURCES:
        raise StackLimitError(
            f"{name} has {count} resources; CloudFormation allows {MAX_RESOURCES} per stack "
            "(raise functionStacks or flowStacks in config.json)"
        )
    size = template_bytes(template)
    if size > MAX_TEMPLATE_BYTES:
        raise StackLimitError(f"{name} is {size:,} bytes; CloudFormation allows {MAX_TEMPLATE_BYTES:,}")


# -- references ---------------------------------------------------------------------------


def references(value: Any) -> set[str]:
    """The logical ids ``value`` refers to through Ref, Fn::GetAtt and Fn::Sub (not pseudo parameters)."""
    found: set[str] = set()

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            if len(node) == 1:
                ((key, arg),) = node.items()
                if key == "Ref" and isinstance(arg, str):
                    found.add(arg)
                elif key == "Fn::GetAtt":
                    found.add(_getatt(arg)[0])
                elif key == "Fn::Sub":
                    text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
                    for name in _SUB_VAR.findall(text):
                        if name.split(".")[0] not in variables:
                            found.add(name.split(".")[0])
                    visit(variables)
                    return
            for item in node.values():
                visit(item)
        elif isinstance(node, list):
            for item in node:
                visit(item)

    visit(value)
    return {name for name in found if not name.startswith("AWS::")}


def _getatt(arg: Any) -> tuple[str, str]:
    if isinstance(arg, str):
        name, _, attr = arg.partition(".")
        return name, attr
    return str(arg[0]), str(arg[1])


def drop_redundant_depends_on(template: Mapping[str, Any]) -> None:
    """Remove each DependsOn entry the resource already references (cfn-lint W3005)."""
    for resource in template.get("Resources", {}).values():
        depends = resource.get("DependsOn")
        if depends is None:
            continue
        listed = [depends] if isinstance(depends, str) else list(depends)
        referenced = references({k: v for k, v in resource.items() if k != "DependsOn"})
        kept = [name for name in listed if name not in referenced]
        if kept:
            resource["DependsOn"] = kept if len(kept) > 1 or isinstance(depends, list) else kept[0]
        else:
            del resource["DependsOn"]


def _alnum(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", text)


class _Rewriter:
    """Rewrites the references of one template whose resources' homes are in ``home``.

    ``local`` is the stack being rewritten (None: the root). ``lookup(name, attr)``
    returns the expression that replaces a reference to a resource living elsewhere.
    """

    def __init__(self, local: str | None, home: Mapping[str, str | None], lookup: Any) -> None:
        self.local = local
        self.home = home
        self.lookup = lookup

    def elsewhere(self, name: str) -> bool:
        if name.startswith("AWS::") or name not in self.home:
            return False
        return self.home[name] != self.local

    def rewrite(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self.rewrite(item) for item in node]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, arg),) = node.items()
            if key == "Ref" and isinstance(arg, str) and self.elsewhere(arg):
                return self.lookup(arg, None)
            if key == "Fn::GetAtt":
                name, attr = _getatt(arg)
                if self.elsewhere(name):
                    return self.lookup(name, attr)
            if key == "Fn::Sub":
                return self._sub(arg)
        return {key: self.rewrite(value) for key, value in node.items()}

    def _sub(self, arg: Any) -> dict[str, Any]:
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], dict(arg[1]))
        variables = {k: self.rewrite(v) for k, v in variables.items()}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            base, _, attr = name.partition(".")
            if base in variables or not self.elsewhere(base):
                return match.group(0)
            value = self.lookup(base, attr or None)
            if set(value) == {"Ref"}:  # a parameter: Fn::Sub names it directly
                return "${" + str(value["Ref"]) + "}"
            variable = _alnum(name)
            variables[variable] = value
            return "${" + variable + "}"

        text = _SUB_VAR.sub(replace, text)
        return {"Fn::Sub": [text, variables] if variables else text}


def split(root: dict[str, Any], units: Iterable[Unit], template_url: Any) -> Packaged:
    """Move ``units`` out of ``root`` into nested stacks; ``template_url(stack)`` says where each lives."""
    resources: dict[str, Any] = root["Resources"]
    home: dict[str, str | None] = dict.fromkeys(resources)
    stacks: dict[str, dict[str, Any]] = {}
    for unit in units:
        for logical in unit.ids:
            if logical not in resources:
                raise DeployError(
                    f"{logical} is not in the packaged template; the compiler and osls disagree on its name"
                )
            home[logical] = unit.stack
        stacks.setdefault(unit.stack, {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}})
    if not stacks:
        return Packaged(root)
    for logical, stack in home.items():
        if stack is not None:
            stacks[stack]["Resources"][logical] = resources.pop(logical)
    parameters: dict[str, dict[str, Any]] = {name: {} for name in stacks}
    depends: dict[str, set[str]] = {name: set() for name in stacks}
    outputs: dict[str, dict[str, Any]] = {name: {} for name in stacks}

    for stack, body in stacks.items():

        def from_root(name: str, attr: str | None, stack: str = stack) -> dict[str, Any]:
            if home[name] is not None:
                raise DeployError(
                    f"{next(iter(stacks[stack]['Resources']))} in {stack} refers to {name} in {home[name]}; "
                    "nested stacks may refer only to the root"
                )
            parameter = name if attr is None else _alnum(f"{name}{attr}")
            parameters[stack][parameter] = {"Ref": name} if attr is None else {"Fn::GetAtt": [name, attr]}
            return {"Ref": parameter}

        rewriter = _Rewriter(stack, home, from_root)
        for logical, resource in list(body["Resources"].items()):
            resource = rewriter.rewrite(resource)
            listed = resource.pop("DependsOn", None)
            listed = [listed] if isinstance(listed, str) else list(listed or [])
            kept = []
            for name in listed:
                if home.get(name) == stack:
                    kept.append(name)
                elif name in home and home[name] is None:
                    depends[stack].add(name)
                else:
                    raise DeployError(f"{logical} in {stack} depends on {name} in another nested stack")
            if kept:
                resource["DependsOn"] = kept
            body["Resources"][logical] = resource

    def from_nested(name: str, attr: str | None) -> dict[str, Any]:
        stack = home[name]
        assert stack is not None
        output = name if attr is None else _alnum(f"{name}{attr}")
        outputs[stack][output] = {"Value": {"Ref": name} if attr is None else {"Fn::GetAtt": [name, attr]}}
        return {"Fn::GetAtt": [stack, f"Outputs.{output}"]}

    root_rewriter = _Rewriter(None, home, from_nested)
    for logical, resource in list(resources.items()):
        resource = root_rewriter.rewrite(resource)
        listed = resource.get("DependsOn")
        if listed is not None:
            listed = [listed] if isinstance(listed, str) else listed
            resource["DependsOn"] = sorted({home[n] or n for n in listed})
        resources[logical] = resource
    if "Outputs" in root:
        root["Outputs"] = root_rewriter.rewrite(root["Outputs"])

    for stack, body in sorted(stacks.items()):
        if parameters[stack]:
            body["Parameters"] = {name: {"Type": "String"} for name in sorted(parameters[stack])}
        if outputs[stack]:
            body["Outputs"] = outputs[stack]
        properties: dict[str, Any] = {"TemplateURL": template_url(stack)}
        if parameters[stack]:
            properties["Parameters"] = dict(sorted(parameters[stack].items()))
        resource = {"Type": "AWS::CloudFormation::Stack", "Properties": properties}
        if depends[stack]:
            resource["DependsOn"] = sorted(depends[stack])
        resources[stack] = resource
    return Packaged(root, dict(sorted(stacks.items())))
