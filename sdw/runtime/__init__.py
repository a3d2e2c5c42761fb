"""sdw.runtime: see DESIGN.md."""
