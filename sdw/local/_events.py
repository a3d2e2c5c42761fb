"""Build the event API Gateway HTTP API sends a Lambda integration (payload format 2.0).

The shape follows the "Create AWS Lambda proxy integrations for HTTP APIs" page of the
API Gateway developer guide, including its less obvious rules:

* header names are lower-cased; a header sent more than once is one entry, its values
  joined with commas (format 2.0 has no ``multiValueHeaders``);
* ``cookies`` holds every cookie of the ``cookie`` header(s) and the header itself is
  left out of ``headers``; repeated query keys are joined with commas in
  ``queryStringParameters``;
* ``cookies``, ``queryStringParameters``, ``pathParameters`` and ``body`` are absent,
  not empty, when the request has none;
* ``requestContext.time`` is ``12/Mar/2020:19:03:58 +0000``, ``timeEpoch`` milliseconds;
* the JWT authorizer's claims reach the function as strings (``"exp": "1700000000"``;
  the authorizer renders them, see sdw/local/_authorizer.py), ``scopes`` null for an ID token;
* a text body (``text/*``, JSON, XML, JavaScript) is passed as is; anything else (form
  posts and a body with no content type included) is base64 with ``isBase64Encoded``.
"""

from __future__ import annotations

import base64
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from sdw.project import DEFAULT_ACCOUNT_ID
from sdw.system import Principal

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_TEXT_TYPES = ("application/json", "application/javascript", "application/xml")


@dataclass(slots=True)
class GatewayRequest:
    """An HTTP request as the gateway core sees it: no sockets, bytes as received."""

    method: str
    path: str
    raw_query: str = ""
    headers: Sequence[tuple[bytes, bytes]] = ()
    body: bytes = b""
    source_ip: str = "127.0.0.1"
    protocol: str = "HTTP/1.1"
    server_port: int = 0
    _header_map: dict[str, str] | None = field(default=None, repr=False)

    @property
    def header_map(self) -> dict[str, str]:
        """Lower-cased names; repeated headers joined with commas (computed once)."""
        if self._header_map is None:
            self._header_map = join_headers(self.headers)
        return self._header_map

    def header(self, name: str) -> str | None:
        return self.header_map.get(name)


def join_headers(headers: Sequence[tuple[bytes, bytes]]) -> dict[str, str]:
    joined: dict[str, str] = {}
    for raw_name, raw_value in headers:
        name = raw_name.decode("latin-1").lower()
        value = raw_value.decode("latin-1")
        if name in joined:
            joined[name] = f"{joined[name]},{value}"
        else:
            joined[name] = value
    return joined


def format_request_time(epoch: float) -> str:
    """``12/Mar/2020:19:03:58 +0000``, whatever the process locale."""
    t = time.gmtime(epoch)
    month = _MONTHS[t.tm_mon - 1]
    return f"{t.tm_mday:02d}/{month}/{t.tm_year}:{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000"


# Ids need to be unique, not secret: a seeded PRNG costs a fraction of os.urandom's syscall,
# which was a quarter of the gateway's own time per request.
_rng = random.Random()  # seeded from os.urandom


def new_request_id() -> str:
    """Shaped like HTTP API's ``apigw-requestid`` (e.g. ``JKJaXmPLvHcESHA=``)."""
    return base64.b64encode(_rng.getrandbits(88).to_bytes(11, "big")).decode("ascii")


def new_uuid4() -> str:
    """A random (version 4) UUID string, as Lambda's request ids are."""
    n = _rng.getrandbits(128) & ~(0xC000 << 48) & ~(0xF000 << 64) | (0x8000 << 48) | (0x4000 << 64)
    h = f"{n:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def is_text_content_type(content_type: str | None) -> bool:
    if not content_type:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    return (
        media.startswith("text/")
        or media in _TEXT_TYPES
        or media.endswith("+json")
        or media.endswith("+xml")
    )


@dataclass
class EventSettings:
    """The fixed parts of every event: which API and account this pretends to be."""

    account_id: str = DEFAULT_ACCOUNT_ID
    api_id: str = "local"
    stage: str = "$default"


class EventBuilder:
    """``build(request, route_key, ...)`` returns the 2.0 event dict for one request."""

    def __init__(self, settings: EventSettings | None = None, wall_clock: Any = time.time) -> None:
        self._settings = settings or EventSettings()
        self._wall_clock = wall_clock
        self._time_cache: tuple[int, str] = (-1, "")

    def _request_time(self, now: float) -> str:
        second = int(now)
        if self._time_cache[0] != second:
            self._time_cache = (second, format_request_time(second))
        return self._time_cache[1]

    def build(
        self,
        request: GatewayRequest,
        route_key: str,
        *,
        request_id: str,
        principal: Principal | None = None,
        path_parameters: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        settings = self._settings
        now = self._wall_clock()
        headers = dict(request.header_map)
        cookie_header = headers.pop("cookie", None)
        host = headers.get("host", "localhost")
        headers.setdefault("x-forwarded-for", request.source_ip)
        headers.setdefault("x-forwarded-proto", "http")
        if request.server_port:
            headers.setdefault("x-forwarded-port", str(request.server_port))
        headers.setdefault("x-amzn-trace-id", f"Root=1-{int(now):08x}-{_rng.getrandbits(96):024x}")
        context: dict[str, Any] = {
            "accountId": settings.account_id,
            "apiId": settings.api_id,
            "domainName": host,
            "domainPrefix": host.split(".", 1)[0],
            "http": {
                "method": request.method,
                "path": request.path,
                "protocol": request.protocol,
                "sourceIp": request.source_ip,
                "userAgent": headers.get("user-agent", ""),
            },
            "requestId": request_id,
            "routeKey": route_key,
            "stage": settings.stage,
            "time": self._request_time(now),
            "timeEpoch": int(now * 1000),
        }
        if principal is not None:
            scopes = list(principal.scopes) if principal.scopes is not None else None
            # the authorizer's claims are already strings, as HTTP API passes them (see _authorizer)
            context["authorizer"] = {"jwt": {"claims": dict(principal.claims), "scopes": scopes}}
        event: dict[str, Any] = {
            "version": "2.0",
            "routeKey": route_key,
            "rawPath": request.path,
            "rawQueryString": request.raw_query,
        }
        if cookie_header:
            event["cookies"] = [c.strip() for c in cookie_header.replace(",", ";").split(";") if c.strip()]
        event["headers"] = headers
        if request.raw_query:
            event["queryStringParameters"] = parse_query(request.raw_query)
        event["requestContext"] = context
        if request.body:
            body, encoded = encode_body(request.body, headers.get("content-type"))
            event["body"] = body
            event["isBase64Encoded"] = encoded
        else:
            event["isBase64Encoded"] = False
        if path_parameters:
            event["pathParameters"] = dict(path_parameters)
        return event


def parse_query(raw_query: str) -> dict[str, str]:
    """Decoded parameters; a repeated key's values joined with commas (``a=1&a=2`` -> ``"1,2"``)."""
    params: dict[str, str] = {}
    for key, value in parse_qsl(raw_query, keep_blank_values=True):
        params[key] = f"{params[key]},{value}" if key in params else value
    return params


def encode_body(body: bytes, content_type: str | None) -> tuple[str, bool]:
    """The body as the event carries it, and whether it is base64."""
    if is_text_content_type(content_type):
        try:
            return body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(body).decode("ascii"), True
