"""config.json git entries: parsed as plain data, refused before git could ever see them."""

from __future__ import annotations

import pytest

from sdw.project import GitSource, parse_git_entry, redact


def test_parses_a_url_a_ref_and_the_name_from_the_repository() -> None:
    assert parse_git_entry("git+https://github.com/acme/sdw-reports.git#v1.2.0") == GitSource(
        "https://github.com/acme/sdw-reports.git", "v1.2.0", "sdw-reports")
    assert parse_git_entry("git+https://github.com/acme/tools") == GitSource(
        "https://github.com/acme/tools", None, "tools")
    assert parse_git_entry("git+file:///srv/git/tools.git#release/2", "acme-tools") == GitSource(
        "file:///srv/git/tools.git", "release/2", "acme-tools")
    assert str(GitSource("https://h/a.git", "main", "a")) == "git+https://h/a.git#main"


@pytest.mark.parametrize(
    "entry",
    ["git+https://github.com/acme/p.git#-c", "git+https://github.com/acme/p.git#a b",
     "git+https://github.com/acme/p.git#x.lock", "git+https://github.com/acme/p.git#x/",
     "git+https://github.com/ac me/p.git", "git+https://github.com/acme/p.git#"],
)
def test_refuses_refs_and_urls_that_could_be_read_as_options_or_are_not_refs(entry: str) -> None:
    reason = parse_git_entry(entry)
    assert isinstance(reason, str)
    assert "is not a git branch, tag or commit" in reason or "may not hold" in reason


def test_redacts_credentials_in_any_url() -> None:
    assert redact("fatal: https://user:tok@github.com/a and git+https://tok@h/x") == (
        "fatal: https://***@github.com/a and git+https://***@h/x")
    reason = parse_git_entry("git+https://ghp_x@github.com/acme/p.git")
    assert isinstance(reason, str) and "ghp_x" not in reason and "***@github.com" in reason
