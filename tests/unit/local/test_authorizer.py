"""The JWT authorizer refuses what API Gateway's HTTP API JWT authorizer refuses.

The rules cited are from the AWS doc "Control access to HTTP APIs with JWT authorizers in
API Gateway", section "Authorizing API requests with a JWT authorizer". No I/O: keys are
generated in memory and the clock is a FakeClock.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from sdw.local import JwtAuthorizer, TokenRejectedError
from sdw.local.userpool import SigningKey, TokenFactory
from sdw.system import Principal
from tests.userpool_fixtures import (
    CLIENT_ID,
    ISSUER,
    FakeClock,
    b64url_encode,
    forge_token,
    rsa_key,
    tamper_payload,
    token_claims,
    token_header,
)

SUB = "6f1c2d3e-0000-4000-8000-000000000001"


@pytest.fixture(scope="module")
def other_key() -> SigningKey:
    return SigningKey(rsa_key(1))


def issue(factory: TokenFactory) -> tuple[str, str]:
    tokens = factory.issue(sub=SUB, email="alice@example.com", refresh_token="opaque")
    return tokens.id_token, tokens.access_token


def signed(signing_key: SigningKey, **claims: Any) -> str:
    return signing_key.sign(claims)


def id_claims(clock: FakeClock, **changes: Any) -> dict[str, Any]:
    now = int(clock())
    claims = {
        "sub": SUB,
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "token_use": "id",
        "iat": now,
        "exp": now + 3600,
        "email": "alice@example.com",
    }
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not None}


def reason(authorizer: JwtAuthorizer, header: str | None) -> str:
    with pytest.raises(TokenRejectedError) as caught:
        authorizer.verify(header)
    return caught.value.description


# -- what passes ----------------------------------------------------------------------------


def test_accepts_a_valid_id_token_with_the_bearer_prefix(
    authorizer: JwtAuthorizer, factory: TokenFactory
) -> None:
    id_token, _ = issue(factory)
    principal = authorizer.authorize(f"Bearer {id_token}")
    assert isinstance(principal, Principal)
    assert principal.user_id == SUB
    assert principal.claims["token_use"] == "id"
    assert principal.claims["aud"] == CLIENT_ID
    assert principal.claims["email"] == "alice@example.com"


def test_accepts_a_bare_token_as_the_identity_source_may_hold_only_the_token(
    authorizer: JwtAuthorizer, factory: TokenFactory
) -> None:
    id_token, _ = issue(factory)
    assert authorizer.authorize(id_token) is not None


def test_accepts_a_valid_access_token_matched_on_client_id(
    authorizer: JwtAuthorizer, factory: TokenFactory
) -> None:
    _, access_token = issue(factory)
    principal = authorizer.authorize(f"Bearer {access_token}")
    assert principal is not None
    assert principal.claims["client_id"] == CLIENT_ID
    assert "aud" not in principal.claims
    assert principal.scopes == ["aws.cognito.signin.user.admin"]


def test_an_id_token_has_no_scopes(authorizer: JwtAuthorizer, factory: TokenFactory) -> None:
    id_token, _ = issue(factory)
    principal = authorizer.authorize(id_token)
    assert principal is not None and principal.scopes is None


def test_accepts_a_token_one_second_before_it_expires(
    authorizer: JwtAuthorizer, factory: TokenFactory, clock: FakeClock
) -> None:
    id_token, _ = issue(factory)
    clock.advance(3599)
    assert authorizer.authorize(id_token) is not None


def test_accepts_several_audiences_when_the_authorizer_lists_them(
    signing_key: SigningKey, clock: FakeClock
) -> None:
    authorizer = JwtAuthorizer(
        issuer=ISSUER, audience=["other", CLIENT_ID], jwks={"keys": [signing_key.public_jwk()]}, clock=clock
    )
    assert authorizer.authorize(signed(signing_key, **id_claims(clock, aud=["x", CLIENT_ID]))) is not None


def test_accepts_a_token_without_nbf_and_iat(
    authorizer: JwtAuthorizer, signing_key: SigningKey, clock: FakeClock
) -> None:
    assert authorizer.authorize(signed(signing_key, **id_claims(clock, iat=None))) is not None


# -- time -------------------------------------------------------------------------------------


def test_refuses_an_expired_token(authorizer: JwtAuthorizer, factory: TokenFactory, clock: FakeClock) -> None:
    id_token, access_token = issue(factory)
    clock.advance(3601)
    assert authorizer.authorize(id_token) is None
    assert reason(authorizer, access_token) == "the token has expired"


def test_refuses_a_token_at_the_second_it_expires(
    authorizer: JwtAuthorizer, factory: TokenFactory, clock: FakeClock
) -> None:
    # AWS: exp "must be after the current time"; at exp it no longer is.
    id_token, _ = issue(factory)
    clock.advance(3600)
    assert authorizer.authorize(id_token) is None


def test_refuses_a_token_that_is_not_valid_yet(
    authorizer: JwtAuthorizer, signing_key: SigningKey, clock: FakeClock
) -> None:
    token = signed(signing_key, **id_claims(clock, nbf=int(clock()) + 60))
    assert reason(authorizer, token) == "the token is not valid yet"
    clock.advance(60)
    assert authorizer.authorize(token) is not None


def test_refuses_a_token_issued_in_the_future(
    authorizer: JwtAuthorizer, signing_key: SigningKey, clock: FakeClock
) -> None:
    token = signed(signing_key, **id_claims(clock, iat=int(clock()) + 5))
    assert reason(authorizer, token) == "the token was issued in the future"


def test_refuses_a_token_without_exp(
    authorizer: JwtAuthorizer, signing_key: SigningKey, clock: FakeClock
) -> None:
    assert (
        reason(authorizer, signed(signing_key, **id_claims(clock, exp=None))) == "the token has no exp claim"
    )


@pytest.mark.parametrize("exp", ["1900000000", True, [1900000000], {"at": 1}])
def test_refuses_an_exp_that_is_not_a_number(
    authorizer: JwtAuthorizer, signing_key: SigningKey, clock: FakeClock, exp: object
) -> None:
    assert authorizer.authorize(signed(signing_key, **id_claims(clock, exp=exp))) is None


def test_allows_no_clock_skew_by_default_but_a_leeway_can_be_given(
    signing_key: SigningKey, factory: TokenFactory, clock: FakeClock
) -> None:
    jwks = {"keys": [signing_key.public_jwk()]}
    strict = JwtAuthorizer(issuer=ISSUER, audience=[CLIENT_ID], jwks=jwks, clock=clock)
    lenient = JwtAuthorizer(issuer=ISSUER, audience=[CLIENT_ID], jwks=jwks, clock=clock, leeway=30)
    id_token, _ = issue(factory)
    clock.advance(3610)
    assert strict.authorize(id_token) is None
    assert lenient.authorize(id_token) is not None


# -- signature and algorithm ------------------------------------------------------------------


def test_refuses_a_tampered_signature(authorizer: JwtAuthorizer, factory: TokenFactory) -> None:
    id_token, _ = issue(factory)
    header, payload, signature = id_token.split(".")
    flipped = ("A" if signature[10] != "A" else "B").join((signature[:10], signature[11:]))
    assert reason(authorizer, f"{header}.{payload}.{flipped}") == "the token's signature is invalid"


def test_refuses_a_token_with_its_signature_cut_off(authorizer: JwtAuthorizer, factory: TokenFactory) -> None:
    id_token, _ = issue(factory)
    assert authorizer.authorize(id_token.rsplit(".", 1)[0] + ".") is None


def test_refuses_a_tampered_payload_under_a_valid_signature(
    authorizer: JwtAuthorizer, factory: TokenFactory
) -> None:
    id_token, _ = issue(factory)
    forged = tamper_payload(id_token, sub="someone-else")
    assert reason(authorizer, forged) == "the token's signature is invalid"


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
def test_refuses_alg_none(
    authorizer: JwtAuthorizer, signing_key: SigningKey, clock: FakeClock, alg: str
) -> None:
    token = forge_token({"kid": signing_key.kid, "alg": alg}, id_claims(clock))
    assert token.endswith(".")
    assert reason(authorizer, token) == f"signing method {alg} is invalid; only RS256 is accepted"


def test_refuses_a_header_without_alg(
    authorizer: JwtAuthorizer, signing_key: SigningKey, clock: FakeClock, private_key: rsa.RSAPrivateKey
) -> None:
    assert (
        authorizer.authorize(forge_token({"kid": signing_key.kid}, id_claims(clock), rsa_key=private_key))
        is None
    )


@pytest.mark.parametrize("secret_form", ["pem", "der", "jwk-json", "n-bytes"])
def test_refuses_hs256_signed_with_the_public_key_as_the_secret(
    authorizer: JwtAuthorizer, signing_key: SigningKey, clock: FakeClock, secret_form: str
) -> None:
    # The classic key-confusion attack: a verifier that lets the token pick the algorithm
    # would check this HMAC with the public key, which everyone has, and accept it.
    public = signing_key.public_key()
    secrets = {
        "pem": public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
        "der": public.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
        "jwk-json": json.dumps(signing_key.public_jwk()).encode(),
        "n-bytes": public.public_numbers().n.to_bytes(256, "big"),
    }
    token = forge_token(
        {"kid": signing_key.kid, "alg": "HS256"}, id_claims(clock), hmac_secret=secrets[secret_form]
    )
    assert reason(authorizer, token) == "signing method HS256 is invalid; only RS256 is accepted"


@pytest.mark.parametrize("alg", ["RS384", "RS512", "PS256", "ES256", "HS512", "rs256"])
def test_refuses_every_algorithm_but_rs256(
    authorizer: JwtAuthorizer,
    signing_key: SigningKey,
    clock: FakeClock,
    private_key: rsa.RSAPrivateKey,
    alg: str,
) -> None:
    # Signed RS256 whatever the header claims: only the header's word is being tested.
    token = forge_token({"kid": signing_key.kid, "alg": alg}, id_claims(clock), rsa_key=private_key)
    assert authorizer.authorize(token) is None


def test_refuses_an_unknown_kid(authorizer: JwtAuthorizer, other_key: SigningKey, clock: FakeClock) -> None:
    token = signed(other_key, **id_claims(clock))
    assert reason(authorizer, token) == "no key in the issuer's JWKS matches the token's kid"


@pytest.mark.parametrize("kid", [None, 7, ["x"], ""])
def test_refuses_a_missing_or_malformed_kid(
    authorizer: JwtAuthorizer, clock: FakeClock, private_key: rsa.RSAPrivateKey, kid: object
) -> None:
    header = {"alg": "RS256"} if kid is None else {"kid": kid, "alg": "RS256"}
    assert authorizer.authorize(forge_token(header, id_claims(clock), rsa_key=private_key)) is None


def test_refuses_another_key_claiming_our_kid(
    authorizer: JwtAuthorizer, signing_key: SigningKey, clock: FakeClock
) -> None:
    impostor = rsa_key(2)
    token = forge_token({"kid": signing_key.kid, "alg": "RS256"}, id_claims(clock), rsa_key=impostor)
    assert reason(authorizer, token) == "the token's signature is invalid"


def test_refuses_an_access_token_from_another_pool(
    authorizer: JwtAuthorizer, other_key: SigningKey, clock: FakeClock
) -> None:
    other_pool = TokenFactory(
        other_key,
        issuer="http://127.0.0.1:3000/us-east-1_Other0000",
        client_id="zyxwvutsrqponmlkjihgfedcba",
        clock=clock,
    )
    tokens = other_pool.issue(sub=SUB, email="alice@example.com", refresh_token="x")
    assert authorizer.authorize(f"Bearer {tokens.access_token}") is None
    assert authorizer.authorize(f"Bearer {tokens.id_token}") is None


def test_refuses_critical_header_extensions(
    authorizer: JwtAuthorizer, signing_key: SigningKey, clock: FakeClock, private_key: rsa.RSAPrivateKey
) -> None:
    header = {"kid": signing_key.kid, "alg": "RS256", "crit": ["exp"], "exp": 1}
    assert authorizer.authorize(forge_token(header, id_claims(clock), rsa_key=private_key)) is None


def test_ignores_jwks_entries_that_cannot_sign_rs256(signing_key: SigningKey, clock: FakeClock) -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1()).public_key().public_numbers()
    jwks = {
        "keys": [
            {
                "kty": "EC",
                "kid": "ec",
                "crv": "P-256",
                "x": b64url_encode(ec_key.x.to_bytes(32, "big")),
                "y": "AA",
            },
            {**signing_key.public_jwk(), "kid": "enc", "use": "enc"},
            {**signing_key.public_jwk(), "kid": "rs512", "alg": "RS512"},
            {"kty": "RSA", "kid": "broken", "n": "!!", "e": "AQAB"},
            "not a jwk",
            signing_key.public_jwk(),
        ]
    }
    authorizer = JwtAuthorizer(issuer=ISSUER, audience=[CLIENT_ID], jwks=jwks, clock=clock)
    assert authorizer.authorize(signed(signing_key, **id_claims(clock))) is not None


# -- claims -----------------------------------------------------------------------------------


def test_refuses_a_wrong_issuer(authorizer: JwtAuthorizer, signing_key: SigningKey, clock: FakeClock) -> None:
    for issuer in (
        ISSUER + "/",
        ISSUER.replace("3000", "3001"),
        "https://cognito-idp.us-east-1.amazonaws.com/x",
        None,
    ):
        token = signed(signing_key, **id_claims(clock, iss=issuer))
        assert authorizer.authorize(token) is None, issuer


def test_refuses_a_wrong_audience_with_the_reason_aws_gives(
    authorizer: JwtAuthorizer, signing_key: SigningKey, clock: FakeClock
) -> None:
    token = signed(signing_key, **id_claims(clock, aud="someone-else"))
    with pytest.raises(TokenRejectedError) as caught:
        authorizer.verify(token)
    # The www-authenticate value the AWS troubleshooting page shows for this case.
    assert caught.value.www_authenticate() == (
        'Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience"'
    )


def test_refuses_a_wrong_client_id(
    authorizer: JwtAuthorizer, signing_key: SigningKey, clock: FakeClock
) -> None:
    token = signed(signing_key, **id_claims(clock, aud=None, token_use="access", client_id="someone-else"))
    assert reason(authorizer, token) == "the token does not have a valid audience"


def test_evaluates_aud_and_not_client_id_when_both_are_present(
    authorizer: JwtAuthorizer, signing_key: SigningKey, clock: FakeClock
) -> None:
    # AWS: "When both aud and client_id are present, API Gateway evaluates aud."
    wrong_aud = signed(signing_key, **id_claims(clock, aud="someone-else", client_id=CLIENT_ID))
    right_aud = signed(signing_key, **id_claims(clock, aud=CLIENT_ID, client_id="someone-else"))
    assert authorizer.authorize(wrong_aud) is None
    assert authorizer.authorize(right_aud) is not None


def test_refuses_a_token_without_aud_or_client_id(
    authorizer: JwtAuthorizer, signing_key: SigningKey, clock: FakeClock
) -> None:
    assert authorizer.authorize(signed(signing_key, **id_claims(clock, aud=None))) is None


@pytest.mark.parametrize("aud", [[], [7], {"a": CLIENT_ID}, 7])
def test_refuses_a_malformed_aud(
    authorizer: JwtAuthorizer, signing_key: SigningKey, clock: FakeClock, aud: object
) -> None:
    assert authorizer.authorize(signed(signing_key, **id_claims(clock, aud=aud))) is None


@pytest.mark.parametrize("token_use", ["refresh", "ID", "", None, 1])
def test_refuses_a_token_use_other_than_id_or_access(
    authorizer: JwtAuthorizer, signing_key: SigningKey, clock: FakeClock, token_use: object
) -> None:
    assert authorizer.authorize(signed(signing_key, **id_claims(clock, token_use=token_use))) is None


# -- the header and malformed strings ---------------------------------------------------------


@pytest.mark.parametrize("header", [None, "", "   ", "Bearer", "Bearer ", "Bearer    "])
def test_refuses_a_missing_or_empty_header(authorizer: JwtAuthorizer, header: str | None) -> None:
    assert authorizer.authorize(header) is None


@pytest.mark.parametrize(
    "token",
    [
        "abc",
        "a.b",
        "a.b.c.d",
        "...",
        "..",
        "eyJ.eyJ.sig",
        "not base64!.eyJ9.c2ln",
        "e30=.e30.c2ln",  # padded base64
        "e30.e30.c2ln",  # {} header: no alg
        "W10.e30.c2ln",  # [] header
        "bnVsbA.e30.c2ln",  # null header
        "é.é.é",
        "Basic dXNlcjpwYXNz",
        "\x00.\x00.\x00",
    ],
)
def test_refuses_malformed_tokens(authorizer: JwtAuthorizer, token: str) -> None:
    assert authorizer.authorize(token) is None
    assert authorizer.authorize(f"Bearer {token}") is None


def test_refuses_a_header_that_is_deeply_nested_json(authorizer: JwtAuthorizer) -> None:
    header = b64url_encode(b"[" * 100_000 + b"]" * 100_000)
    assert authorizer.authorize(f"{header}.e30.c2ln") is None


def test_refuses_a_signed_payload_that_is_not_a_json_object(
    authorizer: JwtAuthorizer, signing_key: SigningKey, private_key: rsa.RSAPrivateKey
) -> None:
    for body in (b"[1, 2]", b"not json", b'{"exp": NaN}', b'"text"'):
        token = forge_token({"kid": signing_key.kid, "alg": "RS256"}, body, rsa_key=private_key)
        assert authorizer.authorize(token) is None, body


def test_refuses_a_token_longer_than_http_api_lets_through(
    authorizer: JwtAuthorizer, factory: TokenFactory
) -> None:
    id_token, _ = issue(factory)
    padded = id_token + "A" * JwtAuthorizer.MAX_TOKEN_LENGTH
    assert reason(authorizer, padded) == "the token is too long"


def test_takes_the_bearer_prefix_as_written(authorizer: JwtAuthorizer, factory: TokenFactory) -> None:
    # AWS: the identity source holds "only the token, or the token prefixed with Bearer".
    # Other spellings are not stripped, so the rest is no JWT and the request is refused.
    id_token, _ = issue(factory)
    assert authorizer.authorize(f"  Bearer {id_token}  ") is not None
    for header in (f"bearer {id_token}", f"BEARER {id_token}", f"Bearer  {id_token}", f"Token {id_token}"):
        assert authorizer.authorize(header) is None, header


def test_the_forged_token_helpers_make_what_they_say(signing_key: SigningKey, clock: FakeClock) -> None:
    token = forge_token({"kid": signing_key.kid, "alg": "none"}, id_claims(clock))
    assert token_header(token) == {"kid": signing_key.kid, "alg": "none"}
    assert token_claims(token)["sub"] == SUB
    assert token.endswith(".")


def test_logs_why_it_refused_a_token_and_never_the_token(
    authorizer: JwtAuthorizer, other_key: SigningKey, signing_key: SigningKey, clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    wrong_issuer = signed(signing_key, **id_claims(clock, iss="http://127.0.0.1:3001/us-east-1_Other"))
    unknown_kid = signed(other_key, **id_claims(clock))
    with caplog.at_level("WARNING", logger="sdw.auth"):
        assert authorizer.authorize(wrong_issuer) is None
        assert authorizer.authorize(unknown_kid) is None
    issuer_line, kid_line = (record.getMessage() for record in caplog.records)
    assert issuer_line.startswith("401: the token does not have a valid issuer")
    assert "'http://127.0.0.1:3001/us-east-1_Other'" in issuer_line and repr(ISSUER) in issuer_line
    assert kid_line.startswith("401: no key in the issuer's JWKS matches the token's kid")
    assert wrong_issuer not in caplog.text and unknown_kid not in caplog.text
