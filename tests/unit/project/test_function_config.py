from __future__ import annotations

import pytest

from sdw.project import Location, Severity, parse_function_config

FILE = "functions/lib/report/function.yml"


def test_reads_every_setting() -> None:
    text = (
        "timeout: 30\nmemory: 512\ndescription: Sends the report\nsecrets:\n  - SMTP_PASSWORD\n"
        "connections:\n  openai-prod: openai\n  db: postgres\n"
    )
    settings, problems = parse_function_config(text, FILE)
    assert problems == []
    assert (settings.timeout, settings.memory, settings.description) == (30, 512, "Sends the report")
    assert settings.secrets == ("SMTP_PASSWORD",)
    assert settings.connections == (("openai-prod", "openai"), ("db", "postgres"))


def test_leaves_unset_settings_as_none_so_defaults_apply() -> None:
    settings, problems = parse_function_config("timeout: 10\n", FILE)
    assert problems == []
    assert settings.memory is None and settings.secrets is None


def test_accepts_an_empty_file() -> None:
    settings, problems = parse_function_config("", FILE)
    assert problems == [] and settings.timeout is None


def test_reports_an_unknown_key_at_its_line_and_column() -> None:
    _, problems = parse_function_config("memory: 256\n  \ntimout: 30\n", FILE)
    assert len(problems) == 1
    problem = problems[0]
    assert problem.severity is Severity.ERROR
    assert problem.location == Location(FILE, 3, 1)
    assert "unknown key 'timout'" in problem.message
    assert str(problem).startswith(f"{FILE}:3:1: error:")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("timeout: '30'\n", "whole number of seconds"),
        ("timeout: true\n", "whole number of seconds"),
        ("timeout: 901\n", "outside Lambda's 1-900"),
        ("timeout: 0\n", "outside Lambda's 1-900"),
        ("memory: 64\n", "outside Lambda's 128-10240"),
        ("memory: 1.5\n", "whole number of MB"),
        ("description: [a]\n", "must be text"),
        ("description: " + "x" * 257 + "\n", "Lambda allows 256"),
        ("secrets: /one\n", "must be a list of names"),
        ("connections: [api]\n", "must map connection names to types"),
    ],
)
def test_reports_a_wrong_type_or_range_with_its_location(text: str, fragment: str) -> None:
    _, problems = parse_function_config(text, FILE)
    assert len(problems) == 1
    assert fragment in problems[0].message
    assert problems[0].location == Location(FILE, 1, 1)


def test_reports_every_bad_key_not_only_the_first() -> None:
    _, problems = parse_function_config("timeout: x\nmemory: 1\nextra: 1\n", FILE)
    assert [p.location.line for p in problems if p.location] == [1, 2, 3]


def test_reports_yaml_that_does_not_parse_with_its_location() -> None:
    _, problems = parse_function_config("timeout: [1\n", FILE)
    assert len(problems) == 1
    assert problems[0].message.startswith("does not parse")
    assert problems[0].location is not None and problems[0].location.file == FILE


def test_refuses_a_file_that_is_not_a_mapping() -> None:
    _, problems = parse_function_config("- 1\n- 2\n", FILE)
    assert "must be a mapping" in problems[0].message


@pytest.mark.parametrize(
    ("text", "location", "fragment"),
    [
        ("secrets:\n  - API_KEY\n  - bad name\n", (3, 5), "'bad name' is not a secret name"),
        ("secrets: [OK, /sdw/prod/API_KEY]\n", (1, 15), "is a path; write the name only (API_KEY)"),
        ("secrets: [AWS_SECRET_ACCESS_KEY]\n", (1, 11), "starts with 'AWS_'"),
        ("secrets: [SDW_STAGE]\n", (1, 11), "starts with 'SDW_'"),
        ("secrets: [_HANDLER]\n", (1, 11), "starts with '_'"),
        ("secrets: [1KEY]\n", (1, 11), "not starting with a digit"),
        ("secrets: [A, A]\n", (1, 14), "'A' is listed twice"),
        ("secrets: [3]\n", (1, 11), "3 is not a secret name"),
        ("connections:\n  api: openai\n  bad/name: x\n", (3, 3), "'bad/name' is not a connection name"),
        ("connections:\n  api: open ai\n", (2, 3), "'open ai' is not a connection type"),
        ("connections:\n  api: [openai]\n", (2, 3), "is not a connection type"),
    ],
)
def test_reports_a_bad_secret_or_connection_at_its_own_line_and_column(
    text: str, location: tuple[int, int], fragment: str
) -> None:
    _, problems = parse_function_config(text, FILE)
    assert len(problems) == 1, problems
    assert fragment in problems[0].message
    assert problems[0].location == Location(FILE, *location)
