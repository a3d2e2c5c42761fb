"""Where the running ``sdw dev`` listens, kept in its state folder for the CLI to find.

A local token's issuer is ``<where sdw dev listens>/<userPoolId>`` (see userpool/_pool.py
for why), so a token the CLI signs for port 3000 is refused by ``sdw dev --port 4000``, as
a token of another pool is on AWS. The CLI cannot guess the port; the server can say it:
``sdw dev`` writes ``dev-server.json`` (its base URL and process id, 0600) when it starts
listening and removes it when it stops, and the commands that sign a token or call the
server (``sdw users token``, ``sdw run``, ``sdw executions``) read it when no host or
port was given to them, so their tokens and requests reach the server that runs.

A record whose process is gone (``kill -9``) is ignored; one left by a process that
reused the id is the only way to be wrong, and the server's log then says why it refused
the token (the issuer it got and its own).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from pathlib import Path

from sdw.local._errors import StateError
from sdw.local._statedir import StateDir

RECORD = "dev-server.json"


def announce_server(state: StateDir, base_url: str, *, pid: int | None = None) -> Callable[[], None]:
    """Record that this process serves at ``base_url``; the function returned withdraws it."""
    own = os.getpid() if pid is None else pid
    state.write_private(RECORD, json.dumps({"baseUrl": base_url, "pid": own}).encode())

    def withdraw() -> None:
        found = _read(state)
        if found is not None and found[1] == own:  # a newer server's record is left alone
            with contextlib.suppress(OSError):
                state.file(RECORD).unlink()

    return withdraw


def running_server_url(state_dir: Path) -> str | None:
    """The base URL of the ``sdw dev`` running on ``state_dir``, or None when none runs."""
    if not (state_dir / RECORD).is_file():
        return None
    found = _read(StateDir(state_dir))
    if found is None or not _alive(found[1]):
        return None
    return found[0]


def _read(state: StateDir) -> tuple[str, int] | None:
    try:
        data = state.read_private(RECORD)
    except StateError:
        return None
    try:
        record = json.loads(data or b"")
    except ValueError:
        return None
    if not isinstance(record, dict):
        return None
    url, pid = record.get("baseUrl"), record.get("pid")
    if not isinstance(url, str) or isinstance(pid, bool) or not isinstance(pid, int) or pid <= 0:
        return None
    return url, pid


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process has that id: not ours, but alive
        return True
    except OSError:
        return False
    return True
