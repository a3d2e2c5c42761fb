"""A scaffolded plugin pushed to a local bare repository: what git-plugin tests fetch (no network)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def git(*args: str, cwd: Path | None = None) -> None:
    subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args], cwd=cwd,
                   capture_output=True, text=True, check=True)


def published_plugin(name: str, where: Path) -> Path:
    """``scripts/create-private-plugin.py NAME`` in ``where``, committed and pushed to ``where/NAME.git``
    (branch ``main``); the bare repository's path, for a ``git+file://`` entry."""
    made = subprocess.run([sys.executable, str(REPO / "scripts" / "create-private-plugin.py"), name,
                           "--dir", str(where)], capture_output=True, text=True, check=False)
    assert made.returncode == 0, made.stderr
    bare = where / f"{name}.git"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(bare))
    for args in (("init", "--quiet", "--initial-branch=main"), ("add", "."),
                 ("commit", "--quiet", "-m", "init"), ("push", "--quiet", str(bare), "HEAD:main")):
        git(*args, cwd=where / name)
    return bare
