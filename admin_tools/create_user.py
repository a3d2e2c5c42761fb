#!/usr/bin/env python3
"""Create a user in the local user pool: ``sdw users create`` under its old name.

    admin_tools/create_user.py --email alice@example.com [--password 'S3cret!pw'] [--state-dir .sdw]

Without --password a strong one is generated and printed once.
"""

from __future__ import annotations

from _cli import run

if __name__ == "__main__":
    run("create")
