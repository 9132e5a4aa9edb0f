"""Extract: source text of one file → FileFacts. The only stage that touches CST nodes."""

from __future__ import annotations

import re

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from ..facts import FileFacts, Location
from ..knowledge import KnowledgeBase
from .build import Builder, location_of
from .collector import collect

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
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)

    def loc(node) -> Location:
        return location_of(path, positions[node])

    def position(node) -> tuple[int, int]:
        start = positions[node].start
        return start.line, start.column

    def text(node) -> str:
        return _SPACE.sub(" ", module.code_for_node(node)).strip()

    data = collect(module, pipeline_constructor_names(kb))
    facts = Builder(path, data, kb, text, loc, position).build()
    facts.lines = tuple(module.code.splitlines())
    return facts
