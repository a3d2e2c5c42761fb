#!/usr/bin/env python3
"""Keep the direction of imports that DESIGN.md draws.

    asl, project        import nothing else of sdw
    system              ports and endpoint logic: project, asl
    local, aws, deploy  adapters: never each other (deploy reads system's route table)
    runtime             inside a Lambda: aws only (lazily, for SSM/DynamoDB)
    cli                 wires everything

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


def _imports(tree: ast.AST) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def check(root: Path) -> list[str]:
    problems: list[str] = []
    for path in sorted((root / "sdw").rglob("*.py")):
        parts = path.relative_to(root / "sdw").parts
        layer = parts[0] if len(parts) > 1 else None
        tree = ast.parse(path.read_text(), str(path))
        for lineno, module in _imports(tree):
            top = module.split(".")
            where = f"{path.relative_to(root)}:{lineno}"
            if top[0] in BOTO and layer != "aws":
                problems.append(f"{where}: imports {module}; only sdw/aws may import boto3")
            if top[0] != "sdw" or len(top) < 2 or layer is None:
                continue
            target = top[1]
            if target != layer and target in ALLOWED and target not in ALLOWED.get(layer, set()):
                problems.append(f"{where}: sdw.{layer} must not import sdw.{target}")
    return problems


def main() -> int:
    problems = check(Path(__file__).resolve().parent.parent)
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
