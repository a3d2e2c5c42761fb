"""sdw.local: see DESIGN.md."""
