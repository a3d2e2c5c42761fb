"""``sdw dev`` as a user runs it: a subprocess on a free port, called over HTTP, then stopped."""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
TALKER = """\
import logging

def handler(event, context):
    print('hello from talker')
    logging.warning('careful')
    return {'ok': True}
"""


def _pump(stream: object, lines: queue.Queue[str], seen: list[str]) -> None:
    for line in iter(stream.readline, ""):  # type: ignore[attr-defined]
        seen.append(line)
        lines.put(line)


class DevProcess:
    def __init__(self, args: list[str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from sdw.cli import main; main()", "dev", *args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        pump_args = (self.proc.stdout, self.lines, self.output)
        self._pump = threading.Thread(target=_pump, args=pump_args, daemon=True)
        self._pump.start()

    def wait_for(self, pattern: str, timeout: float = 20) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            found = re.search(pattern, line)
            if found:
                return found
        raise AssertionError(f"no line matching {pattern!r}; output:\n{''.join(self.output)}")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._pump.join(5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        return self.proc.returncode


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(REPO / "functions", root / "functions", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "functions" / "lib" / "talker").mkdir()
    (root / "functions" / "lib" / "talker" / "handler.py").write_text(TALKER)
    return root


@pytest.fixture
def dev(project: Path, tmp_path: Path, free_port: int) -> Iterator[DevProcess]:
    process = DevProcess(["--port", str(free_port), "--project-dir", str(project),
                          "--state-dir", str(tmp_path / "state")])
    try:
        yield process
    finally:
        process.stop()


def test_sdw_dev_serves_the_examples_with_the_printed_curl_and_stops_on_ctrl_c(
    dev: DevProcess, free_port: int
) -> None:
    curl = dev.wait_for(r"curl -X POST (\S+) -H 'Authorization: Bearer ([^']+)'")
    url, token = curl.group(1), curl.group(2)
    assert url == f"http://127.0.0.1:{free_port}/lib/ping"
    dev.wait_for(r"Listening on")
    headers = {"authorization": f"Bearer {token}"}
    response = httpx.post(url, headers=headers, timeout=10)
    assert (response.status_code, response.text) == (200, "I am alive")
    base = f"http://127.0.0.1:{free_port}"
    french = {"name": "Ada", "language": "fr"}
    greet = httpx.post(f"{base}/lib/greet", headers=headers, json=french, timeout=10)
    assert greet.json() == {"greeting": "Bonjour, Ada!"}
    bad = httpx.post(f"{base}/lib/greet", headers=headers, json={"name": ""}, timeout=10)
    assert bad.status_code == 400 and "name" in bad.json()["message"]
    hello = httpx.post(f"{base}/lib/hello_world", headers=headers, timeout=10)
    assert hello.json()["message"] == "Hello, dev@sdw.local!"
    assert httpx.post(url, timeout=10).status_code == 401
    assert httpx.post(f"{base}/lib/talker", headers=headers, timeout=10).json() == {"ok": True}
    dev.wait_for(r"^\[talker\] hello from talker$")
    dev.wait_for(r"^\[talker\] \[WARNING\]\t.*\tcareful$")
    dev.wait_for(r"^POST /lib/talker 200 [\d.]+ms talker$")
    assert dev.stop() == 0


def test_a_token_from_sdw_users_token_works_on_the_running_sdw_dev_whatever_its_port(
    dev: DevProcess, tmp_path: Path, project: Path, free_port: int
) -> None:
    # The newcomer trap of issue 10: `sdw dev --port N`, then `sdw users token` without
    # --port. The running server records where it listens; the CLI signs for that issuer.
    dev.wait_for(r"Listening on")
    env = {key: value for key, value in os.environ.items() if key not in ("SDW_HOST", "SDW_PORT")}
    env.update(SDW_STATE_DIR=str(tmp_path / "state"), SDW_PROJECT_DIR=str(project))

    def sdw(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", "from sdw.cli import main; main()", *args], env=env,
                              capture_output=True, text=True, timeout=60, check=False)

    assert sdw("users", "create", "--email", "ada@example.com", "--password", "Corr3ct-horse").returncode == 0
    signed_in = sdw("users", "token", "--email", "ada@example.com", "--password", "Corr3ct-horse")
    assert signed_in.returncode == 0, signed_in.stderr
    token = json.loads(signed_in.stdout)["IdToken"]
    verified = httpx.get(f"http://127.0.0.1:{free_port}/auth/verify",
                         headers={"authorization": f"Bearer {token}"}, timeout=10)
    assert verified.status_code == 200 and verified.json()["claims"]["email"] == "ada@example.com"
    # a token made for another port is refused, and the server's log says why (never the client)
    other = sdw("users", "token", "--email", "ada@example.com", "--password", "Corr3ct-horse",
                "--port", str(free_port + 1))
    wrong_port = json.loads(other.stdout)["IdToken"]
    refused = httpx.get(f"http://127.0.0.1:{free_port}/auth/verify",
                        headers={"authorization": f"Bearer {wrong_port}"}, timeout=10)
    assert (refused.status_code, refused.content) == (401, b'{"message":"Unauthorized"}')
    dev.wait_for(r"401: the token does not have a valid issuer \(iss 'http://127.0.0.1:\d+/")
    assert dev.stop() == 0
    assert not (tmp_path / "state" / "dev-server.json").exists()  # withdrawn when it stops


def test_sdw_dev_says_at_start_and_when_it_happens_that_a_flow_edit_needs_a_restart(
    project: Path, tmp_path: Path, free_port: int
) -> None:
    shutil.copytree(REPO / "flows", project / "flows")
    process = DevProcess(["--port", str(free_port), "--project-dir", str(project),
                          "--state-dir", str(tmp_path / "state")])
    try:
        process.wait_for(r"flow\(s\) read now: after editing flows/\*\.yml, restart sdw dev")
        process.wait_for(r"Listening on")
        flow = project / "flows" / "helloWorldFlow.yml"
        flow.write_text(flow.read_text() + "\n# edited\n")
        process.wait_for(r"flows/helloWorldFlow\.yml \(edited\): sdw dev read the flows when it started",
                         timeout=10)
    finally:
        assert process.stop() == 0


def test_sdw_dev_reports_a_port_in_use_in_one_sentence(project: Path, tmp_path: Path) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-c", "from sdw.cli import main; main()", "dev", "--port", str(port),
             "--project-dir", str(project), "--state-dir", str(tmp_path / "state")],
            capture_output=True, text=True, timeout=30, check=False,
        )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


def run_dev(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from sdw.cli import main; main()", "dev", *args],
        capture_output=True, text=True, timeout=30, check=False,
        env=None if env is None else {**os.environ, **env},
    )


def test_sdw_dev_reports_a_bad_port_setting_in_one_line(project: Path, tmp_path: Path) -> None:
    where = ("--project-dir", str(project), "--state-dir", str(tmp_path / "state"))
    result = run_dev(*where, env={"SDW_PORT": "abc"})
    assert result.returncode == 1
    assert result.stderr == "Error: bad configuration: SDW_PORT must be a port number, not 'abc'\n"
    result = run_dev(*where, "--port", "99999")
    assert result.returncode == 2  # a bad option, as click reports every one
    assert "99999 is not in the range 0<=x<=65535" in result.stderr
    assert "Traceback" not in result.stderr


def test_sdw_dev_reports_a_state_folder_it_cannot_use_in_one_line(project: Path, tmp_path: Path) -> None:
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("")
    result = run_dev("--port", "0", "--project-dir", str(project), "--state-dir", str(in_the_way / "state"))
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: cannot create the state folder {in_the_way / 'state'}: ")
    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    (corrupt / "flows.db").write_bytes(b"not a database, not even close" * 100)
    result = run_dev("--port", "0", "--project-dir", str(project), "--state-dir", str(corrupt))
    assert result.returncode == 1
    database = corrupt / "flows.db"
    assert result.stderr == f"Error: cannot open the database {database}: file is not a database\n"


def test_sdw_dev_with_two_workers_serves_from_both_and_stops_them(
    project: Path, tmp_path: Path, free_port: int
) -> None:
    process = DevProcess(["--port", str(free_port), "--project-dir", str(project), "--workers", "2",
                          "--state-dir", str(tmp_path / "state"), "--quiet"])
    try:
        curl = process.wait_for(r"curl -X POST (\S+) -H 'Authorization: Bearer ([^']+)'")
        process.wait_for(r"Listening on .*2 worker processes")
        headers = {"authorization": f"Bearer {curl.group(2)}"}
        deadline = time.monotonic() + 20
        streams: set[str] = set()
        while time.monotonic() < deadline and len(streams) < 2:
            # one connection each: the kernel spreads new connections across the processes
            echo = httpx.post(f"http://127.0.0.1:{free_port}/lib/echo", headers=headers, timeout=10).json()
            streams.add(echo["context"]["log_stream_name"])  # one per instance
        assert len(streams) == 2, "the second worker process never answered"
    finally:
        assert process.stop() == 0
    assert process.proc.returncode == 0
