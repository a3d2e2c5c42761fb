"""What a parsed JSONata expression reads: variables, ``$states`` fields, the context item.

Two users need it. The evaluator binds only what an expression reads, so a state with
a dozen templates does not copy every workflow variable a dozen times. The validator
checks definitions the way AWS does at creation time: Step Functions evaluates an
expression with *no* context item, so ``$``, ``$$`` or a bare field name at the top
level can never read anything and AWS refuses the definition ("Reference to 'phone'
at the top level is not supported."), while the same name inside a predicate, a later
path step or a function body reads whatever that construct supplies and is fine.

The analysis walks the syntax tree jsonata-python builds. "Top level" follows
evaluation: a path's first step, operands, function arguments, array and object
constructors and block members inherit it; later path steps, predicates, sort terms,
grouping and lambda bodies do not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = ["JsonataReferences", "find_references"]

STATES: Final = "states"


@dataclass(frozen=True, slots=True)
class JsonataReferences:
    """What one expression (or, with :meth:`union`, several) reads."""

    variables: frozenset[str] = frozenset()
    """Workflow variables read (``$name`` not bound by the expression itself), without ``$``."""
    names: frozenset[str] = frozenset()
    """Every ``$name`` read as a value, local or not; the evaluator binds these."""
    states_fields: frozenset[str] = frozenset()
    """``$states`` fields read by name: ``input``, ``result``, ``errorOutput``, ``context``."""
    whole_states: bool = False
    """``$states`` is read as a whole (or in a way that does not name the field)."""
    top_level_fields: tuple[str, ...] = ()
    """Bare field names (``*``, ``**`` too) evaluated against the missing context item."""
    uses_context_item: bool = False
    """``$`` or ``$$`` is read at the top level."""

    @staticmethod
    def union(references: Iterable[JsonataReferences]) -> JsonataReferences:
        refs = list(references)
        fields: dict[str, None] = {}
        for ref in refs:
            fields.update(dict.fromkeys(ref.top_level_fields))
        return JsonataReferences(
            variables=frozenset().union(*(r.variables for r in refs)),
            names=frozenset().union(*(r.names for r in refs)),
            states_fields=frozenset().union(*(r.states_fields for r in refs)),
            whole_states=any(r.whole_states for r in refs),
            top_level_fields=tuple(fields),
            uses_context_item=any(r.uses_context_item for r in refs),
        )


def find_references(tree: Any) -> JsonataReferences:
    """Analyse a tree from :func:`sdw.asl.jsonata._engine.parse_expression`."""
    finder = _Finder()
    finder.visit(tree, top=True, scope=frozenset())
    return JsonataReferences(
        variables=frozenset(finder.free),
        names=frozenset(finder.names),
        states_fields=frozenset(finder.states_fields),
        whole_states=finder.whole_states,
        top_level_fields=tuple(dict.fromkeys(finder.top_fields)),
        uses_context_item=finder.context,
    )


# Attributes of a syntax node that hold sub-expressions.
_CHILDREN: Final = (
    "steps",
    "stages",
    "predicate",
    "group",
    "expression",
    "expressions",
    "lhs",
    "rhs",
    "lhs_object",
    "procedure",
    "arguments",
    "body",
    "condition",
    "then",
    "_else",
    "terms",
    "pattern",
    "update",
    "delete",
    "expr",
)
# Children evaluated against the same context as their parent.
_INHERIT_TOP: Final[dict[str, frozenset[str]]] = {
    "binary": frozenset({"lhs", "rhs"}),
    "unary": frozenset({"expression", "expressions", "lhs_object"}),
    "condition": frozenset({"condition", "then", "_else"}),
    "block": frozenset({"expressions"}),
    "bind": frozenset({"rhs"}),
    "function": frozenset({"arguments"}),
    "partial": frozenset({"arguments"}),
    "apply": frozenset({"lhs", "rhs"}),
}


@dataclass
class _Finder:
    names: set[str] = field(default_factory=set)
    free: set[str] = field(default_factory=set)
    states_fields: set[str] = field(default_factory=set)
    whole_states: bool = False
    top_fields: list[str] = field(default_factory=list)
    context: bool = False
    _active: set[int] = field(default_factory=set)

    def visit(self, node: Any, *, top: bool, scope: frozenset[str]) -> None:
        if isinstance(node, list | tuple):
            for item in node:
                self.visit(item, top=top, scope=scope)
            return
        if node is None or not hasattr(node, "type") or id(node) in self._active:
            return
        self._active.add(id(node))
        try:
            self._visit_node(node, top, scope)
        finally:
            self._active.discard(id(node))

    def _visit_node(self, node: Any, top: bool, scope: frozenset[str]) -> None:
        kind = node.type
        if kind == "path":
            self._visit_path(node, top, scope)
        elif kind == "variable":
            self._variable(node, top, scope)
            self._children(node, "variable", False, scope)
        elif kind in ("name", "wildcard", "descendant"):
            if top:
                self.top_fields.append(str(node.value) if kind == "name" else str(node.value or kind))
            self._children(node, kind, False, scope)
        elif kind == "lambda":
            params = frozenset(str(arg.value) for arg in node.arguments or ())
            self.visit(node.body, top=False, scope=scope | params)
        elif kind == "block":
            local = scope
            for member in node.expressions or ():
                self.visit(member, top=top, scope=local)
                if getattr(member, "type", None) == "bind" and getattr(member.lhs, "value", None):
                    local = local | {str(member.lhs.value)}
            self._children(node, kind, False, scope, skip=("expressions",))
        elif kind == "function" or kind == "partial":
            procedure = node.procedure
            if getattr(procedure, "type", None) != "variable":
                self.visit(procedure, top=top, scope=scope)
            self._children(node, kind, top, scope, skip=("procedure",))
        elif kind == "bind":
            self.visit(node.rhs, top=top, scope=scope)
        else:
            self._children(node, kind, top, scope)

    def _children(
        self, node: Any, kind: str, top: bool, scope: frozenset[str], skip: tuple[str, ...] = ()
    ) -> None:
        inherit = _INHERIT_TOP.get(kind, frozenset())
        for name in _CHILDREN:
            if name in skip:
                continue
            child = getattr(node, name, None)
            if child is not None and child is not node:
                self.visit(child, top=top and name in inherit, scope=scope)

    def _variable(self, node: Any, top: bool, scope: frozenset[str]) -> None:
        name = str(node.value or "")
        if name in ("", "$"):
            self.context = self.context or top
        elif name == STATES:
            self.whole_states = True
        else:
            self.names.add(name)
            if name not in scope:
                self.free.add(name)

    def _visit_path(self, node: Any, top: bool, scope: frozenset[str]) -> None:
        steps = list(node.steps or ())
        if not steps:
            return
        first = steps[0]
        if _is_states(first) and len(steps) > 1 and _is_plain_name(steps[1]) and _is_plain(first):
            self.states_fields.add(str(steps[1].value))
        else:
            self.visit(first, top=top, scope=scope)
        for step in steps[1:]:
            self.visit(step, top=False, scope=scope)
        self._children(node, "path", False, scope, skip=("steps",))


def _is_states(node: Any) -> bool:
    return getattr(node, "type", None) == "variable" and node.value == STATES


def _is_plain(node: Any) -> bool:
    return not (
        getattr(node, "stages", None) or getattr(node, "predicate", None) or getattr(node, "group", None)
    )


def _is_plain_name(node: Any) -> bool:
    return getattr(node, "type", None) == "name"
