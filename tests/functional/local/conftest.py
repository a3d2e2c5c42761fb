"""A real local runtime on a free loopback port, with a project made for the tests."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from sdw.local import generate_password
from sdw.local._runtime import LocalRuntime, create_local_runtime
from sdw.system import Tokens

FUNCTIONS = {
    "ping": "def handler(event, context):\n    return {'statusCode': 200, 'body': 'I am alive'}\n",
    "echo": (
        "import json\n\ndef handler(event, context):\n"
        "    return {'statusCode': 200, 'body': json.dumps(event)}\n"
    ),
    "dict_body": "def handler(event, context):\n    return {'statusCode': 200, 'body': {'a': 1}}\n",
    "boom": textwrap.dedent(
        """\
        def handler(event, context):
            raise RuntimeError("database password is hunter2")
        """
    ),
    "slow": "import time\n\ndef handler(event, context):\n    time.sleep(2.5)\n    return 'late'\n",
    "stuck": "import time\n\ndef handler(event, context):\n    time.sleep(2.5)\n    return 'late'\n",
    "counter": textwrap.dedent(
        """\
        calls = 0

        def handler(event, context):
            global calls
            calls += 1
            return {"calls": calls}
        """
    ),
    "broken": "def handler(event, context):\n    return (\n\nx = 1\n",
    "version": "def handler(event, context):\n    return {'version': 1}\n",
}
CONFIGS = {"slow": "timeout: 1\n", "stuck": "timeout: 5\n"}
INTEGRATION_TIMEOUT = 1.0  # stands in for HTTP API's 30 s so the test does not wait 30 s


@dataclass
class Server:
    runtime: LocalRuntime
    client: httpx.Client
    tokens: Tokens
    email: str
    password: str
    project: Path

    @property
    def url(self) -> str:
        return self.runtime.base_url

    def call(
        self, name: str, token: str | None = None, headers: dict[str, str] | None = None, **kwargs: object
    ) -> httpx.Response:
        sent = {"authorization": f"Bearer {token or self.tokens.id_token}", **(headers or {})}
        return self.client.post(f"/lib/{name}", headers=sent, **kwargs)  # type: ignore[arg-type]


def write_project(root: Path) -> None:
    for name, source in FUNCTIONS.items():
        folder = root / "functions" / "lib" / name
        folder.mkdir(parents=True)
        (folder / "handler.py").write_text(source)
        if name in CONFIGS:
            (folder / "function.yml").write_text(CONFIGS[name])
    # a local plugin with a function named like one of the project's: served beside it
    plugin = root / "plugins" / "billing" / "functions" / "lib" / "ping"
    plugin.mkdir(parents=True)
    (plugin / "handler.py").write_text("def handler(event, context):\n    return {'plugin': 'billing'}\n")
    (root / "config.json").write_text('{"plugins": ["./plugins/billing"]}\n')


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("project")
    write_project(root)
    state = tmp_path_factory.mktemp("state")
    runtime = create_local_runtime(root, state, port=0, integration_timeout=INTEGRATION_TIMEOUT)
    try:
        runtime.server.start()
        email, password = "ada@example.com", generate_password()
        runtime.pool.create_user(email, password)
        tokens = runtime.pool.authenticate(email, password)
        with httpx.Client(base_url=runtime.base_url, timeout=10) as client:
            yield Server(runtime, client, tokens, email, password, root)
    finally:
        runtime.close()
