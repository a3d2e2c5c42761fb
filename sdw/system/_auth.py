"""The logic of ``GET /auth/config`` and ``GET /auth/verify``, written once against the ports.

``GET /auth/config`` (no authorizer) tells a client how to sign in and how to check tokens,
so a frontend or a script needs no hand-copied ids. Its keys:

    region            the pool's region, e.g. "us-east-1"
    userPoolId        the Cognito user pool id, e.g. "us-east-1_AbC123xyz"
    clientId          the app client id (the audience of ID tokens)
    userPoolClientId  the same value under the name Amplify's ``Auth.Cognito`` config uses
                      (``Amplify.configure({Auth: {Cognito: {userPoolId, userPoolClientId}}})``)
    issuer            the ``iss`` of every token: https://cognito-idp.<region>.amazonaws.com/<pool>
                      on AWS, http://127.0.0.1:3000/<pool> locally
    jwksUrl           <issuer>/.well-known/jwks.json, the public keys that sign the tokens

``GET /auth/verify`` (behind the JWT authorizer) echoes who the caller is: ``userId`` (the
``sub``), ``claims`` exactly as the integration received them (string values, as HTTP API
passes them) and ``scopes``. The gateway has already refused a bad token with 401 before
this runs; a request that reaches it without a principal is answered 401 the same way.

On AWS the Lambda behind /auth/verify gets the principal from its event
(``principal_from_event``); locally the gateway passes the authorizer's Principal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sdw.system._ports import Principal, UserDirectory
from sdw.system._responses import SystemResponse, unauthorized


def auth_config(directory: UserDirectory) -> SystemResponse:
    """``GET /auth/config``: what a client needs to sign in and verify tokens."""
    config = directory.config()
    return SystemResponse(
        200,
        {
            "region": config.region,
            "userPoolId": config.user_pool_id,
            "clientId": config.client_id,
            "userPoolClientId": config.client_id,
            "issuer": config.issuer,
            "jwksUrl": config.jwks_url,
        },
    )


def verify_caller(principal: Principal | None) -> SystemResponse:
    """``GET /auth/verify``: the authorized caller's identity and claims."""
    if principal is None:
        return unauthorized()
    return SystemResponse(
        200,
        {
            "userId": principal.user_id,
            "claims": dict(principal.claims),
            "scopes": None if principal.scopes is None else list(principal.scopes),
        },
    )


def principal_from_event(event: Mapping[str, Any]) -> Principal | None:
    """The caller of an API Gateway 2.0 event, from ``requestContext.authorizer.jwt``.

    None when the route had no JWT authorizer or the claims carry no ``sub``.
    """
    context = event.get("requestContext")
    authorizer = context.get("authorizer") if isinstance(context, Mapping) else None
    jwt = authorizer.get("jwt") if isinstance(authorizer, Mapping) else None
    claims = jwt.get("claims") if isinstance(jwt, Mapping) else None
    if not isinstance(claims, Mapping) or "sub" not in claims:
        return None
    scopes = jwt.get("scopes") if isinstance(jwt, Mapping) else None
    return Principal(
        claims=dict(claims),
        scopes=[str(scope) for scope in scopes] if isinstance(scopes, list) else None,
    )
