"""The HTTP client ``sdw run`` and ``sdw executions`` use to talk to a running ``sdw dev``.

Why over HTTP rather than opening the engine on the state folder: ``sdw dev`` owns the
executions while it runs (it drives them and resumes them after a restart), and a second
engine on the same database would drive the same executions twice. Going through the
endpoints also means the CLI sees exactly what any client sees: the same JWT authorizer,
the same ownership (the caller's executions only), the same messages. The price: ``sdw
dev`` must be running; when nothing answers, the command says so in one line.

Who calls: ``--token`` (or ``SDW_TOKEN``) when given, else the dev user ``dev@sdw.local``,
whose token the CLI signs from the user pool in the state folder, as ``sdw dev`` does for
its banner (so host, port and state folder must be those ``sdw dev`` runs with).

Errors are ``FlowClientError`` with the server's message (``{"message": ...}``), so a
command prints one line and exits 1. Standard library only (urllib): no dependency added
for a handful of JSON requests.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote, urlencode


class FlowClientError(Exception):
    """A request failed; ``str(error)`` is one line for the user. ``status`` is None with no answer."""

    def __init__(self, message: str, status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class FlowClient:
    """The flow endpoints of one ``sdw dev`` (``base_url``), as one caller (``token``)."""

    TIMEOUT_S = 35.0  # past HTTP API's 30-second integration limit, which the server enforces

    def __init__(self, base_url: str, token: str, *, timeout: float = TIMEOUT_S) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._timeout = timeout

    def start(self, flow: str, body: bytes, name: str | None = None) -> dict[str, Any]:
        return self._request("POST", f"/run/{_segment(flow)}", {"name": name}, body)

    def describe(self, flow: str, execution: str) -> dict[str, Any]:
        return self._request("GET", f"/run/{_segment(flow)}/{_segment(execution)}")

    def history_page(
        self, flow: str, execution: str, *, limit: int = 1000, next_token: str | None = None,
        reverse: bool = False,
    ) -> dict[str, Any]:
        query = {"limit": str(limit), "next_token": next_token, "reverse": "true" if reverse else None}
        return self._request("GET", f"/run/{_segment(flow)}/{_segment(execution)}/history", query)

    def history(self, flow: str, execution: str) -> Iterator[dict[str, Any]]:
        """Every event, oldest first, page after page."""
        token: str | None = None
        while True:
            page = self.history_page(flow, execution, next_token=token)
            yield from page["events"]
            token = page.get("nextToken")
            if not token:
                return

    def caller_id(self) -> str:
        """The ``sub`` of the caller (``GET /auth/verify``): what the caller's given names are keyed by."""
        return str(self._request("GET", "/auth/verify")["userId"])

    def runs(
        self, *, flow: str | None = None, status: str | None = None, limit: int = 100,
        next_token: str | None = None, owner: str | None = None,
    ) -> dict[str, Any]:
        query = {"flow": flow, "status": status, "limit": str(limit), "next_token": next_token,
                 "owner": owner}
        return self._request("GET", "/runs", query)

    def _request(
        self, method: str, path: str, query: Mapping[str, str | None] | None = None, body: bytes | None = None
    ) -> dict[str, Any]:
        sent = {key: value for key, value in (query or {}).items() if value is not None}
        url = self.base_url + path + (f"?{urlencode(sent)}" if sent else "")
        headers = {"authorization": f"Bearer {self._token}", "accept": "application/json"}
        if body is not None:
            headers["content-type"] = "application/json"
        request = urllib.request.Request(url, data=body, headers=headers, method=method)  # noqa: S310 - http(s) only
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:  # noqa: S310
                return _json_object(response.read(), response.status)
        except urllib.error.HTTPError as exc:
            raise _answered_error(exc) from None
        except TimeoutError:
            waited = f"{self._timeout:g} s"
            raise FlowClientError(f"sdw dev at {self.base_url} did not answer within {waited}") from None
        except (urllib.error.URLError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            raise FlowClientError(
                f"no sdw dev answering at {self.base_url} ({reason}); start it with `sdw dev` "
                "(with the same --port and --state-dir) and try again"
            ) from None


def _segment(value: str) -> str:
    """One path segment: an ARN's colons and anything else URL-encoded (the server decodes it)."""
    return quote(value, safe="")


def _json_object(raw: bytes, status: int) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except ValueError:
        raise FlowClientError(f"the server answered {status} with a body that is not JSON", status) from None
    if not isinstance(value, dict):
        raise FlowClientError(f"the server answered {status} with JSON that is not an object", status)
    return value


def _answered_error(error: urllib.error.HTTPError) -> FlowClientError:
    with error:
        raw = error.read()
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        if error.code == 401:
            return FlowClientError(
                "Unauthorized: the token was refused (expired, or made for another host, port or state "
                "folder than this sdw dev's)", 401, None,
            )
        return FlowClientError(body["message"], error.code, body.get("code"))
    return FlowClientError(f"the server answered {error.code} {error.reason}", error.code)
