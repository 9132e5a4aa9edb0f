"""Node positions at a fraction of PositionProvider's cost.

libcst's PositionProvider splits every emitted token with a regular expression to track lines and
columns. Here code generation only counts characters; an offset becomes (line, column) through a
table of line starts, and only for the nodes a finding or fact needs. Positions are the same as
PositionProvider's (tests/test_positions.py compares them on every fixture).
"""

from __future__ import annotations

from bisect import bisect_right
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

import libcst as cst
from libcst._nodes.internal import CodegenState


@dataclass(frozen=False)
class _OffsetState(CodegenState):
    spans: dict = field(default_factory=dict)
    full: dict = field(default_factory=dict)  # the whole code of each node, parentheses and leading lines included
    offset: int = 0
    _stack: list = field(default_factory=list)

    def add_indent_tokens(self) -> None:
        self.tokens.extend(self.indent_tokens)
        for token in self.indent_tokens:
            self.offset += len(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        self.offset += len(value)

    def before_codegen(self, node: cst.CSTNode) -> None:
        self._stack.append(self.offset)

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self._stack.pop()
        self.full[node] = (start, self.offset)
        if node not in self.spans:
            self.spans[node] = (start, self.offset)

    @contextmanager
    def record_syntactic_position(self, node, *, start_node=None, end_node=None) -> Iterator[None]:
        start = self.offset
        try:
            yield
        finally:
            end = self.offset
            if start_node is not None:
                start = self.spans[start_node][0]
            if end_node is not None:
                end = self.spans[end_node][1]
            self.spans[node] = (start, end)


class Positions:
    """(line, column) pairs, 1-based line and 0-based column like libcst's CodePosition."""

    def __init__(self, module: cst.Module) -> None:
        state = _OffsetState(default_indent=module.default_indent, default_newline=module.default_newline)
        module._codegen(state)
        self._spans = state.spans
        self._full = state.full
        self.module = module
        self.code = code = "".join(state.tokens)
        starts = [0]
        index = 0
        while True:
            newline = _next_newline(code, index)
            if newline < 0:
                break
            index = newline + (2 if code.startswith("\r\n", newline) else 1)
            starts.append(index)
        self._starts = starts

    def _point(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1]

    def start(self, node: cst.CSTNode) -> tuple[int, int]:
        return self._point(self._spans[node][0])

    def source(self, node: cst.CSTNode) -> str:
        """The node's code, as `Module.code_for_node` would generate it (up to indentation)."""
        span = self._full.get(node)
        if span is None:
            return self.module.code_for_node(node)
        text = self.code[span[0]:span[1]]
        if isinstance(node, cst.If) and text.lstrip().startswith("elif"):
            text = text.replace("elif", "if", 1)  # alone, an `elif` branch is generated as an `if`
        return text

    def range(self, node: cst.CSTNode) -> tuple[tuple[int, int], tuple[int, int]]:
        start, end = self._spans[node]
        return self._point(start), self._point(end)


def _next_newline(code: str, index: int) -> int:
    n = code.find("\n", index)
    r = code.find("\r", index)
    if r < 0:
        return n
    if n < 0:
        return r
    return min(n, r)
