"""sdw.project: see DESIGN.md."""
