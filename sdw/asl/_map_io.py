"""Distributed Map's data plumbing: ItemReader, ItemBatcher and ResultWriter.

On AWS these read from and write to S3. Locally they go through an
:class:`ObjectStore` port; :class:`LocalObjectStore` keeps objects as files under a
folder (``<root>/<bucket>/<key>``), which is how ``sdw`` maps a bucket to a local
folder. What the interpreter reads and writes has AWS's shapes:

* ItemReader, ``arn:aws:states:::s3:getObject`` with ``ReaderConfig.InputType``
  ``JSON`` (an array), ``JSONL`` (one value per line) or ``CSV`` (first row as header,
  or ``CSVHeaders``); ``arn:aws:states:::s3:listObjectsV2`` lists keys under a prefix.
  ``ReaderConfig.MaxItems`` caps the number of items.
* ItemBatcher groups items into ``{"Items": [...], "BatchInput": ...}`` objects of at
  most ``MaxItemsPerBatch`` items and ``MaxInputBytesPerBatch`` bytes.
* ResultWriter, ``arn:aws:states:::s3:putObject``, writes ``manifest.json`` and
  ``SUCCEEDED_0.json`` / ``FAILED_0.json`` under ``<Prefix>/<map run id>/`` and the
  Map's result becomes ``{"MapRunArn", "ResultWriterDetails": {"Bucket", "Key"}}``.

These calls are synchronous and small; the store is the host's to choose.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from sdw.asl._errors import ErrorName, StatesError

__all__ = ["LocalObjectStore", "ObjectStore", "batch_items", "read_items", "write_results"]


class ObjectStore(Protocol):
    def get_object(self, bucket: str, key: str) -> bytes: ...

    def put_object(self, bucket: str, key: str, body: bytes) -> None: ...

    def list_objects(self, bucket: str, prefix: str) -> list[dict[str, Any]]: ...


class LocalObjectStore:
    """Objects as files: ``<root>/<bucket>/<key>``."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, bucket: str, key: str) -> Path:
        path = (self.root / bucket / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise KeyError(f"{bucket}/{key} is outside the store")
        return path

    def get_object(self, bucket: str, key: str) -> bytes:
        return self._path(bucket, key).read_bytes()

    def put_object(self, bucket: str, key: str, body: bytes) -> None:
        path = self._path(bucket, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)

    def list_objects(self, bucket: str, prefix: str) -> list[dict[str, Any]]:
        base = self.root / bucket
        found = []
        for path in sorted(base.rglob("*")):
            key = path.relative_to(base).as_posix()
            if path.is_file() and key.startswith(prefix):
                stat = path.stat()
                found.append(
                    {
                        "Key": key,
                        "Size": stat.st_size,
                        "LastModified": datetime.fromtimestamp(stat.st_mtime, UTC).isoformat(),
                        "StorageClass": "STANDARD",
                    }
                )
        return found


def _reader_failed(detail: str) -> StatesError:
    return StatesError(ErrorName.ITEM_READER_FAILED, detail)


def read_items(
    store: ObjectStore | None, reader: Mapping[str, Any], parameters: Mapping[str, Any]
) -> list[Any]:
    """The items an ItemReader yields, given its evaluated Parameters/Arguments."""
    if store is None:
        raise _reader_failed("No object store is configured for ItemReader.")
    resource = str(reader.get("Resource", ""))
    config = reader.get("ReaderConfig", {}) or {}
    bucket = parameters.get("Bucket")
    if not isinstance(bucket, str):
        raise _reader_failed("ItemReader needs a Bucket string.")
    try:
        if resource.endswith(":s3:listObjectsV2"):
            items: list[Any] = store.list_objects(bucket, str(parameters.get("Prefix", "")))
        elif resource.endswith(":s3:getObject"):
            body = store.get_object(bucket, str(parameters.get("Key", "")))
            items = _parse(body, config)
        else:
            raise _reader_failed(f"The ItemReader resource '{resource}' is not supported.")
    except (OSError, KeyError) as exc:
        raise _reader_failed(f"Cannot read the items: {exc}") from None
    max_items = config.get("MaxItems")
    if isinstance(max_items, int) and max_items > 0:
        items = items[:max_items]
    return items


def _parse(body: bytes, config: Mapping[str, Any]) -> list[Any]:
    kind = config.get("InputType", "JSON")
    try:
        text = body.decode("utf-8")
        if kind == "JSON":
            value = json.loads(text)
            if not isinstance(value, list):
                raise _reader_failed("The JSON object read by ItemReader is not an array.")
            return value
        if kind == "JSONL":
            return [json.loads(line) for line in text.splitlines() if line.strip()]
        if kind == "CSV":
            rows = list(
                csv.reader(
                    io.StringIO(text), delimiter=(config.get("CSVDelimiter") == "SEMICOLON" and ";") or ","
                )
            )
            if config.get("CSVHeaderLocation") == "GIVEN":
                headers = config.get("CSVHeaders", [])
                if not isinstance(headers, list):
                    raise _reader_failed("ReaderConfig.CSVHeaders must be an array of column names.")
            else:
                headers, rows = (rows[0], rows[1:]) if rows else ([], [])
            return [dict(zip(headers, row, strict=False)) for row in rows]
    except (ValueError, RecursionError, csv.Error) as exc:  # ValueError: bad UTF-8 or JSON
        raise _reader_failed(f"The object read by ItemReader is not valid {kind}: {exc}") from None
    raise _reader_failed(f"The ItemReader InputType '{kind}' is not supported.")


def batch_items(
    items: list[Any], max_items: int | None, max_bytes: int | None, batch_input: Any
) -> list[Any]:
    """Group items as ItemBatcher does; each batch is ``{"Items": [...]}`` (+ ``BatchInput``)."""
    batches: list[Any] = []
    current: list[Any] = []
    size = 0
    for item in items:
        item_size = len(json.dumps(item, separators=(",", ":")).encode())
        full = (max_items is not None and len(current) >= max_items) or (
            max_bytes is not None and current and size + item_size > max_bytes
        )
        if full:
            batches.append(_batch(current, batch_input))
            current, size = [], 0
        current.append(item)
        size += item_size
    if current:
        batches.append(_batch(current, batch_input))
    return batches


def _batch(items: list[Any], batch_input: Any) -> dict[str, Any]:
    batch: dict[str, Any] = {"Items": items}
    if batch_input is not None:
        batch["BatchInput"] = batch_input
    return batch


def write_results(
    store: ObjectStore | None,
    parameters: Mapping[str, Any],
    map_run_arn: str,
    succeeded: list[dict[str, Any]],
    failed: list[dict[str, Any]],
) -> dict[str, Any]:
    """Write the Map Run's results as ResultWriter does; returns the Map state's result."""
    if store is None:
        raise StatesError(ErrorName.RESULT_WRITER_FAILED, "No object store is configured for ResultWriter.")
    bucket = parameters.get("Bucket")
    if not isinstance(bucket, str):
        raise StatesError(ErrorName.RESULT_WRITER_FAILED, "ResultWriter needs a Bucket string.")
    prefix = str(parameters.get("Prefix", "")).strip("/")
    run_id = map_run_arn.rsplit(":", 1)[-1]
    base = f"{prefix}/{run_id}" if prefix else run_id
    files: list[dict[str, Any]] = []
    for status, rows in (("SUCCEEDED", succeeded), ("FAILED", failed)):
        if rows:
            key = f"{base}/{status}_0.json"
            _put(store, bucket, key, rows)
            files.append({"Key": key, "Size": len(rows)})
    manifest = {
        "DestinationBucket": bucket,
        "MapRunArn": map_run_arn,
        "ResultFiles": {
            "FAILED": [f for f in files if "FAILED_" in f["Key"]],
            "PENDING": [],
            "SUCCEEDED": [f for f in files if "SUCCEEDED_" in f["Key"]],
        },
    }
    manifest_key = f"{base}/manifest.json"
    _put(store, bucket, manifest_key, manifest)
    return {"MapRunArn": map_run_arn, "ResultWriterDetails": {"Bucket": bucket, "Key": manifest_key}}


def _put(store: ObjectStore, bucket: str, key: str, value: Any) -> None:
    try:
        store.put_object(bucket, key, json.dumps(value, separators=(",", ":")).encode())
    except (OSError, KeyError) as exc:  # KeyError: LocalObjectStore refuses a key outside its root
        raise StatesError(ErrorName.RESULT_WRITER_FAILED, f"Cannot write the results: {exc}") from None
