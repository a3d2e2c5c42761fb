"""YAML with locations: every error about a YAML file says ``file:line:column``.

PyYAML's SafeLoader builds plain dicts and lists; this loader also remembers where each
node started, keyed by JSON pointer (``/definition/States/Route/Next``), so a validator
that works on plain data can still point at the line a user must edit.

    doc = load_yaml(text, "flows/a.yml")
    doc.data                              # plain dicts, lists, scalars
    doc.locate("/definition/StartAt")     # Location("flows/a.yml", 3, 12)

A pointer with no node of its own (a missing key) resolves to its nearest parent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from sdw.project._errors import ProjectError


@dataclass(frozen=True)
class Location:
    file: str
    line: int  # 1-based
    column: int  # 1-based

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class YamlError(ProjectError):
    """A YAML file that does not parse; ``location`` says where, ``reason`` what is wrong."""

    def __init__(self, message: str, location: Location) -> None:
        self.location = location
        self.reason = message
        super().__init__(f"{location}: {message}")


@dataclass
class YamlDocument:
    data: Any
    file: str
    _marks: dict[str, tuple[int, int]]

    def locate(self, pointer: str) -> Location:
        """The location of the node at ``pointer``, or of its nearest ancestor that has one."""
        path = pointer.rstrip("/") if pointer != "/" else ""
        while True:
            if path in self._marks:
                line, col = self._marks[path]
                return Location(self.file, line, col)
            if not path:
                return Location(self.file, 1, 1)
            path = path.rsplit("/", 1)[0]


def pointer_token(key: Any) -> str:
    """``key`` as one JSON pointer token (RFC 6901: ``~`` -> ``~0``, ``/`` -> ``~1``)."""
    return str(key).replace("~", "~0").replace("/", "~1")


class _Loader(yaml.SafeLoader):
    """SafeLoader that records the start of every node under its JSON pointer.

    Aliases are followed (``<<: *defaults`` is common), but an anchor that contains
    itself (``&a [*a]``) is an error rather than endless recursion, and so is a document
    whose aliases nest into more than ``MAX_VALUES`` values (a "billion laughs").
    """

    MAX_VALUES = 100_000

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.node_marks: dict[str, tuple[int, int]] = {}
        self._open: set[int] = set()  # the collections being built, to catch an anchor inside itself
        self._values = 0

    def construct_located(self, node: yaml.Node, pointer: str) -> Any:
        self.node_marks[pointer] = (node.start_mark.line + 1, node.start_mark.column + 1)
        self._values += 1
        if self._values > self.MAX_VALUES:
            raise YamlError(
                f"the document has more than {self.MAX_VALUES:,} values once its aliases are expanded",
                _loc(node, self.name),
            )
        if not isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            return self.construct_object(node, deep=True)
        if id(node) in self._open:
            raise YamlError("an alias refers to the anchor that contains it", _loc(node, self.name))
        self._open.add(id(node))
        try:
            return self._construct_collection(node, pointer)
        finally:
            self._open.discard(id(node))

    def _construct_collection(self, node: yaml.Node, pointer: str) -> Any:
        if isinstance(node, yaml.MappingNode):
            self.flatten_mapping(node)
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.construct_object(key_node, deep=True)
                if not isinstance(key, str | int | float | bool) and key is not None:
                    raise YamlError("a mapping key must be a plain value", _loc(key_node, self.name))
                if key in result:
                    raise YamlError(f"duplicate key {key!r}", _loc(key_node, self.name))
                child = f"{pointer}/{pointer_token(key)}"
                result[key] = self.construct_located(value_node, child)
                # a key's own mark is more useful than its value's for "unknown key" errors
                self.node_marks[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            return result
        return [self.construct_located(item, f"{pointer}/{i}") for i, item in enumerate(node.value)]


def _loc(node: yaml.Node, name: str) -> Location:
    return Location(name, node.start_mark.line + 1, node.start_mark.column + 1)


def load_yaml(text: str, file: str) -> YamlDocument:
    """Parse one YAML document; raise YamlError with file:line:column when it does not parse."""
    loader = _Loader(text)
    loader.name = file
    try:
        node = loader.get_single_node()
        data = None if node is None else loader.construct_located(node, "")
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(file, mark.line + 1, mark.column + 1) if mark else Location(file, 1, 1)
        raise YamlError(exc.problem or str(exc), where) from None
    except yaml.YAMLError as exc:
        raise YamlError(str(exc), Location(file, 1, 1)) from None
    except RecursionError:
        raise YamlError("the document is nested too deeply to read", Location(file, 1, 1)) from None
    finally:
        loader.dispose()
    return YamlDocument(data, file, loader.node_marks)
