"""sdw.project: the app model (functions, plugins, flows) loaded from the tree.

Plain data; no sockets, no AWS. See DESIGN.md.
"""

from __future__ import annotations

from sdw.project._errors import ProjectError, ProjectLoadError
from sdw.project._flows import load_flows
from sdw.project._flows_definition import (
    DefinitionDiagnostic,
    DefinitionValidator,
    find_placeholders,
    substitute_placeholders,
)
from sdw.project._flows_link import FlowLoad, FlowSource, compile_flows
from sdw.project._flows_model import (
    DEFAULT_ACCOUNT_ID,
    ArnNaming,
    Flow,
    FlowFile,
    FlowType,
    check_flow_name,
    refused_character,
)
from sdw.project._flows_parse import FlowSpec, parse_flow
from sdw.project._function_config import (
    FunctionSettings,
    check_connection_name,
    check_connection_type,
    check_secret_name,
    parse_function_config,
)
from sdw.project._loader import load_project, read_service
from sdw.project._model import Function, LoadResult, Plugin, Problem, Project, Severity, deployed_name
from sdw.project._names import check_name
from sdw.project._plugin_source import (
    DEFAULT_SERVICE,
    PACKAGED_PLUGINS,
    GitSource,
    PluginFetcher,
    PluginFetchError,
    packaged_plugins,
    parse_git_entry,
    redact,
)
from sdw.project._schedule import Schedule, ScheduleError, parse_schedule
from sdw.project._schedule_times import fire_times, is_fire_time, latest_fire_time, next_fire_time
from sdw.project._yaml import Location, YamlDocument, YamlError, load_yaml

__all__ = [
    "DEFAULT_ACCOUNT_ID",
    "DEFAULT_SERVICE",
    "PACKAGED_PLUGINS",
    "ArnNaming",
    "DefinitionDiagnostic",
    "DefinitionValidator",
    "Flow",
    "FlowFile",
    "FlowLoad",
    "FlowSource",
    "FlowSpec",
    "FlowType",
    "Function",
    "FunctionSettings",
    "GitSource",
    "LoadResult",
    "Location",
    "Plugin",
    "PluginFetchError",
    "PluginFetcher",
    "Problem",
    "Project",
    "ProjectError",
    "ProjectLoadError",
    "Schedule",
    "ScheduleError",
    "Severity",
    "YamlDocument",
    "YamlError",
    "check_connection_name",
    "check_connection_type",
    "check_flow_name",
    "check_name",
    "check_secret_name",
    "compile_flows",
    "deployed_name",
    "find_placeholders",
    "fire_times",
    "is_fire_time",
    "latest_fire_time",
    "load_flows",
    "load_project",
    "load_yaml",
    "next_fire_time",
    "packaged_plugins",
    "parse_flow",
    "parse_function_config",
    "parse_git_entry",
    "parse_schedule",
    "read_service",
    "redact",
    "refused_character",
    "substitute_placeholders",
]
