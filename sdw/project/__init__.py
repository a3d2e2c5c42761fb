"""sdw.project: the app model (functions, plugins, later flows) loaded from the tree.

Plain data; no sockets, no AWS. See DESIGN.md.
"""

from __future__ import annotations

from sdw.project._errors import ProjectError, ProjectLoadError
from sdw.project._function_config import FunctionSettings, parse_function_config
from sdw.project._loader import load_project
from sdw.project._model import Function, LoadResult, Plugin, Problem, Project, Severity, deployed_name
from sdw.project._names import check_name
from sdw.project._yaml import Location, YamlDocument, YamlError, load_yaml

__all__ = [
    "Function",
    "FunctionSettings",
    "LoadResult",
    "Location",
    "Plugin",
    "Problem",
    "Project",
    "ProjectError",
    "ProjectLoadError",
    "Severity",
    "YamlDocument",
    "YamlError",
    "check_name",
    "deployed_name",
    "load_project",
    "load_yaml",
    "parse_function_config",
]
