"""scripts/check_conformance.py: the gate fails on an unlisted failure and on a listed case that passes."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "check_conformance.py"


@pytest.fixture(scope="module")
def gate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_conformance", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def report(*cases: tuple[str, bool]) -> dict[str, Any]:
    rows = [{"id": case, "ok": ok, "area": "map", "why": "" if ok else "differs"} for case, ok in cases]
    passed = sum(1 for _, ok in cases if ok)
    return {"cases": rows, "passed": passed, "failed": len(rows) - passed}


def test_does_hold_when_every_case_passes_and_none_is_listed(gate: ModuleType) -> None:
    ok, lines = gate.judge(report(*((f"c{i}", True) for i in range(40))), {})
    assert ok and lines[0].startswith("conformance: raw 40/40")


def test_does_fail_when_a_listed_case_passes(gate: ModuleType) -> None:
    cases = report(*((f"c{i}", True) for i in range(40)))
    ok, lines = gate.judge(cases, {"c3": ("defect", "was broken")})
    assert not ok
    assert any("1 listed case(s) now pass" in line for line in lines) and "  c3" in lines


def test_does_fail_on_a_failure_that_is_not_listed(gate: ModuleType) -> None:
    ok, lines = gate.judge(report(*((f"c{i}", i != 0) for i in range(40))), {})
    assert not ok and any("1 failing case(s) not in" in line for line in lines)


def test_a_listed_recording_artefact_is_not_counted_against_the_floors(gate: ModuleType) -> None:
    cases = report(*((f"c{i}", i != 0) for i in range(40)))
    ok, lines = gate.judge(cases, {"c0": ("recording", "a value no local runtime can produce")})
    assert ok and "1 failing only on recording artefacts" in lines[0]
