"""ItemReader and ResultWriter against real files: a distributed Map through LocalObjectStore."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sdw.asl import LocalObjectStore, execute


def test_a_distributed_map_reads_items_from_a_file_and_writes_results_to_a_folder(tmp_path: Path) -> None:
    (tmp_path / "bucket").mkdir()
    (tmp_path / "bucket" / "items.json").write_text(json.dumps([{"n": i} for i in range(5)]))
    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemReader": {
                    "Resource": "arn:aws:states:::s3:getObject",
                    "ReaderConfig": {"InputType": "JSON", "MaxItems": 4},
                    "Parameters": {"Bucket": "bucket", "Key": "items.json"},
                },
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Double",
                    "States": {
                        "Double": {
                            "Type": "Pass",
                            "Parameters": {"n.$": "States.MathAdd($.n, $.n)"},
                            "End": True,
                        }
                    },
                },
                "ResultWriter": {
                    "Resource": "arn:aws:states:::s3:putObject",
                    "Parameters": {"Bucket": "bucket", "Prefix": "out"},
                },
                "End": True,
            }
        },
    }
    result = execute(definition, {}, object_store=LocalObjectStore(tmp_path))
    assert result.status == "SUCCEEDED", result.cause
    manifest = json.loads((tmp_path / "bucket" / result.output["ResultWriterDetails"]["Key"]).read_text())
    (succeeded,) = manifest["ResultFiles"]["SUCCEEDED"]
    rows = json.loads((tmp_path / "bucket" / succeeded["Key"]).read_text())
    assert [json.loads(row["Output"]) for row in rows] == [{"n": 0}, {"n": 2}, {"n": 4}, {"n": 6}]


def test_the_store_lists_objects_and_refuses_keys_outside_its_root(tmp_path: Path) -> None:
    store = LocalObjectStore(tmp_path)
    store.put_object("b", "in/a.json", b"[]")
    store.put_object("b", "in/b.json", b"[1]")
    assert [o["Key"] for o in store.list_objects("b", "in/")] == ["in/a.json", "in/b.json"]
    assert store.get_object("b", "in/b.json") == b"[1]"
    with pytest.raises(KeyError):
        store.get_object("b", "../../etc/passwd")
