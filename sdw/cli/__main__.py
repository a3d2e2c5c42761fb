"""``python -m sdw.cli``: what the serverless.yml bridge runs (no console script needed)."""

from __future__ import annotations

from sdw.cli import main

main()
