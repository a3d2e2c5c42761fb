"""What the flow-file watch reports between two scans (the pure part; no files)."""

from __future__ import annotations

from sdw.local._flow_watch import changed_files


def test_reports_edited_added_and_removed_flow_files_each_once() -> None:
    before = {"flows/a.yml": 1.0, "flows/b.yml": 1.0, "plugins/x/flows/c.yml": 1.0}
    after = {"flows/a.yml": 2.0, "flows/b.yml": 1.0, "flows/new.yml": 3.0}
    assert changed_files(before, after) == [
        "flows/a.yml (edited)", "flows/new.yml (added)", "plugins/x/flows/c.yml (removed)",
    ]
    assert changed_files(after, after) == []
