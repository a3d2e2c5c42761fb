"""sdw.aws: see DESIGN.md."""
