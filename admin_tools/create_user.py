#!/usr/bin/env python3
"""Create a user: ``sdw users create`` under its old name.

    admin_tools/create_user.py --email alice@example.com [--password 'S3cret!pw'] [--state-dir .sdw]
    admin_tools/create_user.py --email alice@example.com --stage dev [--service sdw] [--region eu-west-1]

Without --password a strong one is generated and printed once. With --stage the user is
made in that deployed stage's Cognito pool (AWS credentials from the environment), not in
the local pool.
"""

from __future__ import annotations

from _cli import run

if __name__ == "__main__":
    run("users", "create")
