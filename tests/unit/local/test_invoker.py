from __future__ import annotations

import asyncio
import base64
import threading
import time
from typing import Any

import pytest

from sdw.local._invoker import RELOAD_CHECK_S, ThrottledError, UnknownFunctionError
from sdw.local._output import OutputCapture
from sdw.local._workers import WorkerPool

from ._doubles import ManualClock, answer, make_invoker


def test_returns_the_handlers_result_through_json() -> None:
    invoker = make_invoker({"f": answer({"t": (1, 2), "ok": True})})
    invocation = invoker.invoke("f", {})
    assert invocation.ok
    assert invocation.payload == {"t": [1, 2], "ok": True}
    assert invocation.result_document() == {"t": [1, 2], "ok": True}


def test_passes_the_event_and_a_lambda_context() -> None:
    seen: dict[str, Any] = {}

    def handler(event: Any, context: Any) -> None:
        seen.update(event=event, name=context.function_name, arn=context.invoked_function_arn,
                    group=context.log_group_name, version=context.function_version,
                    memory=context.memory_limit_in_mb, rid=context.aws_request_id)

    invocation = make_invoker({"send_report": handler}).invoke("send_report", {"a": 1})
    assert seen["event"] == {"a": 1}
    assert seen["name"] == "send-report"
    assert seen["arn"] == "arn:aws:lambda:us-east-1:000000000000:function:send-report"
    assert seen["group"] == "/aws/lambda/send-report"
    assert (seen["version"], seen["memory"]) == ("$LATEST", 1024)
    assert seen["rid"] == invocation.request_id


def test_reports_a_raised_exception_as_lambdas_error_document() -> None:
    def handler(event: Any, context: Any) -> None:
        raise ValueError("bad input")

    invocation = make_invoker({"f": handler}).invoke("f", {})
    document = invocation.result_document()
    assert document["errorType"] == "ValueError"
    assert document["errorMessage"] == "bad input"
    assert document["requestId"] == invocation.request_id
    assert any("raise ValueError" in line for line in document["stackTrace"])
    assert not any("sdw/local/_invoker.py" in line for line in document["stackTrace"])


def test_reports_a_result_that_is_not_json_as_a_marshal_error() -> None:
    invocation = make_invoker({"f": answer({"when": object()})}).invoke("f", {})
    assert invocation.error is not None and invocation.error.error_type == "Runtime.MarshalError"
    assert invocation.error.error_message.startswith("Unable to marshal response:")


def test_reports_a_result_nested_too_deeply_for_json_as_a_marshal_error_at_once() -> None:
    nested: list[Any] = []
    for _ in range(100_000):
        nested = [nested]
    invoker = make_invoker({"f": answer(nested)}, timeouts={"f": 30})
    invocation = invoker.invoke("f", {})  # once, the worker thread died and this waited 30 s
    assert invocation.error is not None and invocation.error.error_type == "Runtime.MarshalError"
    assert invocation.error.error_message.startswith("Unable to marshal response: maximum recursion depth")
    assert invoker.invoke("f", {}).error is not None  # and the pool still serves


def test_reports_sys_exit_in_a_handler_as_lambdas_exit_error_and_starts_a_fresh_instance() -> None:
    def handler(event: Any, context: Any) -> None:
        raise SystemExit(3)

    invoker = make_invoker({"f": handler}, timeouts={"f": 30})
    invocation = invoker.invoke("f", {})  # once, the worker thread ended and this waited 30 s
    assert invocation.error is not None and not invocation.timed_out
    assert invocation.error.error_type == "Runtime.ExitError"
    assert invocation.error.error_message == (
        f"RequestId: {invocation.request_id} Error: Runtime exited with error: exit status 3"
    )
    invoker.invoke("f", {})
    assert invoker.loads == {"f": 2}  # type: ignore[attr-defined]  # the exited instance is gone


def test_reports_sys_exit_at_import_time_as_an_exit_error() -> None:
    invocation = make_invoker({"f": SystemExit()}).invoke("f", {})
    assert invocation.error is not None and invocation.error.error_type == "Runtime.ExitError"
    assert invocation.error.error_message.endswith("Error: Runtime exited without providing a reason")


def test_reports_a_result_over_six_mb_as_lambda_does() -> None:
    invocation = make_invoker({"f": answer("x" * 6_300_000)}).invoke("f", {})
    assert invocation.error is not None and invocation.error.error_type == "Function.ResponseSizeTooLarge"


def test_answers_every_call_to_a_function_that_fails_to_import_with_its_runtime_error() -> None:
    invoker = make_invoker({"broken": ModuleNotFoundError("No module named 'nope'"), "ok": answer(1)})
    invocation = invoker.invoke("broken", {})
    assert invocation.error is not None
    assert invocation.error.error_type == "Runtime.ImportModuleError"
    assert invocation.error.error_message == (
        "Unable to import module 'functions/lib/broken/handler': No module named 'nope'"
    )
    assert invoker.invoke("ok", {}).payload == 1


def test_reports_a_syntax_error_with_the_line() -> None:
    error = SyntaxError("invalid syntax", ("/project/functions/lib/bad/handler.py", 3, 5, "x = (", 3, 6))
    invocation = make_invoker({"bad": error}).invoke("bad", {})
    assert invocation.error is not None
    assert invocation.error.error_type == "Runtime.UserCodeSyntaxError"
    message = "Syntax error in module 'functions/lib/bad/handler': invalid syntax (handler.py, line 3)"
    assert invocation.error.error_message == message


def test_refuses_an_unknown_function() -> None:
    with pytest.raises(UnknownFunctionError):
        make_invoker({}).start("nope", {})


def test_imports_once_and_reuses_the_handler() -> None:
    invoker = make_invoker({"f": answer(1)})
    for _ in range(5):
        invoker.invoke("f", {})
    assert invoker.loads == {"f": 1}  # type: ignore[attr-defined]


def test_reloads_a_function_whose_file_changed_once_the_check_interval_passed() -> None:
    clock = ManualClock()
    mtimes = {"f": 1.0, "g": 1.0}
    invoker = make_invoker({"f": answer(1), "g": answer(2)}, clock=clock, mtimes=mtimes)
    invoker.invoke("f", {})
    invoker.invoke("g", {})
    mtimes["f"] = 2.0
    invoker.invoke("f", {})
    assert invoker.loads == {"f": 1, "g": 1}  # type: ignore[attr-defined]  # not checked yet
    clock.now += RELOAD_CHECK_S
    invoker.invoke("f", {})
    invoker.invoke("g", {})
    assert invoker.loads == {"f": 2, "g": 1}  # type: ignore[attr-defined]  # f alone reloaded


def test_times_out_with_lambdas_error_and_starts_a_fresh_instance_after() -> None:
    release = threading.Event()
    entered = threading.Event()

    def slow(event: Any, context: Any) -> str:
        entered.set()
        release.wait(5)
        return "late"

    invoker = make_invoker({"slow": slow}, timeouts={"slow": 3})
    pending = invoker.start("slow", {})
    assert entered.wait(5)  # the instance that times out is the one the next call must not reuse
    invocation = invoker.time_out(pending)
    assert invocation.timed_out
    assert invocation.error is not None and invocation.error.error_type == "Sandbox.Timedout"
    assert invocation.error.error_message == (
        f"RequestId: {pending.request_id} Error: Task timed out after 3.00 seconds"
    )
    release.set()
    invoker.invoke("slow", {})
    assert invoker.loads == {"slow": 2}  # type: ignore[attr-defined]


def test_reports_remaining_time_against_the_functions_timeout() -> None:
    clock = ManualClock(100.0)
    remaining: list[int] = []

    def handler(event: Any, context: Any) -> None:
        remaining.append(context.get_remaining_time_in_millis())
        clock.now += 2.5
        remaining.append(context.get_remaining_time_in_millis())
        clock.now += 10
        remaining.append(context.get_remaining_time_in_millis())

    make_invoker({"f": handler}, timeouts={"f": 6}, clock=clock).invoke("f", {})
    assert remaining == [6000, 3500, 0]


def test_checks_every_handler_file_for_syntax_errors_without_running_it(tmp_path: Any) -> None:
    invoker = make_invoker({"f": answer(1)})
    failures = invoker.check_syntax()  # /project does not exist: reported, not raised
    assert [f.error_type for f in failures] == ["Runtime.ImportModuleError"]


# -- handlers that raise what is not an Exception ----------------------------------------------
# Lambda's Python runtime (awslambdaric bootstrap.handle_event_request) catches only Exception:
# anything else escapes and ends the runtime process, which Lambda reports as
# {"errorType": "Runtime.ExitError", "errorMessage": "RequestId: <id> Error: Runtime exited with
# error: <how the process ended>"} -- "signal: interrupt" for KeyboardInterrupt (CPython >= 3.8
# ends an uncaught one by re-raising SIGINT), "exit status 1" for any other BaseException.


def raising(error: BaseException) -> Any:
    def handler(event: Any, context: Any) -> None:
        raise error

    return handler


@pytest.mark.parametrize(
    ("error", "ended"),
    [
        (KeyboardInterrupt(), "signal: interrupt"),
        (GeneratorExit(), "exit status 1"),
        (asyncio.CancelledError(), "exit status 1"),
        (type("Custom", (BaseException,), {})("mine"), "exit status 1"),
    ],
    ids=["KeyboardInterrupt", "GeneratorExit", "CancelledError", "BaseException"],
)
def test_answers_a_handler_raising_a_base_exception_at_once_as_lambdas_exit_error(
    error: BaseException, ended: str
) -> None:
    invoker = make_invoker({"f": raising(error), "g": answer("fine")}, timeouts={"f": 30})
    started = time.monotonic()
    invocation = invoker.invoke("f", {})
    assert time.monotonic() - started < 5  # not the 30 s timeout
    assert invocation.error is not None and not invocation.timed_out
    assert invocation.error.error_type == "Runtime.ExitError"
    assert invocation.error.error_message == (
        f"RequestId: {invocation.request_id} Error: Runtime exited with error: {ended}"
    )
    invoker.invoke("f", {})
    assert invoker.loads["f"] == 2  # type: ignore[attr-defined]  # the process ended: a new instance
    assert invoker.invoke("g", {}).payload == "fine"


def test_the_pool_stays_whole_after_many_keyboard_interrupts() -> None:
    pool = WorkerPool(4)
    invoker = make_invoker({"f": raising(KeyboardInterrupt()), "g": answer("fine")}, pool=pool)
    for _ in range(200):  # far more than the pool has threads
        assert invoker.invoke("f", {}).error is not None
    assert invoker.invoke("g", {}).payload == "fine"
    assert pool.threads <= 4
    assert invoker.in_flight("f") == 0
    pool.shutdown()


def test_a_keyboard_interrupt_while_importing_is_an_exit_error_for_every_call() -> None:
    invoker = make_invoker({"f": KeyboardInterrupt()})
    invocation = invoker.invoke("f", {})
    assert invocation.error is not None
    assert invocation.error.error_type == "Runtime.ExitError"
    assert invocation.error.error_message.endswith("Runtime exited with error: signal: interrupt")


# -- concurrency: Lambda's limit per function ------------------------------------------------------


def test_refuses_a_call_past_the_functions_concurrency_as_lambda_throttles() -> None:
    release = threading.Event()

    def blocked(event: Any, context: Any) -> str:
        release.wait(5)
        return "done"

    invoker = make_invoker({"f": blocked, "g": answer("fine")}, concurrency=2)
    first, second = invoker.start("f", {}), invoker.start("f", {})
    with pytest.raises(ThrottledError) as caught:
        invoker.start("f", {})
    assert (caught.value.function, caught.value.limit) == ("f", 2)
    assert invoker.invoke("g", {}).payload == "fine"  # the limit is per function
    release.set()
    assert _wait_for(lambda: invoker.in_flight("f") == 0)
    assert first.result is not None and second.result is not None
    assert invoker.invoke("f", {}).payload == "done"  # room again once the calls returned


def test_a_timed_out_call_counts_until_its_handler_returns() -> None:
    # A handler that never returns keeps its thread: the cap is what bounds those threads.
    release = threading.Event()

    def stuck(event: Any, context: Any) -> str:
        release.wait(5)
        return "late"

    pool = WorkerPool(2)
    invoker = make_invoker({"f": stuck}, timeouts={"f": 1}, pool=pool, concurrency=3)
    for _ in range(3):
        assert invoker.time_out(invoker.start("f", {})).timed_out
    with pytest.raises(ThrottledError):
        invoker.start("f", {})
    assert invoker.in_flight("f") == 3
    assert pool.threads <= 2 + 3  # the pool's own threads plus one per abandoned call, no more
    release.set()
    assert _wait_for(lambda: invoker.in_flight("f") == 0)
    pool.shutdown()


def _wait_for(condition: Any, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


def test_log_tail_returns_the_calls_log_between_lambdas_start_end_and_report_lines() -> None:
    def talker(event: Any, context: Any) -> str:
        print("hello from the handler")
        return "ok"

    invoker = make_invoker({"talker": talker})
    capture = OutputCapture()
    capture.install()
    try:
        done = threading.Event()
        pending = invoker.start("talker", {}, lambda _invocation: done.set(), log_tail=True)
        assert done.wait(5)
    finally:
        capture.uninstall()
    invocation = pending.result
    assert invocation is not None and invocation.log_result is not None
    rid = invocation.request_id
    log = base64.b64decode(invocation.log_result).decode()
    written = "hello from the handler\n"
    assert log.startswith(f"START RequestId: {rid} Version: $LATEST\n{written}END RequestId: {rid}\n")
    assert f"REPORT RequestId: {rid}\tDuration: " in log and "\tMemory Size: 1024 MB\t" in log
    assert invoker.invoke("talker", {}).log_result is None  # only when asked for
