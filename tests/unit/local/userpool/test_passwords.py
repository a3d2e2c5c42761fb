"""Cognito's default password policy, scrypt hashing and generated passwords (no I/O)."""

from __future__ import annotations

import pytest

from sdw.local.userpool._passwords import (
    PasswordHasher,
    ScryptParams,
    check_password_policy,
    generate_password,
    password_policy_violations,
)
from sdw.system import InvalidPasswordError
from tests.userpool_fixtures import FAST_SCRYPT, CountingHasher


@pytest.mark.parametrize("password", ["Passw0rd!", "Aa1^aaaa", "Aa1 aaaa", "ÄbcdéF9-", "Aa1" + "-" * 253])
def test_accepts_passwords_that_meet_the_default_policy(password: str) -> None:
    assert password_policy_violations(password) == []
    check_password_policy(password)


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Aa1!aaa", "Password not long enough"),
        ("", "Password not long enough"),
        ("aa1!aaaa", "Password must have uppercase characters"),
        ("AA1!AAAA", "Password must have lowercase characters"),
        ("Aaa!aaaa", "Password must have numeric characters"),
        ("Aa1aaaaa", "Password must have symbol characters"),
        (" Aa1aaaaa", "Password must not begin or end with a space"),
        ("Aa1aaaaa ", "Password must have symbol characters"),  # a trailing space is no symbol
        ("Aa1!" + "a" * 253, "Password is too long"),
    ],
)
def test_refuses_passwords_that_break_a_rule_and_says_which(password: str, reason: str) -> None:
    assert reason in password_policy_violations(password)
    with pytest.raises(InvalidPasswordError) as caught:
        check_password_policy(password)
    assert caught.value.code == "InvalidPasswordException"
    assert str(caught.value).startswith("Password did not conform with policy: ")
    assert reason in caught.value.reasons


def test_lists_every_broken_rule_at_once() -> None:
    assert password_policy_violations("abc") == [
        "Password not long enough",
        "Password must have uppercase characters",
        "Password must have numeric characters",
        "Password must have symbol characters",
    ]


def test_generated_passwords_meet_the_policy_and_differ() -> None:
    passwords = [generate_password() for _ in range(200)]
    assert all(password_policy_violations(p) == [] for p in passwords)
    assert all(len(p) == 20 for p in passwords)
    assert len(set(passwords)) == 200


def test_refuses_to_generate_a_password_shorter_than_the_policy() -> None:
    with pytest.raises(ValueError, match="at least 8"):
        generate_password(7)


def test_a_hash_verifies_its_password_and_no_other() -> None:
    hasher = PasswordHasher(FAST_SCRYPT)
    encoded = hasher.hash("Passw0rd!")
    assert hasher.verify("Passw0rd!", encoded)
    assert not hasher.verify("Passw0rd?", encoded)
    assert not hasher.verify("", encoded)


def test_hashes_are_salted_and_name_their_parameters() -> None:
    hasher = PasswordHasher(FAST_SCRYPT)
    first, second = hasher.hash("Passw0rd!"), hasher.hash("Passw0rd!")
    assert first != second
    assert first.startswith("$scrypt$ln=4,r=1,p=1$")
    assert "Passw0rd" not in first


def test_the_default_cost_is_an_owasp_scrypt_setting() -> None:
    params = PasswordHasher().params
    # OWASP Password Storage Cheat Sheet: N=2^15, r=8, p=3 is one of its equivalent settings.
    assert (params.n, params.r, params.p) == (2**15, 8, 3)


def test_verifies_a_hash_made_with_other_parameters() -> None:
    old = PasswordHasher(ScryptParams(log2_n=5, r=2, p=1)).hash("Passw0rd!")
    assert PasswordHasher(FAST_SCRYPT).verify("Passw0rd!", old)


@pytest.mark.parametrize(
    "encoded",
    [
        "",
        "plain text",
        "$scrypt$ln=4,r=1,p=1$not-base64!$AAAA",
        "$scrypt$ln=4,r=1,p=1$AAAA$",
        "$scrypt$ln=60,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA==$AAAA",  # would ask for 2^60 blocks
        "$scrypt$ln=4,r=99,p=1$AAAAAAAAAAAAAAAAAAAAAA==$AAAA",
        "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
    ],
)
def test_a_corrupt_hash_verifies_nothing_and_does_not_raise(encoded: str) -> None:
    assert not PasswordHasher(FAST_SCRYPT).verify("Passw0rd!", encoded)


def test_burning_for_an_unknown_user_runs_the_kdf() -> None:
    hasher = CountingHasher()
    hasher.burn("Passw0rd!")
    assert hasher.runs == ["Passw0rd!"]
