"""Pass, Choice, Wait, Succeed and Fail, and the input/output processing they share."""

from __future__ import annotations

from typing import Any

import pytest

from sdw.asl import ErrorName, ExecutionStatus

from .helpers import chain, event_types, pass_end, run

CHOICE_DEFAULTS = {"A": pass_end(Result="a"), "D": pass_end(Result="default")}


def choose(rule: dict[str, Any], data: Any, **extra: Any) -> Any:
    definition = {
        "StartAt": "C",
        "States": {
            "C": {"Type": "Choice", "Choices": [{**rule, "Next": "A"}], "Default": "D", **extra},
            **CHOICE_DEFAULTS,
        },
    }
    execution = run(definition, data)
    assert execution.status == ExecutionStatus.SUCCEEDED, (execution.error, execution.cause)
    return execution.output


@pytest.mark.parametrize(
    ("fields", "data", "expected"),
    [
        ({}, {"a": 1}, {"a": 1}),
        ({"Result": {"r": 1}}, {"a": 1}, {"r": 1}),
        ({"Result": {"r": 1}, "ResultPath": "$.out"}, {"a": 1}, {"a": 1, "out": {"r": 1}}),
        ({"Result": 5, "ResultPath": None}, {"a": 1}, {"a": 1}),
        ({"InputPath": "$.a"}, {"a": {"b": 2}}, {"b": 2}),
        ({"InputPath": None}, {"a": 1}, {}),
        ({"OutputPath": "$.a.b"}, {"a": {"b": 3}}, 3),
        ({"OutputPath": None}, {"a": 1}, {}),
        ({"Parameters": {"x.$": "$.a", "lit": "$.a"}}, {"a": 4}, {"x": 4, "lit": "$.a"}),
        ({"Parameters": {"n.$": "States.MathAdd($.a, 1)"}}, {"a": 4}, {"n": 5}),
        ({"Parameters": {"list": [{"v.$": "$.a"}]}}, {"a": 4}, {"list": [{"v": 4}]}),
        ({"Result": {"TestResult.$": "kept"}}, {}, {"TestResult.$": "kept"}),
    ],
)
def test_pass_processes_input_and_output_as_aws_does(
    fields: dict[str, Any], data: Any, expected: Any
) -> None:
    execution = run(chain(("P", {"Type": "Pass", **fields})), data)
    assert execution.output == expected


def test_result_path_merges_into_a_copy_and_leaves_the_input_alone() -> None:
    data = {"keep": {"deep": [1]}, "a": {}}
    execution = run(chain(("P", {"Type": "Pass", "Result": 1, "ResultPath": "$.a.b"})), data)
    assert execution.output == {"keep": {"deep": [1]}, "a": {"b": 1}}
    assert data == {"keep": {"deep": [1]}, "a": {}}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"InputPath": "$.missing"}, "Invalid path '$.missing' : No results for path: $['missing']"),
        ({"OutputPath": "$.missing"}, "Invalid path '$.missing' : No results for path: $['missing']"),
        (
            {"Parameters": {"v.$": "$.missing"}},
            "The JSONPath '$.missing' specified for the field 'v.$' could not be found "
            "in the input '{\"a\":1}'",
        ),
    ],
)
def test_missing_paths_fail_with_states_runtime_located_at_the_state(
    fields: dict[str, Any], message: str
) -> None:
    execution = run(chain(("First", {"Type": "Pass"}), ("P", {"Type": "Pass", **fields})), {"a": 1})
    assert execution.error == ErrorName.RUNTIME
    assert execution.cause == (
        f"An error occurred while executing the state 'P' (entered at the event id #4). {message}"
    )


def test_result_path_into_a_non_object_is_a_result_path_match_failure_in_aws_s_words() -> None:
    # AWS: "Unable to apply ReferencePath <path> to input <the input as compact JSON>", as a
    # user quoted it from a failed execution in aws/aws-cdk#29473.
    execution = run(chain(("P", {"Type": "Pass", "Result": 1, "ResultPath": "$.a.b"})), {"a": "text"})
    assert execution.error == ErrorName.RESULT_PATH_MATCH_FAILURE
    assert execution.cause == 'Unable to apply ReferencePath $.a.b to input {"a":"text"}'
    on_a_string = run(chain(("P", {"Type": "Pass", "Result": 1, "ResultPath": "$.x"})), '{"min_size":1}')
    assert on_a_string.cause == 'Unable to apply ReferencePath $.x to input "{\\"min_size\\":1}"'


@pytest.mark.parametrize(
    ("fields", "ends"),
    [
        ({"Seconds": 99_999_999}, "2027-01-15T07:59:59.000Z"),
        ({"Timestamp": "2199-01-01T00:00:00Z"}, "2199-01-01T00:00:00.000Z"),
        ({"SecondsPath": "$.s"}, "2024-11-13T22:15:00.000Z"),
    ],
)
def test_a_wait_beyond_what_a_standard_execution_can_live_fails_it_at_once(
    fields: dict[str, Any], ends: str
) -> None:
    # Step Functions fails such an execution rather than timing it out a year later. The
    # cause's wording is sdw's: AWS's is in no public recording.
    execution = run(chain(("W", {"Type": "Wait", **fields})), {"s": 31_536_100})
    assert (execution.status, execution.error) == ("FAILED", ErrorName.RUNTIME)
    assert execution.cause == (
        "An error occurred while executing the state 'W' (entered at the event id #2). "
        f"The Wait state would end at {ends}, after the execution can run: a standard execution ends "
        "a year after its start, by 2024-11-13T22:13:20.000Z."
    )
    assert event_types(execution)[-1] == "ExecutionFailed"


def test_a_wait_within_a_year_still_waits() -> None:
    execution = run(chain(("W", {"Type": "Wait", "Seconds": 365 * 24 * 3600 - 60})), {})
    assert execution.status == "SUCCEEDED"


def test_a_state_output_over_256_kib_fails_with_data_limit_exceeded() -> None:
    execution = run(chain(("Big", {"Type": "Pass", "Result": "x" * 262_145})), {})
    assert execution.error == ErrorName.DATA_LIMIT_EXCEEDED
    assert execution.cause == (
        "The state/task 'Big' returned a result with a size exceeding "
        "the maximum number of bytes service limit."
    )


@pytest.mark.parametrize(
    ("rule", "data", "expected"),
    [
        ({"Variable": "$.v", "StringEquals": "x"}, {"v": "x"}, "a"),
        ({"Variable": "$.v", "StringEquals": "x"}, {"v": 1}, "default"),
        ({"Variable": "$.v", "StringLessThan": "b"}, {"v": "a"}, "a"),
        ({"Variable": "$.v", "StringGreaterThanEquals": "b"}, {"v": "a"}, "default"),
        ({"Variable": "$.v", "StringEqualsPath": "$.w"}, {"v": "q", "w": "q"}, "a"),
        ({"Variable": "$.v", "StringMatches": "log-*.txt"}, {"v": "log-2024.txt"}, "a"),
        ({"Variable": "$.v", "StringMatches": "a\\*b"}, {"v": "a*b"}, "a"),
        ({"Variable": "$.v", "StringMatches": "a\\*b"}, {"v": "axxb"}, "default"),
        ({"Variable": "$.v", "NumericEquals": 1}, {"v": 1.0}, "a"),
        ({"Variable": "$.v", "NumericEquals": 1}, {"v": True}, "default"),
        ({"Variable": "$.v", "NumericLessThanPath": "$.w"}, {"v": 1, "w": 2}, "a"),
        ({"Variable": "$.v", "NumericGreaterThan": 1}, {"v": "5"}, "default"),
        ({"Variable": "$.v", "BooleanEquals": False}, {"v": False}, "a"),
        ({"Variable": "$.v", "BooleanEquals": False}, {"v": 0}, "default"),
        (
            {"Variable": "$.v", "TimestampLessThan": "2020-01-01T00:00:00Z"},
            {"v": "2019-12-31T23:59:59Z"},
            "a",
        ),
        (
            {"Variable": "$.v", "TimestampEquals": "2020-01-01T01:00:00+01:00"},
            {"v": "2020-01-01T00:00:00Z"},
            "a",
        ),
        ({"Variable": "$.v", "TimestampEquals": "2020-01-01T00:00:00Z"}, {"v": "2020-01-01"}, "default"),
        ({"Variable": "$.v", "IsNull": True}, {"v": None}, "a"),
        ({"Variable": "$.v", "IsPresent": False}, {}, "a"),
        ({"Variable": "$.v", "IsPresent": True}, {"v": None}, "a"),
        ({"Variable": "$.v", "IsNumeric": True}, {"v": 1.5}, "a"),
        ({"Variable": "$.v", "IsString": True}, {"v": 1}, "default"),
        ({"Variable": "$.v", "IsBoolean": True}, {"v": True}, "a"),
        ({"Variable": "$.v", "IsTimestamp": True}, {"v": "2016-03-14T01:59:00Z"}, "a"),
        ({"Variable": "$.v", "IsTimestamp": True}, {"v": "2016-03-14 01:59:00Z"}, "default"),
        (
            {"And": [{"Variable": "$.v", "IsNumeric": True}, {"Variable": "$.v", "NumericEquals": 3}]},
            {"v": 3},
            "a",
        ),
        (
            {"Or": [{"Variable": "$.v", "IsNull": True}, {"Variable": "$.v", "StringEquals": "s"}]},
            {"v": "s"},
            "a",
        ),
        ({"Not": {"Variable": "$.v", "IsPresent": True}}, {}, "a"),
        ({"Variable": "$$.Execution.Input.v", "NumericEquals": 7}, {"v": 7}, "a"),
    ],
)
def test_choice_rules_compare_as_aws_does(rule: dict[str, Any], data: Any, expected: str) -> None:
    assert choose(rule, data) == expected


def test_a_choice_on_a_missing_variable_fails_with_states_runtime() -> None:
    definition = {
        "StartAt": "C",
        "States": {
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.v", "NumericEquals": 1, "Next": "A"}],
                "Default": "D",
            },
            **CHOICE_DEFAULTS,
        },
    }
    execution = run(definition, {})
    assert execution.error == ErrorName.RUNTIME
    assert "No results for path: $['v']" in (execution.cause or "")


def test_no_matching_rule_and_no_default_is_states_no_choice_matched() -> None:
    definition = {
        "StartAt": "C",
        "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.v", "IsNull": True, "Next": "A"}]},
            "A": pass_end(),
        },
    }
    execution = run(definition, {"v": 1})
    assert execution.error == ErrorName.NO_CHOICE_MATCHED


def test_choice_applies_input_and_output_paths() -> None:
    output = choose(
        {"Variable": "$.v", "IsPresent": True}, {"in": {"v": 1}}, InputPath="$.in", OutputPath="$.v"
    )
    assert output == "a"  # the next Pass state's Result


def test_a_matched_rule_assigns_its_own_variables_and_the_default_the_states() -> None:
    definition = {
        "StartAt": "C",
        "States": {
            "C": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.v", "NumericEquals": 1, "Assign": {"how": "rule"}, "Next": "Out"}
                ],
                "Default": "Out",
                "Assign": {"how": "default"},
            },
            "Out": pass_end(Parameters={"how.$": "$how"}),
        },
    }
    assert run(definition, {"v": 1}).output == {"how": "rule"}
    assert run(definition, {"v": 2}).output == {"how": "default"}


@pytest.mark.parametrize(
    ("fields", "data", "seconds"),
    [
        ({"Seconds": 30}, {}, 30),
        ({"SecondsPath": "$.s"}, {"s": 12}, 12),
        ({"Timestamp": "2023-11-14T22:13:40Z"}, {}, 20),
        ({"TimestampPath": "$.t"}, {"t": "2023-11-14T22:13:30.5Z"}, 10.5),
    ],
)
def test_wait_waits_until_its_deadline(fields: dict[str, Any], data: Any, seconds: float) -> None:
    execution = run(chain(("W", {"Type": "Wait", **fields})), data)
    events = execution.history.events()
    waited = (events[-2]["timestamp"] - events[1]["timestamp"]).total_seconds()
    assert execution.output == data
    assert waited == pytest.approx(seconds, abs=0.01)
    assert event_types(execution)[1:3] == ["WaitStateEntered", "WaitStateExited"]


@pytest.mark.parametrize(
    ("data", "cause"),
    [
        ({}, "The SecondsPath parameter does not reference an input value: $.s"),
        ({"s": -1}, "The SecondsPath parameter references a negative value: $.s == -1"),
        ({"s": 1.5}, "The SecondsPath parameter cannot be parsed as a long value: $.s == 1.5"),
        ({"s": "5"}, "The SecondsPath parameter cannot be parsed as a long value: $.s == 5"),
        ({"s": 2**63}, f"The SecondsPath parameter cannot be parsed as a long value: $.s == {2**63}"),
    ],
)
def test_bad_seconds_paths_fail_with_aws_causes(data: Any, cause: str) -> None:
    execution = run(chain(("W", {"Type": "Wait", "SecondsPath": "$.s"})), data)
    assert execution.error == ErrorName.RUNTIME
    assert execution.cause is not None and execution.cause.endswith(cause)


def test_a_bad_timestamp_path_fails_with_the_aws_cause() -> None:
    execution = run(chain(("W", {"Type": "Wait", "TimestampPath": "$.t"})), {"t": "2016-12-05T21:29:29"})
    assert execution.cause is not None and execution.cause.endswith(
        "The TimestampPath parameter does not reference a valid ISO-8601 extended offset "
        "date-time format string:"
        " $.t == 2016-12-05T21:29:29"
    )


def test_succeed_ends_the_execution_with_its_processed_input() -> None:
    execution = run(chain(("S", {"Type": "Succeed", "InputPath": "$.a"})), {"a": [1]})
    assert execution.output == [1]
    assert event_types(execution)[-3:] == ["SucceedStateEntered", "SucceedStateExited", "ExecutionSucceeded"]


@pytest.mark.parametrize(
    ("fields", "data", "error", "cause"),
    [
        ({"Error": "E", "Cause": "C"}, {}, "E", "C"),
        ({}, {}, None, None),
        ({"ErrorPath": "$.e", "CausePath": "$.c"}, {"e": "X", "c": "Y"}, "X", "Y"),
        ({"ErrorPath": "$$.State.Name", "CausePath": "States.Format('n={}', $.n)"}, {"n": 2}, "F", "n=2"),
    ],
)
def test_fail_reports_its_error_and_cause(fields: dict[str, Any], data: Any, error: Any, cause: Any) -> None:
    execution = run(chain(("F", {"Type": "Fail", **fields})), data)
    assert execution.status == ExecutionStatus.FAILED
    assert (execution.error, execution.cause) == (error, cause)
    assert event_types(execution)[-2:] == ["FailStateEntered", "ExecutionFailed"]


def test_a_missing_error_path_fails_with_states_runtime() -> None:
    execution = run(chain(("F", {"Type": "Fail", "ErrorPath": "$.nope"})), {})
    assert execution.error == ErrorName.RUNTIME
    assert "'$.nope' specified for the field 'ErrorPath' could not be found" in (execution.cause or "")


def test_assign_sets_variables_after_the_output_is_computed() -> None:
    definition = chain(
        ("S0", {"Type": "Pass", "Result": {"q": "?"}, "Assign": {"question.$": "$.q", "answer": 42}}),
        (
            "S1",
            {
                "Type": "Pass",
                "InputPath": "$answer",
                "ResultPath": "$.x",
                "OutputPath": "$answer",
                "Assign": {"answer": "later"},
            },
        ),
    )
    assert run(definition, {}).output == 42


def test_an_undefined_variable_fails_with_states_runtime() -> None:
    execution = run(chain(("P", {"Type": "Pass", "Parameters": {"v.$": "$nope"}})), {})
    assert execution.error == ErrorName.RUNTIME


def test_jsonata_output_and_assign_see_states_input_and_variables() -> None:
    definition = chain(
        ("A", {"Type": "Pass", "Assign": {"n": "{% $states.input.n * 2 %}"}}),
        ("B", {"Type": "Pass", "Output": {"n": "{% $n %}", "in": "{% $states.input %}"}}),
        QueryLanguage="JSONata",
    )
    assert run(definition, {"n": 3}).output == {"n": 6, "in": {"n": 3}}


def test_a_jsonata_expression_returning_nothing_names_state_event_and_field() -> None:
    definition = chain(
        ("A", {"Type": "Pass"}),
        ("B", {"Type": "Pass", "Output": {"r": "{% $nope %}"}}),
        QueryLanguage="JSONata",
    )
    execution = run(definition, {})
    assert execution.error == ErrorName.QUERY_EVALUATION_ERROR
    assert execution.cause == (
        "An error occurred while executing the state 'B' (entered at the event id #4). "
        "The JSONata expression '$nope' specified for the field 'Output/r' returned nothing (undefined)."
    )


def test_jsonata_choice_conditions_and_literal_conditions() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "C",
        "States": {
            "C": {
                "Type": "Choice",
                "Choices": [
                    {"Condition": "{% $states.input.v > 1 %}", "Output": {"big": True}, "Next": "A"},
                    {"Condition": False, "Next": "A"},
                ],
                "Default": "A",
            },
            "A": {"Type": "Pass", "End": True},
        },
    }
    assert run(definition, {"v": 2}).output == {"big": True}
    assert run(definition, {"v": 0}).output == {"v": 0}


def test_a_jsonata_condition_must_be_boolean() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "C",
        "States": {
            "C": {"Type": "Choice", "Choices": [{"Condition": "{% 1 %}", "Next": "A"}], "Default": "A"},
            "A": {"Type": "Pass", "End": True},
        },
    }
    assert run(definition, {}).error == ErrorName.QUERY_EVALUATION_ERROR


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"Seconds": "{% -1 %}"}, ErrorName.QUERY_EVALUATION_ERROR),
        ({"Timestamp": "{% 'not a time' %}"}, ErrorName.QUERY_EVALUATION_ERROR),
    ],
)
def test_jsonata_wait_values_are_checked(fields: dict[str, Any], error: str) -> None:
    definition = chain(("W", {"Type": "Wait", **fields}), QueryLanguage="JSONata")
    assert run(definition, {}).error == error


def test_jsonata_fail_evaluates_error_and_cause() -> None:
    definition = chain(
        ("F", {"Type": "Fail", "Error": "{% 'E' & $states.input.n %}", "Cause": "plain"}),
        QueryLanguage="JSONata",
    )
    execution = run(definition, {"n": 1})
    assert (execution.error, execution.cause) == ("E1", "plain")
