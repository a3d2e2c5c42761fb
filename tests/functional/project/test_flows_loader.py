"""Flows loaded from real folders: the project's, a plugin's, and this repository's examples."""

from __future__ import annotations

import json
from pathlib import Path

from sdw.asl import validate_definition
from sdw.project import FlowType, Location, Severity, load_project

REPO = Path(__file__).resolve().parents[3]
HANDLER = "def handler(event, context):\n    return event\n"

FLOW = """\
name: {name}
functions:
  - name: work
    handler: functions/lib/{function}/handler.handler
definition:
  StartAt: Work
  States:
    Work:
      Type: Task
      Resource: ${{workArn}}
      End: true
"""


def add_function(root: Path, name: str) -> None:
    folder = root / "functions" / "lib" / name
    folder.mkdir(parents=True)
    (folder / "handler.py").write_text(HANDLER)


def add_flow(root: Path, file: str, text: str) -> None:
    (root / "flows").mkdir(parents=True, exist_ok=True)
    (root / "flows" / file).write_text(text)


def test_loads_the_good_flows_and_reports_the_bad_one_with_its_position(tmp_path: Path) -> None:
    add_function(tmp_path, "work")
    add_flow(tmp_path, "first.yml", FLOW.format(name="first", function="work"))
    add_flow(tmp_path, "broken.yml", FLOW.format(name="broken", function="missing"))
    add_flow(tmp_path, "third.yaml", FLOW.format(name="third", function="work"))
    result = load_project(tmp_path, validate_definition=validate_definition)
    assert [f.name for f in result.project.flows] == ["first", "third"]
    assert [(e.location, e.message) for e in result.errors] == [
        (
            Location("flows/broken.yml", 4, 5),
            "the handler file functions/lib/missing/handler.py does not exist",
        )
    ]
    assert [(f.source, f.loaded) for f in result.flow_files] == [
        ("flows/broken.yml", False),
        ("flows/first.yml", True),
        ("flows/third.yaml", True),
    ]
    first = result.project.flow("first")
    assert first is not None and first.file == tmp_path.resolve() / "flows" / "first.yml"
    assert first.functions == {
        "arn:aws:lambda:us-east-1:000000000000:function:work": result.project.function("work")
    }


def test_tells_a_missing_handler_file_from_a_file_that_is_not_a_function(tmp_path: Path) -> None:
    add_function(tmp_path, "Bad")  # refused name: the folder exists, the function is not served
    add_flow(tmp_path, "f.yml", FLOW.format(name="f", function="Bad"))
    result = load_project(tmp_path)
    messages = [e.message for e in result.errors]
    assert "functions/lib/Bad/handler.py is not a project function" in messages[-1]


def test_skips_private_files_and_other_suffixes(tmp_path: Path) -> None:
    add_flow(tmp_path, "_draft.yml", "not: [valid")
    add_flow(tmp_path, ".hidden.yml", "not: [valid")
    add_flow(tmp_path, "notes.txt", "hello")
    result = load_project(tmp_path)
    assert result.problems == () and result.flow_files == ()


def test_reports_a_flow_file_that_is_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "latin.yml").write_bytes(b"name: caf\xe9\n")
    result = load_project(tmp_path)
    (error,) = result.errors
    assert error.location == Location("flows/latin.yml", 1, 1)
    assert error.message.startswith("cannot read the flow file:")
    (summary,) = result.flow_files
    assert (summary.source, summary.loaded, summary.name) == ("flows/latin.yml", False, None)


def test_namespaces_a_plugin_flow_and_runs_its_own_function(tmp_path: Path) -> None:
    plugin = tmp_path / "plugins" / "billing"
    add_function(plugin, "charge")
    add_flow(plugin, "nightly.yml", FLOW.format(name="nightly", function="charge"))
    (tmp_path / "config.json").write_text(json.dumps({"plugins": ["./plugins/billing"]}))
    result = load_project(tmp_path, validate_definition=validate_definition, region="eu-west-1")
    assert result.problems == ()
    (flow,) = result.project.flows
    assert (flow.key, flow.arn) == (
        "billing/nightly",
        "arn:aws:states:eu-west-1:000000000000:stateMachine:billing-nightly",
    )
    assert list(flow.functions.values()) == [result.project.function("billing/charge")]
    assert [f.source for f in result.flow_files] == ["plugins/billing/flows/nightly.yml"]


def test_checks_an_extra_file_outside_flows_as_one_of_the_project(tmp_path: Path) -> None:
    add_function(tmp_path, "work")
    draft = tmp_path / "draft.yml"
    draft.write_text(FLOW.format(name="draft", function="work").replace("End: true", "Next: Nowhere"))
    result = load_project(tmp_path, validate_definition=validate_definition, extra_flow_files=[draft])
    errors = [(e.location, e.message.split(":")[0]) for e in result.errors]
    assert (Location("draft.yml", 11, 7), "/States/Work/Next") in errors
    assert [(f.source, f.loaded) for f in result.flow_files] == [("draft.yml", False)]


def test_loads_every_example_flow_of_this_repository_with_no_problem() -> None:
    result = load_project(REPO, validate_definition=validate_definition)
    flow_problems = [p for p in result.problems if p.location and p.location.file.startswith("flows/")]
    assert flow_problems == []
    assert all(f.loaded for f in result.flow_files)
    flows = {f.name: f for f in result.project.flows}
    assert set(flows) >= {
        "helloWorldFlow",
        "dummy2StepFlow",
        "compositeFlow",
        "scheduleFlow",
        "scheduleMapFlow",
        "retryCatchFlow",
    }
    assert all(f.type is FlowType.STANDARD for f in flows.values())
    composite = flows["compositeFlow"]
    assert sorted(composite.references.values()) == ["dummy2StepFlow", "helloWorldFlow"]
    assert flows["scheduleFlow"].schedule is not None and flows["scheduleFlow"].input == {"name": "scheduler"}
    assert flows["scheduleMapFlow"].schedule is not None and flows["scheduleMapFlow"].schedule.kind == "cron"
    assert flows["retryCatchFlow"].definition["TimeoutSeconds"] == 60
    for flow in flows.values():
        assert "${" not in json.dumps(flow.definition), flow.name
        for function in flow.functions.values():
            assert function.handler_file.is_file()
    assert not [p for p in result.problems if p.severity is Severity.ERROR]
