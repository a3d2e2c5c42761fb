"""Name rules for functions and plugins, in one place.

A function's folder name becomes a URL segment (``/lib/<name>``), part of a Lambda
function name (``<service>-<stage>-<name>``, at most 64 characters in all) and a
CloudFormation logical id, so only what survives all three is allowed: lowercase letters,
digits, ``-`` and ``_``, starting with a letter or digit. Folders starting with ``.`` or
``_`` (``__pycache__``, ``_shared``) are not functions and are skipped without a word.
"""

from __future__ import annotations

import re

MAX_NAME_LENGTH = 40  # leaves room for "<service>-<stage>-" within Lambda's 64 characters

_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")


def is_private_folder(name: str) -> bool:
    """``.git``, ``__pycache__``, ``_shared``: never a function, never a warning."""
    return name.startswith((".", "_"))


def check_name(name: str) -> str | None:
    """Why ``name`` is not a valid function or plugin name, or None when it is.

    >>> check_name("hello_world") is None
    True
    >>> check_name("Hello")
    "'Hello' has characters other than lowercase letters, digits, '-' and '_'"
    """
    if not name:
        return "the name is empty"
    if len(name) > MAX_NAME_LENGTH:
        return f"{name!r} is longer than {MAX_NAME_LENGTH} characters"
    if not _NAME.fullmatch(name):
        if name[0] in "-_":
            return f"{name!r} must start with a lowercase letter or a digit"
        return f"{name!r} has characters other than lowercase letters, digits, '-' and '_'"
    return None
