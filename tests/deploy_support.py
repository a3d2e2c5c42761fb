"""What the deploy tests share: a copy of the project osls can run in, and osls itself.

osls writes .serverless/ into the folder it runs in, so each test runs it in a tmp copy of
the project's deployable files (node_modules, sdw and the built layer are linked, not
copied), with ``SDW_PYTHON`` set so the bridge runs this interpreter.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

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
