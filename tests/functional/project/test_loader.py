"""The project loader against real folders in tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sdw.project import (
    GitSource,
    Location,
    PluginFetchError,
    ProjectLoadError,
    Severity,
    load_project,
    read_service,
)

HANDLER = "def handler(event, context):\n    return {'statusCode': 200, 'body': 'ok'}\n"


def add_function(root: Path, name: str, config: str | None = None, handler: str | None = HANDLER) -> Path:
    folder = root / "functions" / "lib" / name
    folder.mkdir(parents=True)
    if handler is not None:
        (folder / "handler.py").write_text(handler)
    if config is not None:
        (folder / "function.yml").write_text(config)
    return folder


def test_discovers_functions_sorted_with_their_settings(tmp_path: Path) -> None:
    add_function(tmp_path, "zeta")
    config = "timeout: 20\nmemory: 256\nsecrets: [API_KEY]\nconnections: {api: openai}\n"
    add_function(tmp_path, "alpha", config)
    result = load_project(tmp_path)
    assert result.problems == ()
    assert [fn.key for fn in result.project.functions] == ["alpha", "zeta"]
    alpha = result.project.function("alpha")
    assert alpha is not None and (alpha.timeout, alpha.memory, alpha.secrets) == (20, 256, ("API_KEY",))
    assert alpha.connection_types == {"api": "openai"}


def test_skips_a_folder_without_handler_py_with_a_warning(tmp_path: Path) -> None:
    add_function(tmp_path, "empty", handler=None)
    add_function(tmp_path, "ping")
    result = load_project(tmp_path)
    assert [fn.key for fn in result.project.functions] == ["ping"]
    (warning,) = result.warnings
    assert warning.location == Location("functions/lib/empty", 1, 1)
    assert "no handler.py" in warning.message


def test_ignores_private_folders_silently(tmp_path: Path) -> None:
    add_function(tmp_path, "__pycache__", handler=None)
    add_function(tmp_path, "_shared", handler=None)
    assert load_project(tmp_path).problems == ()


def test_refuses_a_badly_named_folder_and_serves_the_rest(tmp_path: Path) -> None:
    add_function(tmp_path, "Bad")
    add_function(tmp_path, "good")
    result = load_project(tmp_path)
    assert [fn.key for fn in result.project.functions] == ["good"]
    (error,) = result.errors
    assert "'Bad'" in error.message and error.location == Location("functions/lib/Bad", 1, 1)


def test_reports_a_bad_function_yml_with_file_line_column_and_serves_the_rest(tmp_path: Path) -> None:
    add_function(tmp_path, "slow", "timeout: 30\nmemroy: 512\n")
    add_function(tmp_path, "ping")
    result = load_project(tmp_path)
    assert [fn.key for fn in result.project.functions] == ["ping"]
    (error,) = result.errors
    assert str(error).startswith("functions/lib/slow/function.yml:2:1: error: unknown key 'memroy'")


def test_reports_files_that_are_not_utf_8_and_serves_the_rest(tmp_path: Path) -> None:
    (add_function(tmp_path, "latin") / "function.yml").write_bytes(b"description: caf\xe9\n")
    add_function(tmp_path, "good")
    (tmp_path / "config.json").write_bytes(b'{"plugins": ["caf\xe9"]}')
    result = load_project(tmp_path)
    assert [fn.key for fn in result.project.functions] == ["good"]
    assert [(str(p.location), p.message.split(":")[0]) for p in result.errors] == [
        ("functions/lib/latin/function.yml:1:1", "cannot read the file"),
        ("config.json:1:1", "cannot read the file"),
    ]


def test_refuses_both_folders_that_deploy_under_one_name_and_names_both(tmp_path: Path) -> None:
    add_function(tmp_path, "a-b")
    add_function(tmp_path, "a_b")
    add_function(tmp_path, "c")
    result = load_project(tmp_path)
    assert [fn.key for fn in result.project.functions] == ["c"]
    (error,) = result.errors
    assert "functions/lib/a-b" in error.message and "functions/lib/a_b" in error.message
    assert "'a-b'" in error.message


def write_config(root: Path, plugins: list[object]) -> None:
    (root / "config.json").write_text(json.dumps({"plugins": plugins}, indent=2))


def test_namespaces_a_local_plugin_under_its_name(tmp_path: Path) -> None:
    add_function(tmp_path, "ping")
    plugin = tmp_path / "plugins" / "billing"
    add_function(plugin, "ping")
    (plugin / "flows").mkdir()
    write_config(tmp_path, ["./plugins/billing"])
    result = load_project(tmp_path)
    assert result.problems == ()
    assert [fn.key for fn in result.project.functions] == ["ping", "billing/ping"]
    assert [p.name for p in result.project.plugins] == ["billing"]
    own, theirs = result.project.functions
    assert own.plugin is None and own.route_path == "/lib/ping"
    assert theirs.route_path == "/lib/billing/ping" and theirs.deployed_name == "billing-ping"


def test_a_plugin_never_shadows_a_project_function_with_the_same_deployed_name(tmp_path: Path) -> None:
    add_function(tmp_path, "billing-charge")
    add_function(tmp_path / "billing", "charge")
    write_config(tmp_path, [{"path": "billing", "name": "billing"}])
    result = load_project(tmp_path)
    assert [fn.key for fn in result.project.functions] == ["billing-charge"]
    (error,) = result.errors
    assert "the project's billing-charge is kept" in error.message


def test_reports_a_missing_plugin_folder_at_its_line_in_config_json(tmp_path: Path) -> None:
    write_config(tmp_path, ["./plugins/nowhere"])
    (error,) = load_project(tmp_path).errors
    assert error.location == Location("config.json", 3, 5)
    assert "does not exist" in error.message


def test_warns_about_a_git_plugin_when_nothing_fetches_it(tmp_path: Path) -> None:
    write_config(tmp_path, ["git+https://example.com/plugin.git"])
    (warning,) = load_project(tmp_path).warnings
    assert "is in git; it is loaded where it is fetched" in warning.message


def test_loads_a_git_plugin_from_the_folder_the_fetcher_gives(tmp_path: Path) -> None:
    fetched = tmp_path / "fetched"
    add_function(fetched, "charge")
    write_config(tmp_path, ["git+https://example.com/acme/billing.git#v1"])
    asked: list[GitSource] = []

    def fetch(source: GitSource) -> Path:
        asked.append(source)
        return fetched

    result = load_project(tmp_path, fetch_plugin=fetch)
    assert result.problems == ()
    assert asked == [GitSource("https://example.com/acme/billing.git", "v1", "billing")]
    assert [fn.key for fn in result.project.functions] == ["billing/charge"]
    assert result.project.plugins[0].source == "git+https://example.com/acme/billing.git#v1"


def test_a_git_plugin_that_cannot_be_fetched_is_reported_and_the_project_still_loads(tmp_path: Path) -> None:
    add_function(tmp_path, "ping")
    write_config(tmp_path, ["git+https://example.com/acme/billing.git#nope"])

    def fetch(source: GitSource) -> Path:
        raise PluginFetchError(f"{source}: no branch, tag or commit 'nope'")

    result = load_project(tmp_path, fetch_plugin=fetch)
    (error,) = result.errors
    assert error.location == Location("config.json", 3, 5)
    assert "no branch, tag or commit 'nope'; the plugin is not loaded" in error.message
    assert [fn.key for fn in result.project.functions] == ["ping"]


@pytest.mark.parametrize(
    ("entry", "fragment"),
    [
        ("git+https://ghp_secret123@github.com/acme/p.git", "credentials in its URL"),
        ("git+ssh://git@github.com/acme/p.git", "only git+https://"),
        ("git+http://github.com/acme/p.git", "only git+https://"),
        ("git@github.com:acme/p.git", "git+https://host/org/repo.git"),
        ("git+https://github.com/acme/p.git#--upload-pack=touch", "not a git branch, tag or commit"),
        ("git+https://github.com/acme/p.git#a..b", "not a git branch, tag or commit"),
        ("git+https://github.com/acme/p.git?x=1", "may not hold a query"),
        ("git+https:///acme/p.git", "has no host"),
        ("git+https://github.com/acme/My_Plugin.git", "plugin name 'My_Plugin' has characters"),
    ],
)
def test_refuses_a_bad_git_plugin_entry_without_fetching_it(
    tmp_path: Path, entry: str, fragment: str
) -> None:
    write_config(tmp_path, [entry])

    def fetch(source: GitSource) -> Path:
        raise AssertionError(f"fetched {source}")

    (error,) = load_project(tmp_path, fetch_plugin=fetch).errors
    assert fragment in error.message
    assert "ghp_secret123" not in error.message


def test_reads_the_service_name_from_config_json(tmp_path: Path) -> None:
    assert load_project(tmp_path).project.service == "sdw"
    (tmp_path / "config.json").write_text('{"service": "billing-api"}')
    assert load_project(tmp_path).project.service == "billing-api"
    assert read_service(tmp_path) == "billing-api"


def test_refuses_a_service_name_aws_would_refuse(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text('{\n  "service": "my service"\n}')
    result = load_project(tmp_path)
    (error,) = result.errors
    assert error.location == Location("config.json", 2, 3)
    assert result.project.service == "sdw"
    with pytest.raises(ProjectLoadError, match="must be 1-64 letters"):
        read_service(tmp_path)


def test_reports_config_json_that_does_not_parse_with_line_and_column(tmp_path: Path) -> None:
    add_function(tmp_path, "ping")
    (tmp_path / "config.json").write_text('{\n  "plugins": [,]\n}\n')
    result = load_project(tmp_path)
    (error,) = result.errors
    assert error.location == Location("config.json", 2, 15)
    assert [fn.key for fn in result.project.functions] == ["ping"]


@pytest.mark.parametrize("plugins", [{"a": 1}, "x"])
def test_refuses_plugins_that_are_not_a_list(tmp_path: Path, plugins: object) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"plugins": plugins}))
    (error,) = load_project(tmp_path).errors
    assert "must be a list" in error.message


def test_refuses_two_plugins_with_one_name(tmp_path: Path) -> None:
    (tmp_path / "a" / "billing").mkdir(parents=True)
    (tmp_path / "b" / "billing").mkdir(parents=True)
    write_config(tmp_path, ["a/billing", "b/billing"])
    result = load_project(tmp_path)
    assert [p.root.parent.name for p in result.project.plugins] == ["a"]
    assert "share the name 'billing'" in result.errors[0].message


def test_fails_only_when_the_project_folder_is_missing(tmp_path: Path) -> None:
    with pytest.raises(ProjectLoadError):
        load_project(tmp_path / "missing")
    assert load_project(tmp_path).project.functions == ()
    assert all(p.severity is not Severity.ERROR for p in load_project(tmp_path).problems)
