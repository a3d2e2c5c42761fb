"""The user pool's RS256 signing key: made once, kept in the state folder, published as a JWK.

Cognito signs every user pool token with RS256 under a 2048-bit RSA key and publishes the
public half at ``<issuer>/.well-known/jwks.json``, the token header naming it by ``kid``.
The local pool does the same. The key pair is generated on the first start and kept as a
PKCS#8 PEM (0600) in the state folder, so tokens stay valid across restarts and the CLI and
``sdw dev`` sign with the same key. The ``kid`` is derived from the public key (the RFC 7638
JWK thumbprint, in standard base64 as Cognito's kids look), so it is stable for the key's
life and needs no storage of its own.

Tokens are signed with PyJWT (``jwt.encode``, RS256 only) and the authorizer verifies them
with it too; ``cryptography`` makes and stores the key. The header is Cognito's two members
(``{"alg": "RS256", "kid": ...}``): PyJWT's default ``typ`` is left out, as Cognito leaves it.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from sdw.local._errors import StateError
from sdw.local._statedir import StateDir


class SigningKey:
    """An RSA private key that signs RS256 JWTs, and its public JWK."""

    ALGORITHM = "RS256"
    KEY_SIZE = 2048  # what Cognito uses
    PUBLIC_EXPONENT = 65537

    def __init__(self, private_key: rsa.RSAPrivateKey) -> None:
        self._private_key = private_key
        public: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(private_key.public_key()))
        self._n: str = public["n"]
        self._e: str = public["e"]
        # RFC 7638: SHA-256 over the required members in lexicographic order, no spaces.
        canonical = json.dumps({"e": self._e, "kty": "RSA", "n": self._n}, separators=(",", ":"))
        self.kid = base64.b64encode(hashlib.sha256(canonical.encode("ascii")).digest()).decode("ascii")

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(rsa.generate_private_key(public_exponent=cls.PUBLIC_EXPONENT, key_size=cls.KEY_SIZE))

    @classmethod
    def from_pem(cls, data: bytes) -> SigningKey:
        """Raises ValueError when ``data`` is not an unencrypted RSA private key in PEM."""
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError) as exc:
            raise ValueError("not an unencrypted PEM private key") from exc
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError("not an RSA private key")
        return cls(key)

    def private_pem(self) -> bytes:
        return self._private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def public_key(self) -> rsa.RSAPublicKey:
        return self._private_key.public_key()

    def public_jwk(self) -> dict[str, str]:
        """The key as it appears in the JWKS document (same members as Cognito's)."""
        return {
            "alg": self.ALGORITHM,
            "e": self._e,
            "kid": self.kid,
            "kty": "RSA",
            "n": self._n,
            "use": "sig",
        }

    def sign(self, claims: Mapping[str, Any]) -> str:
        """The compact JWS of ``claims`` with header ``{"alg": "RS256", "kid": ...}``."""
        return jwt.encode(dict(claims), self._private_key, algorithm=self.ALGORITHM,
                          headers={"kid": self.kid, "typ": None})


def load_or_create_signing_key(state: StateDir, name: str = "userpool-signing-key.pem") -> SigningKey:
    """The key kept in ``state``; on the first start, a new one, written 0600.

    If two processes start at once, both generate a key but only one file is published
    (``StateDir.create_private``); both then use that one.
    """
    data = state.read_private(name)
    if data is None:
        state.create_private(name, SigningKey.generate().private_pem())
        data = state.read_private(name)
        if data is None:  # pragma: no cover - deleted between our two calls
            raise StateError(state.file(name), "read the signing key", "it vanished while being created")
    try:
        return SigningKey.from_pem(data)
    except ValueError as exc:
        raise StateError(
            state.file(name), "load the signing key", f"{exc}; delete the file to make a new pool key"
        ) from exc
