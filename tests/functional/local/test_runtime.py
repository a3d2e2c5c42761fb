"""create_local_runtime: what it opens, it releases when a later step fails."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from sdw.local import StateError
from sdw.local._runtime import create_local_runtime


def test_releases_the_port_when_the_flow_database_cannot_be_opened(tmp_path: Path, free_port: int) -> None:
    (tmp_path / "project").mkdir()
    state = tmp_path / "state"
    state.mkdir()
    (state / "flows.db").write_bytes(b"not a database, not even close" * 100)
    with pytest.raises(StateError, match="file is not a database"):
        create_local_runtime(tmp_path / "project", state, port=free_port)
    with socket.socket() as again:  # the runtime's listening socket is closed: the port is free
        again.bind(("127.0.0.1", free_port))
        again.listen()
