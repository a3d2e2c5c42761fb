"""The pool's signing key: RS256 JWS, a Cognito-shaped JWK and a stable kid (no I/O)."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from sdw.local.userpool._keys import SigningKey, b64url_decode, b64url_encode, public_key_from_jwk


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
    assert public_key_from_jwk(jwk).public_numbers() == key.public_key().public_numbers()
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


@pytest.mark.parametrize(
    "jwk", [{}, {"kty": "EC", "n": "AQAB", "e": "AQAB"}, {"kty": "RSA", "n": 1, "e": "AQAB"}]
)
def test_refuses_a_jwk_that_is_not_rsa(jwk: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="RSA"):
        public_key_from_jwk(jwk)


@pytest.mark.parametrize("data", [b"", b"\x00", b"\xff\xfe\xfd", b"hello world", bytes(range(256))])
def test_base64url_round_trips_without_padding(data: bytes) -> None:
    text = b64url_encode(data)
    assert "=" not in text and "+" not in text and "/" not in text
    assert b64url_decode(text) == data


@pytest.mark.parametrize("text", ["a", "ab=", "a+b/", "ab cd", "abc\n", "é"])
def test_base64url_decoding_is_strict(text: str) -> None:
    with pytest.raises(ValueError, match="base64url"):
        b64url_decode(text)
