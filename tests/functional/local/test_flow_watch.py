"""The flow-file watch on real files: an edit under a running sdw dev is reported, once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sdw.local import FlowFileWatch


def test_an_edited_added_or_removed_flow_file_is_reported_once_and_private_files_are_not(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "a.yml").write_text("name: a\n")
    (flows / "_draft.yml").write_text("name: draft\n")
    watch = FlowFileWatch([flows, tmp_path / "plugins" / "missing" / "flows"], tmp_path)
    assert watch.check() == []
    os.utime(flows / "a.yml", (1, 1))
    (flows / "b.yaml").write_text("name: b\n")
    (flows / "_draft.yml").write_text("name: still a draft\n")
    with caplog.at_level("WARNING", logger="sdw.dev"):
        assert watch.check() == ["flows/a.yml (edited)", "flows/b.yaml (added)"]
        assert watch.check() == []  # reported once
    assert "restart it to run the edit" in caplog.text
    (flows / "a.yml").unlink()
    assert watch.check() == ["flows/a.yml (removed)"]
