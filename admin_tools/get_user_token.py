#!/usr/bin/env python3
"""Sign a user in and print their tokens: ``sdw users token`` under its old name.

    admin_tools/get_user_token.py --email alice@example.com [--password 'S3cret!pw']
        [--duration-value 7 --duration-unit minutes|hours|days|months] [--stage dev]

The password comes from --password, else the PASSWORD environment variable (as the seed's
tool took it), else a prompt when run in a terminal. A duration asks for tokens that live
that long within Cognito's limits (ID and access tokens at most a day, refresh tokens at
least an hour); what had to be capped is said on stderr. Prints Cognito's
AuthenticationResult (IdToken, AccessToken, RefreshToken, ExpiresIn, TokenType) as JSON; a
wrong password is one line on stderr and exit status 1. With --stage the tokens come from
that deployed stage's Cognito pool.
"""

from __future__ import annotations

from _cli import run

if __name__ == "__main__":
    run("users", "token")
