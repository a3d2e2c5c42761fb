"""A nudge between the processes of ``sdw dev --workers N``: "there is new work in flows.db".

Only the process holding ``flows.lock`` runs executions; the others store the
executions they are asked to start (and the stops they are asked for) in the database.
The running engine would find them by polling; this datagram socket lets the storing
process say so at once, so an execution started through another process waits
microseconds, not a polling period, before it runs.

The socket is in Linux's abstract namespace (no file, nothing to clean up, no path
length limit), named after the state folder, so two projects never share one. Where
abstract sockets do not exist, ``listen`` returns False and the engine polls faster.
Datagrams carry no data the engine trusts: a nudge only makes it look at the database.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import secrets
import socket
import threading
from collections.abc import Callable
from pathlib import Path

__all__ = ["Wakeup"]

log = logging.getLogger("sdw.flows")

class Wakeup:
    """``listen`` in the running engine, ``notify`` from the others."""

    def __init__(self, state_folder: Path) -> None:
        self._folder = state_folder
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._close = secrets.token_bytes(16)  # anyone may nudge; only this object stops the listener

    @property
    def _address(self) -> str:
        digest = hashlib.sha256(str(self._folder.resolve()).encode()).hexdigest()[:32]
        return f"\0sdw-flows-{digest}"

    def listen(self, on_wake: Callable[[], None]) -> bool:
        """Call ``on_wake`` (on a thread of its own) for each nudge; False when nudges cannot arrive."""
        try:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        except (OSError, AttributeError):
            return False
        try:
            sock.bind(self._address)
        except OSError as exc:
            log.debug("flow engine wake-up socket unavailable: %s", exc)
            sock.close()
            return False
        self._socket = sock
        self._thread = threading.Thread(target=self._receive, args=(sock, on_wake, self._close),
                                        name="sdw-flows-wake", daemon=True)
        self._thread.start()
        return True

    def notify(self) -> None:
        """Nudge the running engine, if there is one listening (never fails)."""
        self._send(b"!")

    def close(self) -> None:
        if self._socket is None or self._thread is None:
            return
        self._send(self._close)
        self._thread.join(2)
        self._socket.close()
        self._socket = None
        self._thread = None

    def _send(self, message: bytes) -> None:
        unix = getattr(socket, "AF_UNIX", None)
        if unix is None:
            return
        with contextlib.suppress(OSError), socket.socket(unix, socket.SOCK_DGRAM) as sock:
            sock.sendto(message, self._address)

    @staticmethod
    def _receive(sock: socket.socket, on_wake: Callable[[], None], close: bytes) -> None:
        while True:
            try:
                message = sock.recv(64)
            except OSError:
                return
            if message == close:
                return
            on_wake()
