#!/usr/bin/env python3
"""Sign a user in and print their tokens: ``sdw users token`` under its old name.

    admin_tools/get_user_token.py --email alice@example.com --password 'S3cret!pw'
    admin_tools/get_user_token.py --email alice@example.com --password 'S3cret!pw' --stage dev

Prints Cognito's AuthenticationResult (IdToken, AccessToken, RefreshToken, ExpiresIn,
TokenType) as JSON; a wrong password is one line on stderr and exit status 1. With
--stage the tokens come from that deployed stage's Cognito pool.
"""

from __future__ import annotations

from _cli import run

if __name__ == "__main__":
    run("token")
