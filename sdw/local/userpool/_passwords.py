"""Passwords of the local user pool: Cognito's default policy, scrypt hashes, generation.

Cognito never stores a password it can read back, and neither does the local pool: each
password is hashed with scrypt (a memory-hard KDF in the standard library) under a random
16-byte salt. The default cost, N=2**15, r=8, p=3, is one of the settings OWASP's Password
Storage Cheat Sheet lists as equivalent (about 0.2 s and 32 MiB per hash on a laptop).
The parameters are written into each hash (``$scrypt$ln=15,r=8,p=3$<salt>$<key>``), so a
later change of default still verifies older hashes; tests inject cheaper parameters.

``PasswordHasher.burn`` runs the KDF for a user that does not exist, so that a login for an
unknown email takes as long as a wrong password for a known one: the timing does not reveal
who has an account (Cognito's "prevent user existence errors").

The policy is Cognito's default one (``PasswordPolicy`` with every option at its default):
at least 8 characters, an uppercase letter, a lowercase letter, a digit and a symbol; the
messages are those of Cognito's ``InvalidPasswordException``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import string
from dataclasses import dataclass

from sdw.system import InvalidPasswordError

# The characters Cognito counts as symbols: ^ $ * . [ ] { } ( ) ? " ! @ # % & / \ , > < ' : ; | _ ~ ` = + -
# and a space that is neither the first nor the last character.
SYMBOLS = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-"
MIN_LENGTH = 8
MAX_LENGTH = 256  # Cognito's PasswordType is at most 256 characters


def password_policy_violations(password: str) -> list[str]:
    """Every rule of Cognito's default policy that ``password`` breaks (empty when none)."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append("Password not long enough")
    if len(password) > MAX_LENGTH:
        problems.append("Password is too long")
    if password != password.strip(" "):
        problems.append("Password must not begin or end with a space")
    if not any(c.isupper() for c in password):
        problems.append("Password must have uppercase characters")
    if not any(c.islower() for c in password):
        problems.append("Password must have lowercase characters")
    if not any(c in string.digits for c in password):
        problems.append("Password must have numeric characters")
    if not any(c in SYMBOLS for c in password.strip(" ")) and " " not in password.strip(" "):
        problems.append("Password must have symbol characters")
    return problems


def check_password_policy(password: str) -> None:
    """Raise InvalidPasswordError, listing every broken rule, unless ``password`` conforms."""
    problems = password_policy_violations(password)
    if problems:
        raise InvalidPasswordError(problems)


def generate_password(length: int = 20) -> str:
    """A random password from ``secrets`` that meets the policy (20 chars, ~120 bits)."""
    if length < MIN_LENGTH:
        raise ValueError(f"a generated password needs at least {MIN_LENGTH} characters")
    # Symbols that survive a shell and a URL unquoted, so a printed password pastes cleanly.
    symbols = "!#%*+-.=@^_~"
    alphabet = string.ascii_letters + string.digits + symbols
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(length))
        if not password_policy_violations(password):
            return password


@dataclass(frozen=True)
class ScryptParams:
    log2_n: int = 15
    r: int = 8
    p: int = 3
    salt_bytes: int = 16
    key_bytes: int = 32

    @property
    def n(self) -> int:
        return 1 << self.log2_n

    @property
    def maxmem(self) -> int:
        # scrypt needs 128 * r * N bytes for its table (plus a little); allow twice that.
        return 2 * 128 * self.r * self.n + (1 << 20)


_ENCODED = re.compile(r"\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)")


class PasswordHasher:
    """Hashes and checks passwords with scrypt."""

    MAX_LOG2_N = 20  # a stored hash asking for more is corrupt, not a reason to use 1 GiB

    def __init__(self, params: ScryptParams | None = None) -> None:
        self.params = params or ScryptParams()
        self._dummy_salt = secrets.token_bytes(self.params.salt_bytes)

    def hash(self, password: str) -> str:
        params = self.params
        salt = secrets.token_bytes(params.salt_bytes)
        key = self._derive(password, salt, params)
        return (
            f"$scrypt$ln={params.log2_n},r={params.r},p={params.p}"
            f"${base64.b64encode(salt).decode()}${base64.b64encode(key).decode()}"
        )

    def verify(self, password: str, encoded: str) -> bool:
        """True when ``password`` matches ``encoded``; False for a mismatch or a bad hash."""
        match = _ENCODED.fullmatch(encoded)
        if match is None:
            self.burn(password)
            return False
        log2_n, r, p = (int(match.group(i)) for i in (1, 2, 3))
        if not (1 <= log2_n <= self.MAX_LOG2_N and 1 <= r <= 32 and 1 <= p <= 16):
            self.burn(password)
            return False
        try:
            salt = base64.b64decode(match.group(4), validate=True)
            expected = base64.b64decode(match.group(5), validate=True)
        except binascii.Error:
            self.burn(password)
            return False
        params = ScryptParams(log2_n=log2_n, r=r, p=p, salt_bytes=len(salt), key_bytes=len(expected))
        return hmac.compare_digest(self._derive(password, salt, params), expected)

    def burn(self, password: str) -> None:
        """Spend what one ``verify`` costs, for a user that does not exist."""
        self._derive(password, self._dummy_salt, self.params)

    @staticmethod
    def _derive(password: str, salt: bytes, params: ScryptParams) -> bytes:
        return hashlib.scrypt(
            password.encode("utf-8"),
            salt=salt,
            n=params.n,
            r=params.r,
            p=params.p,
            maxmem=params.maxmem,
            dklen=params.key_bytes,
        )
