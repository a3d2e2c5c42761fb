"""Test helpers for anything that needs a user pool, a user and their tokens, quickly.

Plain helpers (import them):

    from tests.userpool_fixtures import FakeClock, make_pool, make_user_tokens

    clock = FakeClock()
    with make_pool(tmp_path / ".sdw", clock=clock) as pool:      # scrypt made cheap
        tokens = make_user_tokens(pool)                           # alice@example.com
        authorizer = create_jwt_authorizer(pool)                  # same clock
        clock.advance(3600)                                       # now expired

Forging tokens, for the attacks an authorizer must refuse (``alg: none``, HS256 keyed
with the public key, a payload edited under a valid signature...): ``forge_token`` and
``tamper_payload``.

No fixtures here: a test module wraps ``make_pool`` in a fixture of its own (as
tests/functional/local/test_userpool.py does). A pool made here uses ``FAST_SCRYPT``: a
real scrypt with tiny costs, so a test creates and signs in users in microseconds; never
use it outside tests.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from sdw.local import LocalUserPool, PasswordHasher, ScryptParams, create_local_user_pool
from sdw.system import Tokens, UserNotFoundError

FAST_SCRYPT = ScryptParams(log2_n=4, r=1, p=1)
BASE_URL = "http://127.0.0.1:3000"
DEFAULT_EMAIL = "alice@example.com"
DEFAULT_PASSWORD = "Corr3ct-horse"  # meets Cognito's default policy
START = 1_800_000_000.0  # 2027-01-15T08:00:00Z


ISSUER = f"{BASE_URL}/us-east-1_AbCdEf123"
CLIENT_ID = "abcdefghijklmnopqrstuvwxyz"


@functools.cache
def rsa_key(number: int = 0) -> rsa.RSAPrivateKey:
    """RSA-2048 private key number ``number``, generated once per test process."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class CountingHasher(PasswordHasher):
    """A FAST_SCRYPT hasher that records the password of every KDF run in ``runs``."""

    def __init__(self) -> None:
        super().__init__(FAST_SCRYPT)
        self.runs: list[str] = []

    def _derive(self, password: str, salt: bytes, params: ScryptParams) -> bytes:  # type: ignore[override]
        self.runs.append(password)
        return super()._derive(password, salt, params)


class FakeClock:
    """A clock a test moves by hand: ``clock()`` is the time, ``advance(s)`` moves it."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make_pool(
    state_dir: Path,
    *,
    clock: FakeClock | None = None,
    base_url: str = BASE_URL,
    token_ttl: int = 3600,
) -> LocalUserPool:
    """A real pool (SQLite, key file) in ``state_dir``, with cheap scrypt and the given clock."""
    return create_local_user_pool(
        state_dir,
        base_url=base_url,
        clock=clock or FakeClock(),
        token_ttl=token_ttl,
        hasher=PasswordHasher(FAST_SCRYPT),
    )


def make_user_tokens(
    pool: LocalUserPool, email: str = DEFAULT_EMAIL, password: str = DEFAULT_PASSWORD
) -> Tokens:
    """Sign ``email`` in, creating the user first if needed."""
    try:
        pool.get_user(email)
    except UserNotFoundError:
        pool.create_user(email, password)
    return pool.authenticate(email, password)


def b64url_encode(data: bytes) -> str:
    """Base64url without padding, as a JWS compact serialisation writes each part."""
    return jwt.utils.base64url_encode(data).decode("ascii")


def b64url_decode(text: str) -> bytes:
    return jwt.utils.base64url_decode(text)


def forge_token(
    header: Mapping[str, Any],
    payload: Mapping[str, Any] | bytes,
    *,
    rsa_key: rsa.RSAPrivateKey | None = None,
    hmac_secret: bytes | None = None,
    signature: bytes = b"",
) -> str:
    """A compact JWS with any header and payload, signed RS256 by ``rsa_key``, HS256 by
    ``hmac_secret``, or carrying ``signature`` as given (empty: the ``alg: none`` form)."""
    encoded_header = b64url_encode(json.dumps(dict(header), separators=(",", ":")).encode())
    body = (
        payload if isinstance(payload, bytes) else json.dumps(dict(payload), separators=(",", ":")).encode()
    )
    signing_input = f"{encoded_header}.{b64url_encode(body)}".encode()
    if rsa_key is not None:
        signature = rsa_key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    elif hmac_secret is not None:
        signature = hmac.new(hmac_secret, signing_input, hashlib.sha256).digest()
    return f"{signing_input.decode()}.{b64url_encode(signature)}"


def token_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, unverified (for reading what a test made)."""
    claims: dict[str, Any] = json.loads(b64url_decode(token.split(".")[1]))
    return claims


def token_header(token: str) -> dict[str, Any]:
    header: dict[str, Any] = json.loads(b64url_decode(token.split(".")[0]))
    return header


def tamper_payload(token: str, **changes: Any) -> str:
    """``token`` with claims changed but its original header and signature kept."""
    header, _, signature = token.split(".")
    claims = token_claims(token) | changes
    return f"{header}.{b64url_encode(json.dumps(claims, separators=(',', ':')).encode())}.{signature}"
