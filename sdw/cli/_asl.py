"""``sdw asl ...``: the ASL interpreter's commands; for now ``sdw asl validate FILE...``.

``validate`` checks definitions the way CreateStateMachine does, before anything runs,
and prints every problem as ``file:line:column: /States/X/Next: message`` (YAML, whose
loader keeps each node's position) or ``file: /States/X/Next: message`` (JSON, located
by pointer). A file may hold a bare definition or a flow (``flows/*.yml``) whose
``definition`` key holds it; pointers are always relative to the definition, as AWS
reports them. In a flow file, each ``${<name>Arn}`` placeholder stands in for a Lambda
function's ARN and each ``${<name>StateMachine}`` for a state machine's (the flow format's
two kinds), so the definition is checked as it will run; whether those functions and flows
exist in the project is ``sdw flows validate``'s to say (it links the whole project). A
file that does not parse is an error with its position, never a traceback. Exit status:
0 when every file is valid, 1 otherwise.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from sdw.asl import validate_definition
from sdw.cli._asl_run import run
from sdw.project import ArnNaming, YamlError, find_placeholders, load_yaml, substitute_placeholders


@dataclass(frozen=True)
class FileReport:
    """The outcome for one file: the lines to print, and whether it is valid."""

    lines: list[str]
    ok: bool


def validate_file(path: Path) -> FileReport:
    """Load ``path`` (JSON by its ``.json`` suffix, YAML otherwise) and validate it."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return FileReport([f"{name}: cannot read the file: {exc}"], ok=False)
    if path.suffix.lower() == ".json":
        return _validate_json(name, text)
    return _validate_yaml(name, text)


def _validate_json(name: str, text: str) -> FileReport:
    duplicates: Counter[str] = Counter()

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = Counter(key for key, _ in pairs)
        duplicates.update(key for key, count in keys.items() if count > 1)
        return dict(pairs)

    try:
        data = json.loads(text, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as exc:
        return FileReport([f"{name}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}"], ok=False)
    except RecursionError:
        return FileReport([f"{name}: the JSON is nested too deeply to read"], ok=False)
    # AWS rejects a repeated key (DUPLICATE_STATE_NAME for a state); json.loads would keep the last
    lines = [f"{name}: the key {key!r} appears more than once in one object" for key in sorted(duplicates)]
    return _report(name, data, lambda pointer: name, lines)


def _validate_yaml(name: str, text: str) -> FileReport:
    try:
        document = load_yaml(text, name)
    except YamlError as exc:
        return FileReport([str(exc)], ok=False)
    return _report(name, document.data, lambda pointer: str(document.locate(pointer)), [], sort=True)


def _report(
    name: str, data: Any, where: Callable[[str], str], lines: list[str], *, sort: bool = False
) -> FileReport:
    """Validate ``data``; ``where`` turns a pointer into the line prefix; ``sort`` orders the
    errors by line and column (YAML), else they keep the validator's order."""
    if data is None:
        return FileReport([f"{where('')}: the file is empty; expected a state machine definition"], ok=False)
    prefix = ""
    stood_in = 0
    if isinstance(data, dict) and "definition" in data and "States" not in data:
        prefix, data = "/definition", data["definition"]  # a flow file: the definition is one key
        stand_ins = placeholder_stand_ins(data)
        stood_in = len(stand_ins)
        data = substitute_placeholders(data, stand_ins)
    diagnostics = validate_definition(data)
    located = [(where(prefix + d.path), f"{d.path or '/'}: {d.message}") for d in diagnostics]
    if sort:
        located.sort(key=lambda item: [int(part) for part in item[0].rsplit(":", 2)[1:]])
    lines = lines + [f"{place}: {text}" for place, text in located]
    if lines:
        return FileReport(lines, ok=False)
    states = data.get("States", {}) if isinstance(data, dict) else {}
    count = len(states)
    note = ""
    if stood_in:
        note = (f"; {stood_in} placeholder{'' if stood_in == 1 else 's'} stood in for an ARN: "
                "`sdw flows validate` checks them against the project")
    return FileReport([f"{name}: OK ({count} top-level state{'' if count == 1 else 's'}{note})"], ok=True)


def placeholder_stand_ins(definition: Any) -> dict[str, str]:
    """An ARN of the right kind for each placeholder of a flow's definition (flows/README.md):
    ``${helloArn}`` a Lambda function's, ``${otherFlowStateMachine}`` a state machine's.

    >>> placeholder_stand_ins({"States": {"A": {"Resource": "${sayHelloArn}"}}})
    {'sayHelloArn': 'arn:aws:lambda:us-east-1:000000000000:function:sayHello'}
    """
    naming = ArnNaming()
    values: dict[str, str] = {}
    for placeholder, _ in find_placeholders(definition):
        if placeholder.endswith("Arn") and len(placeholder) > len("Arn"):
            function = placeholder.removesuffix("Arn")
            values[placeholder] = f"arn:aws:lambda:{naming.region}:{naming.account_id}:function:{function}"
        elif placeholder.endswith("StateMachine") and len(placeholder) > len("StateMachine"):
            values[placeholder] = naming.state_machine_arn(placeholder.removesuffix("StateMachine"))
    return values


@click.group()
def asl() -> None:
    """Amazon States Language: check definitions before they run."""


@click.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
def validate(files: tuple[Path, ...]) -> None:
    """Validate state machine definitions (JSON or YAML, bare or as a flow file).

    Prints every error as FILE:LINE:COLUMN: /POINTER: MESSAGE and exits 1 when any file
    has one; prints one OK line per valid file and exits 0 otherwise.
    """
    failed = 0
    for path in files:
        report = validate_file(path)
        for line in report.lines:
            click.echo(line)
        failed += not report.ok
    if failed:
        raise SystemExit(1)


asl.add_command(validate)
asl.add_command(run)
