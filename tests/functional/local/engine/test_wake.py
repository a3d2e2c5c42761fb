"""The nudge between sdw dev's processes: a datagram in Linux's abstract namespace, named after the folder."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest

from sdw.local.engine._wake import Wakeup

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="abstract sockets are Linux's")


def test_a_nudge_reaches_the_listener_of_the_same_folder_only(tmp_path: Path) -> None:
    here, there = threading.Event(), threading.Event()
    listener, other = Wakeup(tmp_path / "a"), Wakeup(tmp_path / "b")
    assert listener.listen(here.set) and other.listen(there.set)
    try:
        Wakeup(tmp_path / "a").notify()
        assert here.wait(2) and not there.is_set()
    finally:
        listener.close()
        other.close()


def test_only_one_process_listens_for_a_folder(tmp_path: Path) -> None:
    first, second = Wakeup(tmp_path), Wakeup(tmp_path)
    assert first.listen(lambda: None)
    try:
        assert not second.listen(lambda: None)
    finally:
        first.close()
    assert second.listen(lambda: None)  # free again once the first has closed
    second.close()


def test_a_nudge_with_nobody_listening_is_harmless(tmp_path: Path) -> None:
    Wakeup(tmp_path).notify()
    Wakeup(tmp_path).close()
