#!/usr/bin/env python3
"""CI's gate on ASL conformance against the executions recorded on real AWS.

Runs ``<shared>/asl-conformance/run.py`` and then holds the project to its word:

* every failing case must be listed, with its kind and reason, in
  tests/conformance/known_failures.txt (one line each: ``<case id> | <kind> | <reason>``);
  an unlisted failure is a regression;
* at least 97% pass overall, and at least 90% in every area (the issue's floors), counted
  over the cases whose failure is not a ``recording`` artefact (a value the recording holds
  that no local runtime can produce honestly, e.g. the stack trace of the file AWS deployed).
  The raw figures, every case counted, are printed beside them.

* a listed case that passes fails the gate too: the list says what is broken, so a fix
  must take its line out in the same change, and the list cannot go stale.

Exit 0 when the gate holds, 1 otherwise.
"""

from __future__ import annotations

import argparse
import collections
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
KNOWN = ROOT / "tests" / "conformance" / "known_failures.txt"
OVERALL_FLOOR = 0.97
AREA_FLOOR = 0.90
KINDS = ("recording", "defect")


def read_known(path: Path) -> dict[str, tuple[str, str]]:
    """Case id -> (kind, reason)."""
    known: dict[str, tuple[str, str]] = {}
    if not path.exists():
        return known
    for lineno, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = [part.strip() for part in line.split(" | ", 2)]
        if len(parts) != 3 or parts[1] not in KINDS or not parts[2]:
            raise SystemExit(f"{path}:{lineno}: expected '<case id> | recording|defect | <reason>'")
        known[parts[0]] = (parts[1], parts[2])
    return known


def judge(report: dict[str, Any], known: dict[str, tuple[str, str]]) -> tuple[bool, list[str]]:
    """Whether the gate holds for the runner's ``report``, and the lines that say why."""
    lines: list[str] = []
    listed_as = KNOWN.relative_to(ROOT)
    per_area: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])  # counted: passed, failed
    artefacts = 0
    unexpected, fixed = [], []
    for case in report["cases"]:
        listed = known.get(case["id"])
        if not case["ok"] and listed is None:
            unexpected.append(f"  {case['id']}\n      {case['why'].splitlines()[0][:300]}")
        if case["ok"] and listed is not None:
            fixed.append(f"  {case['id']}")
        if not case["ok"] and listed is not None and listed[0] == "recording":
            artefacts += 1
            continue
        per_area[case["area"]][0 if case["ok"] else 1] += 1
    ok = True
    total = report["passed"] + report["failed"]
    counted = sum(good + bad for good, bad in per_area.values())
    counted_passed = sum(good for good, _ in per_area.values())
    lines.append(
        f"conformance: raw {report['passed']}/{total} ({report['passed'] / max(total, 1):.1%}); "
        f"{artefacts} failing only on recording artefacts (listed); "
        f"the rest {counted_passed}/{counted} ({counted_passed / max(counted, 1):.1%})"
    )
    if counted and counted_passed / counted < OVERALL_FLOOR:
        lines.append(f"conformance gate: {counted_passed}/{counted} is below {OVERALL_FLOOR:.0%} overall")
        ok = False
    for area, (good, bad) in sorted(per_area.items()):
        if good + bad and good / (good + bad) < AREA_FLOOR:
            lines.append(f"conformance gate: area {area} at {good}/{good + bad} is below {AREA_FLOOR:.0%}")
            ok = False
    if unexpected:
        lines.append(f"conformance gate: {len(unexpected)} failing case(s) not in {listed_as}:")
        lines += unexpected
        ok = False
    if fixed:
        lines.append(f"conformance gate: {len(fixed)} listed case(s) now pass; remove them from {listed_as}:")
        lines += fixed
        ok = False
    return ok, lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"), help="the shared folder")
    args = ap.parse_args()
    runner = Path(args.shared, "asl-conformance", "run.py")
    if not runner.exists():
        print(f"conformance: runner not found at {runner}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        report_path = Path(tmp, "report.json")
        proc = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [sys.executable, str(runner), "--json", str(report_path)],
            cwd=ROOT, capture_output=True, text=True, check=False,
        )
        print(proc.stdout.rstrip())
        if not report_path.exists():
            print(proc.stderr.rstrip(), file=sys.stderr)
            return 1
        report = json.loads(report_path.read_text())
    ok, lines = judge(report, read_known(KNOWN))
    print("\n".join(lines))
    print("conformance gate: " + ("held" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
