"""What ``config.json`` says beyond local plugin folders: plugins from git, and the service name.

    {"service": "billing-api",
     "plugins": ["./plugins/local-one",
                 "git+https://github.com/acme/sdw-reports.git#v1.2.0",
                 {"path": "git+https://github.com/acme/tools.git", "name": "acme-tools"}]}

A git entry is parsed and checked here, as plain data (:class:`GitSource`); fetching it is
I/O, so the loader asks an injected :data:`PluginFetcher` (sdw.local's, run by ``sdw dev``)
for the folder it was checked out to. Checked here, before git ever sees it:

* ``git+https://`` only (``git+file://`` for a local repository: tests, mirrors). No ssh,
  no plain http: the access token (``SDW_GIT_TOKEN``) is sent only over TLS.
* No credentials in the URL (the seed wrote ``git+https://TOKEN@github.com/...``): a token
  in config.json ends up in git history and in every log line that quotes the entry.
  Such an entry is refused, and every message shows it with the credentials masked.
* The ref (``#v1.2.0``, a branch, a tag or a commit) and the URL may not start with ``-``,
  so neither can ever be read by git as an option.

``service`` names the deployment (``<service>-<stage>`` stack, ``/<service>/<stage>/NAME``
SSM parameters); ``sdw`` when config.json does not set it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from sdw.project._errors import ProjectError
from sdw.project._names import check_name

DEFAULT_SERVICE = "sdw"
SERVICE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,63}")  # a CloudFormation stack name's first part
GIT_PREFIX = "git+"
_REF = re.compile(r"[A-Za-z0-9._/][A-Za-z0-9._/-]{0,254}")
_USERINFO = re.compile(r"(?<=://)[^/@]*@")


class PluginFetchError(ProjectError):
    """A git plugin could not be fetched; the message says why, never with a token in it."""


@dataclass(frozen=True)
class GitSource:
    """A plugin in a git repository: ``url`` (https or file), an optional ``ref``, its ``name``."""

    url: str
    ref: str | None
    name: str

    def __str__(self) -> str:
        return f"{GIT_PREFIX}{self.url}" + (f"#{self.ref}" if self.ref else "")


PluginFetcher = Callable[[GitSource], Path]
"""Fetch a git plugin and return the folder it is checked out in; PluginFetchError if it cannot."""

PACKAGED_PLUGINS = Path(".sdw") / "plugins"
"""Where ``sdw deploy render`` checks git plugins out, in the project, so osls packages them."""


def packaged_plugins(root: Path) -> PluginFetcher:
    """The git plugins a deployed package holds (``<root>/.sdw/plugins/<name>``): no git, no network.

    A deployed Lambda loads the project from its package; the deploy fetched the plugins
    into the tree before osls packaged it (sdw/cli/_deploy.py), so here they are only found.
    """

    def find(source: GitSource) -> Path:
        folder = root / PACKAGED_PLUGINS / source.name
        if not folder.is_dir():
            where = PACKAGED_PLUGINS / source.name
            raise PluginFetchError(f"plugin {source} is not in the package ({where})")
        return folder

    return find


def is_git_entry(entry: str) -> bool:
    return entry.startswith((GIT_PREFIX, "git@", "git://")) or "://" in entry


def redact(text: str) -> str:
    """``text`` with the credentials of any URL in it replaced by ``***``."""
    return _USERINFO.sub("***@", text)


def parse_git_entry(entry: str, name: str | None = None) -> GitSource | str:
    """The :class:`GitSource` of a config.json entry, or why it is refused (credentials masked).

    >>> parse_git_entry("git+https://github.com/acme/reports.git#v1")
    GitSource(url='https://github.com/acme/reports.git', ref='v1', name='reports')
    """
    shown = redact(entry)
    if not entry.startswith(GIT_PREFIX):
        return f"plugin {shown!r}: a git plugin is written git+https://host/org/repo.git[#ref]"
    url, hash_mark, ref = entry[len(GIT_PREFIX):].partition("#")
    parts = urlsplit(url)
    if parts.scheme not in ("https", "file"):
        return (
            f"plugin {shown!r}: only git+https:// (or git+file:// for a local repository) is fetched, "
            f"not {parts.scheme or 'a URL without a scheme'}"
        )
    if "@" in parts.netloc:
        return f"plugin {shown!r} has credentials in its URL; remove them and set SDW_GIT_TOKEN instead"
    if parts.query or any(c.isspace() or ord(c) < 32 for c in url) or url.startswith("-"):
        return f"plugin {shown!r}: the URL may not hold a query, spaces or control characters"
    if parts.scheme == "https" and not parts.hostname:
        return f"plugin {shown!r}: the URL has no host"
    if hash_mark and (not _REF.fullmatch(ref) or ".." in ref or ref.endswith((".lock", "/"))):
        return f"plugin {shown!r}: {ref!r} is not a git branch, tag or commit"
    repo = parts.path.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
    plugin_name = name if name is not None else repo
    reason = check_name(plugin_name)
    if reason:
        hint = "" if name is not None else ' (give one: {"path": "git+...", "name": "my-plugin"})'
        return f"plugin {shown!r}: plugin name {reason}{hint}"
    return GitSource(url=url, ref=ref or None, name=plugin_name)


def check_service(service: object) -> str | None:
    """Why ``service`` cannot name the deployment, or None."""
    if isinstance(service, str) and SERVICE_NAME.fullmatch(service):
        return None
    return (
        f'"service" must be 1-64 letters, digits and "-", starting with a letter, not {service!r}'
    )
