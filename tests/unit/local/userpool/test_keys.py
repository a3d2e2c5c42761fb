"""The pool's signing key: RS256 JWS, a Cognito-shaped JWK and a stable kid (no I/O)."""

from __future__ import annotations

import base64

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from sdw.local.userpool._keys import SigningKey


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return SigningKey.generate()


def test_the_kid_is_stable_for_a_key_and_differs_between_keys(key: SigningKey) -> None:
    again = SigningKey.from_pem(key.private_pem())
    assert again.kid == key.kid
    assert SigningKey.generate().kid != key.kid
    assert len(base64.b64decode(key.kid, validate=True)) == 32  # a SHA-256 thumbprint


def test_the_jwk_has_the_members_cognito_publishes(key: SigningKey) -> None:
    jwk = key.public_jwk()
    assert set(jwk) == {"alg", "e", "kid", "kty", "n", "use"}
    assert (jwk["alg"], jwk["kty"], jwk["use"], jwk["e"]) == ("RS256", "RSA", "sig", "AQAB")
    assert jwt.PyJWK(jwk).key.public_numbers() == key.public_key().public_numbers()
    assert key.public_key().key_size == 2048


def test_the_private_pem_is_unencrypted_pkcs8(key: SigningKey) -> None:
    assert key.private_pem().startswith(b"-----BEGIN PRIVATE KEY-----")


@pytest.mark.parametrize(
    "data", [b"", b"not a key", b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"]
)
def test_refuses_a_pem_that_is_not_an_rsa_private_key(data: bytes) -> None:
    with pytest.raises(ValueError, match="PEM"):
        SigningKey.from_pem(data)


def test_refuses_a_pem_of_another_key_type() -> None:
    from cryptography.hazmat.primitives import serialization

    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(ValueError, match="not an RSA private key"):
        SigningKey.from_pem(pem)


def test_signs_rs256_with_cognitos_two_header_members(key: SigningKey) -> None:
    token = key.sign({"sub": "s", "email": "\u00e9@example.com"})
    assert jwt.get_unverified_header(token) == {"alg": "RS256", "kid": key.kid}
    claims = jwt.decode(token, key.public_key(), algorithms=["RS256"], options={"verify_exp": False})
    assert claims == {"sub": "s", "email": "\u00e9@example.com"}
