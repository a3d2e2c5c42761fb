from __future__ import annotations

import pytest

from sdw.project import check_name, deployed_name
from sdw.project._names import MAX_NAME_LENGTH, is_private_folder


@pytest.mark.parametrize("name", ["ping", "hello_world", "send-report", "v2", "0day", "a"])
def test_accepts_lowercase_letters_digits_dash_and_underscore(name: str) -> None:
    assert check_name(name) is None


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("Hello", "characters other than"),
        ("hello world", "characters other than"),
        ("héllo", "characters other than"),
        ("a.b", "characters other than"),
        ("-lead", "must start with"),
        ("", "empty"),
        ("x" * (MAX_NAME_LENGTH + 1), "longer than"),
    ],
)
def test_rejects_a_bad_name_with_the_reason(name: str, reason: str) -> None:
    message = check_name(name)
    assert message is not None
    assert reason in message


def test_maps_underscores_and_plugin_slashes_to_dashes_in_the_deployed_name() -> None:
    assert deployed_name("a_b") == deployed_name("a-b") == "a-b"
    assert deployed_name("billing/charge_card") == "billing-charge-card"


@pytest.mark.parametrize("folder", ["__pycache__", "_shared", ".git"])
def test_treats_dot_and_underscore_folders_as_private(folder: str) -> None:
    assert is_private_folder(folder)
    assert not is_private_folder("ping")
