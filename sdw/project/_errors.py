"""Errors of the project model.

    ProjectError        base: something in the project tree is wrong
    └── YamlError       a YAML file that does not parse (sdw.project._yaml), with its Location
"""

from __future__ import annotations


class ProjectError(Exception):
    """Base class of every error sdw.project raises."""
