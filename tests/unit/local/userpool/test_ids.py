"""The pool's ids look like Cognito's, and the issuer's base URL is built from host/port (no I/O)."""

from __future__ import annotations

import re

import pytest

from sdw.local import local_base_url
from sdw.local.userpool._pool import new_client_id, new_user_pool_id


def test_pool_ids_are_shaped_like_cognitos() -> None:
    ids = {new_user_pool_id("eu-west-1") for _ in range(100)}
    assert len(ids) == 100
    assert all(re.fullmatch(r"eu-west-1_[A-Za-z0-9]{9}", pool_id) for pool_id in ids)


def test_client_ids_are_26_lowercase_alphanumerics() -> None:
    ids = {new_client_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(re.fullmatch(r"[a-z0-9]{26}", client_id) for client_id in ids)


@pytest.mark.parametrize(
    ("host", "port", "url"),
    [
        ("127.0.0.1", 3000, "http://127.0.0.1:3000"),
        ("localhost", 8080, "http://localhost:8080"),
        ("0.0.0.0", 3000, "http://127.0.0.1:3000"),
        ("", 3000, "http://127.0.0.1:3000"),
        ("::", 3000, "http://[::1]:3000"),
        ("::1", 3001, "http://[::1]:3001"),
        ("fe80::1", 3000, "http://[fe80::1]:3000"),
    ],
)
def test_the_base_url_is_where_clients_reach_the_local_runtime(host: str, port: int, url: str) -> None:
    assert local_base_url(host, port) == url
