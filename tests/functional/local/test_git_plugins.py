"""Git plugins fetched from a local bare repository (file://), never the network."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from sdw.local import GitPluginFetcher, StateDir
from sdw.project import GitSource, PluginFetchError, load_project, parse_git_entry

TOKEN = "ghp_features_token_777"  # a stand-in token the tests look for everywhere


def git(*args: str, cwd: Path | None = None) -> str:
    done = subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args], cwd=cwd,
                          capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.fixture
def bare(tmp_path: Path) -> Path:
    """A bare repository holding a plugin: v1 tagged, then a second commit on main."""
    repo = tmp_path / "acme-tools.git"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(repo))
    work = tmp_path / "work"
    git("clone", "--quiet", str(repo), str(work))
    (work / "functions" / "lib" / "hello").mkdir(parents=True)
    (work / "functions" / "lib" / "hello" / "handler.py").write_text("def handler(e, c):\n    return 'v1'\n")
    (work / "flows").mkdir()
    (work / "flows" / "nightly.yml").write_text(json.dumps({
        "name": "nightly", "schedule": "cron(0 2 * * ? *)", "input": {},
        "definition": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}))
    git("add", ".", cwd=work)
    git("commit", "--quiet", "-m", "v1", cwd=work)
    git("tag", "v1", cwd=work)
    (work / "functions" / "lib" / "hello" / "handler.py").write_text("def handler(e, c):\n    return 'v2'\n")
    git("commit", "--quiet", "-am", "v2", cwd=work)
    git("push", "--quiet", "origin", "HEAD:main", "--tags", cwd=work)
    return repo


def fetcher(tmp_path: Path, **kwargs: Any) -> GitPluginFetcher:
    return GitPluginFetcher(StateDir(tmp_path / "state"), environ={"PATH": "/usr/bin:/bin"}, **kwargs)


def source(entry: str) -> GitSource:
    parsed = parse_git_entry(entry)
    assert isinstance(parsed, GitSource), parsed
    return parsed


def hello_version(folder: Path) -> str:
    return (folder / "functions" / "lib" / "hello" / "handler.py").read_text().split("'")[1]


def test_fetches_the_default_branch_a_tag_or_a_commit(tmp_path: Path, bare: Path) -> None:
    fetch = fetcher(tmp_path)
    folder = fetch(source(f"git+file://{bare}"))
    assert folder == tmp_path / "state" / "plugins" / "acme-tools"
    assert hello_version(folder) == "v2"
    assert hello_version(fetch(source(f"git+file://{bare}#v1"))) == "v1"
    first = git("--git-dir", str(bare), "rev-list", "--max-parents=0", "main")
    assert hello_version(fetch(source(f"git+file://{bare}#{first}"))) == "v1"
    assert hello_version(fetch(source(f"git+file://{bare}#main"))) == "v2"


def test_the_project_loads_the_plugins_functions_and_flows(tmp_path: Path, bare: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    (root / "config.json").write_text(json.dumps({"plugins": [f"git+file://{bare}#v1"]}))
    result = load_project(root, fetch_plugin=fetcher(tmp_path))
    assert result.errors == ()
    assert [fn.key for fn in result.project.functions] == ["acme-tools/hello"]
    flow = result.project.flow("acme-tools/nightly")
    assert flow is not None and str(flow.schedule) == "cron(0 2 * * ? *)"


@pytest.mark.parametrize(
    ("entry", "fragment"),
    [
        ("git+file://{bare}#nope", "git fetch failed: fatal: couldn't find remote ref nope"),
        ("git+file://{bare}#0123456789", "couldn't find remote ref 0123456789"),
        ("git+file://{tmp}/missing.git", "does not appear to be a git repository"),
    ],
)
def test_a_bad_ref_or_url_is_reported_and_the_project_still_loads(
    tmp_path: Path, bare: Path, entry: str, fragment: str
) -> None:
    root = tmp_path / "project"
    (root / "functions" / "lib" / "ping").mkdir(parents=True)
    (root / "functions" / "lib" / "ping" / "handler.py").write_text("def handler(e, c):\n    return 1\n")
    (root / "config.json").write_text(json.dumps({"plugins": [entry.format(bare=bare, tmp=tmp_path)]}))
    result = load_project(root, fetch_plugin=fetcher(tmp_path))
    (error,) = result.errors
    assert fragment in error.message and "the plugin is not loaded" in error.message
    assert [fn.key for fn in result.project.functions] == ["ping"]


def test_the_token_goes_to_git_only_as_a_host_scoped_header_in_its_environment(tmp_path: Path) -> None:
    calls: list[tuple[list[str], dict[str, str]]] = []

    def run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        calls.append((command, kwargs["env"]))
        if command[1] == "init":
            Path(command[-1], ".git").mkdir(parents=True, exist_ok=True)
        return subprocess.CompletedProcess(command, 0, "", "")

    fetch = fetcher(tmp_path, token=TOKEN, run=run)
    fetch(source("git+https://github.example/acme/tools.git#v1"))
    folder = str(tmp_path / "state" / "plugins" / "tools")
    assert [c[0][:4] for c in calls] == [["git", "init", "--quiet", folder], ["git", "-C", folder, "fetch"],
                                         ["git", "-C", folder, "checkout"]]
    for command, env in calls:
        assert all(TOKEN not in arg for arg in command)
        assert "shell" not in command
        assert env["GIT_CONFIG_KEY_0"] == "http.https://github.example/.extraHeader"
        assert env["GIT_CONFIG_VALUE_0"].startswith("Authorization: Basic ")
        assert env["GIT_TERMINAL_PROMPT"] == "0" and env["GIT_ALLOW_PROTOCOL"] == "https"
        assert "SDW_GIT_TOKEN" not in env
    fetch_command = calls[1][0]
    assert fetch_command[-3:] == ["--", "https://github.example/acme/tools.git", "v1"]


def test_the_token_is_never_written_to_the_checkout_or_shown_in_an_error(tmp_path: Path, bare: Path) -> None:
    folder = fetcher(tmp_path, token=TOKEN)(source(f"git+file://{bare}"))
    assert TOKEN not in (folder / ".git" / "config").read_text()
    for path in (tmp_path / "state").rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path

    def leaky(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(command, 128, "", f"fatal: auth failed for https://x:{TOKEN}@h/r\n")

    with pytest.raises(PluginFetchError) as raised:
        fetcher(tmp_path / "other", token=TOKEN, run=leaky)(source("git+https://h.example/acme/r.git"))
    assert TOKEN not in str(raised.value) and "***" in str(raised.value)


def test_offline_uses_the_last_checkout_and_says_when_there_is_none(tmp_path: Path, bare: Path) -> None:
    offline = fetcher(tmp_path, offline=True)
    with pytest.raises(PluginFetchError, match="has not been fetched yet"):
        offline(source(f"git+file://{bare}"))
    fetched = fetcher(tmp_path)(source(f"git+file://{bare}"))
    assert offline(source(f"git+file://{bare}")) == fetched


def test_another_repository_under_the_same_name_replaces_the_checkout(tmp_path: Path, bare: Path) -> None:
    fetch = fetcher(tmp_path)
    folder = fetch(source(f"git+file://{bare}"))
    (folder / "stale.txt").write_text("from before")
    other = tmp_path / "elsewhere" / "acme-tools.git"
    other.parent.mkdir()
    git("clone", "--quiet", "--bare", str(bare), str(other))
    assert fetch(source(f"git+file://{other}#v1")) == folder
    assert not (folder / "stale.txt").exists() and hello_version(folder) == "v1"
