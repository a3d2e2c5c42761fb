"""What the admin_tools scripts share: run one ``sdw`` command from a checkout.

The scripts are thin wrappers over the CLI (``sdw users``, ``sdw usage``), kept for the habit of
running ``admin_tools/<tool>.py`` from the project root. They work with whatever
``python3`` is first on PATH: if sdw's dependencies are not importable there, they re-run
themselves with the project's virtualenv (.venv, made by ``make setup``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*command: str) -> None:
    """Run ``sdw <command...> <this script's arguments>`` and exit with its status."""
    sys.path.insert(0, str(ROOT))
    try:
        from sdw.cli import main
    except ImportError:
        venv = ROOT / ".venv"
        python = venv / "bin" / "python"
        if python.exists() and Path(sys.prefix).resolve() != venv.resolve():
            script = os.path.abspath(sys.argv[0])
            os.execv(python, [str(python), script, *sys.argv[1:]])  # noqa: S606 - our own venv
        sys.exit("sdw is not installed here: run `make setup` in the project first")
    main.main(args=[*command, *sys.argv[1:]], prog_name=Path(sys.argv[0]).name)
