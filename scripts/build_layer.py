#!/usr/bin/env python3
"""Build the Lambda runtime layer: layer/requirements.txt for python3.11 on x86_64, as a zip.

    python scripts/build_layer.py [--requirements layer/requirements.txt] [--out build/layer.zip]

pip installs Linux wheels only (``--platform manylinux2014_x86_64 --only-binary=:all:``),
whatever machine runs this, into ``python/`` (where Lambda puts a layer on ``sys.path``);
pip's cache makes a rebuild work offline. The zip is reproducible - sorted entries, fixed
timestamps and permissions - so the same requirements give the same bytes and the same
content hash, and a deploy reuses the layer version it already has (sdw.deploy.layer_key).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

EPOCH = (1980, 1, 1, 0, 0, 0)


def build(requirements: Path, out: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="sdw-layer-") as tmp:
        target = Path(tmp) / "python"
        command = [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--platform",
            "manylinux2014_x86_64",
            "--implementation",
            "cp",
            "--python-version",
            "3.11",
            "--only-binary=:all:",
            "--no-compile",
            "--target",
            str(target),
            "-r",
            str(requirements),
        ]
        subprocess.run(command, check=True)  # noqa: S603 - an argument list of our own
        for cache in target.rglob("__pycache__"):
            shutil.rmtree(cache, ignore_errors=True)
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_suffix(".partial")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(p for p in target.rglob("*") if p.is_file()):
                info = zipfile.ZipInfo(path.relative_to(target.parent).as_posix(), EPOCH)
                info.external_attr = 0o644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, path.read_bytes())
        os.replace(partial, out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requirements", type=Path, default=Path("layer/requirements.txt"))
    parser.add_argument("--out", type=Path, default=Path("build/layer.zip"))
    args = parser.parse_args()
    try:
        build(args.requirements, args.out)
    except subprocess.CalledProcessError as exc:
        print(f"pip failed ({exc.returncode}); the layer is not built", file=sys.stderr)
        return 1
    print(f"{args.out}: {args.out.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
