"""The tokens the local pool issues are shaped like Cognito's (no I/O)."""

from __future__ import annotations

import pytest

from sdw.local.userpool._keys import SigningKey
from sdw.local.userpool._tokens import TokenFactory, new_refresh_token, refresh_token_hash
from sdw.system import TokenLifetime
from tests.userpool_fixtures import CLIENT_ID, ISSUER, FakeClock, token_claims, token_header

SUB = "6f1c2d3e-0000-4000-8000-000000000001"


def test_id_token_carries_cognitos_id_token_claims(factory: TokenFactory, clock: FakeClock) -> None:
    claims = token_claims(factory.issue(sub=SUB, email="Alice@Example.com", refresh_token="r").id_token)
    now = int(clock())
    assert set(claims) == {
        "sub", "email", "email_verified", "cognito:username", "aud", "token_use", "auth_time",
        "iss", "exp", "iat", "jti", "origin_jti", "event_id",
    }  # fmt: skip
    assert claims["token_use"] == "id"
    assert claims["aud"] == CLIENT_ID
    assert claims["iss"] == ISSUER
    assert claims["email"] == "Alice@Example.com"
    assert claims["email_verified"] is True
    assert claims["cognito:username"] == SUB  # email-as-alias pools make the username the sub
    assert (claims["iat"], claims["auth_time"], claims["exp"]) == (now, now, now + 3600)


def test_access_token_carries_cognitos_access_token_claims(factory: TokenFactory, clock: FakeClock) -> None:
    claims = token_claims(factory.issue(sub=SUB, email="alice@example.com", refresh_token="r").access_token)
    assert set(claims) == {
        "sub", "client_id", "token_use", "scope", "username", "auth_time", "iss", "exp", "iat",
        "jti", "origin_jti", "event_id",
    }  # fmt: skip
    assert claims["token_use"] == "access"
    assert claims["client_id"] == CLIENT_ID
    assert claims["scope"] == "aws.cognito.signin.user.admin"
    assert claims["username"] == SUB
    assert "aud" not in claims and "email" not in claims


def test_both_tokens_of_one_sign_in_share_event_and_origin_but_not_jti(factory: TokenFactory) -> None:
    tokens = factory.issue(sub=SUB, email="alice@example.com", refresh_token="r")
    id_claims, access_claims = token_claims(tokens.id_token), token_claims(tokens.access_token)
    assert id_claims["event_id"] == access_claims["event_id"]
    assert id_claims["origin_jti"] == access_claims["origin_jti"]
    assert id_claims["jti"] != access_claims["jti"]


def test_a_refresh_keeps_auth_time_and_origin_jti(factory: TokenFactory, clock: FakeClock) -> None:
    first = token_claims(factory.issue(sub=SUB, email="a@b.co", refresh_token="r").id_token)
    clock.advance(600)
    again = factory.issue(
        sub=SUB,
        email="a@b.co",
        refresh_token="r",
        auth_time=first["auth_time"],
        origin_jti=first["origin_jti"],
    )
    claims = token_claims(again.id_token)
    assert claims["auth_time"] == first["auth_time"]
    assert claims["origin_jti"] == first["origin_jti"]
    assert claims["iat"] == first["iat"] + 600


def test_the_header_is_cognitos_kid_and_rs256_without_typ(
    factory: TokenFactory, signing_key: SigningKey
) -> None:
    header = token_header(factory.issue(sub=SUB, email="a@b.co", refresh_token="r").id_token)
    assert header == {"kid": signing_key.kid, "alg": "RS256"}


def test_the_lifetime_is_configurable_and_reported(signing_key: SigningKey, clock: FakeClock) -> None:
    factory = TokenFactory(signing_key, issuer=ISSUER, client_id=CLIENT_ID, ttl=300, clock=clock)
    tokens = factory.issue(sub=SUB, email="a@b.co", refresh_token="r")
    assert tokens.expires_in == 300
    assert token_claims(tokens.access_token)["exp"] == int(clock()) + 300
    assert tokens.as_cognito()["TokenType"] == "Bearer"


@pytest.mark.parametrize("ttl", [0, -1])
def test_refuses_a_lifetime_that_is_not_positive(signing_key: SigningKey, ttl: int) -> None:
    with pytest.raises(ValueError, match="positive"):
        TokenFactory(signing_key, issuer=ISSUER, client_id=CLIENT_ID, ttl=ttl)


def test_refresh_tokens_are_opaque_random_and_stored_only_as_a_hash() -> None:
    tokens = {new_refresh_token() for _ in range(50)}
    assert len(tokens) == 50
    token = tokens.pop()
    assert token.count(".") == 0 and len(token) >= 80
    digest = refresh_token_hash(token)
    assert len(digest) == 64 and token not in digest
    assert refresh_token_hash(token) == digest


def test_groups_are_in_both_tokens_and_absent_without_any(factory: TokenFactory) -> None:
    tokens = factory.issue(sub=SUB, email="a@b.co", refresh_token="r", groups=["admin", "editors"])
    assert token_claims(tokens.id_token)["cognito:groups"] == ["admin", "editors"]
    assert token_claims(tokens.access_token)["cognito:groups"] == ["admin", "editors"]
    plain = factory.issue(sub=SUB, email="a@b.co", refresh_token="r")
    assert "cognito:groups" not in token_claims(plain.id_token)
    assert "cognito:groups" not in token_claims(plain.access_token)


def test_a_chosen_lifetime_sets_each_tokens_exp_and_expires_in(
    factory: TokenFactory, clock: FakeClock
) -> None:
    lifetime = TokenLifetime(id_token=86400, access_token=600, refresh_token=604800)
    tokens = factory.issue(sub=SUB, email="a@b.co", refresh_token="r", lifetime=lifetime)
    now = int(clock())
    assert token_claims(tokens.id_token)["exp"] == now + 86400
    assert token_claims(tokens.access_token)["exp"] == now + 600
    assert tokens.expires_in == 600  # Cognito's ExpiresIn is the access token's
