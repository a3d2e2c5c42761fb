"""The key, clock, token factory and authorizer the JWT tests share (no I/O: keys in memory)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from sdw.local import JwtAuthorizer
from sdw.local.userpool import SigningKey, TokenFactory
from tests.userpool_fixtures import CLIENT_ID, ISSUER, FakeClock, rsa_key


@pytest.fixture(scope="module")
def private_key() -> rsa.RSAPrivateKey:
    return rsa_key(0)


@pytest.fixture(scope="module")
def signing_key(private_key: rsa.RSAPrivateKey) -> SigningKey:
    return SigningKey(private_key)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def factory(signing_key: SigningKey, clock: FakeClock) -> TokenFactory:
    return TokenFactory(signing_key, issuer=ISSUER, client_id=CLIENT_ID, clock=clock)


@pytest.fixture
def authorizer(signing_key: SigningKey, clock: FakeClock) -> JwtAuthorizer:
    return JwtAuthorizer(
        issuer=ISSUER, audience=[CLIENT_ID], jwks={"keys": [signing_key.public_jwk()]}, clock=clock
    )
