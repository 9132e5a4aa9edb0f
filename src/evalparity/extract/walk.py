"""A read-only walk over a libcst tree that calls a visitor's `visit_<Node>` / `leave_<Node>` methods in the
same order as `CSTNode.visit`, at a fraction of its cost: `CSTNode.visit` rebuilds every node it passes,
even for a visitor that changes nothing. Whitespace, comments, parentheses and punctuation are not
visited (no visitor here looks at them). tests/test_walk.py compares the two on every fixture."""

from __future__ import annotations

import inspect
import re
from typing import Any

import libcst as cst

_VISITED_FIELD = re.compile(r'visit_(?:required|optional|sequence|sentinel|body_sequence|iterable)\(\s*self,\s*"(\w+)"')
TRIVIA_FIELDS = frozenset({"lpar", "rpar", "leading_lines", "lines_after_decorators", "header", "footer",
                           "trailing_whitespace", "comma", "semicolon", "equal", "colon", "dot", "lbracket", "rbracket",
                           "lbrace", "rbrace", "newline", "asynchronous"})
_FIELDS: dict[type, tuple[str, ...]] = {}
_TABLES: dict[type, dict[type, tuple[Any, Any, tuple[str, ...]]]] = {}


def child_fields(cls: type) -> tuple[str, ...]:
    """The fields of a node class that can hold syntax, in the order libcst visits them."""
    fields = _FIELDS.get(cls)
    if fields is None:
        source = inspect.getsource(cls._visit_and_replace_children)
        # dict.fromkeys: a field visited in two branches (`names` of ImportFrom) is named twice
        fields = tuple(name for name in dict.fromkeys(_VISITED_FIELD.findall(source))
                       if name not in TRIVIA_FIELDS and not name.startswith("whitespace"))
        _FIELDS[cls] = fields
    return fields


def walk(node: cst.CSTNode, visitor: object) -> None:
    table = _TABLES.setdefault(type(visitor), {})
    _walk(node, visitor, table)


def _walk(node: cst.CSTNode, visitor: object, table: dict) -> None:
    cls = type(node)
    entry = table.get(cls)
    if entry is None:
        kind, name = type(visitor), cls.__name__
        entry = table[cls] = (getattr(kind, f"visit_{name}", None), getattr(kind, f"leave_{name}", None),
                              child_fields(cls))
    visit, leave, fields = entry
    if visit is None or visit(visitor, node) is not False:
        for name in fields:
            value = getattr(node, name)
            if isinstance(value, cst.CSTNode):
                _walk(value, visitor, table)
            elif isinstance(value, (tuple, list)):
                for item in value:
                    if isinstance(item, cst.CSTNode):
                        _walk(item, visitor, table)
    if leave is not None:
        leave(visitor, node)
