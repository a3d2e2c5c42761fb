"""sdw.system: see DESIGN.md."""
