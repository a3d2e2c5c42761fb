"""The JWT authorizer at the gateway: every rejected token is 401 {"message":"Unauthorized"}."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import pytest

from sdw.local import PasswordHasher, ScryptParams, create_local_user_pool

from .conftest import Server

UNAUTHORIZED = b'{"message":"Unauthorized"}'
FAST_KDF = PasswordHasher(ScryptParams(log2_n=4))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def assert_unauthorized(server: Server, authorization: str | None) -> None:
    headers = {} if authorization is None else {"authorization": authorization}
    response = server.client.post("/lib/ping", headers=headers)
    assert response.status_code == 401
    assert response.content == UNAUTHORIZED


def test_refuses_a_request_without_a_token(server: Server) -> None:
    assert_unauthorized(server, None)
    assert_unauthorized(server, "")
    assert_unauthorized(server, "Bearer")


def test_refuses_an_expired_token(server: Server) -> None:
    state = server.runtime.pool.state.path
    two_hours_ago = create_local_user_pool(state, base_url=server.url, clock=lambda: time.time() - 7200)
    try:
        tokens = two_hours_ago.issue_tokens(server.email)
    finally:
        two_hours_ago.close()
    assert_unauthorized(server, f"Bearer {tokens.id_token}")
    assert_unauthorized(server, f"Bearer {tokens.access_token}")


def test_refuses_a_token_with_a_tampered_signature(server: Server) -> None:
    header, payload, signature = server.tokens.id_token.split(".")
    flipped = ("A" if signature[10] != "A" else "B").join((signature[:10], signature[11:]))
    assert_unauthorized(server, f"Bearer {header}.{payload}.{flipped}")


def test_refuses_a_token_with_tampered_claims(server: Server) -> None:
    header, payload, signature = server.tokens.id_token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["email"] = "admin@example.com"
    assert_unauthorized(server, f"Bearer {header}.{b64url(json.dumps(claims).encode())}.{signature}")


def test_refuses_a_token_from_another_issuer(server: Server) -> None:
    # same key and pool id, but issued for a runtime on another port: its iss differs
    state = server.runtime.pool.state.path
    elsewhere = create_local_user_pool(state, base_url="http://127.0.0.1:1")
    try:
        tokens = elsewhere.issue_tokens(server.email)
    finally:
        elsewhere.close()
    assert_unauthorized(server, f"Bearer {tokens.id_token}")


def test_refuses_an_unsigned_alg_none_token(server: Server) -> None:
    _, payload, _ = server.tokens.id_token.split(".")
    header = b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    assert_unauthorized(server, f"Bearer {header}.{payload}.")
    assert_unauthorized(server, f"Bearer {header}.{payload}")


def test_refuses_an_access_token_from_another_pool(server: Server, tmp_path: Path) -> None:
    other = create_local_user_pool(tmp_path / "other", base_url=server.url, hasher=FAST_KDF)
    try:
        other.create_user(server.email, server.password)
        tokens = other.authenticate(server.email, server.password)
    finally:
        other.close()
    assert_unauthorized(server, f"Bearer {tokens.access_token}")
    assert_unauthorized(server, f"Bearer {tokens.id_token}")


@pytest.mark.parametrize("junk", ["Bearer x.y.z", "Bearer not-a-jwt", "Basic dXNlcjpwYXNz"])
def test_refuses_junk(server: Server, junk: str) -> None:
    assert_unauthorized(server, junk)
