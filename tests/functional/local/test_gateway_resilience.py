"""No handler can wedge the server: BaseExceptions answered at once, a concurrency cap per function,
and a response HTTP could not carry (a 204 with a body) sent as HTTP allows.

A small runtime of its own (4 handler threads, 2 concurrent calls per function) so that
exhausting either would show within a few calls.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sdw.local import LocalRuntime, create_local_runtime

HANDLERS = {
    "ping": "def handler(event, context):\n    return {'statusCode': 200, 'body': 'I am alive'}\n",
    "interrupted": "def handler(event, context):\n    raise KeyboardInterrupt\n",
    "cancelled": "import asyncio\n\ndef handler(event, context):\n    raise asyncio.CancelledError()\n",
    "hold": "import time\n\ndef handler(event, context):\n    time.sleep(2)\n    return 'held'\n",
    "no_content": "def handler(event, context):\n    return {'statusCode': 204, 'body': 'not sent'}\n",
    "not_modified": "def handler(event, context):\n    return {'statusCode': 304, 'body': '{}'}\n",
}


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalRuntime, httpx.Client, str]]:
    root = tmp_path_factory.mktemp("project")
    for name, source in HANDLERS.items():
        (root / "functions" / "lib" / name).mkdir(parents=True)
        (root / "functions" / "lib" / name / "handler.py").write_text(source)
    (root / "functions" / "lib" / "interrupted" / "function.yml").write_text("timeout: 30\n")
    state = tmp_path_factory.mktemp("state")
    local = create_local_runtime(Path(root), state, port=0, workers=4, concurrency=2)
    try:
        local.server.start()
        local.pool.create_user("ada@example.com", "Passw0rd!Passw0rd")
        token = local.pool.authenticate("ada@example.com", "Passw0rd!Passw0rd").id_token
        with httpx.Client(base_url=local.base_url, timeout=40,
                          headers={"authorization": f"Bearer {token}"}) as client:
            yield local, client, token
    finally:
        local.close()


def test_a_handler_raising_keyboard_interrupt_is_answered_at_once_and_the_pool_stays_whole(
    runtime: tuple[LocalRuntime, httpx.Client, str], caplog: pytest.LogCaptureFixture
) -> None:
    local, client, _ = runtime
    started = time.monotonic()
    with caplog.at_level(logging.ERROR, logger="sdw"):
        for name in ["interrupted", "cancelled"] * 40:  # ten times the handler threads
            response = client.post(f"/lib/{name}")
            assert response.status_code == 500
            assert response.content == b'{"message":"Internal Server Error"}'
    assert time.monotonic() - started < 20  # each one answered at once, not at its 30 s timeout
    assert "Runtime.ExitError" in caplog.text and "signal: interrupt" in caplog.text
    assert client.post("/lib/ping").text == "I am alive"
    assert local.workers.threads <= 4


def test_a_call_past_the_functions_concurrency_is_answered_as_http_api_answers_a_throttled_lambda(
    runtime: tuple[LocalRuntime, httpx.Client, str], caplog: pytest.LogCaptureFixture
) -> None:
    # Lambda refuses the call with 429 TooManyRequestsException ("Rate Exceeded."); HTTP API
    # answers its client 500 {"message":"Internal Server Error"} for a throttled Lambda (AWS
    # knowledge center, "How do I troubleshoot issues for API Gateway endpoints that integrate
    # with Lambda?": "If the backend service throttled because of a high number of requests,
    # then the API Gateway API might return an Internal server error"), the reason in the log.
    local, client, token = runtime
    held: list[httpx.Response] = []

    def hold() -> None:
        with httpx.Client(base_url=local.base_url, timeout=40) as own:
            held.append(own.post("/lib/hold", headers={"authorization": f"Bearer {token}"}))

    threads = [threading.Thread(target=hold) for _ in range(2)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 5
    while local.invoker.in_flight("hold") < 2:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    started = time.monotonic()
    with caplog.at_level(logging.ERROR, logger="sdw"):
        throttled = client.post("/lib/hold")
    assert time.monotonic() - started < 1
    assert (throttled.status_code, throttled.content) == (500, b'{"message":"Internal Server Error"}')
    assert "Lambda.TooManyRequestsException" in caplog.text and "Rate Exceeded." in caplog.text
    assert client.post("/lib/ping").status_code == 200  # other functions are not throttled
    for thread in threads:
        thread.join(10)
    assert [response.json() for response in held] == ["held", "held"]


@pytest.mark.parametrize(("name", "status"), [("no_content", 204), ("not_modified", 304)])
def test_a_204_or_304_with_a_body_reaches_the_client_without_it(
    runtime: tuple[LocalRuntime, httpx.Client, str], name: str, status: int
) -> None:
    _, client, _ = runtime
    response = client.post(f"/lib/{name}")
    assert (response.status_code, response.content) == (status, b"")
    assert client.post("/lib/ping").text == "I am alive"  # the connection and the server go on
