"""``sdw deploy ...``: the bridge between serverless.yml (osls) and the deploy compiler.

    sdw deploy render --stage S             the generated sections as JSON (scripts/serverless/sections.js)
    sdw deploy finalize --out .serverless   stdin: osls's compiled template and the units;
                                            writes the nested templates and the layer zip, prints the root
    sdw deploy policy                       the deployer's least-privilege policy (policy.json)

These are what the JS bridge runs; a person runs ``make package`` / ``make deploy``.
The files are read here and their contents passed to the pure ``sdw.deploy``: config.json
(``service``, ``functionStacks``, ``flowStacks``), lambda-permissions.yml, and the tree
(loaded with ``name_prefix="<service>-<stage>-"`` and checked by sdw.asl's validator; its
git plugins fetched into ``.sdw/plugins`` of the project, so that osls packages them).
A project with any error does not render: deploying it without the flow or function in
error would be a silent surprise. Warnings go to stderr and do not stop it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import click

from sdw.cli._common import load_config, reports_errors
from sdw.deploy import (
    PERMISSIONS_FILE,
    DeployError,
    DeploySettings,
    Unit,
    compile_project,
    deployer_policy,
    finalize,
    layer_key,
    parse_permissions,
)
from sdw.project import PACKAGED_PLUGINS, PluginFetcher, ProjectError, load_project
from sdw.system import SYSTEM_ROUTES

LAYER_FILE = "sdw-runtime-layer.zip"
DEFAULT_LAYER_ZIP = Path("build") / "layer.zip"


@click.group()
def deploy() -> None:
    """Render and finalize the AWS deployment (used by serverless.yml; see README "Deploy to AWS")."""


def read_settings(root: Path, stage: str) -> DeploySettings:
    """The stage's settings from config.json and lambda-permissions.yml; ``DeployError`` when wrong."""
    config: dict[str, Any] = {}
    path = root / "config.json"
    if path.is_file():
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DeployError(f"cannot read it: {exc}", "config.json") from None
        if not isinstance(loaded, dict):
            raise DeployError("must be a JSON object", "config.json")
        config = loaded
    options: dict[str, Any] = {}
    service = config.get("service", "sdw")
    if not isinstance(service, str):
        raise DeployError('"service" must be a string', "config.json")
    for key, field in (("functionStacks", "function_stacks"), ("flowStacks", "flow_stacks")):
        if key in config:
            value = config[key]
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 50:
                raise DeployError(f'"{key}" must be a whole number from 1 to 50', "config.json")
            options[field] = value
    statements: list[dict[str, Any]] = []
    permissions = root / PERMISSIONS_FILE
    if permissions.is_file():
        statements, problems = parse_permissions(permissions.read_text(encoding="utf-8"))
        if problems:
            raise DeployError("\n".join(str(p) for p in problems))
    return DeploySettings(service=service, stage=stage, permissions=tuple(statements), **options)


@deploy.command()
@click.option("--stage", required=True, help="The stage to render (dev, prod, ...).")
@click.option("--project-dir", type=click.Path(file_okay=False), help="The project tree [SDW_PROJECT_DIR].")
@reports_errors
def render(stage: str, project_dir: str | None) -> None:
    """Print the serverless.yml sections of STAGE as JSON."""
    from sdw.asl import validate_definition

    root = load_config(project_dir=project_dir).project_root
    try:
        settings = read_settings(root, stage)
        names = settings.names
        result = load_project(root, validate_definition=validate_definition, name_prefix=names.prefix,
                              fetch_plugin=_git_fetcher(root))
        for problem in result.problems:
            click.echo(str(problem), err=True)
        if result.errors:
            raise click.ClickException(
                f"{len(result.errors)} error(s) in the project (above); nothing is rendered"
            )
        sections = compile_project(result.project, settings)
    except (DeployError, ProjectError) as exc:
        raise click.ClickException(str(exc)) from None
    for name in sorted({route.function for route in SYSTEM_ROUTES} | {"execution_index"}):
        if not (root / "functions" / "base" / name / "handler.py").is_file():
            click.echo(
                f"functions/base/{name}/handler.py: warning: does not exist; its Lambda is deployed "
                "but fails when called",
                err=True,
            )
    click.echo(json.dumps(sections.to_json()))


def _git_fetcher(root: Path) -> PluginFetcher:
    """config.json's git plugins, checked out in the project (``.sdw/plugins/<name>``) for osls to package.

    The same fetcher as ``sdw dev``'s (no shell, the token only in git's environment, never
    in the checkout); the package takes the checkout's functions/ and flows/ alone, never
    its .git, and the deployed Lambdas find them there (sdw.project.packaged_plugins).
    """
    from sdw.local import create_git_plugin_fetcher

    return create_git_plugin_fetcher(root / PACKAGED_PLUGINS.parent, os.environ)


@deploy.command("finalize")
@click.option(
    "--out", "out_dir", required=True, type=click.Path(file_okay=False), help="osls's .serverless folder."
)
@click.option(
    "--layer-zip", type=click.Path(dir_okay=False), help=f"The runtime layer [{DEFAULT_LAYER_ZIP}]."
)
@click.option("--project-dir", type=click.Path(file_okay=False), help="The project tree [SDW_PROJECT_DIR].")
@reports_errors
def finalize_command(out_dir: str, layer_zip: str | None, project_dir: str | None) -> None:
    """Read {template, units, artifactDirectory, service, stage} on stdin; print the root template.

    Writes the nested templates and the layer zip into OUT (osls's .serverless folder).
    """
    root = load_config(project_dir=project_dir).project_root
    try:
        request = json.load(sys.stdin)
        units = [Unit(u["stack"], tuple(u["ids"])) for u in request["units"]]
        zip_path = Path(layer_zip) if layer_zip else root / DEFAULT_LAYER_ZIP
        if not zip_path.is_file():
            raise DeployError(f"{zip_path}: the runtime layer is not built; run `make layer` first")
        digest = hashlib.sha256(zip_path.read_bytes()).hexdigest()
        key = layer_key(request["service"], request["stage"], digest)
        packaged = finalize(
            request["template"], units, artifact_directory=request["artifactDirectory"], layer=key
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise click.ClickException(f"finalize: bad request on stdin: {exc!r}") from None
    except DeployError as exc:
        raise click.ClickException(str(exc)) from None
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, template in packaged.files().items():
        (out / name).write_text(json.dumps(template, indent=2), encoding="utf-8")
    shutil.copyfile(zip_path, out / LAYER_FILE)
    summary = {
        "root": packaged.root,
        "nested": sorted(packaged.files()),
        "layer": {"file": LAYER_FILE, "key": key},
    }
    click.echo(json.dumps(summary))


@deploy.command()
@click.option("--project-dir", type=click.Path(file_okay=False), help="The project tree [SDW_PROJECT_DIR].")
@reports_errors
def policy(project_dir: str | None) -> None:
    """Print the deployer's least-privilege policy for this service (policy.json is the default's)."""
    root = load_config(project_dir=project_dir).project_root
    try:
        service = read_settings(root, "dev").service
    except DeployError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(json.dumps(deployer_policy(service), indent=2))
