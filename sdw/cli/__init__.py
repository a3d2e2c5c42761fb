"""The ``sdw`` command line: thin commands that wire the pieces (see DESIGN.md)."""

from __future__ import annotations

from sdw.cli._main import main

__all__ = ["main"]
