#!/usr/bin/env python3
"""Scaffold a private plugin: a folder with its own functions, flows and tests.

    .venv/bin/python scripts/create-private-plugin.py my-plugin [--dir PARENT]

makes ``PARENT/my-plugin`` (the working directory by default):

    my-plugin/
    ├── functions/lib/hello/handler.py    a function: POST /lib/my-plugin/hello once loaded
    ├── flows/helloFlow.yml               a flow calling it (state machine my-plugin-helloFlow)
    ├── tests/functions-lib/test_hello.py its test, runnable with pytest from the plugin folder
    ├── README.md                         how to publish and use it
    └── .gitignore

The seed's plugins also had ``index.js`` and ``package.json``: they hooked into the
Serverless Framework's JavaScript plugin system. An sdw plugin is data the sdw loader
reads (functions and flows), so neither is needed. The name is checked by the same rule
as every plugin and function name; an existing folder is never overwritten.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HANDLER = '''\
import json


def handler(event, context):
    """Greets whoever calls it: POST /lib/{name}/hello with {{"name": "Ada"}}."""
    body = event.get("body") if isinstance(event, dict) and "requestContext" in event else None
    data = json.loads(body or "{{}}") if body is not None else (event or {{}})
    return {{"message": f"Hello, {{data.get('name', 'world')}}!"}}
'''

FLOW = '''\
name: helloFlow
description: Greets the name in its input (a plugin flow)
functions:
  - name: hello
    handler: functions/lib/hello/handler.handler
definition:
  StartAt: Hello
  States:
    Hello:
      Type: Task
      Resource: ${{helloArn}}
      End: true
'''

TEST = '''\
import importlib.util
from pathlib import Path

HANDLER = Path(__file__).resolve().parents[2] / "functions" / "lib" / "hello" / "handler.py"


def load_handler():
    spec = importlib.util.spec_from_file_location("hello_handler", HANDLER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.handler


def test_hello_greets_the_name_it_is_given():
    assert load_handler()({{"name": "Ada"}}, None) == {{"message": "Hello, Ada!"}}
'''

README = '''\
# {name}

A private sdw plugin: `functions/lib/*` are served as `POST /lib/{name}/<function>`,
`flows/*.yml` run as `{name}-<flow>`.

Publish it:

    git init && git add . && git commit -m "Initial commit"
    git remote add origin https://github.com/your-org/{name}.git
    git push -u origin main

Use it from a project's `config.json` (a branch, a tag or a full commit id after `#`):

    {{"plugins": ["git+https://github.com/your-org/{name}.git#main"]}}

and give `sdw dev` a token that can read the repository in `SDW_GIT_TOKEN` (never in
config.json). Test it: `pytest tests`.
'''

GITIGNORE = "__pycache__/\n*.pyc\n.pytest_cache/\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Scaffold a private sdw plugin folder.")
    parser.add_argument("name", help="the plugin's name: lowercase letters, digits, '-' and '_'")
    parser.add_argument("--dir", default=".", help="the folder to create it in (default: here)")
    args = parser.parse_args(argv)
    try:
        from sdw.project import check_name
    except ImportError as exc:
        print(f"error: cannot import sdw ({exc}); run it with the project's Python: "
              f".venv/bin/python scripts/create-private-plugin.py {args.name}", file=sys.stderr)
        return 1
    reason = check_name(args.name)
    if reason:
        print(f"error: plugin name {reason}", file=sys.stderr)
        return 1
    root = Path(args.dir) / args.name
    if root.exists():
        print(f"error: {root} already exists; choose another name or folder", file=sys.stderr)
        return 1
    files = {
        "functions/lib/hello/handler.py": HANDLER.format(name=args.name),
        "flows/helloFlow.yml": FLOW.format(),
        "tests/functions-lib/test_hello.py": TEST.format(),
        "README.md": README.format(name=args.name),
        ".gitignore": GITIGNORE,
    }
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    print(f"created {root}/ with {', '.join(files)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
