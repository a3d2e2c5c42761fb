from __future__ import annotations

import json
from typing import Any

import pytest

from sdw.asl import ErrorName, StatesError
from sdw.asl._map_io import batch_items, read_items, write_results

from .test_fanout import MemoryStore

GET = "arn:aws:states:::s3:getObject"


def store_with(body: str | bytes) -> MemoryStore:
    return MemoryStore({("b", "k"): body if isinstance(body, bytes) else body.encode()})


@pytest.mark.parametrize(
    ("config", "body", "items"),
    [
        ({"InputType": "JSON"}, '[1, {"a": 2}]', [1, {"a": 2}]),
        ({"InputType": "JSONL"}, '{"a": 1}\n\n{"a": 2}\n', [{"a": 1}, {"a": 2}]),
        (
            {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
            "x,y\n1,2\n3,4\n",
            [{"x": "1", "y": "2"}, {"x": "3", "y": "4"}],
        ),
        (
            {"InputType": "CSV", "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["p"]},
            "7\n8\n",
            [{"p": "7"}, {"p": "8"}],
        ),
        ({"InputType": "JSON", "MaxItems": 2}, "[1, 2, 3]", [1, 2]),
    ],
)
def test_item_reader_parses_the_object_by_input_type(
    config: dict[str, Any], body: str, items: list[Any]
) -> None:
    reader = {"Resource": GET, "ReaderConfig": config}
    assert read_items(store_with(body), reader, {"Bucket": "b", "Key": "k"}) == items


def test_item_reader_lists_objects_under_a_prefix() -> None:
    store = MemoryStore({("b", "in/a"): b"1", ("b", "in/b"): b"22", ("b", "other"): b""})
    reader = {"Resource": "arn:aws:states:::s3:listObjectsV2"}
    assert [o["Key"] for o in read_items(store, reader, {"Bucket": "b", "Prefix": "in/"})] == ["in/a", "in/b"]


@pytest.mark.parametrize(
    ("reader", "params", "body"),
    [
        ({"Resource": GET, "ReaderConfig": {"InputType": "JSON"}}, {"Bucket": "b", "Key": "k"}, "{}"),
        ({"Resource": GET, "ReaderConfig": {"InputType": "JSON"}}, {"Bucket": "b", "Key": "k"}, "[1"),
        ({"Resource": GET, "ReaderConfig": {"InputType": "PARQUET"}}, {"Bucket": "b", "Key": "k"}, "[]"),
        ({"Resource": GET}, {"Bucket": "b", "Key": "missing"}, "[]"),
        ({"Resource": GET}, {"Key": "k"}, "[]"),
        ({"Resource": "arn:aws:states:::s3:headObject"}, {"Bucket": "b"}, "[]"),
        ({"Resource": GET}, {"Bucket": "b", "Key": "k"}, b"\xff[1]"),
        ({"Resource": GET}, {"Bucket": "b", "Key": "k"}, "[" * 100_000 + "]" * 100_000),
        (
            {
                "Resource": GET,
                "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "GIVEN", "CSVHeaders": 5},
            },
            {"Bucket": "b", "Key": "k"},
            "7\n",
        ),
        ({"Resource": GET, "ReaderConfig": {"InputType": "CSV"}}, {"Bucket": "b", "Key": "k"}, "x" * 200_000),
    ],
)
def test_item_reader_problems_are_item_reader_failed(
    reader: dict[str, Any], params: dict[str, Any], body: str | bytes
) -> None:
    with pytest.raises(StatesError) as info:
        read_items(store_with(body), reader, params)
    assert info.value.name == ErrorName.ITEM_READER_FAILED


@pytest.mark.parametrize(
    ("max_items", "max_bytes", "sizes"),
    [(2, None, [2, 2, 1]), (None, 4, [4, 1]), (None, None, [5]), (1, 100, [1, 1, 1, 1, 1])],
)
def test_batches_respect_item_and_byte_limits(
    max_items: int | None, max_bytes: int | None, sizes: list[int]
) -> None:
    batches = batch_items([1, 2, 3, 4, 5], max_items, max_bytes, None)
    assert [len(b["Items"]) for b in batches] == sizes
    assert all("BatchInput" not in b for b in batches)


def test_result_writer_writes_a_manifest_and_result_files() -> None:
    store = MemoryStore()
    result = write_results(
        store,
        {"Bucket": "b", "Prefix": "/p/"},
        "arn:aws:states:r:1:mapRun:sm/m:run1",
        [{"Output": "1"}],
        [{"Output": "{}"}],
    )
    assert result == {
        "MapRunArn": "arn:aws:states:r:1:mapRun:sm/m:run1",
        "ResultWriterDetails": {"Bucket": "b", "Key": "p/run1/manifest.json"},
    }
    manifest = json.loads(store.objects[("b", "p/run1/manifest.json")])
    assert manifest["ResultFiles"]["SUCCEEDED"] == [{"Key": "p/run1/SUCCEEDED_0.json", "Size": 1}]
    assert manifest["ResultFiles"]["FAILED"] == [{"Key": "p/run1/FAILED_0.json", "Size": 1}]


def test_result_writer_needs_a_store_and_a_bucket() -> None:
    with pytest.raises(StatesError):
        write_results(None, {"Bucket": "b"}, "arn", [], [])
    with pytest.raises(StatesError):
        write_results(MemoryStore(), {}, "arn", [], [])


def test_a_store_that_cannot_write_is_result_writer_failed() -> None:
    class Full(MemoryStore):
        def put_object(self, bucket: str, key: str, body: bytes) -> None:
            raise OSError(28, "No space left on device")

    with pytest.raises(StatesError) as info:
        write_results(Full(), {"Bucket": "b"}, "arn:run", [{"Output": "1"}], [])
    assert info.value.name == ErrorName.RESULT_WRITER_FAILED
    assert info.value.cause == "Cannot write the results: [Errno 28] No space left on device"
