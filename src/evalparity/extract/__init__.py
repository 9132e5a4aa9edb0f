"""Extract: source text of one file → FileFacts. The only stage that touches CST nodes."""

from __future__ import annotations

import ast
import re

import libcst as cst

from ..facts import FileFacts, Location
from ..knowledge import KnowledgeBase
from .build import Builder
from .collector import collect
from .dataflow import add_dataflow_facts
from .positions import Positions

_SPACE = re.compile(r"\s+")


def pipeline_constructor_names(kb: KnowledgeBase) -> set[str]:
    names = {entry.name for entry in kb.all_entries() if entry.kind in ("compose", "factory")}
    datasets = {name for entries in kb.datasets.values() for name in entries}
    return names | datasets | {"Sequential"}


def extract_source(path: str, source: str | bytes, kb: KnowledgeBase) -> FileFacts:
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        return _syntax_error(path, source, exc)
    positions = Positions(module)

    def loc(node) -> Location:
        (line, column), (end_line, end_column) = positions.range(node)
        return Location(path, line, column + 1, end_line, end_column + 1)

    position = positions.start

    def text(node) -> str:
        return _SPACE.sub(" ", module.code_for_node(node)).strip()

    data = collect(module, pipeline_constructor_names(kb))
    facts = Builder(path, data, kb, text, loc, position).build()
    add_dataflow_facts(facts, module, data, kb, text, loc, source)
    facts.lines = tuple(module.code.splitlines())
    return facts


def _syntax_error(path: str, source: str | bytes, exc: cst.ParserSyntaxError) -> FileFacts:
    """libcst's positions for parse errors are often a line late; Python's own parser says where and why."""
    facts = FileFacts(path)
    line, column, message = exc.editor_line, exc.editor_column, exc.message
    try:
        compile(source, path, "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as error:
        if error.lineno:
            line, column, message = error.lineno, max(error.offset or 1, 1), error.msg
    except (ValueError, UnicodeDecodeError) as error:
        message = str(error)
    facts.error = f"syntax error: {message}"
    facts.error_location = Location(path, line, column, line, column)
    return facts
