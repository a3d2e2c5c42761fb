"""Handler imports as on Lambda: from the package root, each warm instance in its own namespace.

Real files in a tmp project, imported by the real loader (sdw/local/_imports.py); no server.
"""

from __future__ import annotations

import logging
import os
import textwrap
from pathlib import Path
from typing import Any

import pytest

from sdw.local import LocalInvoker
from sdw.local._invoker import RELOAD_CHECK_S
from sdw.project import load_project
from sdw.runtime import track_usage_middleware

from ...unit.local._doubles import ManualClock

BASE = """\
from sdw.runtime import track_usage_middleware

calls = []
"""


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def invoker(root: Path, **kwargs: Any) -> LocalInvoker:
    return LocalInvoker(load_project(root).project, **kwargs)


def call(invoker: LocalInvoker, key: str) -> Any:
    invocation = invoker.invoke(key, {})
    assert invocation.error is None, invocation.error
    return invocation.payload


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write(tmp_path, {"functions/base/api_usage/handler.py": BASE})
    return tmp_path


def test_a_handler_imports_functions_base_and_its_own_helpers_from_the_package_root(project: Path) -> None:
    write(project, {
        "functions/lib/a/helpers.py": "WHO = 'a'\n",
        "functions/lib/a/handler.py": """\
            from functions.base.api_usage.handler import track_usage_middleware
            from functions.lib.a import helpers
            from . import helpers as relative
            import functions.lib.a.helpers

            @track_usage_middleware
            def handler(event, context):
                same = helpers is relative is functions.lib.a.helpers
                return {"who": helpers.WHO, "same": same, "module": __name__}
            """,
    })  # fmt: skip
    payload = call(invoker(project), "a")
    assert payload["who"] == "a" and payload["same"] is True
    assert payload["module"].endswith(".functions.lib.a.handler")  # Lambda's module name, in a namespace


def test_two_functions_with_a_same_named_helper_each_get_their_own(project: Path) -> None:
    for name in ("a", "b"):
        write(project, {
            f"functions/lib/{name}/utils.py": f"WHO = {name!r}\n",
            f"functions/lib/{name}/handler.py": "from . import utils\n\n"
                                                "def handler(event, context):\n    return utils.WHO\n",
        })  # fmt: skip
    local = invoker(project)
    assert [call(local, "a"), call(local, "b"), call(local, "a")] == ["a", "b", "a"]


def test_each_function_has_its_own_copy_of_a_shared_module_as_each_lambda_does(project: Path) -> None:
    source = (
        "from functions.base.api_usage.handler import calls\n\n"
        "def handler(event, context):\n    calls.append(1)\n    return len(calls)\n"
    )
    write(project, {"functions/lib/a/handler.py": source, "functions/lib/b/handler.py": source})
    local = invoker(project)
    assert [call(local, "a"), call(local, "a"), call(local, "b")] == [1, 2, 1]


def test_sdw_itself_is_shared_not_copied(project: Path) -> None:
    write(project, {"functions/lib/a/handler.py": """\
        from functions.base.api_usage.handler import track_usage_middleware
        import sdw.runtime

        def handler(event, context):
            return track_usage_middleware is sdw.runtime.track_usage_middleware
        """})  # fmt: skip
    assert call(invoker(project), "a") is True
    assert track_usage_middleware.__module__ == "sdw.runtime._usage"


def test_a_top_level_package_of_the_project_is_importable(project: Path) -> None:
    write(project, {
        "common/text.py": "def shout(s):\n    return s.upper()\n",
        "functions/lib/a/handler.py": "from common.text import shout\n\n"
                                      "def handler(event, context):\n    return shout('hi')\n",
    })  # fmt: skip
    assert call(invoker(project), "a") == "HI"


def test_a_bare_import_of_a_sibling_fails_as_on_lambda_with_advice_in_the_log(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write(project, {
        "functions/lib/a/utils.py": "X = 1\n",
        "functions/lib/a/handler.py": "import utils\n\ndef handler(event, context):\n    return utils.X\n",
    })  # fmt: skip
    with caplog.at_level(logging.ERROR, logger="sdw.invoker"):
        invocation = invoker(project).invoke("a", {})
    assert invocation.error is not None
    assert invocation.error.error_type == "Runtime.ImportModuleError"
    assert invocation.error.error_message == (
        "Unable to import module 'functions/lib/a/handler': No module named 'utils'"
    )
    assert "write 'from . import utils' or 'from functions.lib.a import utils'" in caplog.text


def test_import_errors_name_modules_as_lambda_does_without_the_namespace(project: Path) -> None:
    write(project, {
        "functions/lib/a/handler.py": "from functions.lib.a import nope\n",
        "functions/lib/b/handler.py": "def handler(event, context):\n    import functions.lib.gone\n",
    })  # fmt: skip
    local = invoker(project)
    failed = local.invoke("a", {}).error
    assert failed is not None and "_sdw_fn_" not in failed.error_message
    assert failed.error_message.startswith(
        "Unable to import module 'functions/lib/a/handler': cannot import name 'nope' from 'functions.lib.a'"
    )
    raised = local.invoke("b", {}).error
    assert raised is not None
    assert (raised.error_type, raised.error_message) == (
        "ModuleNotFoundError", "No module named 'functions.lib.gone'"
    )


def test_a_dataclass_with_postponed_annotations_resolves_in_its_module(project: Path) -> None:
    write(project, {
        "functions/lib/a/model.py": """\
            from __future__ import annotations

            import dataclasses
            import typing

            @dataclasses.dataclass
            class Order:
                item: str
                count: int = 1

            HINTS = typing.get_type_hints(Order)
            """,
        "functions/lib/a/handler.py": """\
            import pickle
            from .model import HINTS, Order

            def handler(event, context):
                again = pickle.loads(pickle.dumps(Order("tea")))
                return [sorted(h.__name__ for h in HINTS.values()), again.count]
            """,
    })  # fmt: skip
    assert call(invoker(project), "a") == [["int", "str"], 1]


def test_a_plugin_function_imports_its_own_helpers_and_the_projects_base(project: Path) -> None:
    write(project, {
        "config.json": '{"plugins": ["./plugins/billing"]}',
        "functions/lib/charge/utils.py": "WHO = 'project'\n",
        "functions/lib/charge/handler.py": "from . import utils\n\n"
                                           "def handler(event, context):\n    return utils.WHO\n",
        # as the seed's deploy left a plugin: functions/ and functions/lib/ are regular packages
        "plugins/billing/functions/__init__.py": "",
        "plugins/billing/functions/lib/__init__.py": "",
        "plugins/billing/functions/lib/charge/utils.py": "WHO = 'plugin'\n",
        "plugins/billing/functions/lib/charge/handler.py": """\
            from functions.base.api_usage.handler import track_usage_middleware
            from functions.lib.charge import utils

            @track_usage_middleware
            def handler(event, context):
                return utils.WHO
            """,
    })  # fmt: skip
    local = invoker(project)
    assert [call(local, "charge"), call(local, "billing/charge")] == ["project", "plugin"]


def test_a_reloaded_function_reads_its_helpers_afresh(project: Path) -> None:
    handler = project / "functions/lib/a/handler.py"
    helper = project / "functions/lib/a/utils.py"
    write(project, {"functions/lib/a/utils.py": "WHO = 1\n",
                    "functions/lib/a/handler.py": "from . import utils\n\n"
                                                  "def handler(event, context):\n    return utils.WHO\n"})
    clock = ManualClock()
    local = invoker(project, clock=clock)
    assert call(local, "a") == 1
    helper.write_text("WHO = 2\n")
    stat = handler.stat()
    os.utime(handler, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # the handler saved again
    os.utime(helper, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))  # its bytecode is stale too
    clock.now += RELOAD_CHECK_S
    assert call(local, "a") == 2
