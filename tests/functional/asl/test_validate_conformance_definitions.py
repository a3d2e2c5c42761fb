"""No false positives: every definition real Step Functions ran must validate cleanly.

The shared conformance cases (``../shared/asl-conformance/cases/*.json``) were each
created and executed on AWS, so AWS's CreateStateMachine accepted every one of them;
a diagnostic on any of them is a validator bug. The test reads files, so it lives in
tests/functional, and it is skipped only when the shared folder is absent.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sdw.asl.validate import validate_definition

CASES = Path(__file__).resolve().parents[4] / "shared" / "asl-conformance" / "cases"


def _definitions() -> list[tuple[str, Any, str]]:
    """(file name, definition, STANDARD or EXPRESS) for every case."""
    if not CASES.is_dir():
        return []
    cases = [
        (path.name, json.loads(path.read_text(encoding="utf-8")))
        for path in sorted(CASES.glob("*.json"))
        if path.name != "_index.json"
    ]
    return [(name, case["definition"], case.get("state_machine_type", "STANDARD")) for name, case in cases]


DEFINITIONS = _definitions()


@pytest.mark.skipif(not CASES.is_dir(), reason=f"{CASES} is absent")
def test_the_shared_cases_are_all_there() -> None:
    assert len(DEFINITIONS) >= 794


@pytest.mark.skipif(not CASES.is_dir(), reason=f"{CASES} is absent")
def test_every_definition_aws_ran_validates_without_a_diagnostic() -> None:
    failures = {
        name: [str(d) for d in validate_definition(definition, state_machine_type=kind)]
        for name, definition, kind in DEFINITIONS
    }
    failures = {name: problems for name, problems in failures.items() if problems}
    assert failures == {}
