"""Warm, in-process Lambda handlers: import once, call many times, time out as Lambda does.

``LocalInvoker`` is the local stand-in for ``lambda:Invoke`` (RequestResponse). It is
independent of HTTP: the gateway hands it an API Gateway event, the flow engine a Task
state's input; both get back an ``Invocation`` holding the handler's JSON result or the
error document Lambda would return (``errorMessage``, ``errorType``, ``stackTrace``).

How it imitates Lambda, and where it cannot:

* Warm instances. A handler module is imported on first call as Lambda imports it
  (``functions.lib.<name>.handler`` from the package root, so ``functions.base...`` and the
  function's own helpers resolve), inside a namespace of its own (sdw/local/_imports.py),
  so two functions' modules never collide; and reused, so module-level state survives
  between calls as on a warm Lambda. Unlike Lambda, one module serves concurrent calls
  (Lambda would start one instance per concurrent request).
* Reload. Each call checks the handler file's mtime at most every ``RELOAD_CHECK_S``;
  a changed file is imported afresh for that function alone (new instance, fresh state,
  its helpers re-read from disk too).
* Import failures (syntax error, missing module, no ``handler``) answer every call with
  Lambda's ``Runtime.*`` error and are reported with file:line; other functions still serve.
* Timeouts. Python cannot stop a thread: a call past its timeout is answered with
  Lambda's ``Sandbox.Timedout`` error and its thread abandoned (the pool replaces it).
  Lambda throws a timed-out instance away, so the next call imports the module afresh.
* A handler that raises what is not an ``Exception`` (``KeyboardInterrupt``,
  ``GeneratorExit``, ``asyncio.CancelledError``, ``SystemExit``) ends Lambda's runtime
  process: Lambda's Python runtime (awslambdaric ``bootstrap.handle_event_request``)
  catches only ``Exception``, so the error escapes its loop and the process exits. The
  caller gets ``Runtime.ExitError`` at once ("Runtime exited with error: signal:
  interrupt" for ``KeyboardInterrupt``, which CPython ends with SIGINT since 3.8; "exit
  status 1" for the others, whose traceback ends the interpreter), the instance is thrown
  away, and the worker thread serves the next call.
* Concurrency. A function runs at most ``concurrency`` calls at once (default 1,000,
  Lambda's default concurrency per account and Region, which an unreserved function can
  use up; lower it as a function's reserved concurrency would). A call past it is refused
  at once with :class:`ThrottledError`, Lambda's ``TooManyRequestsException``. A call
  counts until its handler returns, also after it timed out: a handler that never
  returns keeps its thread, so the cap is also what bounds the threads such handlers hold.
* The result goes through JSON as Lambda's does (tuples become lists; a datetime is a
  ``Runtime.MarshalError``), and a result over 6 MB is Lambda's ``Function.ResponseSizeTooLarge``.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import re
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from sdw.asl import lambda_log_result, max_memory_used_mb
from sdw.local._context import Clock, LambdaContext
from sdw.local._events import new_uuid4
from sdw.local._imports import PREFIX, create_namespace
from sdw.local._output import OutputCapture, current_function, recording_output
from sdw.local._workers import WorkerPool
from sdw.project import DEFAULT_ACCOUNT_ID, Function, Project

log = logging.getLogger("sdw.invoker")

MAX_RESPONSE_BYTES = 6_291_556  # Lambda's synchronous response limit, as its error message states it
RELOAD_CHECK_S = 0.5
DEFAULT_CONCURRENCY = 1000  # Lambda's default concurrency per account and Region


@dataclass(frozen=True)
class LambdaError:
    """A function error as Lambda reports it; ``document()`` is the JSON Lambda returns."""

    error_type: str
    error_message: str
    stack_trace: tuple[str, ...] = ()
    request_id: str = ""

    def document(self) -> dict[str, Any]:
        return {
            "errorMessage": self.error_message,
            "errorType": self.error_type,
            "requestId": self.request_id,
            "stackTrace": list(self.stack_trace),
        }


@dataclass(frozen=True)
class ImportFailure:
    """Why a handler module could not be loaded, with where to look."""

    file: str
    line: int | None
    message: str
    error_type: str  # Runtime.UserCodeSyntaxError, Runtime.ImportModuleError, Runtime.HandlerNotFound
    traceback: str = ""
    hint: str = ""  # advice for the log; never part of Lambda's error document

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}: {self.message}{hint}"


@dataclass(frozen=True)
class Invocation:
    """The outcome of one call: ``payload`` (JSON-round-tripped result) or ``error``."""

    function: str
    request_id: str
    payload: Any = None
    error: LambdaError | None = None
    duration_ms: float = 0.0
    timed_out: bool = False
    log_result: str | None = None  # asked for with log_tail: base64 of the log's last 4 KB

    @property
    def ok(self) -> bool:
        return self.error is None

    def result_document(self) -> Any:
        """What ``lambda:Invoke`` returns: the result, or the error document."""
        return self.payload if self.error is None else self.error.document()


class UnknownFunctionError(LookupError):
    """No function with that key in the project."""


class ThrottledError(RuntimeError):
    """Lambda's ``TooManyRequestsException``: the function already runs ``limit`` calls.

    Lambda answers it with HTTP 429 and ``Reason: ReservedFunctionConcurrentInvocationLimitExceeded``
    (or ``ConcurrentInvocationLimitExceeded``); HTTP API answers its client 500, and Step
    Functions fails the task with ``Lambda.TooManyRequestsException``.
    """

    MESSAGE = "Rate Exceeded."

    def __init__(self, function: str, limit: int) -> None:
        super().__init__(f"{function}: {self.MESSAGE} ({limit} concurrent calls, the function's limit)")
        self.function = function
        self.limit = limit


@dataclass
class _Instance:
    """One imported handler module: a warm "Lambda instance"."""

    function: Function
    mtime: float
    checked_at: float
    handler: Callable[[Any, Any], Any] | None = None
    failure: ImportFailure | None = None
    log_stream_name: str = ""
    reset: bool = False  # a call timed out: the next call starts a fresh instance
    lock: threading.Lock = field(default_factory=threading.Lock)


class Pending:
    """A call in flight. ``on_done`` runs on the worker thread when the handler returns."""

    __slots__ = (
        "abandoned", "deadline", "function", "instance", "log_tail", "on_done",
        "request_id", "result", "started", "timeout",
    )

    def __init__(self, function: Function, request_id: str, started: float) -> None:
        self.function = function
        self.request_id = request_id
        self.started = started
        self.timeout = float(function.timeout)
        self.deadline = started + self.timeout
        self.result: Invocation | None = None
        self.on_done: Callable[[Invocation], None] | None = None
        self.instance: _Instance | None = None  # the instance that runs it, once chosen
        self.abandoned = False
        self.log_tail = False  # Invoke's LogType Tail: keep the call's log for Invocation.log_result


class LocalInvoker:
    """Runs ``handler(event, context)`` of the project's functions on a warm thread pool."""

    def __init__(
        self,
        project: Project,
        *,
        pool: WorkerPool | None = None,
        clock: Clock = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        region: str = "us-east-1",
        account_id: str = DEFAULT_ACCOUNT_ID,
        output: OutputCapture | None = None,
        stat: Callable[[Path], float] | None = None,
        loader: HandlerLoader | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> None:
        if concurrency < 1:
            raise ValueError("a function's concurrency limit is at least 1")
        self._functions = {fn.key: fn for fn in project.functions}
        self._concurrency = concurrency
        self._in_flight: dict[str, int] = {}
        self._pool = pool or WorkerPool()
        self._clock = clock
        self._wall_clock = wall_clock
        self._region = region
        self._account_id = account_id
        self._output = output
        self._stat = stat or _mtime
        self._loader = loader or create_handler_loader(project.root)
        self._instances: dict[str, _Instance] = {}
        self._lock = threading.Lock()

    def check_syntax(self) -> list[ImportFailure]:
        """Compile every handler without running it: syntax errors, with file:line, up front."""
        failures = []
        for fn in self._functions.values():
            try:
                source = fn.handler_file.read_bytes()
                compile(source, str(fn.handler_file), "exec", dont_inherit=True)
            except SyntaxError as exc:
                failures.append(_syntax_failure(exc, fn))
            except (OSError, ValueError) as exc:
                failure = ImportFailure(str(fn.handler_file), None, str(exc), "Runtime.ImportModuleError")
                failures.append(failure)
        return failures

    # -- calling ---------------------------------------------------------------------

    def start(
        self, key: str, event: Any, on_done: Callable[[Invocation], None] | None = None, *,
        log_tail: bool = False,
    ) -> Pending:
        """Queue a call; ``on_done(invocation)`` runs on the worker thread when it returns.

        The caller owns the waiting, and so the timeout: see ``invoke`` and ``time_out``.
        ``log_tail`` is Invoke's ``LogType: Tail``: the invocation carries ``log_result``.
        """
        function = self._functions.get(key)
        if function is None:
            raise UnknownFunctionError(key)
        with self._lock:
            running = self._in_flight.get(key, 0)
            if running >= self._concurrency:
                raise ThrottledError(key, self._concurrency)
            self._in_flight[key] = running + 1
        pending = Pending(function, new_uuid4(), self._clock())
        pending.on_done = on_done
        pending.log_tail = log_tail
        caller = contextvars.copy_context()  # what the caller set (the engine's execution) reaches the call
        try:
            self._pool.submit(lambda: caller.run(self._run, pending, event))
        except BaseException:
            self._release(key)
            raise
        return pending

    def in_flight(self, key: str) -> int:
        """Calls of ``key`` started and not yet returned (timed-out ones still running included)."""
        with self._lock:
            return self._in_flight.get(key, 0)

    def _release(self, key: str) -> None:
        with self._lock:
            self._in_flight[key] -= 1

    def invoke(self, key: str, event: Any) -> Invocation:
        """Call and wait, blocking the calling thread at most the function's timeout."""
        done = threading.Event()
        pending = self.start(key, event, lambda _inv: done.set())
        if not done.wait(pending.timeout):
            return self.time_out(pending)
        assert pending.result is not None
        return pending.result

    def time_out(self, pending: Pending) -> Invocation:
        """Give up on a call past its timeout: Lambda's timeout error; thread and instance abandoned."""
        if pending.result is not None:  # it finished just in time
            return pending.result
        self._pool.abandon()
        pending.abandoned = True
        if pending.instance is not None:
            pending.instance.reset = True  # Lambda throws the timed-out instance away
        error = LambdaError(
            "Sandbox.Timedout",
            f"RequestId: {pending.request_id} Error: Task timed out after {pending.timeout:.2f} seconds",
            request_id=pending.request_id,
        )
        log.warning("%s: task timed out after %.2f seconds", pending.function.key, pending.timeout)
        return Invocation(pending.function.key, pending.request_id, error=error,
                          duration_ms=pending.timeout * 1000, timed_out=True)

    def _run(self, pending: Pending, event: Any) -> None:
        fn = pending.function
        written: list[str] = []
        try:
            with current_function(fn.key), recording_output(written) if pending.log_tail else nullcontext():
                try:
                    result = self._call(pending, event)
                finally:
                    if self._output is not None:
                        self._output.flush_function()
            if pending.log_tail:
                tail = lambda_log_result(pending.request_id, "".join(written), duration_ms=result.duration_ms,
                                         memory_mb=fn.memory, max_memory_mb=max_memory_used_mb())
                result = replace(result, log_result=tail)
        except BaseException as exc:  # the invoker's own failure: still an answer, never a lost call
            log.error("%s: the local runtime failed: %s", fn.key, exc, exc_info=True)
            error = LambdaError("Runtime.Unknown", f"RequestId: {pending.request_id} Error: {exc}", (),
                                pending.request_id)
            result = Invocation(fn.key, pending.request_id, error=error)
        finally:
            self._release(fn.key)
        pending.result = result
        if pending.on_done is not None:
            pending.on_done(result)

    def _call(self, pending: Pending, event: Any) -> Invocation:
        fn = pending.function
        rid = pending.request_id
        instance = self._instance(fn)
        pending.instance = instance
        if pending.abandoned:  # timed out before it even started: that instance goes too
            instance.reset = True
        if instance.failure is not None:
            failure = instance.failure
            trace = (failure.traceback,) if failure.traceback else ()
            error = LambdaError(failure.error_type, failure.message, trace, rid)
            return Invocation(fn.key, rid, error=error)
        assert instance.handler is not None
        context = LambdaContext(
            function_name=fn.deployed_name,
            memory_limit_in_mb=fn.memory,
            aws_request_id=rid,
            deadline=pending.deadline,
            clock=self._clock,
            region=self._region,
            account_id=self._account_id,
            log_stream_name=instance.log_stream_name,
        )
        try:
            result = instance.handler(event, context)
        except Exception as exc:  # the handler's own failure: Lambda's error document
            # Lambda writes "[ERROR] <type>: <message>" and the traceback to the function's log
            log.error("%s: [ERROR] %s: %s\n%s", fn.key, type(exc).__name__, plain_names(str(exc)),
                      plain_names("".join(traceback.format_exception(exc)).rstrip()))
            return Invocation(fn.key, rid, error=_error_from(exc, rid), duration_ms=self._since(pending))
        except BaseException as exc:  # SystemExit, KeyboardInterrupt...: Lambda's runtime process ends
            instance.reset = True
            error = _exit_error(exc, rid)
            log.error("%s: %s: %s (%s)", fn.key, error.error_type, error.error_message, type(exc).__name__)
            return Invocation(fn.key, rid, error=error, duration_ms=self._since(pending))
        try:
            text = json.dumps(result)
            # Lambda hands back JSON, not the object: round-trip it (cheap for the usual small result)
            plain = _is_plain_scalar(result) or len(text) > MAX_RESPONSE_BYTES
            payload = result if plain else json.loads(text)
        except (TypeError, ValueError, RecursionError) as exc:  # a datetime; a value nested too deeply
            error = LambdaError("Runtime.MarshalError", f"Unable to marshal response: {exc}", (), rid)
            return Invocation(fn.key, rid, error=error, duration_ms=self._since(pending))
        if len(text) > MAX_RESPONSE_BYTES:
            message = (
                f"Response payload size exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes)."
            )
            error = LambdaError("Function.ResponseSizeTooLarge", message, (), rid)
            return Invocation(fn.key, rid, error=error, duration_ms=self._since(pending))
        return Invocation(fn.key, rid, payload=payload, duration_ms=self._since(pending))

    def _since(self, pending: Pending) -> float:
        return (self._clock() - pending.started) * 1000

    # -- instances -------------------------------------------------------------------

    def _instance(self, fn: Function) -> _Instance:
        now = self._clock()
        instance = self._instances.get(fn.key)
        if instance is not None and not instance.reset and now - instance.checked_at < RELOAD_CHECK_S:
            return instance
        with self._lock:
            instance = self._instances.get(fn.key)
            mtime = self._stat(fn.handler_file)
            if instance is not None and not instance.reset and instance.mtime == mtime:
                instance.checked_at = now
                return instance
            if instance is not None and not instance.reset:
                log.info("%s: %s changed; reloading", fn.key, fn.handler_file.name)
            instance = self._load(fn, mtime, now)
            self._instances[fn.key] = instance
            return instance

    def _load(self, fn: Function, mtime: float, now: float) -> _Instance:
        stream = f"{datetime.fromtimestamp(self._wall_clock(), UTC):%Y/%m/%d}/[$LATEST]{uuid.uuid4().hex}"
        instance = _Instance(fn, mtime, now, log_stream_name=stream)
        with current_function(fn.key):
            try:
                instance.handler = self._loader(fn)
            except SyntaxError as exc:
                instance.failure = _syntax_failure(exc, fn)
            except HandlerNotFoundError as exc:
                file = str(fn.handler_file)
                instance.failure = ImportFailure(file, None, str(exc), "Runtime.HandlerNotFound")
            except Exception as exc:  # whatever the module raised at import time
                instance.failure = _import_failure(exc, fn)
            except BaseException as exc:  # sys.exit(), KeyboardInterrupt... at import: the runtime exits
                exited = _exit_error(exc, "")
                file = str(fn.handler_file)
                instance.failure = ImportFailure(file, None, exited.error_message, exited.error_type)
            finally:
                if self._output is not None:
                    self._output.flush_function()
        if instance.failure is not None:
            log.error("%s: cannot load handler: %s", fn.key, instance.failure)
            if instance.failure.traceback:
                log.debug("%s", instance.failure.traceback)
        return instance


Handler = Callable[[Any, Any], Any]
HandlerLoader = Callable[[Function], Handler]  # a fresh instance's handler, each call a new import


class HandlerNotFoundError(AttributeError):
    """The module imported but has no callable ``handler``."""


def create_handler_loader(project_root: Path) -> HandlerLoader:
    """The loader of a project's handlers: each call imports ``fn``'s modules afresh, as Lambda does."""

    def load(fn: Function) -> Handler:
        return import_handler(fn, project_root)

    return load


def import_handler(fn: Function, project_root: Path) -> Handler:
    """Import ``fn``'s handler as ``functions.lib.<name>.handler`` in a new namespace; its ``handler``.

    The namespace's roots are ``fn``'s package root, then (for a plugin's function) the
    project's root: see sdw/local/_imports.py.
    """
    roots = [fn.package_root] + ([project_root] if project_root != fn.package_root else [])
    module = create_namespace(roots).import_module(fn.handler_module.replace("/", "."))
    handler = getattr(module, "handler", None)
    if not callable(handler):
        raise HandlerNotFoundError(f"Handler 'handler' missing on module '{fn.handler_module}'")
    return handler  # type: ignore[no-any-return]


_NAMESPACE = re.compile(rf"\b{PREFIX}\d+\.")


def plain_names(text: str) -> str:
    """``text`` with the namespace taken off module names, as Lambda would show them.

    >>> plain_names("No module named '_sdw_fn_7.functions.lib.a.nope'")
    "No module named 'functions.lib.a.nope'"
    """
    return _NAMESPACE.sub("", text) if PREFIX in text else text


def _mtime(path: Path) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return -1.0


def _is_plain_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | bool | int)


def _syntax_failure(exc: SyntaxError, fn: Function) -> ImportFailure:
    # Lambda: {"errorType": "Runtime.UserCodeSyntaxError", "errorMessage":
    #          "Syntax error in module 'functions/lib/x/handler': invalid syntax (handler.py, line 3)"}
    line = exc.lineno
    message = f"Syntax error in module '{fn.handler_module}': {exc.msg} (handler.py, line {line})"
    detail = "".join(traceback.format_exception_only(type(exc), exc))
    return ImportFailure(str(fn.handler_file), line, message, "Runtime.UserCodeSyntaxError", detail)


def _import_failure(exc: BaseException, fn: Function) -> ImportFailure:
    # Lambda: {"errorType": "Runtime.ImportModuleError",
    #          "errorMessage": "Unable to import module 'functions/lib/x/handler': No module named 'y'"}
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if Path(frame.filename) == fn.handler_file:
            line = frame.lineno
    message = plain_names(f"Unable to import module '{fn.handler_module}': {exc}")
    detail = plain_names("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    return ImportFailure(str(fn.handler_file), line, message, "Runtime.ImportModuleError", detail,
                         _sibling_hint(exc, fn))


def _sibling_hint(exc: BaseException, fn: Function) -> str:
    """Advice when a bare ``import utils`` missed the function's own ``utils.py``."""
    name = exc.name if isinstance(exc, ModuleNotFoundError) else None
    if not name or "." in name:
        return ""
    if not ((fn.directory / f"{name}.py").is_file() or (fn.directory / name).is_dir()):
        return ""
    package = fn.handler_module.rpartition("/")[0].replace("/", ".")
    return (
        f"{name!r} is beside the handler, but Lambda does not put a function's folder on sys.path: "
        f"write 'from . import {name}' or 'from {package} import {name}'"
    )


def _exit_error(exc: BaseException, request_id: str) -> LambdaError:
    # Lambda: {"errorType": "Runtime.ExitError",
    #          "errorMessage": "RequestId: <id> Error: Runtime exited with error: exit status 1"}
    # The text after "exited with error:" is how the runtime process ended, in Go's words
    # (os.ProcessState): "exit status N", or "signal: <name>" for a process a signal ended
    # ("signal: segmentation fault (core dumped)" is reported in awslabs/aws-lambda-cpp#30).
    if isinstance(exc, SystemExit):
        code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
        reason = f"Runtime exited with error: exit status {code}"
        if not code:
            reason = "Runtime exited without providing a reason"
    elif isinstance(exc, KeyboardInterrupt):
        reason = "Runtime exited with error: signal: interrupt"  # CPython >= 3.8 re-raises SIGINT
    else:  # an uncaught BaseException: the interpreter prints it and exits with status 1
        reason = "Runtime exited with error: exit status 1"
    prefix = f"RequestId: {request_id} " if request_id else ""
    return LambdaError("Runtime.ExitError", f"{prefix}Error: {reason}", (), request_id)


def _error_from(exc: BaseException, request_id: str) -> LambdaError:
    # Lambda's Python runtime: errorType is the class name, stackTrace the user's frames
    tb: TracebackType | None = exc.__traceback__
    if tb is not None and tb.tb_next is not None:
        tb = tb.tb_next  # drop the invoker's own frame
    frames = traceback.format_list(traceback.extract_tb(tb))
    return LambdaError(type(exc).__name__, plain_names(str(exc)), tuple(frames), request_id)
