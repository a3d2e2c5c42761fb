"""sdw: Serverless Dynamic Workflows.

Python functions become JWT-protected HTTP endpoints; flows (Amazon States Language in
YAML) chain them. The same tree runs on one machine (``sdw dev``) or deploys to AWS.
See DESIGN.md in the shared folder for the layout and the direction of imports.
"""

__version__ = "0.1.0"
