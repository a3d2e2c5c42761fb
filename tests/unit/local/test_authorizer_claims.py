"""What the integration receives from the authorizer, and the verified-token cache.

HTTP API passes claims in ``requestContext.authorizer.jwt.claims`` with string values:
numbers as their JSON text, booleans ``true``/``false``, arrays as ``[a b]`` (the form
observed on real HTTP APIs for ``cognito:groups``). No I/O.
"""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from sdw.local import JwtAuthorizer, claim_string
from sdw.local.userpool import SigningKey
from tests.userpool_fixtures import CLIENT_ID, ISSUER, FakeClock, forge_token


def access_claims(clock: FakeClock, **extra: Any) -> dict[str, Any]:
    now = int(clock())
    return {
        "sub": "u-1",
        "iss": ISSUER,
        "client_id": CLIENT_ID,
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin",
        "iat": now,
        "exp": now + 3600,
        **extra,
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("text", "text"),
        ("", ""),
        (1700000000, "1700000000"),
        (-3, "-3"),
        (0, "0"),
        (True, "true"),
        (False, "false"),
        (["admin", "editors"], "[admin editors]"),
        ([], "[]"),
        ([1, True, "x"], "[1 true x]"),
        ([["a", "b"], "c"], "[[a b] c]"),
        ({"b": 1, "a": "x"}, "map[a:x b:1]"),
        (None, "<nil>"),
    ],
)
def test_stringifies_a_claim_as_http_api_does(value: object, expected: str) -> None:
    assert claim_string(value) == expected


def test_passes_every_claim_as_a_string(
    authorizer: JwtAuthorizer, signing_key: SigningKey, clock: FakeClock
) -> None:
    token = signing_key.sign(
        access_claims(
            clock, **{"cognito:groups": ["admin", "editors"], "email_verified": True, "custom:n": 7}
        )
    )
    principal = authorizer.authorize(token)
    assert principal is not None
    assert principal.claims["cognito:groups"] == "[admin editors]"
    assert principal.claims["email_verified"] == "true"
    assert principal.claims["custom:n"] == "7"
    assert principal.claims["exp"] == str(int(clock()) + 3600)
    assert all(isinstance(value, str) for value in principal.claims.values())


def test_keeps_the_json_text_of_a_number_with_a_fraction_or_exponent(
    authorizer: JwtAuthorizer, signing_key: SigningKey, private_key: rsa.RSAPrivateKey, clock: FakeClock
) -> None:
    exp = int(clock()) + 60
    body = (
        f'{{"sub":"u-1","iss":"{ISSUER}","client_id":"{CLIENT_ID}","token_use":"access","exp":{exp},'
        '"ratio":0.50,"big":1e3,"neg":-2.5E-1}'
    ).encode()
    # Signed as a raw body, so the number texts reach the authorizer exactly as written.
    token = forge_token({"kid": signing_key.kid, "alg": "RS256"}, body, rsa_key=private_key)
    principal = authorizer.authorize(token)
    assert principal is not None
    assert (principal.claims["ratio"], principal.claims["big"], principal.claims["neg"]) == (
        "0.50",
        "1e3",
        "-2.5E-1",
    )


def test_accepts_a_fractional_exp(
    authorizer: JwtAuthorizer, signing_key: SigningKey, clock: FakeClock
) -> None:
    assert authorizer.authorize(signing_key.sign(access_claims(clock, exp=clock() + 0.5))) is not None
    clock.advance(1)
    assert authorizer.authorize(signing_key.sign(access_claims(clock, exp=clock() - 0.5))) is None


@pytest.mark.parametrize(
    ("claims", "scopes"),
    [
        ({"scope": "read write  admin"}, ["read", "write", "admin"]),
        ({"scope": ""}, []),
        ({"scp": ["read", "write"]}, ["read", "write"]),
        ({"scp": "read write"}, ["read", "write"]),
        ({"scope": None}, None),
    ],
)
def test_scopes_are_the_scope_claim_split_on_spaces(
    authorizer: JwtAuthorizer,
    signing_key: SigningKey,
    clock: FakeClock,
    claims: dict[str, Any],
    scopes: list[str] | None,
) -> None:
    base = access_claims(clock)
    del base["scope"]
    principal = authorizer.authorize(signing_key.sign({**base, **claims}))
    assert principal is not None
    assert principal.scopes == scopes


# -- the cache --------------------------------------------------------------------------------


def test_a_second_call_with_the_same_token_is_served_from_the_cache(
    authorizer: JwtAuthorizer, signing_key: SigningKey, clock: FakeClock
) -> None:
    token = signing_key.sign(access_claims(clock))
    first = authorizer.authorize(f"Bearer {token}")
    assert authorizer.cache_size() == 1
    second = authorizer.authorize(token)  # the same token, bare: the same cache entry
    assert first == second
    assert authorizer.cache_size() == 1


def test_a_cached_token_still_expires_on_time(
    authorizer: JwtAuthorizer, signing_key: SigningKey, clock: FakeClock
) -> None:
    token = signing_key.sign(access_claims(clock))
    assert authorizer.authorize(token) is not None
    clock.advance(3599)
    assert authorizer.authorize(token) is not None
    clock.advance(1)
    assert authorizer.authorize(token) is None
    assert authorizer.cache_size() == 0  # the expired entry is dropped


def test_failures_are_not_cached(
    authorizer: JwtAuthorizer, signing_key: SigningKey, clock: FakeClock
) -> None:
    forged = forge_token({"kid": signing_key.kid, "alg": "none"}, access_claims(clock))
    wrong_audience = signing_key.sign(access_claims(clock, client_id="other"))
    for _ in range(3):
        assert authorizer.authorize(forged) is None
        assert authorizer.authorize(wrong_audience) is None
    assert authorizer.cache_size() == 0


def test_a_token_not_yet_valid_becomes_valid_without_a_stale_refusal(
    authorizer: JwtAuthorizer, signing_key: SigningKey, clock: FakeClock
) -> None:
    token = signing_key.sign(access_claims(clock, nbf=int(clock()) + 10))
    assert authorizer.authorize(token) is None
    clock.advance(10)
    assert authorizer.authorize(token) is not None


def test_the_cache_is_bounded_and_evicts_the_least_recently_used(
    signing_key: SigningKey, clock: FakeClock
) -> None:
    authorizer = JwtAuthorizer(
        issuer=ISSUER,
        audience=[CLIENT_ID],
        jwks={"keys": [signing_key.public_jwk()]},
        clock=clock,
        cache_size=2,
    )
    a, b, c = (signing_key.sign(access_claims(clock, sub=name)) for name in "abc")
    for token in (a, b, a, c):  # b is now the least recently used
        assert authorizer.authorize(token) is not None
    assert authorizer.cache_size() == 2
    authorizer.clear_cache()
    assert authorizer.cache_size() == 0


def test_a_handler_editing_its_claims_cannot_change_the_next_request(
    authorizer: JwtAuthorizer, signing_key: SigningKey, clock: FakeClock
) -> None:
    token = signing_key.sign(access_claims(clock))
    first = authorizer.authorize(token)
    assert first is not None and first.scopes is not None
    first.claims["sub"] = "someone-else"  # type: ignore[index]
    first.scopes.append("admin")
    second = authorizer.authorize(token)
    assert second is not None
    assert second.claims["sub"] == "u-1"
    assert second.scopes == ["aws.cognito.signin.user.admin"]
