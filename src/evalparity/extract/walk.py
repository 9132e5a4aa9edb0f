"""A read-only walk over a libcst tree that calls a visitor's `visit_<Node>` / `leave_<Node>` methods in the
same order as `CSTNode.visit`, at a fraction of its cost: `CSTNode.visit` rebuilds every node it passes,
even for a visitor that changes nothing. Whitespace, comments, parentheses and punctuation are not
visited (no visitor here looks at them). tests/test_walk.py compares the two on every node class
and on files that hold all the syntax of the repository's files."""

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


def _subclasses(cls: type) -> set[type]:
    found = {cls}
    for sub in cls.__subclasses__():
        found |= _subclasses(sub)
    return found


# membership in a set instead of isinstance: CSTNode is an abstract base class, whose checks are slow
NODE_KINDS = frozenset(_subclasses(cst.CSTNode))


def walk(node: cst.CSTNode, visitor: object) -> None:
    table = _TABLES.setdefault(type(visitor), {})
    _walk(node, visitor, table, _entry(table, type(visitor), type(node)))


def _entry(table: dict, kind: type, cls: type) -> tuple:
    """(visit, leave, child fields) of a visitor class for a node class; None when there is nothing to do
    (no method for it and no syntax below it), so the walk does not even descend."""
    name = cls.__name__
    visit, leave, fields = getattr(kind, f"visit_{name}", None), getattr(kind, f"leave_{name}", None), child_fields(cls)
    entry = table[cls] = None if visit is None and leave is None and not fields else (visit, leave, fields)
    return entry


def _walk(node: cst.CSTNode, visitor: object, table: dict, entry: tuple | None) -> None:
    if entry is None:
        return
    visit, leave, fields = entry
    if visit is None or visit(visitor, node) is not False:
        for name in fields:
            value = getattr(node, name)
            kind = type(value)
            if kind is tuple or kind is list:
                for item in value:
                    cls = type(item)
                    if cls in NODE_KINDS:
                        child = table[cls] if cls in table else _entry(table, type(visitor), cls)
                        if child is not None:
                            _walk(item, visitor, table, child)
            elif kind in NODE_KINDS:
                child = table[kind] if kind in table else _entry(table, type(visitor), kind)
                if child is not None:
                    _walk(value, visitor, table, child)
    if leave is not None:
        leave(visitor, node)
