#!/usr/bin/env python3
"""Keep the direction of imports that DESIGN.md draws, and keep private modules private.

    asl, project        import nothing else of sdw
    system              ports and endpoint logic: project, asl
    local, aws, deploy  adapters: never each other (deploy reads system's route table)
    runtime             inside a Lambda: aws only (lazily, for SSM/DynamoDB)
    cli                 wires everything

Faces. A module whose name starts with ``_`` is private to the package that holds it:
``sdw.system._flows`` may be imported only by modules of ``sdw/system/`` (and of its
subpackages), ``sdw.local.engine._store`` only inside ``sdw/local/engine/``. Everyone
else imports the package's face (``sdw.system``, ``sdw.local.engine``: its ``__init__``
and ``__all__``). So a sibling module of ``sdw/local/`` uses ``sdw.local.engine``, not
``sdw.local.engine._store``, and ``sdw/local`` uses ``sdw.system``, never
``sdw.system._ports``.

Tests mirror the package (tests/unit/local/engine/ tests sdw/local/engine/), so a test
may import the private modules of the package its folder mirrors, and of that package's
subpackages; bench/, scripts/, admin_tools/ and functions/ import faces only.

boto3/botocore are imported only under sdw/aws. Exit status 1 lists every breach.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ALLOWED: dict[str, set[str]] = {
    "asl": set(),
    "project": set(),
    "system": {"project", "asl"},
    "local": {"project", "asl", "system", "runtime"},
    "aws": {"project", "asl", "system", "runtime"},
    "deploy": {"project", "asl", "system"},
    "runtime": {"aws"},
    "cli": {"asl", "project", "system", "local", "aws", "runtime", "deploy"},
}
BOTO = {"boto3", "botocore"}
SCANNED = ("sdw", "tests", "bench", "scripts", "admin_tools", "functions")
TEST_KINDS = ("unit", "functional", "integration")


def _imports(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, dotted module) of every absolute import; ``from sdw.x import _y`` counts as ``sdw.x._y``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found += [
                (node.lineno, f"{node.module}.{alias.name}")
                for alias in node.names
                if alias.name.startswith("_") and not alias.name.startswith("__")
            ]
    return found


def home_package(relative: Path) -> tuple[str, ...]:
    """The package whose private modules a file may import: its own (sdw/), the one it mirrors (tests/)."""
    parts = relative.parts
    if parts[0] == "sdw":
        return parts[:-1]
    if parts[0] == "tests" and len(parts) > 3 and parts[1] in TEST_KINDS:
        return ("sdw", *parts[2:-1])
    return ()


def private_owner(module: str) -> tuple[str, ...] | None:
    """The package a private module belongs to (``sdw.local.engine._store`` -> sdw.local.engine)."""
    parts = tuple(module.split("."))
    for index, part in enumerate(parts):
        if part.startswith("_") and not part.startswith("__"):
            return parts[:index]
    return None


def check_source(relative: Path, source: str) -> list[str]:
    """Every breach in the module at ``relative`` (a path from the repository root) holding ``source``."""
    parts = relative.parts
    layer = parts[1] if parts[0] == "sdw" and len(parts) > 2 else None
    home = home_package(relative)
    problems: list[str] = []
    for lineno, module in _imports(ast.parse(source, str(relative))):
        top = module.split(".")
        where = f"{relative}:{lineno}"
        if top[0] in BOTO and layer != "aws" and parts[0] == "sdw":
            problems.append(f"{where}: imports {module}; only sdw/aws may import boto3")
        if top[0] != "sdw":
            continue
        owner = private_owner(module)
        if owner is not None and home[: len(owner)] != owner:
            face = ".".join(owner)
            problems.append(f"{where}: imports {module}, private to {face}; import its face, {face}")
        if layer is None or len(top) < 2:
            continue
        target = top[1]
        if target != layer and target in ALLOWED and target not in ALLOWED.get(layer, set()):
            problems.append(f"{where}: sdw.{layer} must not import sdw.{target}")
    return problems


def check(root: Path) -> list[str]:
    problems: list[str] = []
    for folder in SCANNED:
        for path in sorted((root / folder).rglob("*.py")):
            problems += check_source(path.relative_to(root), path.read_text())
    return problems


def main() -> int:
    problems = check(Path(__file__).resolve().parent.parent)
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
