"""Extract: source text of one file → FileFacts. The only stage that touches CST nodes."""

from __future__ import annotations

import re

import libcst as cst

from ..facts import FileFacts, Location
from ..knowledge import KnowledgeBase
from .build import Builder
from .collector import collect
from .positions import Positions

_SPACE = re.compile(r"\s+")


def pipeline_constructor_names(kb: KnowledgeBase) -> set[str]:
    names = {entry.name for entry in kb.all_entries() if entry.kind in ("compose", "factory")}
    return names | {"Sequential"}


def extract_source(path: str, source: str | bytes, kb: KnowledgeBase) -> FileFacts:
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        facts = FileFacts(path)
        facts.error = f"syntax error: {exc.message}"
        facts.error_location = Location(path, exc.raw_line, exc.raw_column + 1, exc.raw_line, exc.raw_column + 1)
        return facts
    positions = Positions(module)

    def loc(node) -> Location:
        (line, column), (end_line, end_column) = positions.range(node)
        return Location(path, line, column + 1, end_line, end_column + 1)

    position = positions.start

    def text(node) -> str:
        return _SPACE.sub(" ", module.code_for_node(node)).strip()

    data = collect(module, pipeline_constructor_names(kb))
    facts = Builder(path, data, kb, text, loc, position).build()
    facts.lines = tuple(module.code.splitlines())
    return facts
