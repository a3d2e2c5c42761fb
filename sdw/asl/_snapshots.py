"""The format of :meth:`Execution.snapshot`: its version, and a migration from every older one.

A host keeps snapshots (the local engine stores the last one of each running execution in
SQLite) and restores them after a restart, which may run a newer sdw. A change to a field
of the snapshot must not fail the executions that were running when sdw was upgraded, so
each change bumps :data:`SNAPSHOT_VERSION` and adds to :data:`MIGRATIONS` the function that
turns a snapshot of the version before into one of the new version.
:func:`upgrade_snapshot` applies them in order before :meth:`Execution.restore` reads a
single field. A snapshot *newer* than this code is refused with
:class:`SnapshotVersionError`: a downgrade cannot guess what fields it never knew mean.

Versions:

    1  the first format
    2  a branch's task fields (``task_id``, ``task_token``, ``heartbeat_deadline``,
       ``heartbeat_seconds``) are one object ``task``, null when no task is in flight; its
       ``history_count``/``history_recording`` pair is one object ``history``, null except
       on a distributed Map child's root; ``retry_count``, derived from ``attempts``, is gone

A migration takes a version-N snapshot and returns the version-N+1 one (it may change its
argument). Everything in a snapshot is plain JSON, so a migration is plain dict work, and
tests/fixtures/asl/snapshots keeps snapshots written by older versions, restored by the
current code in tests/unit/asl/test_snapshot_versions.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from sdw.asl._errors import ASLError

__all__ = ["MIGRATIONS", "SNAPSHOT_VERSION", "SnapshotVersionError", "upgrade_snapshot"]

Snapshot = dict[str, Any]
Migration = Callable[[Snapshot], Snapshot]

SNAPSHOT_VERSION = 2


class SnapshotVersionError(ASLError):
    """A snapshot this code cannot read: newer than it, or with no version it knows."""

    def __init__(self, version: Any, supported: int) -> None:
        self.version = version
        self.supported = supported
        if isinstance(version, int) and not isinstance(version, bool) and version > supported:
            reason = f"snapshot version {version} was written by a newer sdw (this one reads 1-{supported})"
        else:
            reason = f"unsupported snapshot version {version!r} (this sdw reads 1-{supported})"
        super().__init__(reason)


def _branches(branch: Snapshot) -> Iterator[Snapshot]:
    """A branch of a snapshot and every branch below it (Parallel branches, Map iterations)."""
    yield branch
    fanout = branch.get("fanout")
    if fanout is not None:
        for child in fanout["active"].values():
            yield from _branches(child)


def _v1_to_v2(snapshot: Snapshot) -> Snapshot:
    for branch in _branches(snapshot["root"]):
        branch.pop("retry_count", None)
        task = {
            "id": branch.pop("task_id", None),
            "token": branch.pop("task_token", None),
            "heartbeat_deadline": branch.pop("heartbeat_deadline", None),
            "heartbeat_seconds": branch.pop("heartbeat_seconds", None),
        }
        branch["task"] = task if any(value is not None for value in task.values()) else None
        count = branch.pop("history_count", None)
        recording = branch.pop("history_recording", None)
        branch["history"] = None if count is None else {"count": count, "recording": recording}
    return snapshot


MIGRATIONS: Mapping[int, Migration] = {1: _v1_to_v2}
"""From version N to N+1, keyed by N."""


def upgrade_snapshot(
    snapshot: Mapping[str, Any],
    *,
    version: int = SNAPSHOT_VERSION,
    migrations: Mapping[int, Migration] = MIGRATIONS,
) -> Snapshot:
    """``snapshot`` in the format of ``version``, migrated step by step from the one it was written in.

    The argument is not changed. ``version`` and ``migrations`` are parameters so that a
    test can play a future format change against snapshots written today.
    """
    found = snapshot.get("version")
    if isinstance(found, bool) or not isinstance(found, int) or not 1 <= found <= version:
        raise SnapshotVersionError(found, version)
    upgraded: Snapshot = dict(snapshot)
    if found < version:
        upgraded["root"] = _copy(snapshot["root"])
    while found < version:
        migrate = migrations.get(found)
        if migrate is None:
            raise SnapshotVersionError(found, version)
        upgraded = migrate(upgraded)
        found += 1
        upgraded["version"] = found
    return upgraded


def _copy(value: Any) -> Any:
    """A copy of the JSON containers of ``value`` (leaves are immutable), for migrations to edit."""
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value
