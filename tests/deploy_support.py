"""What the deploy tests share: a copy of the project osls can run in, and osls itself.

osls writes .serverless/ into the folder it runs in, so each test runs it in a tmp copy of
the project's deployable files (node_modules, sdw and the built layer are linked, not
copied), with ``SDW_PYTHON`` set so the bridge runs this interpreter.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OSLS = ROOT / "node_modules" / ".bin" / "osls"
LAYER = ROOT / "build" / "layer.zip"
COPIED = (
    "functions",
    "flows",
    "scripts/serverless",
    "config.json",
    "lambda-permissions.yml",
    "serverless.yml",
    "package.json",
)


def missing_tools() -> str | None:
    """Why osls cannot run here (what to run first), or None."""
    for needed, how in ((OSLS, "make setup"), (LAYER, "make layer")):
        if not needed.exists():
            return f"{needed} is missing: run `{how}` (make test and make e2e do)"
    return None


def copy_project(target: Path, source: Path = ROOT) -> Path:
    for name in COPIED:
        path = source / name
        if path.is_dir():
            shutil.copytree(
                path, target / name, ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True
            )
        elif path.exists():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target / name)
    for name in ("node_modules", "sdw"):
        (target / name).symlink_to(ROOT / name)
    (target / "build").mkdir(exist_ok=True)
    (target / "build" / "layer.zip").symlink_to(LAYER)
    return target


SECRET_FUNCTION = "mailer"  # added to the deployed copy: the examples declare no secret
SECRET_HANDLER = """\
import os

from functions.lib.mailer import template  # its own module, imported as Lambda imports it


def handler(event, context):
    return {"sawSecret": os.environ.get("MAILER_SMTP_PASSWORD") == event["expect"],
            "crm": event["crm"], "subject": template.SUBJECT}
"""


def add_secret_function(project: Path) -> None:
    """A function with a secret and a connection, in the copy: it gets a role of its own."""
    folder = project / "functions" / "lib" / SECRET_FUNCTION
    folder.mkdir(parents=True)
    (folder / "handler.py").write_text(SECRET_HANDLER)
    (folder / "template.py").write_text("SUBJECT = 'weekly'\n")
    (folder / "function.yml").write_text("secrets: [MAILER_SMTP_PASSWORD]\nconnections: {crm: http}\n")


RUN_DEPLOYED = """\
import importlib, json, sys
from types import SimpleNamespace
module, _, name = "sdw.runtime.handler".rpartition(".")  # Lambda's bootstrap, from the task root
handler = getattr(importlib.import_module(module), name)
event = json.loads(sys.stdin.read())
print(json.dumps(handler(event, SimpleNamespace(aws_request_id="e2e-1"))))
"""


def unpack(package: Path, task_root: Path) -> Path:
    """The function package osls built, unpacked as Lambda unpacks it in /var/task."""
    with zipfile.ZipFile(package) as archive:
        archive.extractall(task_root)
    return task_root


def run_deployed(
    task_root: Path, environment: dict[str, str], event: Any
) -> subprocess.CompletedProcess[str]:
    """A user function's Lambda instance, as near as no Docker allows: this interpreter in the task
    root, with the function's environment, importing ``sdw.runtime.handler`` as Lambda's bootstrap does
    (the package's own ``sdw``, since the task root comes first on ``sys.path``), called with ``event``.
    """
    env = {"LAMBDA_TASK_ROOT": str(task_root), "AWS_ACCESS_KEY_ID": "testing",
           "AWS_SECRET_ACCESS_KEY": "testing", **environment}
    return subprocess.run([sys.executable, "-c", RUN_DEPLOYED], cwd=task_root, env=env, capture_output=True,
                          text=True, input=json.dumps(event), timeout=60, check=False)


def osls_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SLS_"))}
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_REGION="us-east-1",
        SDW_PYTHON=sys.executable,
        SLS_TELEMETRY_DISABLED="1",
        SLS_NOTIFICATIONS_MODE="off",
    )
    env.update(extra)
    return env


def run_osls(project: Path, *args: str, timeout: float = 300, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(project / "node_modules" / ".bin" / "osls"), *args],
        cwd=project,
        env=osls_env(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
