#!/usr/bin/env python3
"""CI's gate on ASL conformance against the executions recorded on real AWS.

Runs ``<shared>/asl-conformance/run.py`` and then holds the project to its word:

* every failing case must be listed, with its reason, in tests/conformance/known_failures.txt
  (one line each: ``<case id> | <reason>``); an unlisted failure is a regression;
* at least 97% of all cases pass, and at least 90% in every area (the issue's floor).

A listed case that now passes is reported so the list can be trimmed. Exit 0 when the
gate holds, 1 otherwise.
"""

from __future__ import annotations

import argparse
import collections
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KNOWN = ROOT / "tests" / "conformance" / "known_failures.txt"
OVERALL_FLOOR = 0.97
AREA_FLOOR = 0.90


def read_known(path: Path) -> dict[str, str]:
    known: dict[str, str] = {}
    if not path.exists():
        return known
    for lineno, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        case_id, sep, reason = line.partition(" | ")
        if not sep or not reason.strip():
            raise SystemExit(f"{path}:{lineno}: expected '<case id> | <reason>'")
        known[case_id.strip()] = reason.strip()
    return known


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
    known = read_known(KNOWN)
    per_area: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    unexpected, fixed = [], []
    for case in report["cases"]:
        per_area[case["area"]][0 if case["ok"] else 1] += 1
        if not case["ok"] and case["id"] not in known:
            unexpected.append(f"  {case['id']}\n      {case['why'].splitlines()[0][:300]}")
        if case["ok"] and case["id"] in known:
            fixed.append(f"  {case['id']}")
    ok = True
    total = report["passed"] + report["failed"]
    if total and report["passed"] / total < OVERALL_FLOOR:
        print(f"conformance gate: {report['passed']}/{total} is below {OVERALL_FLOOR:.0%} overall")
        ok = False
    for area, (good, bad) in sorted(per_area.items()):
        if good / (good + bad) < AREA_FLOOR:
            print(f"conformance gate: area {area} at {good}/{good + bad} is below {AREA_FLOOR:.0%}")
            ok = False
    if unexpected:
        print(f"conformance gate: {len(unexpected)} failing case(s) not in {KNOWN.relative_to(ROOT)}:")
        print("\n".join(unexpected))
        ok = False
    if fixed:
        print(f"conformance: {len(fixed)} listed case(s) now pass; remove them from the list:")
        print("\n".join(fixed))
    print("conformance gate: " + ("held" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
