"""Fetch config.json's ``git+https://`` plugins into the state folder, with git, safely.

sdw.project parses and checks an entry (:class:`GitSource`) and asks this fetcher for the
folder it is checked out in: ``<state>/plugins/<name>``. How, and why:

* git runs without a shell, from an argument list (``git -C DIR fetch --depth 1 -- URL REF``);
  the URL and ref were refused by sdw.project if they could pass for options.
* The token (``SDW_GIT_TOKEN``) reaches git only through its environment, as an HTTP
  header scoped to the repository's host (``GIT_CONFIG_COUNT``/``GIT_CONFIG_KEY_0`` =
  ``http.https://github.com/.extraHeader``, ``Authorization: Basic base64(x-access-token:TOKEN)``,
  as GitHub reads a token). So it is never on a command line (``ps`` shows those), never
  in ``.git/config`` (no remote is added: the URL is given to each fetch), and never in a
  log or an error: git's own messages are passed through ``redact`` and the token is
  replaced by ``***`` wherever it appears.
* ``GIT_TERMINAL_PROMPT=0``: a repository that wants credentials fails at once instead of
  waiting on a prompt nobody sees; ``GIT_ALLOW_PROTOCOL`` is the entry's own scheme only.
* A shallow fetch of just the ref (a branch, a tag or a commit; the remote's HEAD when
  none), then a detached checkout: every ``sdw dev`` start brings the plugin to the ref.
  A fetch that fails (a bad URL or ref, no network) is a ``PluginFetchError``: the loader
  reports the plugin and skips it, and the project serves the rest.
* ``offline=True`` (``sdw schedules``, which should not wait on the network) uses what the
  last fetch checked out, and says so when there is nothing yet.
"""

from __future__ import annotations

import base64
import shutil
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import urlsplit

from sdw.local._statedir import DIR_MODE, StateDir
from sdw.project import GitSource, PluginFetchError, redact

Run = Callable[..., subprocess.CompletedProcess[str]]
SOURCE_FILE = ".sdw-source"  # in the checkout's .git folder: which entry it was fetched from


class GitPluginFetcher:
    """sdw.project's PluginFetcher: ``fetcher(source)`` -> the folder it is checked out in."""

    FOLDER = "plugins"
    TIMEOUT_S = 120.0

    def __init__(
        self,
        state: StateDir,
        *,
        token: str | None = None,
        environ: Mapping[str, str] | None = None,
        git: str = "git",
        offline: bool = False,
        run: Run = subprocess.run,
        timeout: float = TIMEOUT_S,
    ) -> None:
        self._state = state
        self._token = token or None
        self._environ = dict(environ or {})
        self._environ.pop("SDW_GIT_TOKEN", None)  # git needs the header, not the variable
        self._git = git
        self._offline = offline
        self._run = run
        self._timeout = timeout

    def __call__(self, source: GitSource) -> Path:
        folder = self._state.path / self.FOLDER / source.name
        if self._offline:
            if (folder / ".git" / SOURCE_FILE).is_file():
                return folder
            raise PluginFetchError(f"plugin {source} has not been fetched yet (sdw dev fetches it)")
        self._state.ensure()
        (self._state.path / self.FOLDER).mkdir(mode=DIR_MODE, exist_ok=True)
        marker = folder / ".git" / SOURCE_FILE
        if folder.exists() and (not marker.is_file() or marker.read_text() != source.url):
            shutil.rmtree(folder)  # another repository under this name: start afresh
        if not folder.exists():
            folder.mkdir(mode=DIR_MODE)
            self._git_run(source, "init", "--quiet", str(folder))
            marker.write_text(source.url)
        where = ("-C", str(folder))
        self._git_run(source, "fetch", "--quiet", "--depth", "1", "--no-tags", "--", source.url,
                      source.ref or "HEAD", where=where)
        self._git_run(source, "checkout", "--quiet", "--force", "--detach", "FETCH_HEAD", where=where)
        return folder

    def _git_run(self, source: GitSource, action: str, *arguments: str, where: tuple[str, ...] = ()) -> None:
        command = [self._git, *where, action, *arguments]
        try:
            result = self._run(command, env=self._git_environment(source), capture_output=True, text=True,
                               timeout=self._timeout, check=False)
        except FileNotFoundError:
            raise PluginFetchError(f"plugin {source}: git is not installed ({self._git!r})") from None
        except subprocess.TimeoutExpired:
            raise PluginFetchError(f"plugin {source}: git gave no answer in {self._timeout:.0f} s") from None
        if result.returncode != 0:
            detail = self._hide((result.stderr or result.stdout or "").strip().splitlines() or [""])
            raise PluginFetchError(f"plugin {source}: git {action} failed: {detail}")

    def _hide(self, lines: list[str]) -> str:
        """git's reason (its first ``fatal:``/``error:`` line), with any credentials masked."""
        reasons = [line for line in lines if line.startswith(("fatal:", "error:"))]
        text = redact((reasons or lines)[0] if reasons else lines[-1])
        if self._token:
            text = text.replace(self._token, "***")
        return text

    def _git_environment(self, source: GitSource) -> dict[str, str]:
        parts = urlsplit(source.url)
        env = {
            **self._environ,
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_ALLOW_PROTOCOL": parts.scheme,
            "GIT_CONFIG_NOSYSTEM": "1",
            "LC_ALL": "C",
        }
        if self._token and parts.scheme == "https":
            credentials = base64.b64encode(f"x-access-token:{self._token}".encode()).decode()
            env.update({
                "GIT_CONFIG_COUNT": "1",
                "GIT_CONFIG_KEY_0": f"http.https://{parts.netloc}/.extraHeader",
                "GIT_CONFIG_VALUE_0": f"Authorization: Basic {credentials}",
            })
        return env


def create_git_plugin_fetcher(
    state_dir: Path, environ: Mapping[str, str], *, offline: bool = False
) -> GitPluginFetcher:
    """The fetcher of ``state_dir``, its token ``environ["SDW_GIT_TOKEN"]`` (the CLI passes os.environ)."""
    return GitPluginFetcher(StateDir(state_dir), token=environ.get("SDW_GIT_TOKEN"), environ=environ,
                            offline=offline)
