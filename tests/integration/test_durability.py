"""Kill ``sdw dev`` (SIGKILL) mid-execution, twice, and start it again: it ends as if uninterrupted.

The flow: Task ``first`` -> Wait 2 s -> Task ``second`` (takes 1 s) -> Pass. The server is
killed once during the Wait and once while ``second`` runs. After each restart the engine
resumes from the last checkpoint: the Wait ends at its original deadline (or at once, if
that passed while the server was down), ``second`` runs again (at-least-once), ``first``
does not, and the output is the output of an uninterrupted run of the same flow.
"""

from __future__ import annotations

import json
import signal
import socket
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from tests.integration.test_cli_dev import DevProcess

RECORD = """\
import time

def handler(event, context):
    with open(event["log"], "a") as log:
        log.write(event["step"] + "\\n")
    time.sleep(event.get("seconds", 0))
    return {**event, "steps": event.get("steps", []) + [event["step"]]}
"""


def task(step: str, seconds: float, then: str) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": "${recordArn}",
        "Parameters": {"log.$": "$.log", "step": step, "seconds": seconds, "steps.$": "$.steps"},
        "Next": then,
    }


FLOW = {
    "name": "durable",
    "functions": [{"name": "record", "handler": "functions/lib/record/handler.handler"}],
    "definition": {
        "StartAt": "First",
        "States": {
            "First": task("first", 0, "Pause"),
            "Pause": {"Type": "Wait", "Seconds": 2, "Next": "Second"},
            "Second": task("second", 1, "Done"),
            "Done": {"Type": "Pass", "Parameters": {"steps.$": "$.steps", "last.$": "$.step"}, "End": True},
        },
    },
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """``sdw dev`` on a free port; ``token`` is the dev user's, from the banner."""

    def __init__(self, project: Path, state: Path) -> None:
        port = free_port()
        self.process = DevProcess(
            ["--project-dir", str(project), "--state-dir", str(state), "--port", str(port)]
        )
        self.token = self.process.wait_for(r"Authorization: Bearer ([\w.-]+)").group(1)
        self.process.wait_for(r"Listening on")
        self.ready = time.time()
        self.client = httpx.Client(
            base_url=f"http://127.0.0.1:{port}", timeout=10, headers={"Authorization": f"Bearer {self.token}"}
        )

    def start(self, name: str, data: dict[str, Any]) -> str:
        response = self.client.post("/run/durable", params={"name": name}, content=json.dumps(data))
        assert response.status_code == 200, response.text
        return str(response.json()["executionId"])

    def describe(self, execution: str) -> dict[str, Any]:
        response = self.client.get(f"/run/durable/{execution}")
        assert response.status_code == 200, response.text
        return dict(response.json())

    def events(self, execution: str) -> list[dict[str, Any]]:
        response = self.client.get(f"/run/durable/{execution}/history", params={"limit": 1000})
        assert response.status_code == 200, response.text
        return list(response.json()["events"])

    def until(self, execution: str, condition: Any, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while not condition(self):
            assert time.monotonic() < deadline, self.describe(execution)
            time.sleep(0.02)

    def kill(self) -> None:
        self.client.close()
        self.process.proc.send_signal(signal.SIGKILL)
        self.process.proc.wait(5)
        self.process.stop()

    def stop(self) -> None:
        self.client.close()
        self.process.stop()


def stamp(event: dict[str, Any]) -> float:
    return datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00")).timestamp()


def test_an_execution_survives_two_kills_and_ends_as_an_uninterrupted_one(tmp_path: Path) -> None:
    project, state, log = tmp_path / "project", tmp_path / "state", tmp_path / "calls.log"
    (project / "functions" / "lib" / "record").mkdir(parents=True)
    (project / "functions" / "lib" / "record" / "handler.py").write_text(RECORD)
    (project / "flows").mkdir()
    (project / "flows" / "durable.yml").write_text(json.dumps(FLOW))
    data = {"log": str(log), "steps": []}

    first = Server(project, state)
    execution = first.start("killed-twice", data)
    first.until(execution, lambda s: any(e["type"] == "WaitStateEntered" for e in s.events(execution)))
    first.kill()  # during the Wait

    second = Server(project, state)
    second.until(execution, lambda _s: log.read_text().count("second") == 1)
    second.kill()  # while the second task runs

    third = Server(project, state)
    try:
        reference = third.start("uninterrupted", {"log": str(tmp_path / "reference.log"), "steps": []})
        third.until(execution, lambda s: s.describe(execution)["status"] != "RUNNING")
        third.until(reference, lambda s: s.describe(reference)["status"] != "RUNNING")
        resumed, uninterrupted = third.describe(execution), third.describe(reference)
        events = third.events(execution)
    finally:
        third.stop()

    assert resumed["status"] == uninterrupted["status"] == "SUCCEEDED"
    assert resumed["output"] == uninterrupted["output"] == {"steps": ["first", "second"], "last": "second"}
    assert log.read_text().split() == ["first", "second", "second"]  # the task in flight ran again
    types = [event["type"] for event in events]
    assert types.count("ExecutionStarted") == types.count("WaitStateEntered") == 1
    assert [event["id"] for event in events] == list(range(1, len(events) + 1))
    entered = stamp(next(e for e in events if e["type"] == "WaitStateEntered"))
    exited = stamp(next(e for e in events if e["type"] == "WaitStateExited"))
    # the Wait kept its deadline: it ended 2 s after it began, or as soon as the engine was back
    assert abs(exited - max(entered + 2, second.ready)) < 0.5
