"""Property tests: whatever a client sends the flow endpoints, the answer is never a 500.

Issue 10 found instances (a lone surrogate escape, an integer of 5,000 digits, a signed token
without ``sub``); these tests close the class. A body is built from JSON values and from
the pieces that broke things: surrogate escapes, long integers, numbers past a double,
NaN, deep nesting, bytes that are not UTF-8. Every answer is 2xx or 4xx, and an accepted
input is one the engine can store (UTF-8 encodable, finite, within 256 KiB).
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sdw.system import MAX_INPUT_BYTES, FlowEndpoints, Principal
from tests.unit.asl.strategies import json_values
from tests.unit.system.test_flows import PROJECT, FakeEngine

ADA = Principal(claims={"sub": "sub-ada"})
PIECES = st.sampled_from(
    [
        '"\\ud800"', '"\\udfff"', '"\\ud83d\\ude00"', '"\\ud83d"', '{"\\udc00": 1}',
        "9" * 5000, "-" + "1" * 4301, "1" * 4300, "1e999", "-1e400", "1e-999", "NaN", "Infinity",
        "[" * 3000 + "]" * 3000, '"\\u0000"', "0.1", "true", "null",
    ]
)
JSON = json_values(int_bound=2**70, text_size=6, key_size=4, container_size=4, max_leaves=10)


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return json.dumps(draw(JSON)).encode()
    if kind == 1:  # a piece as a value of an object, or alone
        piece = draw(PIECES)
        return (piece if draw(st.booleans()) else '{"k": ' + piece + "}").encode()
    if kind == 2:  # pieces strung into an object, valid or not
        parts = draw(st.lists(PIECES, min_size=1, max_size=4))
        return ("{" + ", ".join(f'"k{i}": {part}' for i, part in enumerate(parts)) + "}").encode()
    return draw(st.binary(max_size=64))


def stored_as_the_engine_would(value: Any) -> None:
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    assert len(text.encode("utf-8")) <= MAX_INPUT_BYTES


@settings(max_examples=300, deadline=None)
@given(body=bodies(), name=st.none() | st.text(max_size=90))
def test_a_start_is_answered_2xx_or_4xx_whatever_the_body_and_name(body: bytes, name: str | None) -> None:
    engine = FakeEngine(PROJECT)
    query = {} if name is None else {"name": name}
    response = FlowEndpoints(engine, PROJECT).start_run(ADA, "helloWorldFlow", query, body)
    assert response.status in (200, 400, 409), response.body
    if response.status == 200:
        (_, started), = (call for call in engine.calls if call[0] == "start")
        stored_as_the_engine_would(started["input"])
    else:
        assert isinstance(response.body["message"], str) and response.body["code"]


@settings(max_examples=200, deadline=None)
@given(body=bodies())
def test_a_stop_is_answered_2xx_or_4xx_whatever_the_body(body: bytes) -> None:
    engine = FakeEngine(PROJECT)
    started = FlowEndpoints(engine, PROJECT).start_run(ADA, "helloWorldFlow", {}, b"{}")
    execution = started.body["executionId"]
    response = FlowEndpoints(engine, PROJECT).stop_run(ADA, "helloWorldFlow", execution, {}, body)
    assert response.status in (200, 400), response.body


CLAIMS = st.dictionaries(st.sampled_from(["sub", "email", "token_use", "cognito:username"]),
                         st.text(max_size=8), max_size=4)


@settings(max_examples=200, deadline=None)
@given(claims=CLAIMS, reference=st.text(max_size=40), flow=st.text(max_size=20))
def test_any_caller_and_any_path_get_an_answer_that_is_not_a_500(
    claims: dict[str, str], reference: str, flow: str
) -> None:
    # A token API Gateway let through may carry no sub at all (only Cognito guarantees one).
    caller = Principal(claims=claims)
    endpoints = FlowEndpoints(FakeEngine(PROJECT), PROJECT)
    answers = [
        endpoints.start_run(caller, flow or "helloWorldFlow", {}, b"{}"),
        endpoints.describe_run(caller, "helloWorldFlow", reference, {}),
        endpoints.run_history(caller, "helloWorldFlow", reference, {}),
        endpoints.list_runs(caller, {}),
        endpoints.list_flows(caller, {}),
    ]
    for response in answers:
        assert response.status < 500, response.body
    if not claims.get("sub"):
        assert all(response.status == 400 for response in answers)
        assert "sub" in answers[0].body["message"]
