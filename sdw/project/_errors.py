"""Errors of the project model.

    ProjectError        base: something in the project tree is wrong
    ├── YamlError       a YAML file that does not parse (sdw.project._yaml), with its Location
    └── ProjectLoadError  the tree cannot be loaded at all (no such folder), with its problems
"""

from __future__ import annotations


class ProjectError(Exception):
    """Base class of every error sdw.project raises."""


class ProjectLoadError(ProjectError):
    """The project tree cannot be loaded at all; ``problems`` lists why."""

    def __init__(self, message: str, problems: list[object] | None = None) -> None:
        self.problems = problems or []
        super().__init__(message)
