"""sdw.deploy: the project model -> Serverless/CloudFormation sections. Pure; no boto3 (DESIGN.md).

``compile_project`` renders one stage's sections for serverless.yml; ``finalize`` turns the
template osls packaged into the root and nested templates that deploy; ``parse_permissions``
reads lambda-permissions.yml; ``deployer_policy`` is the least-privilege policy of whoever
runs ``osls deploy`` (policy.json).
"""

from __future__ import annotations

from sdw.deploy._asl_iam import role_statements
from sdw.deploy._compiler import (
    CompileError,
    DeploySettings,
    build_models,
    compile_project,
    system_statements,
)
from sdw.deploy._errors import DeployError, StackLimitError, UnsupportedError
from sdw.deploy._generate import Sections, TemplateGenerator, Unit
from sdw.deploy._names import Names, logical_id
from sdw.deploy._permissions import PERMISSIONS_FILE, parse_permissions
from sdw.deploy._policy import (
    OSLS_ACTIONS,
    RESOURCE_ACTIONS,
    UNSCOPED,
    deployer_policy,
    needed_actions,
    scopes,
)
from sdw.deploy._stacks import (
    MAX_RESOURCES,
    MAX_TEMPLATE_BYTES,
    Packaged,
    drop_redundant_depends_on,
    finalize,
    layer_key,
    nested_file,
    references,
    template_bytes,
)

__all__ = [
    "MAX_RESOURCES",
    "MAX_TEMPLATE_BYTES",
    "OSLS_ACTIONS",
    "PERMISSIONS_FILE",
    "RESOURCE_ACTIONS",
    "UNSCOPED",
    "CompileError",
    "DeployError",
    "DeploySettings",
    "Names",
    "Packaged",
    "Sections",
    "StackLimitError",
    "TemplateGenerator",
    "Unit",
    "UnsupportedError",
    "build_models",
    "compile_project",
    "deployer_policy",
    "drop_redundant_depends_on",
    "finalize",
    "layer_key",
    "logical_id",
    "needed_actions",
    "nested_file",
    "parse_permissions",
    "references",
    "role_statements",
    "scopes",
    "system_statements",
    "template_bytes",
]
