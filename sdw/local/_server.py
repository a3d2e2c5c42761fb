"""The one module that opens a socket: uvicorn (httptools + uvloop) in front of the gateway.

``AsgiAdapter`` turns an ASGI HTTP call into a ``GatewayRequest`` and the gateway's
``GatewayResponse`` back into two ASGI messages; everything else (routing, auth, the
event, the response mapping) is the gateway core's, which a test drives with no socket.
It is a bare ASGI callable rather than a Starlette app: on this path each microsecond is
a few percent of a warm call, and Starlette's Request/Response objects add nothing here.

``bind_socket`` opens the listening socket before anything else is wired, so port 0 gives
a free port whose number is known before the first request (the user pool's issuer URL
contains it); ``LocalServer`` runs uvicorn on that socket until ``stop()`` or SIGINT.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from sdw.local._events import GatewayRequest
from sdw.local._gateway import Gateway
from sdw.local._responses import GatewayResponse

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class AsgiAdapter:
    """ASGI 3 application: one HTTP request in, the gateway's response out."""

    def __init__(self, gateway: Gateway) -> None:
        self._gateway = gateway

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        headers: list[tuple[bytes, bytes]] = scope["headers"]
        limit = self._gateway.max_body_bytes
        body = await _read_body(receive, limit, _content_length(headers))
        if body is None:
            await _send(send, self._gateway.too_large(), close=True)
            return
        client = scope.get("client")
        server = scope.get("server")
        request = GatewayRequest(
            method=scope["method"],
            path=scope["raw_path"].decode("latin-1") if scope.get("raw_path") else scope["path"],
            raw_query=scope["query_string"].decode("latin-1"),
            headers=headers,
            body=body,
            source_ip=client[0] if client else "127.0.0.1",
            protocol=f"HTTP/{scope.get('http_version', '1.1')}",
            server_port=server[1] if server and server[1] else 0,
        )
        await _send(send, await self._gateway.handle(request))


def _content_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    for name, value in headers:
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _read_body(receive: Receive, limit: int, declared: int | None) -> bytes | None:
    """The whole body, or None as soon as it is known to be over ``limit`` bytes."""
    if declared is not None and declared > limit:
        return None
    message = await receive()
    chunk: bytes = message.get("body", b"")
    if not message.get("more_body", False):
        return chunk if len(chunk) <= limit else None
    buffer = bytearray(chunk)
    while message.get("more_body", False):
        message = await receive()
        buffer += message.get("body", b"")
        if len(buffer) > limit:
            return None
    return bytes(buffer)


async def _send(send: Send, response: GatewayResponse, *, close: bool = False) -> None:
    headers = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in response.headers]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body})


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket; ``port=0`` picks a free one (read it from ``getsockname()``)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


def adopt_socket(fd: int) -> socket.socket:
    """The listening socket a parent process bound and passed down (``sdw dev --workers``)."""
    sock = socket.socket(fileno=fd)
    sock.setblocking(False)
    return sock


class LocalServer:
    """uvicorn serving one gateway on one socket; ``run()`` blocks, ``start()`` uses a thread."""

    def __init__(self, gateway: Gateway, sock: socket.socket) -> None:
        self.gateway = gateway
        self._sock = sock
        self.port: int = sock.getsockname()[1]
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def _config(self) -> Any:
        import uvicorn  # imported here: the module stays importable (and testable) without a server

        return uvicorn.Config(
            AsgiAdapter(self.gateway),
            loop="none",  # the loop is made by run()/start() below (uvloop when installed)
            http="httptools",
            lifespan="off",
            access_log=False,  # the gateway writes its own line per request
            log_level="warning",
            server_header=False,
            timeout_keep_alive=5,
        )

    async def serve(self, on_ready: Callable[[int], None] | None = None) -> None:
        """Serve until ``stop()`` (or SIGINT/SIGTERM when on the main thread)."""
        import uvicorn

        sock = self._sock
        self._server = uvicorn.Server(self._config())
        task = asyncio.ensure_future(self._server.serve(sockets=[sock]))
        try:
            while not self._server.started and not task.done():
                await asyncio.sleep(0.005)
            if self._server.started:
                self._ready.set()
                if on_ready is not None:
                    on_ready(self.port)
            await task
        finally:
            sock.close()
            self._ready.set()

    def fileno(self) -> int:
        """The listening socket's descriptor, to hand to worker processes."""
        return self._sock.fileno()

    def run(self, on_ready: Callable[[int], None] | None = None) -> None:
        _run_loop(self.serve(on_ready))

    def start(self, timeout: float = 10.0) -> int:
        """Serve on a background thread; the port once it accepts connections."""
        self._thread = threading.Thread(target=self._run_thread, name="sdw-server", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout) or self._error is not None:
            raise RuntimeError(f"the local server did not start: {self._error!r}")
        return self.port

    def _run_thread(self) -> None:
        try:
            self.run()
        except BaseException as exc:
            self._error = exc
            self._ready.set()

    def stop(self, timeout: float = 10.0) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)

    def __enter__(self) -> LocalServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _run_loop(main: Awaitable[None]) -> None:
    factory: Callable[[], asyncio.AbstractEventLoop] | None = None
    with contextlib.suppress(ImportError):
        import uvloop

        factory = uvloop.new_event_loop
    with asyncio.Runner(loop_factory=factory) as runner:
        runner.run(main)  # type: ignore[arg-type]
