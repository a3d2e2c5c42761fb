#!/usr/bin/env python3
"""Benchmark packaging for AWS at scale (not a test): ``osls package`` and cfn-lint times, template sizes.

    .venv/bin/python bench/deploy.py [--functions 10,100,300] [--flows 100]

For each function count it makes a project in a tmp folder - N functions
(``functions/lib/fn_<i>/handler.py`` with a function.yml; every tenth declares a secret, so
it gets a role of its own) and ``--flows`` flows, each
calling two of them in a row, every tenth also starting the previous flow with
``startExecution.sync:2`` and every fifth on a schedule - copies serverless.yml and the
bridge beside it, and runs what ``make package`` runs: ``osls package`` offline (fake
credentials), then cfn-lint on every template. Prints one JSON object: per size, the
package and lint seconds, cfn-lint's findings (none expected), and per template its
resources and bytes; ``flat_resources`` is what one stack would have to hold without the
nested stacks (CloudFormation's limit: 500).

Needs ``make setup`` and ``make layer`` first (node_modules, build/layer.zip).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.deploy_support import copy_project, missing_tools, run_osls  # noqa: E402

HANDLER = 'import json\n\n\ndef handler(event, context):\n    return {"n": %d, "event": event}\n'


def make_project(root: Path, functions: int, flows: int) -> None:
    copy_project(root)
    for name in ("functions", "flows"):
        for path in sorted((root / name).rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
    for i in range(functions):
        folder = root / "functions" / "lib" / f"fn_{i}"
        folder.mkdir(parents=True)
        (folder / "handler.py").write_text(HANDLER % i)
        secrets = f"secrets: [API_KEY_{i}]\n" if i % 10 == 0 else ""  # a role of its own
        (folder / "function.yml").write_text(
            f"timeout: {5 + i % 20}\nmemory: 256\ndescription: generated {i}\n{secrets}"
        )
    (root / "flows").mkdir(exist_ok=True)
    for j in range(flows):
        a, b = j % functions, (j * 7 + 1) % functions
        lines = [
            f"name: flow{j}",
            "functions:",
            f"  - {{name: first, handler: functions/lib/fn_{a}/handler.handler}}",
            f"  - {{name: second, handler: functions/lib/fn_{b}/handler.handler}}",
        ]
        child = j % 10 == 9
        if child:
            lines += ["stateMachineReferences:", f"  - flow{j - 1}StateMachine"]
        if j % 5 == 0:
            lines += ["schedule: rate(1 hour)", "input: {generated: true}"]
        lines += ["definition:", "  StartAt: First", "  States:"]
        lines += ["    First: {Type: Task, Resource: '${firstArn}', Next: Second}"]
        if child:
            lines += ["    Second: {Type: Task, Resource: '${secondArn}', Next: Child}"]
            lines += [
                "    Child:",
                "      Type: Task",
                "      Resource: arn:aws:states:::states:startExecution.sync:2",
                f"      Parameters: {{StateMachineArn: '${{flow{j - 1}StateMachine}}', Input.$: $}}",
                "      End: true",
            ]
        else:
            lines += ["    Second: {Type: Task, Resource: '${secondArn}', End: true}"]
        (root / "flows" / f"flow{j}.yml").write_text("\n".join(lines) + "\n")


def measure(functions: int, flows: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix=f"sdw-bench-{functions}-") as tmp:
        root = Path(tmp)
        make_project(root, functions, flows)
        started = time.perf_counter()
        done = run_osls(root, "package", "--stage", "bench", "--region", "us-east-1", timeout=600)
        package_s = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"osls package failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        files = sorted((root / ".serverless").glob("cloudformation-template-*.json"))
        started = time.perf_counter()
        lint = subprocess.run(
            [str(Path(sys.executable).parent / "cfn-lint"), *map(str, files)],
            capture_output=True,
            text=True,
            timeout=900,
        )
        lint_s = time.perf_counter() - started
        templates = {}
        flat = 0
        for path in files:
            if path.name == "cloudformation-template-create-stack.json":
                continue
            body = json.loads(path.read_text())
            resources = body["Resources"]
            name = path.stem.removeprefix("cloudformation-template-")
            templates[name] = {"resources": len(resources), "bytes": path.stat().st_size}
            flat += sum(1 for r in resources.values() if r["Type"] != "AWS::CloudFormation::Stack")
        return {
            "functions": functions,
            "flows": flows,
            "package_s": round(package_s, 2),
            "cfn_lint_s": round(lint_s, 2),
            "cfn_lint_findings": len([line for line in lint.stdout.splitlines() if line.strip()]),
            "cfn_lint_exit": lint.returncode,
            "templates": len(templates),
            "max_resources": max(t["resources"] for t in templates.values()),
            "max_bytes": max(t["bytes"] for t in templates.values()),
            "flat_resources": flat,
            "per_template": templates,
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--functions", default="10,100,300")
    parser.add_argument("--flows", type=int, default=100)
    args = parser.parse_args()
    problem = missing_tools()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    sizes = [int(n) for n in args.functions.split(",")]
    results = [measure(n, args.flows) for n in sizes]
    print(json.dumps({"runs": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
