"""scripts/check_layers.py: the direction of imports, and faces instead of private modules."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "check_layers.py"


@pytest.fixture(scope="module")
def layers() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_layers", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def breaches(layers: ModuleType, where: str, source: str) -> list[str]:
    result: list[str] = layers.check_source(Path(where), source)
    return result


def test_does_report_another_packages_private_module(layers: ModuleType) -> None:
    (line,) = breaches(layers, "sdw/local/_runtime.py", "from sdw.system._flows import FlowEndpoints\n")
    assert line.startswith("sdw/local/_runtime.py:1: imports sdw.system._flows, private to sdw.system")


def test_does_report_a_private_module_named_in_the_import_list(layers: ModuleType) -> None:
    assert breaches(layers, "sdw/cli/_x.py", "from sdw.local import _server\n")


def test_can_import_a_sibling_private_module_inside_the_package(layers: ModuleType) -> None:
    assert breaches(layers, "sdw/local/engine/_runner.py", "from sdw.local.engine._store import X\n") == []
    assert breaches(layers, "sdw/local/engine/_runner.py", "from sdw.local._invoker import X\n") == []


def test_does_report_a_subpackages_private_module_imported_from_its_parent(layers: ModuleType) -> None:
    (line,) = breaches(layers, "sdw/local/_runtime.py", "import sdw.local.engine._store\n")
    assert "private to sdw.local.engine; import its face, sdw.local.engine" in line


def test_can_import_a_face(layers: ModuleType) -> None:
    assert breaches(layers, "sdw/local/_runtime.py", "from sdw.local.engine import LocalFlowEngine\n") == []


def test_a_test_may_reach_into_the_package_its_folder_mirrors_only(layers: ModuleType) -> None:
    source = "from sdw.local.engine._names import x\n"
    assert breaches(layers, "tests/unit/local/engine/test_names.py", source) == []
    assert breaches(layers, "tests/unit/local/test_gateway.py", source) != []
    assert breaches(layers, "bench/flows.py", "from sdw.local._gateway import Gateway\n") != []


def test_does_still_report_a_forbidden_direction_and_boto3_outside_aws(layers: ModuleType) -> None:
    assert breaches(layers, "sdw/asl/_x.py", "from sdw.system import FlowEngine\n") == [
        "sdw/asl/_x.py:1: sdw.asl must not import sdw.system"
    ]
    assert breaches(layers, "sdw/local/_x.py", "import boto3\n") == [
        "sdw/local/_x.py:1: imports boto3; only sdw/aws may import boto3"
    ]
