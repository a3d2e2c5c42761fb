"""The state folder is 0700 and every file in it 0600, whatever the umask (real files)."""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sdw.local import StateDir, StateError, create_state_dir


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(params=[0o000, 0o022, 0o277], ids=["umask-000", "umask-022", "umask-277"])
def any_umask(request: pytest.FixtureRequest) -> Iterator[None]:
    """Run under umasks that would give 0777/0666 files (000) or deny the owner (277)."""
    previous = os.umask(request.param)
    try:
        yield
    finally:
        os.umask(previous)


def test_creates_the_folder_0700_with_its_parents(tmp_path: Path, any_umask: None) -> None:
    state = create_state_dir(tmp_path / "project" / ".sdw")
    assert state.path.is_dir()
    assert mode(state.path) == 0o700


def test_tightens_an_existing_folder_to_0700(tmp_path: Path) -> None:
    folder = tmp_path / ".sdw"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    create_state_dir(folder)
    assert mode(folder) == 0o700


def test_refuses_a_shared_sticky_folder_and_leaves_its_mode(tmp_path: Path) -> None:
    shared = tmp_path / "tmp"
    shared.mkdir()
    shared.chmod(0o1777)  # what /tmp is
    with pytest.raises(StateError, match="shared folder"):
        create_state_dir(shared)
    assert mode(shared) == 0o1777


def test_the_constructor_touches_nothing(tmp_path: Path) -> None:
    StateDir(tmp_path / ".sdw")
    assert not (tmp_path / ".sdw").exists()


def test_a_database_and_its_wal_and_shm_files_are_0600(tmp_path: Path, any_umask: None) -> None:
    state = StateDir(tmp_path / ".sdw")
    connection = state.open_database("test.db")
    try:
        connection.execute("CREATE TABLE t (x)")
        connection.execute("INSERT INTO t VALUES (1)")
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        files = {p.name: mode(p) for p in state.path.iterdir()}
        assert {"test.db", "test.db-wal", "test.db-shm"} <= set(files)
        assert all(m == 0o600 for m in files.values()), files
    finally:
        connection.close()


def test_a_second_connection_sees_the_first_ones_writes(tmp_path: Path) -> None:
    state = StateDir(tmp_path / ".sdw")
    first, second = state.open_database("shared.db"), state.open_database("shared.db")
    try:
        first.execute("CREATE TABLE t (x)")
        first.execute("INSERT INTO t VALUES (42)")
        assert second.execute("SELECT x FROM t").fetchall() == [(42,)]
    finally:
        first.close()
        second.close()


def test_tightens_a_database_found_0644(tmp_path: Path) -> None:
    state = create_state_dir(tmp_path / ".sdw")
    path = state.file("old.db")
    path.touch()
    path.chmod(0o644)
    state.open_database("old.db").close()
    assert mode(path) == 0o600


def test_writes_a_private_file_atomically_0600(tmp_path: Path, any_umask: None) -> None:
    state = StateDir(tmp_path / ".sdw")
    path = state.write_private("secret", b"one")
    assert path == state.path / "secret"
    assert (path.read_bytes(), mode(path)) == (b"one", 0o600)
    state.write_private("secret", b"two")
    assert state.read_private("secret") == b"two"
    assert sorted(p.name for p in state.path.iterdir()) == ["secret"]  # no temporary left over


def test_create_private_keeps_what_is_there(tmp_path: Path) -> None:
    state = StateDir(tmp_path / ".sdw")
    assert state.create_private("key", b"first") is True
    assert state.create_private("key", b"second") is False
    assert state.read_private("key") == b"first"
    assert mode(state.file("key")) == 0o600
    assert sorted(p.name for p in state.path.iterdir()) == ["key"]


def test_only_one_of_many_racing_writers_creates_the_file(tmp_path: Path) -> None:
    state = create_state_dir(tmp_path / ".sdw")
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def race(n: int) -> None:
        barrier.wait()
        results.append(state.create_private("key", f"writer {n}".encode()))

    threads = [threading.Thread(target=race, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]
    assert (state.read_private("key") or b"").startswith(b"writer ")


def test_reading_a_missing_file_gives_none(tmp_path: Path) -> None:
    assert StateDir(tmp_path / ".sdw").read_private("nothing") is None


def test_reading_tightens_a_file_copied_in_with_loose_permissions(tmp_path: Path) -> None:
    state = create_state_dir(tmp_path / ".sdw")
    path = state.file("copied")
    path.write_bytes(b"x")
    path.chmod(0o644)
    assert state.read_private("copied") == b"x"
    assert mode(path) == 0o600


@pytest.mark.parametrize("name", ["", ".", "..", "../escape", "a/b", "a\\b", "nul\0"])
def test_refuses_names_that_are_not_bare_file_names(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match="bare file name"):
        StateDir(tmp_path).file(name)


def test_a_folder_that_cannot_be_made_is_a_state_error_naming_it(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StateError) as caught:
        create_state_dir(blocker / ".sdw")
    assert caught.value.path == blocker / ".sdw"
    assert str(blocker) in str(caught.value)


def test_a_database_that_is_not_one_is_a_state_error(tmp_path: Path) -> None:
    state = create_state_dir(tmp_path / ".sdw")
    state.file("bad.db").write_bytes(b"this is not an SQLite database, just text" * 100)
    with pytest.raises(StateError) as caught:
        state.open_database("bad.db")
    assert caught.value.operation == "open the database"
