"""Tokens shaped like Cognito's: what InitiateAuth(USER_PASSWORD_AUTH) hands back.

Pure: no I/O, the time from an injected clock, so the shapes and lifetimes are tested
without a database or a sleep. The claims, and their names, are those of a Cognito user
pool whose users sign in with their email (``UsernameAttributes: [email]``), plus
``cognito:groups`` (the user's groups, in both tokens) when the user is in any:

ID token (``token_use: id``; the audience is the app client):
    sub, email, email_verified, cognito:username, aud, token_use, auth_time, iss, exp,
    iat, jti, origin_jti, event_id
Access token (``token_use: access``; ``client_id`` instead of ``aud``):
    sub, client_id, token_use, scope, username, auth_time, iss, exp, iat, jti,
    origin_jti, event_id

In such a pool Cognito makes the username itself (a UUID equal to ``sub``), so
``cognito:username`` and ``username`` carry the sub, and the email is the ``email`` claim.
``scope`` is ``aws.cognito.signin.user.admin``, what Cognito grants a token from the user
pool API (as opposed to the hosted UI's OAuth scopes). ``origin_jti`` and ``auth_time``
stay the same across refreshes of one sign-in; ``event_id`` ties the ID and access token
of one issue together. The refresh token is an opaque random string: Cognito's is an
encrypted blob clients cannot read either, and the pool keeps only its hash.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from sdw.local.userpool._keys import SigningKey
from sdw.system import TokenLifetime, Tokens

Clock = Callable[[], float]


def new_refresh_token() -> str:
    """An opaque refresh token (512 random bits, base64url)."""
    return secrets.token_urlsafe(64)


def refresh_token_hash(refresh_token: str) -> str:
    """What the pool stores for a refresh token: SHA-256, hex (the token is random, no salt needed)."""
    return hashlib.sha256(refresh_token.encode("utf-8")).hexdigest()


class TokenFactory:
    """Signs Cognito-shaped ID and access tokens for one pool and app client."""

    SCOPE = "aws.cognito.signin.user.admin"
    DEFAULT_TTL = 3600  # Cognito's default ID/access token validity: one hour

    def __init__(
        self,
        signing_key: SigningKey,
        *,
        issuer: str,
        client_id: str,
        ttl: int = DEFAULT_TTL,
        clock: Clock = time.time,
    ) -> None:
        if ttl <= 0:
            raise ValueError("token lifetime must be positive")
        self.signing_key = signing_key
        self.issuer = issuer
        self.client_id = client_id
        self.ttl = ttl
        self.clock = clock

    def id_claims(
        self, *, sub: str, email: str, now: int, auth_time: int, origin_jti: str, event_id: str
    ) -> dict[str, Any]:
        return {
            "sub": sub,
            "email_verified": True,
            "iss": self.issuer,
            "cognito:username": sub,
            "origin_jti": origin_jti,
            "aud": self.client_id,
            "event_id": event_id,
            "token_use": "id",
            "auth_time": auth_time,
            "exp": now + self.ttl,
            "iat": now,
            "jti": str(uuid.uuid4()),
            "email": email,
        }

    def access_claims(
        self, *, sub: str, now: int, auth_time: int, origin_jti: str, event_id: str
    ) -> dict[str, Any]:
        return {
            "sub": sub,
            "iss": self.issuer,
            "client_id": self.client_id,
            "origin_jti": origin_jti,
            "event_id": event_id,
            "token_use": "access",
            "scope": self.SCOPE,
            "auth_time": auth_time,
            "exp": now + self.ttl,
            "iat": now,
            "jti": str(uuid.uuid4()),
            "username": sub,
        }

    def issue(
        self,
        *,
        sub: str,
        email: str,
        refresh_token: str,
        auth_time: int | None = None,
        origin_jti: str | None = None,
        groups: Sequence[str] = (),
        lifetime: TokenLifetime | None = None,
    ) -> Tokens:
        """The ID and access tokens of one sign-in (or one refresh, given its auth_time/origin_jti).

        ``lifetime`` sets how long the ID and access tokens live (``ExpiresIn`` is the access
        token's); None keeps the factory's ``ttl``. ``groups`` become ``cognito:groups``.
        """
        now = int(self.clock())
        auth_time = now if auth_time is None else auth_time
        origin_jti = origin_jti or str(uuid.uuid4())
        event_id = str(uuid.uuid4())
        id_claims = self.id_claims(
            sub=sub, email=email, now=now, auth_time=auth_time, origin_jti=origin_jti, event_id=event_id
        )
        access_claims = self.access_claims(
            sub=sub, now=now, auth_time=auth_time, origin_jti=origin_jti, event_id=event_id
        )
        if lifetime is not None:
            id_claims["exp"], access_claims["exp"] = now + lifetime.id_token, now + lifetime.access_token
        if groups:
            id_claims["cognito:groups"] = access_claims["cognito:groups"] = list(groups)
        return Tokens(
            id_token=self.signing_key.sign(id_claims),
            access_token=self.signing_key.sign(access_claims),
            refresh_token=refresh_token,
            expires_in=self.ttl if lifetime is None else lifetime.access_token,
        )
