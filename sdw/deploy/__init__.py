"""sdw.deploy: see DESIGN.md."""
