"""The local state folder (``<project>/.sdw`` by default): where one machine keeps its state.

The user pool keeps its users, keys and ids here; the flow engine and the usage store will
keep their databases here too. What lives here stands in for what AWS keeps for you
(Cognito's users and signing keys, Step Functions' executions), so it is treated as a
secret store: the folder is 0700 and every file in it 0600, whatever the umask.

Why each piece is the way it is:

* Permissions are set, not left to the umask: the folder and files are created with
  0700/0600 (a umask can only remove bits from those) and then chmod-ed to exactly that.
  The process umask is never changed: it is process-wide, and the gateway's threads may
  be creating files at the same moment.
* SQLite databases are created 0600 *before* SQLite opens them. SQLite's unix VFS gives the
  ``-wal`` and ``-shm`` files it creates later the permissions of the database file
  (``findCreateFileMode`` and ``robust_open`` in os_unix.c, which fchmod past the umask),
  so a 0600 database has 0600 companions; they are re-checked after WAL mode is on.
* Private files are written atomically (a temporary file in the same folder, fsync, then
  rename), so a crash never leaves half a private key. ``create_private`` publishes with
  ``link()``, which fails if the name exists: when two processes (``sdw dev`` and
  ``sdw users create``) start at once, exactly one key pair wins and both use it.
* Nothing here happens in a constructor: ``StateDir(path)`` only remembers the path;
  ``ensure()`` (or ``create_state_dir``) makes the folder.

Every OSError and sqlite3.Error is wrapped once, here, into ``StateError`` with the path.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import tempfile
from pathlib import Path

from sdw.local._errors import StateError

DIR_MODE = 0o700
FILE_MODE = 0o600


def _tighten(path: Path, mode: int) -> None:
    """Give ``path`` exactly ``mode`` if it has any bit beyond it (0644 -> 0600)."""
    current = stat.S_IMODE(path.stat().st_mode)
    if current != mode:
        path.chmod(mode)


class StateDir:
    """One state folder. Files are named by a bare name (``users.db``), never a path."""

    SQLITE_BUSY_TIMEOUT_MS = 5000

    def __init__(self, path: Path) -> None:
        self.path = path

    def __repr__(self) -> str:
        return f"StateDir({str(self.path)!r})"

    def ensure(self) -> None:
        """Create the folder 0700 (and its parents), or tighten an existing one to 0700.

        A shared folder (sticky bit, as /tmp has) is refused rather than tightened:
        ``--state-dir /tmp`` would otherwise take /tmp away from every other user.
        """
        try:
            self.path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
            if self.path.stat().st_mode & stat.S_ISVTX:
                raise StateError(
                    self.path, "use", "it is a shared folder (sticky bit); choose a folder of its own"
                )
            _tighten(self.path, DIR_MODE)
        except OSError as exc:
            raise StateError(self.path, "create the state folder", exc.strerror or str(exc)) from exc

    def file(self, name: str) -> Path:
        """The path of the private file ``name`` inside the folder."""
        if not name or name in {".", ".."} or "/" in name or "\\" in name or "\0" in name:
            raise ValueError(f"not a bare file name: {name!r}")
        return self.path / name

    def open_database(self, name: str) -> sqlite3.Connection:
        """A connection to the SQLite database ``name``, created 0600, in WAL mode.

        The connection is in autocommit mode (``isolation_level=None``): callers open
        transactions with ``BEGIN`` when they need one. It may be used from several threads
        if the caller serialises its use (``check_same_thread=False``).
        """
        self.ensure()
        path = self.file(name)
        try:
            fd = os.open(path, os.O_CREAT | os.O_RDWR, FILE_MODE)
            os.close(fd)
            _tighten(path, FILE_MODE)
            connection = sqlite3.connect(
                path,
                timeout=self.SQLITE_BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,
                check_same_thread=False,
            )
            try:
                connection.execute(f"PRAGMA busy_timeout = {self.SQLITE_BUSY_TIMEOUT_MS}")
                connection.execute("PRAGMA journal_mode = WAL")
                connection.execute("PRAGMA synchronous = NORMAL")
                connection.execute("PRAGMA foreign_keys = ON")
            except sqlite3.Error:
                connection.close()
                raise
            for suffix in ("-wal", "-shm"):
                companion = path.with_name(path.name + suffix)
                if companion.exists():
                    _tighten(companion, FILE_MODE)
        except OSError as exc:
            raise StateError(path, "open the database", exc.strerror or str(exc)) from exc
        except sqlite3.Error as exc:
            raise StateError(path, "open the database", str(exc)) from exc
        return connection

    def read_private(self, name: str) -> bytes | None:
        """The bytes of the private file ``name``, or None when there is none.

        A file found with looser permissions (copied in by hand, say) is tightened to 0600.
        """
        path = self.file(name)
        try:
            data = path.read_bytes()
            _tighten(path, FILE_MODE)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StateError(path, "read", exc.strerror or str(exc)) from exc
        return data

    def write_private(self, name: str, data: bytes) -> Path:
        """Write ``data`` to ``name`` atomically, 0600, replacing what was there."""
        path = self.file(name)
        try:
            temporary = self._write_temporary(data)
            try:
                os.replace(temporary, path)
            except BaseException:
                temporary.unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise StateError(path, "write", exc.strerror or str(exc)) from exc
        return path

    def create_private(self, name: str, data: bytes) -> bool:
        """Write ``data`` to ``name`` atomically, 0600, only if ``name`` does not exist yet.

        Returns True when this call created the file, False when it was already there (in
        which case the existing file is left untouched: read it back to use the winner).
        """
        path = self.file(name)
        try:
            temporary = self._write_temporary(data)
            try:
                os.link(temporary, path)
            except FileExistsError:
                return False
            finally:
                temporary.unlink(missing_ok=True)
        except OSError as exc:
            raise StateError(path, "create", exc.strerror or str(exc)) from exc
        return True

    def _write_temporary(self, data: bytes) -> Path:
        self.ensure()
        fd, name = tempfile.mkstemp(dir=self.path, prefix=".tmp-")
        temporary = Path(name)
        try:
            os.fchmod(fd, FILE_MODE)  # mkstemp asks for 0600, minus the umask's bits
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        return temporary


def create_state_dir(path: Path) -> StateDir:
    """The state folder at ``path``, created 0700 if it is not there yet."""
    state = StateDir(path)
    state.ensure()
    return state
