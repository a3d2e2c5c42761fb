"""``sdw asl run FILE``: run a state machine definition once, in this process.

For trying a definition out: the file holds a bare definition or a flow (``flows/*.yml``,
whose ``definition`` key holds it), JSON or YAML; ``--input`` gives the execution input
as JSON. Wait states and retry intervals take no time (virtual clock) unless
``--real-time``. Tasks have no functions to call here (a Lambda task fails with
``Lambda.ResourceNotFoundException``); the local runtime (``sdw dev``) runs flows with
the project's functions. Prints the result as JSON, ``--history`` adds the events;
exits 0 when the execution succeeded, 1 otherwise.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from sdw.asl import DefinitionError, execute
from sdw.project import YamlError, load_yaml


def _load(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if path.suffix.lower() == ".json" else load_yaml(text, str(path)).data
    if isinstance(data, dict) and "definition" in data and "States" not in data:
        data = data["definition"]
    return data


@click.command("run")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--input", "input_text", default="{}", help="The execution input, as JSON.")
@click.option("--real-time", is_flag=True, help="Wait for real in Wait states and retry intervals.")
@click.option("--history", is_flag=True, help="Print the execution's history events too.")
@click.option("--express", is_flag=True, help="Run as an EXPRESS state machine.")
def run(file: Path, input_text: str, real_time: bool, history: bool, express: bool) -> None:
    """Run the state machine definition in FILE once and print how it ended."""
    try:
        definition = _load(file)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, YamlError) as exc:
        raise click.ClickException(f"{file}: cannot load the definition: {exc}") from None
    except RecursionError:
        raise click.ClickException(f"{file}: cannot load the definition: it is nested too deeply") from None
    try:
        data = json.loads(input_text)
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"--input is not valid JSON: {exc}") from None
    except RecursionError:
        raise click.ClickException("--input is nested too deeply to read") from None
    try:
        result = execute(
            definition,
            data,
            virtual_time=not real_time,
            state_machine_type="EXPRESS" if express else "STANDARD",
        )
    except DefinitionError as exc:
        for diagnostic in exc.diagnostics:
            click.echo(f"{file}: {diagnostic.path or '/'}: {diagnostic.message}", err=True)
        raise SystemExit(1) from None
    report: dict[str, Any] = {"status": result.status}
    if result.status == "SUCCEEDED":
        report["output"] = result.output
    else:
        report["error"] = result.error
        report["cause"] = result.cause
    if history:
        report["history"] = result.history
    click.echo(json.dumps(report, indent=2, default=str, ensure_ascii=False))
    if result.status != "SUCCEEDED":
        raise SystemExit(1)
