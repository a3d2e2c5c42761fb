#!/usr/bin/env python3
"""Cold start of the system Lambdas, measured here (not a test; not Lambda's own figures).

    .venv/bin/python bench/coldstart.py [--runs 7] [--project .]

Each run is a fresh Python process, as a Lambda instance's first invocation is, timing
inside it (interpreter start-up excluded; Lambda's init of the runtime is not ours):

    import_flows      import functions/base/flows/handler.py (sdw.aws, sdw.system, sdw.project)
    first_get_flows   the first GET /flows: load the project model from the package root
                      (what LAMBDA_TASK_ROOT points at), build the adapters (no boto3 yet)
    first_aws_route   then the first route that calls AWS: import boto3 and make the
                      Step Functions and DynamoDB clients; the call itself is left out
                      (it goes to AWS; here nothing answers it), by making the clients
                      directly, as the lazy clients do at their first use
    validated_load    importing sdw.asl and loading the project with ASL validation, which the
                      Lambda skips (the deploy validated the definitions)
    import_auth + first_auth_config   the auth Lambda's whole cold path: no AWS client at all

Prints one JSON object: the median and the spread of every step, in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# Each child: import one handler module (timed), then its first invocations; ROOT, PROJECT
# and NAME (the handler's folder) are prepended.
PREAMBLE = r"""
import importlib, json, sys, time
sys.path.insert(0, ROOT)
out = {}
t = time.perf_counter()
handler = importlib.import_module(f"functions.base.{NAME}.handler").handler
out[f"import_{NAME}"] = time.perf_counter() - t
"""

CHILD = r"""
event = {"routeKey": "GET /flows", "requestContext": {"authorizer": {"jwt": {"claims": {"sub": "s"}}}}}
t = time.perf_counter()
result = handler(event, None)
out["first_get_flows"] = time.perf_counter() - t
assert result["statusCode"] == 200, result
out["flows_listed"] = len(json.loads(result["body"])["flows"])
out["boto3_imported_by_get_flows"] = "boto3" in sys.modules
t = time.perf_counter()
import boto3
boto3.client("stepfunctions", region_name="us-east-1")
boto3.client("dynamodb", region_name="us-east-1")
out["first_aws_route"] = time.perf_counter() - t
from pathlib import Path
from sdw.project import load_project
t = time.perf_counter()
from sdw.asl import validate_definition
load_project(Path(PROJECT), validate_definition=validate_definition, region="us-east-1",
             account_id="123456789012", name_prefix="sdw-bench-")
out["validated_load"] = time.perf_counter() - t
print(json.dumps(out))
"""

AUTH_CHILD = r"""
t = time.perf_counter()
result = handler({"routeKey": "GET /auth/config"}, None)
out["first_auth_config"] = time.perf_counter() - t
assert result["statusCode"] == 200, result
out["boto3_imported_by_auth"] = "boto3" in sys.modules
print(json.dumps(out))
"""


def environment(project: Path) -> dict[str, str]:
    return {
        **os.environ,
        "SDW_SERVICE": "sdw",
        "SDW_STAGE": "bench",
        "SDW_ACCOUNT_ID": "123456789012",
        "AWS_REGION": "us-east-1",
        "SDW_EXECUTIONS_TABLE": "sdw-bench-executions",
        "SDW_USAGE_TABLE": "sdw-bench-usage",
        "SDW_USER_POOL_ID": "us-east-1_Bench",
        "SDW_USER_POOL_CLIENT_ID": "client",
        "SDW_TOOLS_CLIENT_ID": "tools",
        "LAMBDA_TASK_ROOT": str(project),
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def run_child(name: str, code: str, project: Path) -> dict[str, Any]:
    source = f"ROOT = {str(ROOT)!r}\nPROJECT = {str(project)!r}\nNAME = {name!r}\n" + PREAMBLE + code
    done = subprocess.run(
        [sys.executable, "-c", source],
        env=environment(project),
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return dict(json.loads(done.stdout))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--project", type=Path, default=ROOT, help="the package root (default: this tree)")
    args = parser.parse_args()
    runs = [
        run_child("flows", CHILD, args.project) | run_child("auth", AUTH_CHILD, args.project)
        for _ in range(args.runs)
    ]
    steps = [
        "import_flows",
        "first_get_flows",
        "first_aws_route",
        "validated_load",
        "import_auth",
        "first_auth_config",
    ]
    report: dict[str, Any] = {
        "runs": args.runs,
        "project": str(args.project),
        "flows_listed": runs[0]["flows_listed"],
        "boto3_imported_by_get_flows": runs[0]["boto3_imported_by_get_flows"],
        "boto3_imported_by_auth": runs[0]["boto3_imported_by_auth"],
        "python": sys.version.split()[0],
        "load_average": [round(value, 2) for value in os.getloadavg()],
    }
    for step in steps:
        values = [run[step] * 1000 for run in runs]
        report[f"{step}_ms"] = {
            "median": round(statistics.median(values), 1),
            "min": round(min(values), 1),
            "max": round(max(values), 1),
        }
    first = [(run["import_flows"] + run["first_get_flows"]) * 1000 for run in runs]
    report["flows_cold_get_flows_ms"] = round(statistics.median(first), 1)
    aws = [(run["import_flows"] + run["first_get_flows"] + run["first_aws_route"]) * 1000 for run in runs]
    report["flows_cold_first_aws_route_ms"] = round(statistics.median(aws), 1)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
