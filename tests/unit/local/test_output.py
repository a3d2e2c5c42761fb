from __future__ import annotations

import io
import logging
import threading

from sdw.local._output import FunctionLogHandler, PrefixingStream, current_function, running_function


def test_prefixes_each_line_a_function_prints_with_its_name() -> None:
    target = io.StringIO()
    stream = PrefixingStream(target)
    with current_function("ping"):
        stream.write("hello\nwor")
        stream.write("ld\n")
    assert target.getvalue() == "[ping] hello\n[ping] world\n"


def test_passes_other_output_through_untouched() -> None:
    target = io.StringIO()
    PrefixingStream(target).write("POST /lib/ping 200\n")
    assert target.getvalue() == "POST /lib/ping 200\n"


def test_writes_an_unterminated_last_line_when_the_function_returns() -> None:
    target = io.StringIO()
    stream = PrefixingStream(target)
    with current_function("echo"):
        stream.write("no newline")
        stream.flush_function()
    assert target.getvalue() == "[echo] no newline\n"


def test_keeps_the_lines_of_two_threads_apart() -> None:
    target = io.StringIO()
    stream = PrefixingStream(target)

    def work(name: str) -> None:
        with current_function(name):
            for i in range(50):
                stream.write(f"{name} {i}\n")

    threads = [threading.Thread(target=work, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for line in target.getvalue().splitlines():
        prefix, name, _ = line.split(" ")
        assert prefix == f"[{name}]"


def test_logs_a_functions_records_in_lambdas_format_and_ignores_the_rest() -> None:
    target = io.StringIO()
    handler = FunctionLogHandler(PrefixingStream(target))  # type: ignore[arg-type]
    logger = logging.getLogger("test_output_fn")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        logger.warning("outside")
        with current_function("greet"):
            assert running_function() == "greet"
            logger.warning("inside")
    finally:
        logger.removeHandler(handler)
    (line,) = target.getvalue().splitlines()
    assert line.startswith("[greet] [WARNING]\t") and line.endswith("\tinside")
    assert running_function() is None
