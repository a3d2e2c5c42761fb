from __future__ import annotations

import inspect

import sdw.asl


def test_every_public_name_is_exported_and_every_export_exists() -> None:
    exported = set(sdw.asl.__all__)
    assert all(hasattr(sdw.asl, name) for name in exported)
    public = {
        name
        for name, value in vars(sdw.asl).items()
        if not name.startswith("_") and not inspect.ismodule(value) and name != "annotations"
    }
    assert public == exported
