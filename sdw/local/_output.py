"""Prefix a function's own output (print and logging) with its name.

On AWS each function's stdout goes to its own log group, ``/aws/lambda/<name>``. Here
all functions share one process and one terminal, so a thread-aware stream proxy stands
in for ``sys.stdout``/``sys.stderr``: a write from a thread that is running a handler is
cut into lines and each line is written as ``[<name>] <line>``; any other write (the
server's own) passes through untouched.

The invoker marks the running function with ``current_function(name)``; ``install()``
swaps the process streams and is called once by ``sdw dev`` (never at import).
"""

from __future__ import annotations

import io
import logging
import sys
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TextIO

_local = threading.local()


def running_function() -> str | None:
    """The function the calling thread is running, or None."""
    return getattr(_local, "name", None)


@contextmanager
def _thread_setting(name: str, value: object) -> Iterator[None]:
    previous = getattr(_local, name, None)
    setattr(_local, name, value)
    try:
        yield
    finally:
        setattr(_local, name, previous)


def recording_output(lines: list[str]) -> AbstractContextManager[None]:
    """Also keep what this thread's handler writes (through the installed streams) in ``lines``:
    the function's part of the log an Invoke with ``LogType: Tail`` returns the tail of."""
    return _thread_setting("record", lines)


def current_function(name: str) -> AbstractContextManager[None]:
    return _thread_setting("name", name)


class PrefixingStream(io.TextIOBase):
    """A text stream that prefixes lines written by handler threads with the function's name."""

    def __init__(self, target: TextIO) -> None:
        self._target = target
        self._lock = threading.Lock()

    @property
    def target(self) -> TextIO:
        return self._target

    def write(self, text: str) -> int:
        name = getattr(_local, "name", None)
        if name is None:
            return self._target.write(text)
        record: list[str] | None = getattr(_local, "record", None)
        if record is not None:
            record.append(text)
        pending: dict[int, str] = _pending_lines()
        key = id(self)
        buffered = pending.get(key, "") + text
        *lines, rest = buffered.split("\n")
        pending[key] = rest
        if lines:
            out = "".join(f"[{name}] {line}\n" for line in lines)
            with self._lock:
                self._target.write(out)
                self._target.flush()
        return len(text)

    def flush(self) -> None:
        self._target.flush()

    def flush_function(self) -> None:
        """Write out a handler thread's unterminated last line (called when the handler returns)."""
        name = getattr(_local, "name", None)
        pending = _pending_lines()
        rest = pending.pop(id(self), "")
        if rest and name is not None:
            with self._lock:
                self._target.write(f"[{name}] {rest}\n")
                self._target.flush()

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self._target.isatty()

    def fileno(self) -> int:
        return self._target.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._target, "encoding", "utf-8")


def _pending_lines() -> dict[int, str]:
    pending: dict[int, str] | None = getattr(_local, "pending", None)
    if pending is None:
        pending = {}
        _local.pending = pending
    return pending


class FunctionLogHandler(logging.Handler):
    """The root-logger handler Lambda's Python runtime installs, for handler threads only.

    Lambda writes records as ``[LEVEL]\\t<time>Z\\t<request id>\\t<message>`` to the
    function's stdout; here they go through the prefixing stream, so they carry the name.
    """

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self._stream = stream
        self.setFormatter(logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(message)s",
                                            "%Y-%m-%dT%H:%M:%S"))

    def filter(self, record: logging.LogRecord) -> bool:
        return running_function() is not None

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._stream.write(self.format(record) + "\n")
        except Exception:  # a broken log line must never fail the handler
            self.handleError(record)


class OutputCapture:
    """Swaps sys.stdout/sys.stderr for prefixing proxies; ``uninstall()`` puts them back."""

    def __init__(self) -> None:
        self.stdout: PrefixingStream | None = None
        self.stderr: PrefixingStream | None = None
        self._log_handler: FunctionLogHandler | None = None

    def install(self) -> None:
        self.stdout = PrefixingStream(sys.stdout)
        self.stderr = PrefixingStream(sys.stderr)
        sys.stdout = self.stdout
        sys.stderr = self.stderr
        self._log_handler = FunctionLogHandler(self.stdout)  # type: ignore[arg-type]
        logging.getLogger().addHandler(self._log_handler)

    def flush_function(self) -> None:
        for stream in (self.stdout, self.stderr):
            if stream is not None:
                stream.flush_function()

    def uninstall(self) -> None:
        if self._log_handler is not None:
            logging.getLogger().removeHandler(self._log_handler)
        if self.stdout is not None and sys.stdout is self.stdout:
            sys.stdout = self.stdout.target
        if self.stderr is not None and sys.stderr is self.stderr:
            sys.stderr = self.stderr.target
