"""The JWT authorizer of the local gateway, verifying tokens as API Gateway's HTTP API does.

serverless-offline decodes a JWT without checking its signature, so a forged token gets
in. This authorizer does what the HTTP API JWT authorizer does (AWS doc: "Control access
to HTTP APIs with JWT authorizers", section "Authorizing API requests with a JWT
authorizer"), in its order:

1. Take the token from the identity source (``Authorization``): "The identitySource can
   include only the token, or the token prefixed with Bearer." So ``Bearer <jwt>`` and a
   bare ``<jwt>`` both work; the prefix is matched as written (``Bearer`` and one space).
2. Decode it. 3. Check its algorithm and signature against the issuer's JWKS. AWS supports
   only RSA algorithms; Cognito signs with RS256 and so does the local pool, so RS256 is the
   one accepted: ``alg: none``, HS256 (including the classic attack that uses the RSA public
   key as the HMAC secret) and every other algorithm are refused before any key is used.
4. Validate the claims: ``kid`` names a key of the JWKS; ``iss`` equals the issuer;
   ``aud`` matches an audience entry, or, only when there is no ``aud``, ``client_id`` does
   (AWS: "API Gateway validates client_id only if aud is not present"); ``exp`` is after
   the current time; ``nbf`` and ``iat`` are not after it.

Clock skew: AWS documents none ("exp must be after the current time in UTC"), so the
default leeway is 0; ``leeway`` exists for a test or a drifting VM, not by default.
``exp`` is required (every Cognito token has one; a token that never expires is refused).
One check AWS does not make: ``token_use`` must be ``id`` or ``access``. Every token
Cognito signs carries one of the two, so this refuses nothing a Cognito-shaped token
presents, only a JWT our key never issued as a user token.

Any failure, or no header, is a 401 ``{"message":"Unauthorized"}`` at the gateway:
``authorize`` returns None; ``verify`` raises TokenRejectedError with the reason (expired,
issuer, audience, signature, kid...), which the gateway logs and never sends.

The JWS work (the compact form, the RS256 signature, ``crit``, the required ``exp`` and the
issuer) is PyJWT's (``jwt.decode`` with ``algorithms=["RS256"]``); the header is read
first here so that the algorithm and the ``kid`` are refused with a reason of their own
before a key is chosen, and the rules PyJWT does not have are checked after it: the
audience or, without ``aud``, ``client_id``; ``token_use``; and the times, against the
injected clock (PyJWT reads the system clock, so its own time checks are turned off).

The claims the integration sees. HTTP API passes them in
``requestContext.authorizer.jwt.claims`` with every value a string: numbers as their JSON
text (``"exp": "1700000000"``), booleans as ``"true"``/``"false"``, and an array as its
elements joined by spaces in brackets (``"cognito:groups": "[admin editors]"``, observed
on real HTTP APIs). Objects are rendered ``map[key:value ...]`` with sorted keys and null
as ``<nil>``: that is the Go formatting the array form comes from, inferred rather than
documented. ``jwt.scopes`` is the access token's ``scope`` claim split on spaces (or an
``scp`` array), and None for a token without one, such as an ID token.

Speed. Verifying an RSA signature costs tens of microseconds; a gateway sees the same
token on request after request. So a token's verified claims are cached, keyed by the
exact token string, in a bounded LRU. What the cache skips is only the work that cannot
change for the same bytes (decoding, signature, iss, aud, token_use); ``exp``, ``nbf``
and ``iat`` are checked against the clock on every call, and an entry found expired is
dropped. Failures are never cached: a forged or altered token is a different string, so
it always takes the full path and can neither hit nor evict a good entry, except by
flooding the LRU, which costs the attacker a signature check per entry pushed.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from sdw.local._errors import TokenRejectedError
from sdw.local.userpool import LocalUserPool
from sdw.system import Principal

Clock = Callable[[], float]

log = logging.getLogger("sdw.auth")

_BEARER = "Bearer "
_COMPACT = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")  # base64url, no padding


class _FloatLiteral(float):
    """A JSON number with a fraction or exponent, remembering its text for the claims string."""

    literal: str

    def __new__(cls, text: str) -> _FloatLiteral:
        value = super().__new__(cls, text)
        value.literal = text
        return value


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_PYJWT_OPTIONS: Any = {
    "require": ["exp"],  # every Cognito token has one; a token that never expires is refused
    "verify_aud": False,  # HTTP API's rule (aud, else client_id) is checked below, not PyJWT's
    "verify_exp": False,  # the times are checked against the injected clock, cached or not
    "verify_nbf": False,
    "verify_iat": False,
    "verify_sub": False,  # checks API Gateway does not make
    "verify_jti": False,
}


def _b64url_decode(text: str) -> bytes:
    try:
        return jwt.utils.base64url_decode(text)
    except ValueError as exc:  # binascii.Error: a length no base64url text has
        raise TokenRejectedError("the token is not a JWT (bad base64url)") from exc


def _parse_json_object(data: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(data, parse_float=_FloatLiteral, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def claim_string(value: Any) -> str:
    """A claim value as HTTP API puts it in ``requestContext.authorizer.jwt.claims``.

    >>> [claim_string(v) for v in ("a", 1700000000, True, ["admin", "dev"], {"b": 1, "a": None})]
    ['a', '1700000000', 'true', '[admin dev]', 'map[a:<nil> b:1]']
    """
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _FloatLiteral):
        return value.literal
    if isinstance(value, int | float):
        return repr(value)
    if value is None:
        return "<nil>"
    if isinstance(value, list):
        return "[" + " ".join(claim_string(item) for item in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{key}:{claim_string(value[key])}" for key in sorted(value)) + "]"
    return str(value)  # pragma: no cover - json.loads makes nothing else


def _time_claim(payload: Mapping[str, Any], name: str, required: bool) -> float | None:
    value = payload.get(name)
    if value is None:
        if required:
            raise TokenRejectedError(f"the token has no {name} claim")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TokenRejectedError(f"the token's {name} claim is not a number")
    return float(value)


@dataclass(frozen=True)
class _Verified:
    """What the cache keeps for a token whose signature and fixed claims passed."""

    claims: dict[str, str]
    scopes: list[str] | None
    exp: float
    nbf: float | None
    iat: float | None


class JwtAuthorizer:
    """Verifies ``Authorization`` header values for one issuer and its audience list."""

    ALGORITHM = "RS256"
    TOKEN_USES = frozenset({"id", "access"})
    DEFAULT_CACHE_SIZE = 10_000
    # HTTP API refuses requests whose request line and headers exceed 10,240 bytes, so no
    # longer token ever reaches its authorizer; bounding it here bounds the work per request.
    MAX_TOKEN_LENGTH = 10_240

    def __init__(
        self,
        *,
        issuer: str,
        audience: Iterable[str],
        jwks: Mapping[str, Any],
        clock: Clock = time.time,
        leeway: float = 0.0,
        cache_size: int = DEFAULT_CACHE_SIZE,
    ) -> None:
        self.issuer = issuer
        self.audience = frozenset(audience)
        self._clock = clock
        self._leeway = leeway
        self._keys = self._keys_of(jwks)
        self._cache_size = cache_size
        self._cache: OrderedDict[str, _Verified] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def _keys_of(cls, jwks: Mapping[str, Any]) -> dict[str, rsa.RSAPublicKey]:
        keys: dict[str, rsa.RSAPublicKey] = {}
        for jwk in jwks.get("keys", []):
            if not isinstance(jwk, Mapping) or not isinstance(jwk.get("kid"), str):
                continue
            if jwk.get("alg", cls.ALGORITHM) != cls.ALGORITHM or jwk.get("use", "sig") != "sig":
                continue
            try:
                key = jwt.PyJWK(dict(jwk), algorithm=cls.ALGORITHM).key
            except (jwt.PyJWTError, ValueError, TypeError):
                continue
            if isinstance(key, rsa.RSAPublicKey):
                keys[jwk["kid"]] = key
        return keys

    def authorize(self, authorization: str | None) -> Principal | None:
        """The caller for a valid ``Authorization`` header value; None means 401.

        The reason for a refusal goes to the server's log (``sdw.auth``), never to the client.
        """
        try:
            return self.verify(authorization)
        except TokenRejectedError as exc:
            log.warning("401: %s", exc)
            return None

    def verify(self, authorization: str | None) -> Principal:
        """Like ``authorize``, but a refusal raises TokenRejectedError saying why."""
        token = self._token_of(authorization)
        with self._lock:
            verified = self._cache.get(token)
            if verified is not None:
                self._cache.move_to_end(token)
        if verified is None:
            verified = self._verify_token(token)
            self._check_times(token, verified)
            with self._lock:
                self._cache[token] = verified
                if len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        else:
            self._check_times(token, verified)
        # A fresh copy per request: a handler that edits its event cannot touch the cache.
        return Principal(
            claims=dict(verified.claims),
            scopes=None if verified.scopes is None else list(verified.scopes),
        )

    def cache_size(self) -> int:
        with self._lock:
            return len(self._cache)

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()

    # -- the steps --------------------------------------------------------------------------

    def _token_of(self, authorization: str | None) -> str:
        if authorization is None or not authorization.strip():
            raise TokenRejectedError("no token in the Authorization header")
        value = authorization.strip()
        token = value[len(_BEARER) :] if value.startswith(_BEARER) else value
        if len(token) > self.MAX_TOKEN_LENGTH:
            raise TokenRejectedError("the token is too long")
        return token

    def _verify_token(self, token: str) -> _Verified:
        if not _COMPACT.fullmatch(token):
            raise TokenRejectedError("the token is not a JWT (expected three base64url parts)")
        encoded_header, encoded_payload, _ = token.split(".")
        header = _parse_json_object(_b64url_decode(encoded_header))
        if header is None:
            raise TokenRejectedError("the token's header is not a JSON object")
        algorithm = header.get("alg")
        if algorithm != self.ALGORITHM:
            raise TokenRejectedError(
                f"signing method {algorithm} is invalid; only {self.ALGORITHM} is accepted"
            )
        if "crit" in header:  # RFC 7515 4.1.11: extensions we do not understand
            raise TokenRejectedError("the token's header has critical extensions")
        kid = header.get("kid")
        key = self._keys.get(kid) if isinstance(kid, str) else None
        if key is None:
            raise TokenRejectedError("no key in the issuer's JWKS matches the token's kid", f"kid {kid!r}")
        try:
            jwt.decode(token, key, algorithms=[self.ALGORITHM], issuer=self.issuer, options=_PYJWT_OPTIONS)
        except jwt.InvalidSignatureError as exc:
            raise TokenRejectedError("the token's signature is invalid") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise TokenRejectedError(f"the token has no {exc.claim} claim") from exc
        except jwt.InvalidIssuerError as exc:
            found = (_parse_json_object(_b64url_decode(encoded_payload)) or {}).get("iss")
            raise TokenRejectedError(
                "the token does not have a valid issuer", f"iss {found!r}, this server's {self.issuer!r}"
            ) from exc
        except (jwt.PyJWTError, ValueError, RecursionError) as exc:  # a payload that is not a JSON object
            raise TokenRejectedError(f"the token is not a valid JWT ({exc})") from exc
        # Signed by our key: read the payload again keeping each number's text, for the claims.
        payload = _parse_json_object(_b64url_decode(encoded_payload))
        if payload is None:  # NaN or Infinity: PyJWT's parser lets through what JSON has not
            raise TokenRejectedError("the token's payload is not a JSON object")
        return self._verify_claims(payload)

    def _verify_claims(self, payload: dict[str, Any]) -> _Verified:
        if not self._has_valid_audience(payload):
            found = payload.get("aud", payload.get("client_id"))
            raise TokenRejectedError("the token does not have a valid audience", f"aud/client_id {found!r}")
        if payload.get("token_use") not in self.TOKEN_USES:
            raise TokenRejectedError("the token's token_use is neither id nor access")
        exp = _time_claim(payload, "exp", required=True)
        assert exp is not None
        return _Verified(
            claims={name: claim_string(value) for name, value in payload.items()},
            scopes=self._scopes_of(payload),
            exp=exp,
            nbf=_time_claim(payload, "nbf", required=False),
            iat=_time_claim(payload, "iat", required=False),
        )

    def _has_valid_audience(self, payload: Mapping[str, Any]) -> bool:
        # AWS: "API Gateway validates client_id only if aud is not present. When both aud
        # and client_id are present, API Gateway evaluates aud."
        if "aud" in payload:
            aud = payload["aud"]
            values = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
            return any(isinstance(value, str) and value in self.audience for value in values)
        client_id = payload.get("client_id")
        return isinstance(client_id, str) and client_id in self.audience

    @staticmethod
    def _scopes_of(payload: Mapping[str, Any]) -> list[str] | None:
        scope = payload.get("scope", payload.get("scp"))
        if isinstance(scope, str):
            return scope.split()
        if isinstance(scope, list):
            return [claim_string(item) for item in scope]
        return None

    def _check_times(self, token: str, verified: _Verified) -> None:
        now = self._clock()
        leeway = self._leeway
        problem = None
        if now >= verified.exp + leeway:
            problem = "the token has expired"
        elif verified.nbf is not None and verified.nbf > now + leeway:
            problem = "the token is not valid yet"
        elif verified.iat is not None and verified.iat > now + leeway:
            problem = "the token was issued in the future"
        if problem is not None:
            with self._lock:
                self._cache.pop(token, None)
            times = f"exp {verified.exp:.0f}, nbf {verified.nbf}, iat {verified.iat}, now {now:.0f}"
            raise TokenRejectedError(problem, times)


def create_jwt_authorizer(
    pool: LocalUserPool,
    *,
    clock: Clock | None = None,
    cache_size: int = JwtAuthorizer.DEFAULT_CACHE_SIZE,
) -> JwtAuthorizer:
    """The authorizer for ``pool``, configured as the deployed one is for a Cognito pool:
    issuer = the pool's issuer, audience = [its app client id], keys = its JWKS."""
    config = pool.config()
    return JwtAuthorizer(
        issuer=config.issuer,
        audience=[config.client_id],
        jwks=pool.jwks(),
        clock=pool.clock if clock is None else clock,
        cache_size=cache_size,
    )
