"""lambda-permissions.yml is read strictly, every problem at its line and column."""

from __future__ import annotations

from sdw.deploy import parse_permissions

GOOD = """\
iamRoleStatements:
  - Effect: Allow
    Action: [s3:GetObject]
    Resource: ["arn:aws:s3:::reports-*/*"]
  - Effect: Deny
    Action: s3:DeleteObject
    Resource: {"Fn::Sub": "arn:aws:s3:::${AWS::AccountId}-x/*"}
"""


def test_good_statements_are_returned_as_written() -> None:
    statements, problems = parse_permissions(GOOD)
    assert problems == []
    assert [s["Effect"] for s in statements] == ["Allow", "Deny"]


def test_an_empty_file_grants_nothing() -> None:
    assert parse_permissions("") == ([], [])
    assert parse_permissions("iamRoleStatements: []\n") == ([], [])


def test_each_bad_statement_is_reported_at_its_place() -> None:
    text = """\
iamRoleStatements:
  - Effect: allow
    Action: [s3:GetObject]
    Resource: x
  - Effect: Allow
    Actions: ["*"]
    Resource: y
  - Effect: Allow
    Action: "*"
    Resource: z
"""
    statements, problems = parse_permissions(text)
    assert statements == []
    found = [(p.location.line, p.location.column, p.message) for p in problems if p.location]
    assert (2, 5, "Effect must be Allow or Deny") in found
    assert any(line == 6 and "unknown key 'Actions'" in message for line, _, message in found)
    assert any(line == 9 and "Action '*'" in message for line, _, message in found)


def test_a_file_that_does_not_parse_says_where() -> None:
    _, (problem,) = parse_permissions("iamRoleStatements: [\n")
    assert problem.location is not None and problem.location.file == "lambda-permissions.yml"
