"""``sdw flows ...``: the project's flows as the loader sees them, before anything runs.

    sdw flows list                  a table: name, type, schedule, description, file, status
    sdw flows validate [FILE...]    every problem as FILE:LINE:COLUMN: error|warning: MESSAGE

Both load the whole project, because a flow is only valid together with the rest of it
(its handlers, the flows it references, the names the others take); ``validate FILE``
then prints the problems of those files only. A FILE outside ``flows/`` is checked as if
it were one of the project's flows, so a new flow can be tried before it is moved in.
The ASL validator (``sdw.asl.validate_definition``) is wired in here, since sdw.project
may not import sdw.asl; it is imported when a command runs, not when ``sdw`` starts.

Exit status of ``validate``: 1 when any selected file has an error, 0 otherwise
(warnings are printed but do not fail). ``list`` exits 0 whatever it shows.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from sdw.cli._common import load_config
from sdw.cli._config import Config
from sdw.project import FlowFile, LoadResult, Problem, ProjectError, Severity, load_project


def load_with_flows(config: Config, extra_files: Sequence[Path] = ()) -> LoadResult:
    """The project of ``config``, its flows checked by sdw.asl's validator too."""
    from sdw.asl import validate_definition

    try:
        return load_project(
            config.project_root,
            validate_definition=validate_definition,
            region=config.region,
            extra_flow_files=extra_files,
        )
    except ProjectError as exc:
        raise click.ClickException(str(exc)) from None


def problems_by_file(result: LoadResult) -> dict[str, list[Problem]]:
    """Each flow file's problems, keyed by its ``source`` (``flows/a.yml``)."""
    found: dict[str, list[Problem]] = {ff.source: [] for ff in result.flow_files}
    for problem in result.problems:
        if problem.location and problem.location.file in found:
            found[problem.location.file].append(problem)
    return found


_PROJECT_DIR = click.option(
    "--project-dir", type=click.Path(file_okay=False), help="The project tree [SDW_PROJECT_DIR]."
)


@click.group()
def flows() -> None:
    """Flows (flows/*.yml): list them and check them."""


@flows.command(name="list")
@_PROJECT_DIR
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of a table.")
def list_flows(project_dir: str | None, as_json: bool) -> None:
    """List every flow file: name, type, schedule, description, file and whether it loads."""
    result = load_with_flows(load_config(project_dir=project_dir))
    files = result.flow_files
    if as_json:
        click.echo(json.dumps([_row(ff) for ff in files], indent=2))
        return
    if not files:
        click.echo("No flows: add flows/<name>.yml (see flows/helloWorldFlow.yml in the examples).")
        return
    table = Table(title="Flows", title_justify="left")
    table.add_column("Name", no_wrap=True)
    table.add_column("Type", no_wrap=True)
    table.add_column("Schedule", no_wrap=True)
    table.add_column("Description", overflow="fold", min_width=20)
    table.add_column("File", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    for ff in files:
        row = _row(ff)
        status = "[green]OK[/green]" if ff.loaded else "[red]invalid[/red]"
        table.add_row(
            row["name"] or "?", row["type"], row["schedule"] or "-", row["description"], row["file"], status
        )
    # a pipe or a file gets whole lines; a terminal gets its own width
    console = Console() if sys.stdout.isatty() else Console(width=1000)
    console.print(table)
    invalid = sum(not ff.loaded for ff in files)
    if invalid:
        console.print(f"{invalid} invalid: `sdw flows validate` shows why.", highlight=False, markup=False)


def _row(ff: FlowFile) -> dict[str, str | None]:
    return {
        "name": ff.key,
        "type": ff.type,
        "schedule": ff.schedule,
        "description": ff.description,
        "file": ff.source,
        "status": "OK" if ff.loaded else "invalid",
    }


@flows.command()
@_PROJECT_DIR
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def validate(project_dir: str | None, files: tuple[Path, ...]) -> None:
    """Check flow files (all of the project's without FILE) and print every problem.

    Prints FILE:LINE:COLUMN: error|warning: MESSAGE per problem and an OK line per valid
    file; exits 1 when any file has an error.
    """
    result = load_with_flows(load_config(project_dir=project_dir), files)
    by_file = problems_by_file(result)
    chosen = {path.resolve() for path in files}
    selected = [ff for ff in result.flow_files if not chosen or ff.path in chosen]
    if not selected:
        click.echo("No flows to validate: the project has no flows/*.yml.")
        return
    failed = 0
    for ff in selected:
        problems = by_file[ff.source]
        for problem in problems:
            click.echo(str(problem))
        errors = sum(p.severity is Severity.ERROR for p in problems)
        failed += errors > 0
        if not errors:
            click.echo(f"{ff.source}: OK ({ff.key})")
    if failed:
        click.echo(
            f"{failed} of {len(selected)} flow files have errors; those flows are not loaded.", err=True
        )
        raise SystemExit(1)
