"""Say so, loudly, when a flow file changes under a running ``sdw dev``.

Handlers reload by themselves (the invoker checks each handler file's mtime), but flows do
not: ``sdw dev`` compiles ``flows/*.yml`` when it starts, routes and validates against
that project, and every execution keeps the definition it started with (as a Step
Functions execution keeps its state machine's version). Swapping the flows of a running
server would also swap what ``GET /flows`` and the functions a flow may call mean in the
middle of a session, so it is not done; instead an edit is seen within a second or two
and the log says, once per change, that the server still runs the old definition and a
restart picks the new one up. The banner of ``sdw dev`` says the same at start-up.

``FlowFileWatch`` polls the mtimes (no inotify: nothing to install, and a few dozen
``stat`` calls a second cost nothing); ``changed_files`` is the pure part, tested alone.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

log = logging.getLogger("sdw.dev")

FLOW_SUFFIXES = (".yml", ".yaml")
Snapshot = dict[str, float]


def scan_flow_files(folders: Iterable[Path], root: Path) -> Snapshot:
    """``{file as shown (relative to root): mtime}`` of every flow file in ``folders``."""
    found: Snapshot = {}
    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith((".", "_")) or not entry.name.endswith(FLOW_SUFFIXES):
                continue
            try:
                found[_shown(Path(entry.path), root)] = entry.stat().st_mtime
            except OSError:
                continue
    return found


def changed_files(before: Mapping[str, float], after: Mapping[str, float]) -> list[str]:
    """The files edited, added or removed between two scans, as ``flows/a.yml (edited)``."""
    changes = [f"{name} (edited)" for name in sorted(after) if name in before and after[name] != before[name]]
    changes += [f"{name} (added)" for name in sorted(set(after) - set(before))]
    changes += [f"{name} (removed)" for name in sorted(set(before) - set(after))]
    return changes


def warn_flows_changed(changes: list[str]) -> None:
    log.warning(
        "%s: sdw dev read the flows when it started and still runs those definitions; restart it "
        "to run the edit (executions keep the definition they started with; handlers reload by themselves)",
        ", ".join(changes),
    )


class FlowFileWatch:
    """Polls the flow folders every ``interval`` seconds and reports each change once."""

    def __init__(
        self,
        folders: Iterable[Path],
        root: Path,
        *,
        on_change: Callable[[list[str]], None] = warn_flows_changed,
        interval: float = 1.0,
    ) -> None:
        self._folders = list(folders)
        self._root = root
        self._on_change = on_change
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._seen = scan_flow_files(self._folders, root)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="sdw-flow-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    def check(self) -> list[str]:
        """Scan now; the changes since the last scan (reported to ``on_change`` if any)."""
        now = scan_flow_files(self._folders, self._root)
        changes = changed_files(self._seen, now)
        self._seen = now
        if changes:
            self._on_change(changes)
        return changes

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.check()
            except Exception:  # a watcher must never take sdw dev down
                log.exception("watching the flow files failed")


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
