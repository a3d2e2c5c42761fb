#!/usr/bin/env python3
"""A user's API calls per month: ``sdw usage`` under the seed's name for it.

    admin_tools/get_user_usage.py --email user@example.com
    admin_tools/get_user_usage.py --user-id abc123
    admin_tools/get_user_usage.py --email user@example.com --months 3 [--json] [--stage dev]

The email is looked up in the user pool for the user's sub (locally, or with --stage in the
deployed stage's Cognito pool); --months N keeps the last N months, this one included.
Reads the usage table the functions count into: the local one, or the stage's DynamoDB table.
"""

from __future__ import annotations

from _cli import run

if __name__ == "__main__":
    run("usage")
