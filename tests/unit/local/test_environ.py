"""The os.environ overlay: a function's variables are seen by its own call only."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest

from sdw.local import function_environment, install_scoped_environ


@pytest.fixture(autouse=True)
def scoped() -> Iterator[None]:
    install_scoped_environ()
    yield


def test_variables_are_seen_inside_the_block_only() -> None:
    with function_environment({"FEATURES_T_KEY": "a"}):
        assert os.environ["FEATURES_T_KEY"] == "a"
        assert os.getenv("FEATURES_T_KEY") == "a"
        assert "FEATURES_T_KEY" in os.environ and "FEATURES_T_KEY" in dict(os.environ)
        assert os.environ.copy()["FEATURES_T_KEY"] == "a"
        assert "FEATURES_T_KEY" in list(os.environ)
        assert len(os.environ) == len(set(os.environ))
    assert os.getenv("FEATURES_T_KEY") is None
    assert "FEATURES_T_KEY" not in os.environ


def test_two_functions_running_at_once_each_see_only_their_own() -> None:
    both_inside = threading.Barrier(2, timeout=5)
    seen: dict[str, tuple[str | None, str | None]] = {}

    def call(name: str, variables: dict[str, str]) -> None:
        with function_environment(variables):
            both_inside.wait()  # both overlays are active at this moment
            seen[name] = (os.getenv("FEATURES_T_A"), os.getenv("FEATURES_T_B"))
            both_inside.wait()

    threads = [threading.Thread(target=call, args=("a", {"FEATURES_T_A": "1"})),
               threading.Thread(target=call, args=("b", {"FEATURES_T_B": "2"}))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == {"a": ("1", None), "b": (None, "2")}


def test_a_thread_started_outside_the_call_does_not_see_the_variables() -> None:
    seen: list[str | None] = []
    with function_environment({"FEATURES_T_KEY": "a"}):
        thread = threading.Thread(target=lambda: seen.append(os.getenv("FEATURES_T_KEY")))
        thread.start()
        thread.join()
    assert seen == [None]  # the documented limit: contextvars do not follow a new thread


def test_writes_to_a_secret_stay_in_the_call_and_other_writes_reach_the_process() -> None:
    try:
        with function_environment({"FEATURES_T_KEY": "a"}):
            os.environ["FEATURES_T_KEY"] = "changed"
            os.environ["FEATURES_T_PLAIN"] = "p"
            assert os.environ["FEATURES_T_KEY"] == "changed"
            del os.environ["FEATURES_T_KEY"]
            assert "FEATURES_T_KEY" not in os.environ
        assert os.environ["FEATURES_T_PLAIN"] == "p" and "FEATURES_T_KEY" not in os.environ
    finally:
        os.environ.pop("FEATURES_T_PLAIN", None)


def test_installing_twice_keeps_one_overlay_over_the_same_environment() -> None:
    before = os.environ
    install_scoped_environ()
    assert os.environ is before
    os.environ["FEATURES_T_SHARED"] = "x"
    try:
        assert os.getenv("FEATURES_T_SHARED") == "x"
    finally:
        del os.environ["FEATURES_T_SHARED"]
