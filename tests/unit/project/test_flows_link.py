"""Flows linked to the project and to each other: placeholders, handlers, references, cycles, ASL.

No disk: the files are text in memory, the functions are built by hand and "does this
handler file exist" is a set.
"""

from __future__ import annotations

from pathlib import Path

from sdw.asl import validate_definition
from sdw.project import FlowLoad, FlowSource, FlowType, Function, Location, Problem, Severity, compile_flows

ROOT = Path("/p")
PLUGIN_ROOT = Path("/plugins/billing")
SAY_HELLO = Function("say_hello", ROOT / "functions/lib/say_hello")
ADD_ONE = Function("add_one", ROOT / "functions/lib/add_one")
CHARGE = Function("charge", PLUGIN_ROOT / "functions/lib/charge", plugin="billing")
FUNCTIONS = (SAY_HELLO, ADD_ONE, CHARGE)
LAMBDA = "arn:aws:lambda:us-east-1:000000000000:function:"
STATES = "arn:aws:states:us-east-1:000000000000:stateMachine:"

HELLO = """\
name: hello
functions:
  - name: sayHello
    handler: functions/lib/say_hello/handler.handler
definition:
  StartAt: Hello
  States:
    Hello:
      Type: Task
      Resource: ${sayHelloArn}
      End: true
"""


def succeed(name: str) -> str:
    return f"name: {name}\ndefinition:\n  StartAt: A\n  States:\n    A:\n      Type: Succeed\n"


def starts(name: str, *children: str, suffix: str = "StateMachine") -> str:
    """A flow that starts each of ``children`` in a row (startExecution), declaring them.

    ``suffix=""`` declares them by the flow's name alone (``- child``, ``${child}``).
    """
    refs = "".join(f"  - {child}{suffix}\n" for child in children)
    states = "".join(
        f"    Start{i}:\n      Type: Task\n      Resource: arn:aws:states:::states:startExecution\n"
        f"      Parameters:\n        StateMachineArn: ${{{child}{suffix}}}\n"
        + (f"      Next: Start{i + 1}\n" if i + 1 < len(children) else "      End: true\n")
        for i, child in enumerate(children)
    )
    return f"name: {name}\nstateMachineReferences:\n{refs}definition:\n  StartAt: Start0\n  States:\n{states}"


def source(file: str, text: str, plugin: str | None = None) -> FlowSource:
    base = PLUGIN_ROOT if plugin else ROOT
    return FlowSource(text, file, base / file, base, plugin)


def link(*sources: FlowSource, existing: frozenset[Path] = frozenset(), **options: str) -> FlowLoad:
    return compile_flows(
        sources,
        FUNCTIONS,
        validate_definition=validate_definition,
        file_exists=lambda path: path in existing,
        **options,  # type: ignore[arg-type]
    )


def errors_of(load: FlowLoad) -> list[tuple[Location | None, str]]:
    return [(p.location, p.message) for p in load.problems if p.severity is Severity.ERROR]


def warnings_of(load: FlowLoad) -> list[Problem]:
    return [p for p in load.problems if p.severity is Severity.WARNING]


def test_resolves_a_function_placeholder_to_its_lambda_arn_and_maps_it_to_the_function() -> None:
    load = link(source("flows/hello.yml", HELLO))
    assert load.problems == ()
    (flow,) = load.flows
    arn = LAMBDA + "say-hello"  # the deployed name: '_' becomes '-'
    assert flow.definition["States"]["Hello"]["Resource"] == arn
    assert flow.raw_definition["States"]["Hello"]["Resource"] == "${sayHelloArn}"
    assert flow.functions == {arn: SAY_HELLO}
    assert flow.placeholders == {"sayHelloArn": arn}
    assert (flow.name, flow.key, flow.state_machine_name, flow.arn) == (
        "hello",
        "hello",
        "hello",
        STATES + "hello",
    )
    assert (flow.file, flow.source, flow.type, flow.timeout, flow.plugin) == (
        ROOT / "flows/hello.yml",
        "flows/hello.yml",
        FlowType.STANDARD,
        None,
        None,
    )


def test_puts_the_given_region_and_account_in_every_arn() -> None:
    (flow,) = link(source("flows/hello.yml", HELLO), region="eu-west-1", account_id="123456789012").flows
    assert flow.arn == "arn:aws:states:eu-west-1:123456789012:stateMachine:hello"
    assert list(flow.functions) == ["arn:aws:lambda:eu-west-1:123456789012:function:say-hello"]


def test_puts_the_deployed_name_prefix_before_every_function_and_state_machine_name() -> None:
    sources = source("flows/hello.yml", HELLO), source("flows/parent.yml", starts("parent", "hello"))
    hello, parent = link(*sources, name_prefix="sdw-dev-").flows
    assert hello.arn == STATES + "sdw-dev-hello"
    assert hello.definition["States"]["Hello"]["Resource"] == LAMBDA + "sdw-dev-say-hello"
    assert parent.definition["States"]["Start0"]["Parameters"]["StateMachineArn"] == STATES + "sdw-dev-hello"
    assert (hello.name, hello.state_machine_name) == ("hello", "hello")  # the model's own names stay


def test_replaces_a_placeholder_inside_a_longer_string() -> None:
    then = "ResultPath: $.r\n      Next: P\n    P:\n      Type: Pass\n"
    text = HELLO.replace("End: true", then + "      Result: 'called ${sayHelloArn} once'\n      End: true")
    (flow,) = link(source("flows/hello.yml", text)).flows
    assert flow.definition["States"]["P"]["Result"] == f"called {LAMBDA}say-hello once"


def test_resolves_a_reference_to_the_child_flow_arn() -> None:
    load = link(source("flows/hello.yml", HELLO), source("flows/parent.yml", starts("parent", "hello")))
    assert load.problems == ()
    parent = load.flows[1]
    assert parent.definition["States"]["Start0"]["Parameters"]["StateMachineArn"] == STATES + "hello"
    assert parent.references == {STATES + "hello": "hello"}
    assert parent.placeholders == {"helloStateMachine": STATES + "hello"}


def test_fills_timeoutseconds_from_the_flow_timeout_when_the_definition_has_none() -> None:
    (flow,) = link(source("flows/hello.yml", HELLO.replace("functions:", "timeout: 30\nfunctions:"))).flows
    assert flow.definition["TimeoutSeconds"] == 30 and flow.timeout == 30
    assert "TimeoutSeconds" not in flow.raw_definition


def test_lets_the_definition_timeoutseconds_win_and_warns_that_timeout_is_ignored() -> None:
    text = HELLO.replace("functions:", "timeout: 30\nfunctions:").replace(
        "  StartAt:", "  TimeoutSeconds: 10\n  StartAt:"
    )
    load = link(source("flows/hello.yml", text))
    (flow,) = load.flows
    assert flow.definition["TimeoutSeconds"] == 10 and flow.timeout == 10
    (warning,) = warnings_of(load)
    assert warning.location == Location("flows/hello.yml", 2, 1)
    assert warning.message == "'timeout' 30 is ignored: the definition's TimeoutSeconds (10) takes precedence"


def test_reports_a_handler_file_that_does_not_exist_with_the_nearest_function() -> None:
    load = link(source("flows/hello.yml", HELLO.replace("say_hello/", "say_helo/")))
    assert load.flows == ()
    assert errors_of(load) == [
        (
            Location("flows/hello.yml", 4, 5),
            "the handler file functions/lib/say_helo/handler.py does not exist; "
            "did you mean functions/lib/say_hello/handler.handler?",
        )
    ]


def test_reports_a_handler_file_that_exists_but_is_not_a_project_function() -> None:
    text = HELLO.replace("functions/lib/say_hello/handler.handler", "scripts/tool/handler.handler")
    load = link(source("flows/hello.yml", text), existing=frozenset({ROOT / "scripts/tool/handler.py"}))
    ((location, message),) = errors_of(load)
    assert location == Location("flows/hello.yml", 4, 5)
    assert (
        message
        == "scripts/tool/handler.py is not a project function: a function is functions/lib/<name>/handler.py"
    )


def test_reports_an_unknown_placeholder_with_the_nearest_declared_one() -> None:
    load = link(source("flows/hello.yml", HELLO.replace("${sayHelloArn}", "${sayHeloArn}")))
    assert load.flows == ()
    assert errors_of(load) == [
        (
            Location("flows/hello.yml", 10, 7),
            "unknown placeholder ${sayHeloArn}; did you mean ${sayHelloArn}?",
        )
    ]


def test_lists_what_a_flow_declares_when_no_placeholder_is_near() -> None:
    load = link(source("flows/hello.yml", HELLO.replace("${sayHelloArn}", "${self:custom.x}")))
    ((_, message),) = errors_of(load)
    assert message == "unknown placeholder ${self:custom.x}; declared: ${sayHelloArn}"


def test_says_how_placeholders_are_declared_when_a_flow_declares_none() -> None:
    text = succeed("f").replace("Type: Succeed", "Type: Pass\n      Result: ${x}\n      End: true")
    ((_, message),) = errors_of(link(source("flows/f.yml", text)))
    assert message == (
        "unknown placeholder ${x}; "
        "this flow declares none (functions: and stateMachineReferences: declare them)"
    )


def test_reports_a_function_placeholder_used_but_not_declared_with_the_entry_to_add() -> None:
    text = HELLO.replace("${sayHelloArn}", "${add_oneArn}")
    load = link(source("flows/hello.yml", text))
    assert errors_of(load) == [
        (
            Location("flows/hello.yml", 10, 7),
            "${add_oneArn} is used but not declared: "
            "add {name: add_one, handler: functions/lib/add_one/handler.handler} to 'functions'",
        )
    ]


def test_reports_a_flow_placeholder_used_but_not_declared_with_the_reference_to_add() -> None:
    text = starts("parent", "hello").replace("stateMachineReferences:\n  - helloStateMachine\n", "")
    load = link(source("flows/hello.yml", HELLO), source("flows/parent.yml", text))
    assert [f.name for f in load.flows] == ["hello"]
    assert errors_of(load) == [
        (
            Location("flows/parent.yml", 9, 9),
            "${helloStateMachine} is used but not declared: "
            "add helloStateMachine to 'stateMachineReferences'",
        )
    ]


def test_warns_about_declarations_the_definition_never_uses_and_still_loads_the_flow() -> None:
    text = succeed("f").replace(
        "definition:",
        "functions:\n  - {name: addOne, handler: functions/lib/add_one/handler.handler}\n"
        "stateMachineReferences: [helloStateMachine]\ndefinition:",
    )
    load = link(source("flows/hello.yml", HELLO), source("flows/f.yml", text))
    assert [f.name for f in load.flows] == ["hello", "f"]
    assert [(w.location, w.message) for w in warnings_of(load)] == [
        (
            Location("flows/f.yml", 3, 6),
            "the function 'addOne' is declared but ${addOneArn} is not used in the definition",
        ),
        (Location("flows/f.yml", 4, 26), "${helloStateMachine} is declared but not used in the definition"),
    ]


def test_resolves_a_reference_by_the_flow_name_alone_as_the_seeds_deploy_does() -> None:
    parent_text = starts("parent", "hello", suffix="")
    load = link(source("flows/hello.yml", HELLO), source("flows/parent.yml", parent_text))
    assert load.problems == ()
    _, parent = load.flows
    assert parent.definition["States"]["Start0"]["Parameters"]["StateMachineArn"] == STATES + "hello"
    assert parent.references == {STATES + "hello": "hello"}
    assert parent.placeholders == {"hello": STATES + "hello"}


def test_takes_an_entry_that_is_a_flows_exact_name_as_that_flow_even_when_it_ends_in_statemachine() -> None:
    load = link(
        source("flows/a.yml", succeed("a")),
        source("flows/a-sm.yml", succeed("aStateMachine")),
        source("flows/parent.yml", starts("parent", "aStateMachine", suffix="")),
    )
    assert load.problems == ()
    assert load.flows[-1].placeholders == {"aStateMachine": STATES + "aStateMachine"}


def test_resolves_both_spellings_side_by_side_and_finds_a_cycle_through_either() -> None:
    mixed = starts("parent", "hello", suffix="").replace("  - hello\n", "  - hello\n  - childStateMachine\n")
    mixed = mixed.replace("      End: true\n", "      Next: Start1\n") + (
        "    Start1:\n      Type: Task\n      Resource: arn:aws:states:::states:startExecution\n"
        "      Parameters:\n        StateMachineArn: ${childStateMachine}\n      End: true\n"
    )
    load = link(source("flows/hello.yml", HELLO), source("flows/child.yml", succeed("child")),
                source("flows/parent.yml", mixed))
    assert load.problems == ()
    assert load.flows[-1].placeholders == {"hello": STATES + "hello", "childStateMachine": STATES + "child"}
    cycle = link(source("flows/a.yml", starts("a", "b", suffix="")), source("flows/b.yml", starts("b", "a")))
    assert errors_of(cycle) == [
        (Location("flows/a.yml", 3, 5), "flows start each other in a cycle: a -> b -> a; "
                                        "each execution would start another without end"),
        (Location("flows/b.yml", 3, 5), "flows start each other in a cycle: b -> a -> b; "
                                        "each execution would start another without end"),
    ]


def test_reports_a_reference_to_a_flow_that_does_not_exist_naming_both_spellings_and_the_nearest() -> None:
    load = link(source("flows/hello.yml", HELLO), source("flows/parent.yml", starts("parent", "helo")))
    assert errors_of(load) == [
        (
            Location("flows/parent.yml", 3, 5),
            "'heloStateMachine' names no flow of this project: a reference is a flow's name "
            "(hello, used as ${hello}) or the name followed by StateMachine "
            "(helloStateMachine, used as ${helloStateMachine}); did you mean helloStateMachine?",
        )
    ]
    parent_text = starts("parent", "helo", suffix="")
    by_name = link(source("flows/hello.yml", HELLO), source("flows/parent.yml", parent_text))
    assert errors_of(by_name)[0][1].endswith("; did you mean hello?")


def test_reports_a_reference_that_is_neither_spelling_of_any_flow_with_an_example() -> None:
    load = link(source("flows/parent.yml", starts("parent", "nothing", suffix="")))
    assert errors_of(load) == [
        (
            Location("flows/parent.yml", 3, 5),
            "'nothing' names no flow of this project: a reference is a flow's name "
            "(parent, used as ${parent}) or the name followed by StateMachine "
            "(parentStateMachine, used as ${parentStateMachine})",
        )
    ]


def test_refuses_a_reference_whose_placeholder_is_also_a_functions() -> None:
    flow_named_like_a_function = succeed("sayHelloArn")
    parent = HELLO.replace("name: hello\n", "name: parent\nstateMachineReferences: [sayHelloArn]\n")
    load = link(source("flows/child.yml", flow_named_like_a_function), source("flows/parent.yml", parent))
    assert errors_of(load) == [
        (
            Location("flows/parent.yml", 2, 26),
            "${sayHelloArn} would stand for both this flow and a function under 'functions'; "
            "write sayHelloArnStateMachine here instead",
        )
    ]


def test_reports_a_flow_placeholder_by_name_used_but_not_declared_with_the_reference_to_add() -> None:
    text = starts("parent", "hello", suffix="").replace("stateMachineReferences:\n  - hello\n", "")
    load = link(source("flows/hello.yml", HELLO), source("flows/parent.yml", text))
    assert errors_of(load) == [
        (
            Location("flows/parent.yml", 9, 9),
            "${hello} is used but not declared: add hello to 'stateMachineReferences'",
        )
    ]


def test_keeps_the_first_of_two_flows_with_one_name_and_reports_the_second() -> None:
    load = link(source("flows/a.yml", succeed("same")), source("flows/b.yml", succeed("same")))
    assert [f.source for f in load.flows] == ["flows/a.yml"]
    assert errors_of(load) == [
        (
            Location("flows/b.yml", 1, 1),
            "the flow name 'same' is already taken by flows/a.yml:1:1; this flow is not loaded",
        )
    ]
    assert [(f.source, f.loaded) for f in load.files] == [("flows/a.yml", True), ("flows/b.yml", False)]


def test_namespaces_a_plugin_flow_and_resolves_its_handlers_against_the_plugin() -> None:
    text = HELLO.replace("say_hello", "charge").replace("sayHello", "charge").replace("hello", "nightly")
    load = link(source("flows/nightly.yml", text, plugin="billing"))
    assert load.problems == ()
    (flow,) = load.flows
    assert (flow.key, flow.state_machine_name, flow.arn, flow.plugin) == (
        "billing/nightly",
        "billing-nightly",
        STATES + "billing-nightly",
        "billing",
    )
    assert flow.functions == {LAMBDA + "billing-charge": CHARGE}


def test_resolves_a_plugin_reference_inside_the_plugin_only() -> None:
    load = link(
        source("flows/hello.yml", HELLO),
        source("flows/child.yml", succeed("child"), plugin="billing"),
        source("flows/parent.yml", starts("parent", "child", "hello"), plugin="billing"),
    )
    (parent_error,) = errors_of(load)
    assert parent_error == (
        Location("flows/parent.yml", 4, 5),
        "'helloStateMachine' names no flow of plugin 'billing': a reference is a flow's name "
        "(child, used as ${child}) or the name followed by StateMachine "
        "(childStateMachine, used as ${childStateMachine})",
    )
    assert [f.key for f in load.flows] == ["hello", "billing/child"]


def test_refuses_a_plugin_flow_whose_state_machine_name_is_too_long() -> None:
    name = "n" * 75  # fine alone, 83 characters as billing-<name>
    load = link(source("flows/long.yml", succeed(name), plugin="billing"))
    assert load.flows == ()
    assert errors_of(load) == [
        (
            Location("flows/long.yml", 1, 1),
            f"as plugin 'billing''s flow it deploys as the state machine 'billing-{name}', 83 characters; "
            "AWS allows 80",
        )
    ]


def test_lets_the_project_flow_win_over_a_plugin_flow_with_the_same_state_machine_name() -> None:
    load = link(
        source("flows/billing-nightly.yml", succeed("billing-nightly")),
        source("flows/nightly.yml", succeed("nightly"), plugin="billing"),
    )
    assert [f.key for f in load.flows] == ["billing-nightly"]
    ((location, message),) = errors_of(load)
    assert location == Location("flows/nightly.yml", 1, 1)
    assert message == (
        "the state machine 'billing-nightly' is already taken by flows/billing-nightly.yml:1:1; "
        "this flow is not loaded"
    )


def test_reports_a_cycle_in_every_flow_of_it_and_loads_neither() -> None:
    load = link(source("flows/a.yml", starts("a", "b")), source("flows/b.yml", starts("b", "a")))
    assert load.flows == ()
    assert errors_of(load) == [
        (Location("flows/a.yml", 3, 5), "flows start each other in a cycle: a -> b -> a; "
                                        "each execution would start another without end"),
        (Location("flows/b.yml", 3, 5), "flows start each other in a cycle: b -> a -> b; "
                                        "each execution would start another without end"),
    ]  # fmt: skip


def test_reports_a_flow_that_starts_itself() -> None:
    ((location, message),) = errors_of(link(source("flows/a.yml", starts("a", "a"))))
    assert location == Location("flows/a.yml", 3, 5) and "a cycle: a -> a;" in message


def test_reports_the_shortest_cycle_through_three_flows() -> None:
    load = link(
        source("flows/a.yml", starts("a", "b")),
        source("flows/b.yml", starts("b", "c")),
        source("flows/c.yml", starts("c", "a")),
    )
    assert [m.split(";")[0] for _, m in errors_of(load)] == [
        "flows start each other in a cycle: a -> b -> c -> a",
        "flows start each other in a cycle: b -> c -> a -> b",
        "flows start each other in a cycle: c -> a -> b -> c",
    ]


def test_leaves_out_a_flow_that_references_a_flow_which_is_not_loaded() -> None:
    load = link(
        source("flows/bad.yml", succeed("bad").replace("Succeed", "Nope")),
        source("flows/parent.yml", starts("parent", "bad")),
        source("flows/grandparent.yml", starts("grandparent", "parent")),
        source("flows/ok.yml", succeed("ok")),
    )
    assert [f.name for f in load.flows] == ["ok"]
    messages = [m for _, m in errors_of(load)]
    assert messages[-2:] == [
        "references flow 'bad' (flows/bad.yml:1:1), which has errors and is not loaded; "
        "so this flow is not loaded either",
        "references flow 'parent' (flows/parent.yml:1:1), which has errors and is not loaded; "
        "so this flow is not loaded either",
    ]


def test_locates_every_asl_error_in_the_yaml_definition() -> None:
    text = (
        "name: f\ndefinition:\n  StartAt: Route\n  States:\n    Route:\n      Type: Choice\n"
        "      Choices:\n        - Variable: $.x\n          IsPresent: true\n          Next: Wait\n"
        "      Default: Nowhere\n    Wait:\n      Type: Wait\n      Seconds: -1\n      End: true\n"
    )
    load = link(source("flows/f.yml", text))
    assert errors_of(load) == [
        (
            Location("flows/f.yml", 11, 7),
            "/States/Route/Default: 'Default' names the state 'Nowhere', "
            "which does not exist in this state machine.",
        ),
        (
            Location("flows/f.yml", 14, 7),
            "/States/Wait/Seconds: 'Seconds' must be an integer from 0 to 99999999, not -1.",
        ),
    ]


def test_does_not_report_an_unresolved_placeholder_twice() -> None:
    load = link(source("flows/hello.yml", HELLO.replace("${sayHelloArn}", "${nope}")))
    assert [m for _, m in errors_of(load)] == ["unknown placeholder ${nope}; declared: ${sayHelloArn}"]


def test_does_not_check_asl_without_a_validator() -> None:
    text = succeed("f").replace("Type: Succeed", "Type: Wait\n      Seconds: -1\n      End: true")
    load = compile_flows([source("flows/f.yml", text)], FUNCTIONS)
    assert load.problems == () and [f.name for f in load.flows] == ["f"]


def test_refuses_sync_integrations_in_an_express_flow() -> None:
    text = starts("parent", "hello").replace("startExecution\n", "startExecution.sync:2\n")
    load = link(
        source("flows/hello.yml", HELLO),
        source("flows/parent.yml", text.replace("name: parent", "name: parent\ntype: EXPRESS")),
    )
    assert errors_of(load) == [
        (
            Location("flows/parent.yml", 10, 7),
            "/States/Start0/Resource: Express workflows do not support the .sync:2 integration pattern; "
            "use type: STANDARD or the plain request",
        )
    ]


def test_finds_sync_integrations_inside_parallel_branches_and_map_processors_of_an_express_flow() -> None:
    task = "{Type: Task, Resource: 'arn:aws:states:::states:startExecution.sync', " \
           "Parameters: {StateMachineArn: '${helloStateMachine}'}, End: true}"  # fmt: skip
    text = (
        "name: x\ntype: EXPRESS\nstateMachineReferences: [helloStateMachine]\n"
        "definition:\n  StartAt: P\n  States:\n"
        "    P:\n      Type: Parallel\n      Next: M\n"
        f"      Branches:\n        - StartAt: T\n          States:\n            T: {task}\n"
        "    M:\n      Type: Map\n      End: true\n"
        f"      ItemProcessor:\n        StartAt: T2\n        States:\n          T2: {task}\n"
    )
    load = link(source("flows/hello.yml", HELLO), source("flows/x.yml", text))
    assert [m.split(":")[0] for _, m in errors_of(load)] == [
        "/States/P/Branches/0/States/T/Resource",
        "/States/M/ItemProcessor/States/T2/Resource",
    ]


def test_warns_that_an_express_definition_timeout_above_five_minutes_is_not_honoured() -> None:
    text = succeed("f").replace("definition:\n", "type: EXPRESS\ndefinition:\n  TimeoutSeconds: 600\n")
    load = link(source("flows/f.yml", text))
    assert len(load.flows) == 1
    (warning,) = warnings_of(load)
    assert warning.location == Location("flows/f.yml", 4, 3)
    assert (
        "an Express execution stops after 300 seconds whatever TimeoutSeconds (600) says" in warning.message
    )


def test_skips_one_bad_flow_and_loads_the_others() -> None:
    load = link(
        source("flows/a.yml", succeed("a")),
        source("flows/b.yml", "name: b\nbogus: 1\n" + succeed("b").split("\n", 1)[1]),
        source("flows/c.yml", succeed("c")),
    )
    assert [f.name for f in load.flows] == ["a", "c"]
    assert [(f.source, f.name, f.loaded) for f in load.files] == [
        ("flows/a.yml", "a", True),
        ("flows/b.yml", "b", False),
        ("flows/c.yml", "c", True),
    ]


def test_lists_a_file_with_a_refused_name_under_the_name_it_wrote() -> None:
    load = link(source("flows/x.yml", succeed("'my flow'")))
    (summary,) = load.files
    assert (summary.name, summary.loaded) == ("my flow", False)


def test_orders_the_problems_of_a_file_by_line() -> None:
    text = HELLO.replace("${sayHelloArn}", "${nope}").replace("name: hello", "name: hello\nbogus: 1")
    load = link(source("flows/hello.yml", text))
    lines = [p.location.line for p in load.problems if p.location]
    assert lines == sorted(lines) and len(lines) == 3
