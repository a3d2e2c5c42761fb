"""Page tokens: opaque, bound to the listing that made them, refused when altered."""

from __future__ import annotations

import base64

import pytest

from sdw.system import InvalidTokenError, decode_token, encode_token


def test_a_token_gives_back_its_position() -> None:
    position = {"executionArn": "arn:x", "owner": "ada", "startDate": "2026-11-25T10:00:00.000Z"}
    assert decode_token(encode_token("runs\nada", position), "runs\nada") == position
    assert decode_token(encode_token("history", "aws-token"), "history") == "aws-token"
    assert decode_token(None, "runs") is None


def test_a_token_is_opaque_text() -> None:
    token = encode_token("runs", {"owner": "ada"})
    assert "ada" not in token and "=" not in token


@pytest.mark.parametrize(
    "token",
    [
        "",
        "abc",
        "!!!!",
        "A" * 9000,
        encode_token("runs\nbob", 1),  # another listing's
    ],
)
def test_a_token_that_is_not_this_listings_is_refused(token: str) -> None:
    with pytest.raises(InvalidTokenError):
        decode_token(token, "runs\nada")


def test_an_altered_token_is_refused() -> None:
    token = encode_token("runs", 41)
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    raw[-12] ^= 1
    altered = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    with pytest.raises(InvalidTokenError):
        decode_token(altered, "runs")


def test_a_token_without_a_position_is_refused() -> None:
    with pytest.raises(InvalidTokenError):
        decode_token(encode_token("runs", None), "runs")
