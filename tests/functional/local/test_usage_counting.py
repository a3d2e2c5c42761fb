"""Usage counted by a real ``sdw dev`` runtime: decorated functions and ``POST /run``, exact under load.

A project of its own (a decorated function importing the decorator as the seed does, one
without the decorator, a flow calling the decorated one) is served on a free loopback
port; 50 users send 2,000 calls at once over HTTP; the usage table then holds exactly
what was sent, per user and month, and ``GET /usage`` says so.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from sdw.local import PasswordHasher, create_local_user_pool
from sdw.local._runtime import LocalRuntime, create_local_runtime
from sdw.system import MonthlyUsage, year_month
from tests.userpool_fixtures import DEFAULT_PASSWORD, FAST_SCRYPT

ROOT = Path(__file__).resolve().parents[3]
USERS, CALLS_EACH = 50, 40  # 2,000 calls
COUNTED = """\
from functions.base.api_usage.handler import track_usage_middleware


@track_usage_middleware
def handler(event, context):
    return {"statusCode": 200, "body": "counted"}
"""
PLAIN = "def handler(event, context):\n    return {'statusCode': 200, 'body': 'not counted'}\n"
FLOW = """\
name: countedFlow
functions:
  - name: counted
    handler: functions/lib/counted/handler.handler
definition:
  StartAt: Call
  States:
    Call:
      Type: Task
      Resource: ${countedArn}
      End: true
"""


@dataclass
class Counting:
    runtime: LocalRuntime
    tokens: dict[str, str]  # sub -> ID token, of the USERS load-test users
    solo: str  # the sub of one more user, for the tests that count a few calls

    def headers(self, sub: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[sub]}"}


@pytest.fixture(scope="module")
def counting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Counting]:
    root = tmp_path_factory.mktemp("counting") / "project"
    base = root / "functions" / "base" / "api_usage"
    base.mkdir(parents=True)
    shutil.copy(ROOT / "functions" / "base" / "api_usage" / "handler.py", base / "handler.py")
    for name, source in {"counted": COUNTED, "plain": PLAIN}.items():
        folder = root / "functions" / "lib" / name
        folder.mkdir(parents=True)
        (folder / "handler.py").write_text(source)
    (root / "flows").mkdir()
    (root / "flows" / "countedFlow.yml").write_text(textwrap.dedent(FLOW))
    state = tmp_path_factory.mktemp("state")
    runtime = create_local_runtime(root, state, port=0)
    try:
        assert runtime.load.problems == (), runtime.load.problems
        runtime.server.start()
        # the runtime's own pool (same state folder, same issuer), with test-cheap scrypt: 51 sign-ins
        with create_local_user_pool(
            state, base_url=runtime.base_url, hasher=PasswordHasher(FAST_SCRYPT)
        ) as pool:
            tokens = {}
            for index in range(USERS + 1):
                email = f"user{index}@example.com"
                user = pool.create_user(email, DEFAULT_PASSWORD)
                tokens[user.sub] = pool.authenticate(email, DEFAULT_PASSWORD).id_token
        solo = next(reversed(tokens))
        yield Counting(runtime, tokens, solo)
    finally:
        runtime.close()


def this_month() -> str:
    return year_month(datetime.now(UTC))


def test_two_thousand_concurrent_calls_from_fifty_users_are_counted_exactly(counting: Counting) -> None:
    def send(sub: str) -> list[int]:
        with httpx.Client(base_url=counting.runtime.base_url, timeout=30) as client:
            return [
                client.post("/lib/counted", headers=counting.headers(sub)).status_code
                for _ in range(CALLS_EACH)
            ]

    users = [sub for sub in counting.tokens if sub != counting.solo]
    assert len(users) == USERS
    with ThreadPoolExecutor(max_workers=USERS) as pool:
        statuses = [status for answers in pool.map(send, users) for status in answers]
    assert statuses == [200] * USERS * CALLS_EACH
    month = this_month()
    for sub in users:
        assert counting.runtime.usage.usage(sub) == [MonthlyUsage(month, CALLS_EACH)]
    sub = users[0]
    answer = httpx.get(f"{counting.runtime.base_url}/usage", headers=counting.headers(sub)).json()
    assert answer == {
        "userId": sub,
        "usage": [{"yearMonth": month, "apiCalls": CALLS_EACH}],
        "total": CALLS_EACH,
    }


def test_only_decorated_functions_and_runs_count_never_a_flows_tasks(counting: Counting) -> None:
    sub = counting.solo
    with httpx.Client(
        base_url=counting.runtime.base_url, headers=counting.headers(sub), timeout=30
    ) as client:
        assert client.post("/lib/plain").text == "not counted"
        assert client.post("/lib/counted").text == "counted"
        assert client.post("/lib/counted", headers={"Authorization": "Bearer nope"}).status_code == 401
        started = client.post("/run/countedFlow", json={}).json()
        execution = started["executionId"]
        for _ in range(500):
            if client.get(f"/run/countedFlow/{execution}").json()["status"] != "RUNNING":
                break
        assert client.get(f"/run/countedFlow/{execution}").json()["status"] == "SUCCEEDED"
    # one decorated call and one run: the refused call never reached the function, and the
    # flow's Task (the decorated function, called by the engine) is no request of the user's
    assert counting.runtime.usage.usage(sub) == [MonthlyUsage(this_month(), 2)]
