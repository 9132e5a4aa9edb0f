"""Names in CPython's syntax trees: `F.dropout` → `dropout` (the last name) or `F.dropout` (dotted)."""

from __future__ import annotations

import ast


def last_name(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def dotted_name(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return ""
    parts.append(node.id)
    return ".".join(reversed(parts))


_LEAF_FIELDS = frozenset({"ctx", "op", "ops"})  # Load/Store, operators: leaves that no walk here looks for
_FIELDS: dict[type, tuple[str, ...]] = {}


def walk(root: ast.AST) -> list[ast.AST]:
    """The nodes `ast.walk` yields, in the same (breadth-first) order, as a list, without the expression
    contexts and operators (`ast.Load`, `ast.Add`, …) and at a fraction of the cost."""
    nodes = [root]
    append, extend = nodes.append, nodes.extend
    fields_of, AST = _FIELDS, ast.AST
    index = 0
    while index < len(nodes):
        node = nodes[index]
        index += 1
        fields = fields_of.get(node.__class__)
        if fields is None:
            fields = fields_of[node.__class__] = tuple(f for f in node._fields if f not in _LEAF_FIELDS)
        for name in fields:
            value = getattr(node, name, None)
            if value.__class__ is list:
                extend([item for item in value if isinstance(item, AST)])
            elif isinstance(value, AST):
                append(value)
    return nodes
