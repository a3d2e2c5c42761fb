"""Parallel and Map: children on one run queue, their results, failures and limits."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sdw.asl import ErrorName, ExecutionStatus, History, StatesError, TaskRequest

from .helpers import chain, drive, event_types, pass_end, run, start

FN = "arn:aws:lambda:us-east-1:111111111111:function:f"


def processor(*states: tuple[str, dict[str, Any]], mode: str = "INLINE") -> dict[str, Any]:
    config: dict[str, Any] = {"Mode": mode}
    if mode == "DISTRIBUTED":
        config["ExecutionType"] = "STANDARD"
    return {"ProcessorConfig": config, **chain(*states)}


def map_state(*states: tuple[str, dict[str, Any]], mode: str = "INLINE", **fields: Any) -> dict[str, Any]:
    return chain(("M", {"Type": "Map", "ItemProcessor": processor(*states, mode=mode), **fields}))


class MemoryStore:
    """An ObjectStore in a dict: ItemReader and ResultWriter without files."""

    def __init__(self, objects: dict[tuple[str, str], bytes] | None = None) -> None:
        self.objects = dict(objects or {})

    def get_object(self, bucket: str, key: str) -> bytes:
        return self.objects[(bucket, key)]

    def put_object(self, bucket: str, key: str, body: bytes) -> None:
        self.objects[(bucket, key)] = body

    def list_objects(self, bucket: str, prefix: str) -> list[dict[str, Any]]:
        return [
            {"Key": key, "Size": len(body)}
            for (b, key), body in self.objects.items()
            if b == bucket and key.startswith(prefix)
        ]


def test_parallel_gives_every_branch_the_input_and_returns_their_outputs_in_order() -> None:
    definition = chain(
        (
            "P",
            {
                "Type": "Parallel",
                "Branches": [
                    chain(("W", {"Type": "Wait", "Seconds": 5}), ("A", {"Type": "Pass", "Result": "slow"})),
                    chain(("B", {"Type": "Pass", "InputPath": "$.v"})),
                ],
                "ResultSelector": {"both.$": "$"},
                "ResultPath": "$.r",
            },
        ),
    )
    execution = run(definition, {"v": 1})
    assert execution.output == {"v": 1, "r": {"both": ["slow", 1]}}
    types = event_types(execution)
    assert types[1:3] == ["ParallelStateEntered", "ParallelStateStarted"]
    assert types[-3:] == ["ParallelStateSucceeded", "ParallelStateExited", "ExecutionSucceeded"]


def test_a_failing_branch_fails_the_parallel_and_abandons_the_other_branches() -> None:
    definition = chain(
        (
            "P",
            {
                "Type": "Parallel",
                "Branches": [
                    chain(("T", {"Type": "Task", "Resource": FN})),
                    chain(("F", {"Type": "Fail", "Error": "BranchBroke", "Cause": "c"})),
                ],
                "Catch": [{"ErrorEquals": ["BranchBroke"], "Next": "C"}],
            },
        ),
        ("C", pass_end()),
    )
    execution, _ = start(definition, {})
    (request,) = execution.advance()
    assert execution.output == {"Error": "BranchBroke", "Cause": "c"}
    assert "ParallelStateFailed" in event_types(execution)
    assert not execution.task_succeeded(request.task_id, "too late")


def test_branches_read_outer_variables_but_their_assignments_stay_inside() -> None:
    definition = chain(
        ("Set", {"Type": "Pass", "Assign": {"outer": 1}}),
        (
            "P",
            {
                "Type": "Parallel",
                "Branches": [
                    chain(
                        (
                            "In",
                            {
                                "Type": "Pass",
                                "Assign": {"outer": 2, "inner": 3},
                                "Parameters": {"seen.$": "$outer"},
                            },
                        ),
                        ("Again", {"Type": "Pass", "Parameters": {"now.$": "$outer", "inner.$": "$inner"}}),
                    ),
                ],
            },
        ),
        ("After", {"Type": "Pass", "Parameters": {"outer.$": "$outer", "branch.$": "$[0]"}}),
    )
    assert run(definition, {}).output == {"outer": 1, "branch": {"now": 2, "inner": 3}}


def test_inline_map_runs_each_item_with_item_selector_and_context() -> None:
    definition = map_state(
        ("P", {"Type": "Pass"}),
        ItemsPath="$.items",
        ItemSelector={"value.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index", "from.$": "$.tag"},
    )
    execution = run(definition, {"items": ["a", "b"], "tag": "t"})
    assert execution.output == [
        {"value": "a", "index": 0, "from": "t"},
        {"value": "b", "index": 1, "from": "t"},
    ]
    types = event_types(execution)
    assert types.count("MapIterationStarted") == types.count("MapIterationSucceeded") == 2
    started = [e for e in execution.history.events() if e["type"] == "MapStateStarted"]
    assert started[0]["mapStateStartedEventDetails"] == {"length": 2}


@pytest.mark.parametrize(
    ("fields", "data", "limit"),
    [
        ({"MaxConcurrency": 2}, {}, 2),
        ({"MaxConcurrencyPath": "$.c"}, {"c": 3}, 3),
        ({}, {}, 40),
    ],
)
def test_map_starts_at_most_max_concurrency_iterations_at_once(
    fields: dict[str, Any], data: Any, limit: int
) -> None:
    definition = map_state(("T", {"Type": "Task", "Resource": FN}), ItemsPath="$.items", **fields)
    execution, _ = start(definition, {"items": list(range(50)), **data})
    in_flight = execution.advance()
    assert len(in_flight) == limit
    peak = limit
    outputs: list[Any] = []
    while not execution.done:
        request = in_flight.pop(0)
        execution.task_succeeded(request.task_id, request.parameters * 10)
        in_flight += execution.advance()
        peak = max(peak, len(in_flight))
    outputs = execution.output
    assert peak == limit
    assert outputs == [i * 10 for i in range(50)]


def test_an_empty_map_succeeds_with_an_empty_list() -> None:
    assert run(map_state(("P", {"Type": "Pass"})), []).output == []


@pytest.mark.parametrize(("items", "shown"), [({"a": 1}, '{"a":1}'), ("text", '"text"'), (None, "null")])
def test_items_that_are_not_an_array_fail_with_aws_s_cause(items: Any, shown: str) -> None:
    # AWS's words (recorded in LocalStack's test_map_state_items_input_types): "Map state input
    # must be an array but was: " and the value as compact JSON.
    execution = run(map_state(("P", {"Type": "Pass"}), ItemsPath="$.items"), {"items": items})
    assert execution.error == ErrorName.RUNTIME
    assert execution.cause == (
        "An error occurred while executing the state 'M' (entered at the event id #2). "
        f"Map state input must be an array but was: {shown}"
    )


def test_a_jsonata_map_whose_input_is_not_an_array_fails_with_query_evaluation_error() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "M",
        "States": {"M": {"Type": "Map", "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass",
                                                                                           "End": True}}},
                         "End": True}},
    }
    execution = run(definition, {"foo": "bar"})
    assert execution.error == ErrorName.QUERY_EVALUATION_ERROR
    assert (execution.cause or "").endswith('Map state input must be an array but was: {"foo":"bar"}')


def test_a_failing_iteration_fails_an_inline_map() -> None:
    definition = map_state(
        (
            "C",
            {
                "Type": "Choice",
                "Choices": [{"Variable": "$", "NumericEquals": 2, "Next": "Bad"}],
                "Default": "Ok",
            },
        ),
        ("Bad", {"Type": "Fail", "Error": "Two", "Cause": "item 2"}),
        ("Ok", {"Type": "Pass", "End": True}),
    )
    execution = run(definition, [1, 2, 3])
    assert (execution.error, execution.cause) == ("Two", "item 2")
    assert "MapIterationFailed" in event_types(execution)
    assert "MapStateFailed" in event_types(execution)


def _caught_map(max_concurrency: int) -> dict[str, Any]:
    """A Map whose ItemSelector fails for an item with an empty ``a``; a Catch moves on."""
    definition = map_state(
        ("T", {"Type": "Task", "Resource": FN}),
        MaxConcurrency=max_concurrency,
        ItemSelector={"v.$": "States.ArrayGetItem($$.Map.Item.Value.a, 0)"},
        Catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": None, "Next": "After"}],
        Next="After",
    )
    # The Wait gives an abandoned iteration time to report before the execution ends.
    definition["States"]["After"] = {"Type": "Wait", "Seconds": 5, "Next": "Done"}
    definition["States"]["Done"] = {"Type": "Pass", "Result": "after", "End": True}
    return definition


def test_an_item_selector_failing_later_stops_the_iterations_still_running() -> None:
    execution, clock = start(_caught_map(2), [{"a": [1]}, {"a": [2]}, {"a": []}])
    first, second = execution.advance()
    assert execution.task_succeeded(first.task_id, "one")  # starting item 2 fails its ItemSelector
    execution.advance()
    assert not execution.task_succeeded(second.task_id, "two")  # item 1 was abandoned
    drive(execution, clock)
    assert (execution.status, execution.output) == (ExecutionStatus.SUCCEEDED, "after")


def test_an_item_selector_failing_at_the_start_stops_the_iterations_already_started() -> None:
    execution = run(_caught_map(0), [{"a": [1]}, {"a": []}], lambda request: "ran")
    assert execution.status == ExecutionStatus.SUCCEEDED
    assert execution.output == "after"
    assert "MapIterationSucceeded" not in event_types(execution)


def test_a_distributed_map_records_map_run_events_and_child_histories_apart() -> None:
    definition = map_state(("P", {"Type": "Pass"}), mode="DISTRIBUTED", Label="Work")
    execution, clock = start(definition, [1, 2, 3])
    children: list[tuple[str, int, History]] = []
    execution.on_child_history = lambda arn, index, history: children.append((arn, index, history))
    from .helpers import drive

    drive(execution, clock)
    assert execution.output == [1, 2, 3]
    types = event_types(execution)
    assert "MapRunStarted" in types and "MapRunSucceeded" in types
    assert "PassStateEntered" not in types
    assert [index for _, index, _ in children] == [0, 1, 2]
    arn, _, history = children[0]
    assert ":mapRun:StateMachine/Work:" in arn
    assert [e["type"] for e in history.events()] == [
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]


def fail_odd(request: TaskRequest) -> Any:
    if request.parameters % 2:
        raise StatesError("Odd", str(request.parameters))
    return request.parameters


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({}, ExecutionStatus.FAILED),
        ({"ToleratedFailureCount": 2}, ExecutionStatus.SUCCEEDED),
        ({"ToleratedFailureCount": 1}, ExecutionStatus.FAILED),
        ({"ToleratedFailurePercentage": 50}, ExecutionStatus.SUCCEEDED),
        ({"ToleratedFailurePercentage": 49}, ExecutionStatus.FAILED),
        ({"ToleratedFailureCountPath": "$.n"}, ExecutionStatus.SUCCEEDED),
    ],
)
def test_distributed_map_tolerates_failures_up_to_its_threshold(fields: dict[str, Any], status: str) -> None:
    definition = map_state(
        ("T", {"Type": "Task", "Resource": FN}),
        mode="DISTRIBUTED",
        ItemsPath="$.items",
        MaxConcurrency=1,
        **fields,
    )
    execution = run(definition, {"items": [0, 1, 2, 3], "n": "2"}, fail_odd)
    assert execution.status == status
    if status == ExecutionStatus.FAILED:
        assert execution.error == ErrorName.EXCEED_TOLERATED_FAILURE_THRESHOLD
    else:
        assert execution.output == [0, {"Error": "Odd", "Cause": "1"}, 2, {"Error": "Odd", "Cause": "3"}]


@pytest.mark.parametrize(
    ("value", "cause"),
    [
        (-1, "ToleratedFailureCount cannot be negative."),
        (
            "NoNumber",
            'The ToleratedFailureCountPath field refers to value "NoNumber" which is not a valid '
            "integer: $.n",
        ),
    ],
)
def test_bad_tolerated_failure_counts_fail_with_aws_causes(value: Any, cause: str) -> None:
    definition = map_state(
        ("P", {"Type": "Pass"}), mode="DISTRIBUTED", ItemsPath="$.items", ToleratedFailureCountPath="$.n"
    )
    execution = run(definition, {"items": [1], "n": value})
    assert execution.error == ErrorName.RUNTIME
    assert (execution.cause or "").endswith(cause)


def test_a_tolerated_failure_percentage_path_wider_than_a_double_is_not_a_valid_number() -> None:
    definition = map_state(
        ("P", {"Type": "Pass"}), mode="DISTRIBUTED", ItemsPath="$.items", ToleratedFailurePercentagePath="$.p"
    )
    execution = run(definition, {"items": [1], "p": 10**400})
    assert execution.error == ErrorName.RUNTIME
    assert (execution.cause or "").endswith(f'refers to value "{10**400}" which is not a valid number: $.p')


def test_item_batcher_groups_items_with_the_batch_input() -> None:
    definition = map_state(
        ("P", {"Type": "Pass"}),
        mode="DISTRIBUTED",
        ItemBatcher={"MaxItemsPerBatch": 2, "BatchInput": {"tag.$": "$.tag"}},
        ItemsPath="$.items",
    )
    execution = run(definition, {"items": [1, 2, 3], "tag": "x"})
    assert execution.output == [
        {"Items": [1, 2], "BatchInput": {"tag": "x"}},
        {"Items": [3], "BatchInput": {"tag": "x"}},
    ]


def test_item_reader_and_result_writer_go_through_the_object_store() -> None:
    store = MemoryStore({("b", "in.json"): json.dumps([{"n": 1}, {"n": 2}]).encode()})
    definition = map_state(
        ("P", {"Type": "Pass"}),
        mode="DISTRIBUTED",
        ItemReader={
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "JSON"},
            "Parameters": {"Bucket": "b", "Key": "in.json"},
        },
        ResultWriter={
            "Resource": "arn:aws:states:::s3:putObject",
            "Parameters": {"Bucket": "b", "Prefix": "out"},
        },
    )
    execution = run(definition, {}, object_store=store)
    assert execution.status == ExecutionStatus.SUCCEEDED, execution.cause
    details = execution.output["ResultWriterDetails"]
    assert (
        details["Bucket"] == "b"
        and details["Key"].startswith("out/")
        and details["Key"].endswith("manifest.json")
    )
    manifest = json.loads(store.objects[("b", details["Key"])])
    (written,) = manifest["ResultFiles"]["SUCCEEDED"]
    rows = json.loads(store.objects[("b", written["Key"])])
    assert [json.loads(row["Output"]) for row in rows] == [{"n": 1}, {"n": 2}]


def test_item_reader_without_an_object_store_fails_with_item_reader_failed() -> None:
    definition = map_state(
        ("P", {"Type": "Pass"}),
        mode="DISTRIBUTED",
        ItemReader={"Resource": "arn:aws:states:::s3:getObject", "Parameters": {"Bucket": "b", "Key": "k"}},
    )
    assert run(definition, {}).error == ErrorName.ITEM_READER_FAILED


def test_jsonata_map_items_item_selector_and_concurrency() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "Items": "{% $states.input.xs %}",
                "ItemSelector": {"v": "{% $states.context.Map.Item.Value * 2 %}"},
                "MaxConcurrency": "{% 1 %}",
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                "End": True,
            }
        },
    }
    assert run(definition, {"xs": [1, 2]}).output == [{"v": 2}, {"v": 4}]


def test_jsonata_items_must_be_an_array() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "Items": "{% 1 %}",
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                "End": True,
            }
        },
    }
    execution = run(definition, {})
    assert execution.error == ErrorName.QUERY_EVALUATION_ERROR
    assert "Expected 'array', but was 'number'" in (execution.cause or "")


def test_a_map_is_retried_as_a_whole() -> None:
    attempts: list[int] = []

    def second_time_lucky(request: TaskRequest) -> Any:
        attempts.append(request.parameters)
        if len(attempts) == 1:
            raise StatesError("Once", "first call")
        return request.parameters

    definition = map_state(
        ("T", {"Type": "Task", "Resource": FN}),
        MaxConcurrency=1,
        Retry=[{"ErrorEquals": ["Once"], "IntervalSeconds": 1}],
    )
    execution = run(definition, [7, 8], second_time_lucky)
    assert execution.output == [7, 8]
    assert attempts == [7, 7, 8]


def test_a_distributed_child_has_its_own_execution_in_the_context_object() -> None:
    definition = map_state(
        ("A", {"Type": "Pass", "Parameters": {"id.$": "$$.Execution.Id", "in.$": "$$.Execution.Input"}}),
        ("B", {"Type": "Pass", "Parameters": {"same.$": "$$.Execution.Id", "was.$": "$.id"}}),
        mode="DISTRIBUTED",
    )
    execution = run(definition, [{"v": 1}])
    (child,) = execution.output
    assert child["same"] == child["was"]
    assert ":mapRun:StateMachine/M:" in child["same"]
    assert child["same"] != execution.arn


def test_distributed_children_do_not_see_the_parents_variables_but_inline_ones_do() -> None:
    def definition(mode: str) -> dict[str, Any]:
        return chain(
            ("Set", {"Type": "Pass", "Assign": {"secret": 1}}),
            (
                "M",
                {
                    "Type": "Map",
                    "ItemProcessor": processor(
                        ("P", {"Type": "Pass", "Parameters": {"s.$": "$secret"}}), mode=mode
                    ),
                },
            ),
        )

    assert run(definition("INLINE"), [0]).output == [{"s": 1}]
    distributed = run(definition("DISTRIBUTED"), [0])
    assert distributed.status == ExecutionStatus.FAILED
