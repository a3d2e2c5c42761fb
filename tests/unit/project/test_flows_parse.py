"""One flow file parsed alone: every field read, every bad input reported at its line and column."""

from __future__ import annotations

import pytest

from sdw.project import FlowType, Location, Severity, parse_flow

FILE = "flows/sample.yml"

GOOD = """\
name: sampleFlow
description: Everything a flow file can say
type: EXPRESS
timeout: 120
functions:
  - name: sayHello
    handler: functions/lib/say_hello/handler.handler
stateMachineReferences:
  - otherFlowStateMachine
schedule: rate(5 minutes)
input:
  name: scheduler
  tags: [a, b]
definition:
  StartAt: Hello
  States:
    Hello:
      Type: Task
      Resource: ${sayHelloArn}
      End: true
"""

DEFINITION = "definition:\n  StartAt: A\n  States:\n    A:\n      Type: Succeed\n"


def flow(*lines: str, definition: str = DEFINITION) -> str:
    """A flow file named ``f``: the given top-level lines, then a valid definition."""
    return "name: f\n" + "".join(line + "\n" for line in lines) + definition


def only_error(text: str) -> tuple[Location | None, str]:
    spec = parse_flow(text, FILE)
    errors = [p for p in spec.problems if p.severity is Severity.ERROR]
    assert len(errors) == 1, spec.problems
    assert not spec.ok
    return errors[0].location, errors[0].message


def test_reads_every_field_of_a_valid_flow() -> None:
    spec = parse_flow(GOOD, FILE)
    assert spec.problems == [] and spec.ok
    assert (spec.name, spec.description, spec.type, spec.timeout) == (
        "sampleFlow",
        "Everything a flow file can say",
        FlowType.EXPRESS,
        120,
    )
    (entry,) = spec.functions
    assert (entry.name, entry.placeholder, entry.handler_path) == (
        "sayHello",
        "sayHelloArn",
        "functions/lib/say_hello/handler.py",
    )
    (reference,) = spec.references
    assert reference.placeholder == "otherFlowStateMachine"
    assert reference.flow_names == ("otherFlowStateMachine", "otherFlow")
    assert spec.schedule is not None and spec.schedule.interval_seconds == 300
    assert spec.input == {"name": "scheduler", "tags": ["a", "b"]}
    assert spec.definition is not None and spec.definition["States"]["Hello"]["Resource"] == "${sayHelloArn}"


def test_defaults_to_a_standard_flow_without_timeout_schedule_or_input() -> None:
    spec = parse_flow(flow(), FILE)
    assert spec.problems == []
    assert (spec.type, spec.timeout, spec.schedule, spec.input, spec.description) == (
        FlowType.STANDARD,
        None,
        None,
        None,
        "",
    )


def test_reports_yaml_that_does_not_parse_at_its_position() -> None:
    location, message = only_error("name: f\ndefinition: [unclosed\n")
    assert location is not None and location.file == FILE and location.line == 3
    assert message.startswith("does not parse:")


def test_reports_an_empty_file() -> None:
    assert only_error("") == (
        Location(FILE, 1, 1),
        "the file is empty; a flow needs at least name and definition",
    )


def test_reports_a_file_that_is_not_a_mapping() -> None:
    location, message = only_error("- name: f\n")
    assert (
        location == Location(FILE, 1, 1) and "a flow file is a mapping" in message and "not a list" in message
    )


def test_reports_an_unknown_key_with_the_nearest_known_one() -> None:
    location, message = only_error(flow("descripton: hello"))
    assert location == Location(FILE, 2, 1)
    assert message == "unknown key 'descripton'; did you mean 'description'?"


def test_lists_the_known_keys_when_no_key_is_near() -> None:
    _, message = only_error(flow("zzz: 1"))
    assert message.startswith("unknown key 'zzz' (known: name, description, definition,")


@pytest.mark.parametrize(
    ("text", "where", "fragment"),
    [
        (DEFINITION, (1, 1), "missing 'name'"),
        ("name: 12\n" + DEFINITION, (1, 1), "'name' must be text, not a number"),
        ("name: [a]\n" + DEFINITION, (1, 1), "'name' must be text, not a list"),
        ("name: ''\n" + DEFINITION, (1, 1), "Step Functions refuses this name: the name is empty"),
        (
            "name: " + "a" * 81 + "\n" + DEFINITION,
            (1, 1),
            "is 81 characters; a state machine name has at most 80",
        ),
        (
            "name: my flow\n" + DEFINITION,
            (1, 1),
            "'my flow' has ' ', which a state machine name cannot contain",
        ),
        ("name: team/flow\n" + DEFINITION, (1, 1), "has '/'"),
        ("name: 'a:b'\n" + DEFINITION, (1, 1), "has ':'"),
        ("name: 'a$b'\n" + DEFINITION, (1, 1), "has '$'"),
        ('name: "a\\tb"\n' + DEFINITION, (1, 1), "has '\\t'"),
        ('name: "a\\x85b"\n' + DEFINITION, (1, 1), "has '\\x85'"),
    ],
)
def test_reports_a_missing_or_refused_name(text: str, where: tuple[int, int], fragment: str) -> None:
    location, message = only_error(text)
    assert location == Location(FILE, *where)
    assert fragment in message


def test_warns_about_a_name_aws_accepts_but_cannot_log() -> None:
    spec = parse_flow("name: my.flow\n" + DEFINITION, FILE)
    assert spec.ok and spec.name == "my.flow"
    (warning,) = spec.problems
    assert warning.severity is Severity.WARNING and warning.location == Location(FILE, 1, 1)
    assert "cannot send its executions' logs to CloudWatch Logs" in warning.message


def test_accepts_a_name_of_exactly_80_characters() -> None:
    assert parse_flow("name: " + "a" * 80 + "\n" + DEFINITION, FILE).problems == []


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("description: [a]", "'description' must be text, not a list"),
        ("type: express", "'type' must be STANDARD or EXPRESS, not 'express'; did you mean 'EXPRESS'?"),
        ("type: 1", "'type' must be STANDARD or EXPRESS, not 1"),
        ("type: standard", "not 'standard'; did you mean 'STANDARD'?"),
        ("type: BATCH", "not 'BATCH' (known: STANDARD, EXPRESS)"),
        ("timeout: 0", "'timeout' must be a whole number of seconds from 1 to 99999999, not 0"),
        ("timeout: -5", "not -5"),
        ("timeout: '60'", "not '60'"),
        ("timeout: 1.5", "not 1.5"),
        ("timeout: true", "not True"),
        ("timeout: 100000000", "not 100000000"),
        ("schedule: 5", "'schedule' must be text such as rate(5 minutes)"),
        (
            "schedule: rate(1 minutes)",
            "EventBridge refuses the schedule 'rate(1 minutes)': a value of 1 takes",
        ),
        ("schedule: cron(0 12 * * ?)", "has 5 fields; a cron needs 6"),
        (
            "input: [1, 2]",
            "'input' must be a mapping (the JSON object a scheduled run starts with), not a list",
        ),
        ("input: hello", "not text"),
        ("functions: {name: a}", "'functions' must be a list of {name, handler}, not a mapping"),
        ("stateMachineReferences: aStateMachine", "'stateMachineReferences' must be a list"),
    ],
)
def test_reports_a_wrongly_typed_field_at_its_key(line: str, fragment: str) -> None:
    location, message = only_error(flow(line))
    assert location == Location(FILE, 2, 1)
    assert fragment in message


def test_limits_an_express_flow_timeout_to_five_minutes() -> None:
    location, message = only_error(flow("type: EXPRESS", "timeout: 301"))
    assert location == Location(FILE, 3, 1)
    assert "from 1 to 300 (an Express execution runs for at most 5 minutes)" in message
    assert parse_flow(flow("type: EXPRESS", "timeout: 300"), FILE).problems == []


def test_reports_a_missing_definition() -> None:
    assert only_error("name: f\n") == (
        Location(FILE, 1, 1),
        "missing 'definition': the state machine, in Amazon States Language",
    )


def test_reports_a_definition_that_is_not_a_mapping() -> None:
    location, message = only_error("name: f\ndefinition: [a]\n")
    assert location == Location(FILE, 2, 1) and "'definition' must be a mapping" in message


def test_reports_a_yaml_timestamp_in_the_definition_and_advises_quotes() -> None:
    text = flow(definition="definition:\n  StartAt: W\n  States:\n    W:\n      Type: Wait\n"
                           "      Timestamp: 2024-01-01T00:00:00Z\n      End: true\n")  # fmt: skip
    location, message = only_error(text)
    assert location == Location(FILE, 7, 7)
    assert message == (
        "YAML reads this unquoted value as a datetime, which JSON cannot hold; "
        "put it in quotes to keep it as text"
    )
    spec = parse_flow(text, FILE)
    assert spec.json_errors == {"/definition/States/W/Timestamp"}
    assert spec.definition is not None  # kept, as text, so the linker still checks the rest


def test_reports_a_key_yaml_reads_as_a_number_or_boolean() -> None:
    text = flow(definition="definition:\n  StartAt: A\n  States:\n    A:\n      Type: Pass\n"
                           "      Result:\n        2: two\n        on: yes\n      End: true\n")  # fmt: skip
    spec = parse_flow(text, FILE)
    messages = [(p.location, p.message) for p in spec.problems]
    assert messages == [
        (Location(FILE, 8, 9), "YAML reads the key 2 as a number; a JSON key is text: quote it"),
        (Location(FILE, 9, 9), "YAML reads the key True as a boolean; a JSON key is text: quote it"),
    ]


def test_reports_a_number_json_cannot_hold() -> None:
    location, message = only_error(flow("schedule: rate(1 day)", "input:\n  x: .nan"))
    assert location == Location(FILE, 4, 3) and "a number JSON cannot hold" in message


def test_reports_a_date_in_the_input() -> None:
    location, message = only_error(flow("schedule: rate(1 day)", "input:\n  day: 2024-01-01"))
    assert location == Location(FILE, 4, 3) and "as a date, which JSON cannot hold" in message


def test_reports_an_input_larger_than_eventbridge_allows() -> None:
    location, message = only_error(flow("schedule: rate(1 day)", "input:\n  x: " + "a" * 8200))
    assert location == Location(FILE, 3, 1)
    assert "an EventBridge target's input is at most 8192" in message


def test_warns_about_an_input_without_a_schedule() -> None:
    spec = parse_flow(flow("input: {x: 1}"), FILE)
    assert spec.ok and spec.input == {"x": 1}
    (warning,) = spec.problems
    assert warning.severity is Severity.WARNING and warning.location == Location(FILE, 2, 1)
    assert "'input' is used only by scheduled runs" in warning.message


@pytest.mark.parametrize(
    ("entries", "where", "fragment"),
    [
        (
            "- hello",
            (3, 5),
            "a function is {name: ..., handler: functions/lib/<name>/handler.handler}, not text",
        ),
        ("- {name: a, handler: functions/lib/a/handler.handler, memory: 5}", (3, 57), "unknown key 'memory'"),
        ("- {nme: a, handler: functions/lib/a/handler.handler}", (3, 6), "did you mean 'name'?"),
        (
            "- {handler: functions/lib/a/handler.handler}",
            (3, 5),
            "a function needs a 'name' of letters, digits",
        ),
        ("- {name: 'a b', handler: functions/lib/a/handler.handler}", (3, 6), "not 'a b'"),
        ("- {name: 5, handler: functions/lib/a/handler.handler}", (3, 6), "not 5"),
        ("- {name: a}", (3, 5), "a function needs a 'handler' such as functions/lib/<name>/handler.handler"),
        ("- {name: a, handler: 5}", (3, 15), "not 5"),
        ("- {name: a, handler: /abs/functions/lib/a/handler.handler}", (3, 15), "is not a path relative to"),
        ("- {name: a, handler: functions/lib/a/handler}", (3, 15), "is not a path relative to the project"),
        ("- {name: a, handler: handler}", (3, 15), "is not a path relative to the project"),
        (
            "- {name: a, handler: functions/lib/a/handler.main}",
            (3, 15),
            "write functions/lib/a/handler.handler",
        ),
    ],
)
def test_reports_a_bad_function_entry_where_it_is(
    entries: str, where: tuple[int, int], fragment: str
) -> None:
    spec = parse_flow(flow("functions:\n  " + entries), FILE)
    assert not spec.ok and spec.functions == []
    found = [(p.location, p.message) for p in spec.problems]
    assert any(location == Location(FILE, *where) and fragment in message for location, message in found), (
        found
    )


def test_reports_a_function_name_declared_twice() -> None:
    entries = "functions:\n  - {name: a, handler: functions/lib/a/handler.handler}\n" \
              "  - {name: a, handler: functions/lib/b/handler.handler}"  # fmt: skip
    spec = parse_flow(flow(entries), FILE)
    (error,) = spec.problems
    assert error.location == Location(FILE, 4, 6)
    assert error.message == "the function name 'a' is declared twice (first at flows/sample.yml:3:6)"
    assert [entry.name for entry in spec.functions] == ["a"]


@pytest.mark.parametrize(
    ("entries", "where", "fragment"),
    [
        ("[5]", (2, 26), "a reference is a flow's name (otherFlow, used as ${otherFlow}) or the name "
                         "followed by StateMachine (otherFlowStateMachine), not 5"),
        ("['']", (2, 26), "not ''"),
        ("['a}b']", (2, 26), "not 'a}b'"),
        ("[{a: 1}]", (2, 26), "not {'a': 1}"),
        ("[aStateMachine, aStateMachine]", (2, 41), "'aStateMachine' is listed twice"),
    ],
)  # fmt: skip
def test_reports_a_bad_reference_where_it_is(entries: str, where: tuple[int, int], fragment: str) -> None:
    location, message = only_error(flow(f"stateMachineReferences: {entries}"))
    assert location == Location(FILE, *where)
    assert fragment in message


def test_reports_every_problem_of_a_file_not_only_the_first() -> None:
    spec = parse_flow("name: a b\ntype: x\ntimeout: 0\nschedule: rate(0 days)\n", FILE)
    assert [p.location.line for p in spec.problems if p.location] == [1, 2, 3, 1, 4]


@pytest.mark.parametrize(
    ("entry", "names"),
    [
        ("helloWorldFlow", ("helloWorldFlow",)),
        ("helloWorldFlowStateMachine", ("helloWorldFlowStateMachine", "helloWorldFlow")),
        ("StateMachine", ("StateMachine",)),
    ],
)
def test_reads_a_reference_in_either_spelling_leaving_which_flow_to_the_linker(
    entry: str, names: tuple[str, ...]
) -> None:
    spec = parse_flow(flow(f"stateMachineReferences: [{entry}]"), FILE)
    assert [p for p in spec.problems if p.severity is Severity.ERROR] == []
    (reference,) = spec.references
    assert (reference.placeholder, reference.flow_names) == (entry, names)
