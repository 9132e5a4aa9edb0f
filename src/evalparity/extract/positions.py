"""Node positions at a fraction of PositionProvider's cost.

libcst's PositionProvider splits every emitted token with a regular expression to track lines and
columns. Here code generation only counts characters; an offset becomes (line, column) through a
table of line starts, and only for the nodes a finding or fact needs. Positions are the same as
PositionProvider's (tests/test_positions.py compares them on every node class and on
fixtures that hold all the syntax of the fixtures).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

import libcst as cst
from libcst._nodes.internal import CodegenState


class _SyntacticPosition:
    """What `record_syntactic_position` returns: a plain context manager (a generator-based one costs more)."""

    __slots__ = ("state", "node", "start_node", "end_node", "start")

    def __init__(self, state: "_OffsetState", node, start_node, end_node) -> None:
        self.state, self.node, self.start_node, self.end_node = state, node, start_node, end_node

    def __enter__(self) -> None:
        self.start = self.state.offset

    def __exit__(self, *exc) -> bool:
        state = self.state
        start = self.start if self.start_node is None else state.span(self.start_node)[0]
        end = state.offset if self.end_node is None else state.span(self.end_node)[1]
        state.spans[id(self.node)] = (start, end)
        return False


@dataclass(frozen=False)
class _OffsetState(CodegenState):
    """Keyed by id(node): the tree outlives the state, and CSTNode.__hash__ is a Python call."""

    spans: dict = field(default_factory=dict)  # syntactic ranges, for nodes whose code has more than their syntax
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
        self.full[id(node)] = (self._stack.pop(), self.offset)

    def span(self, node: cst.CSTNode) -> tuple[int, int]:
        key = id(node)
        return self.spans[key] if key in self.spans else self.full[key]

    def record_syntactic_position(self, node, *, start_node=None, end_node=None) -> _SyntacticPosition:
        return _SyntacticPosition(self, node, start_node, end_node)


# Nodes no fact or finding is ever located at: generated without the bookkeeping around each node (they
# are three fifths of a tree), so they have no position of their own.
_WHITESPACE = (cst.SimpleWhitespace, cst.ParenthesizedWhitespace, cst.TrailingWhitespace, cst.EmptyLine, cst.Newline,
               cst.Comment)


def _bare_codegen(self, state, **kwargs) -> None:
    self._codegen_impl(state, **kwargs)


def _generate(module: cst.Module, state: "_OffsetState") -> None:
    saved = [(kind, kind.__dict__.get("_codegen")) for kind in _WHITESPACE]
    for kind in _WHITESPACE:
        kind._codegen = _bare_codegen
    try:
        module._codegen(state)
    finally:
        for kind, method in saved:
            if method is None:
                del kind._codegen
            else:
                kind._codegen = method


class Positions:
    """(line, column) pairs, 1-based line and 0-based column like libcst's CodePosition; whitespace and
    comment nodes have none."""

    def __init__(self, module: cst.Module) -> None:
        state = _OffsetState(default_indent=module.default_indent, default_newline=module.default_newline)
        _generate(module, state)
        self._state = state
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
        return self._point(self._state.span(node)[0])

    def source(self, node: cst.CSTNode) -> str:
        """The node's code, as `Module.code_for_node` would generate it (up to indentation)."""
        span = self._state.full.get(id(node))
        if span is None:
            return self.module.code_for_node(node)
        text = self.code[span[0]:span[1]]
        if type(node) is cst.If and text.lstrip().startswith("elif"):
            text = text.replace("elif", "if", 1)  # alone, an `elif` branch is generated as an `if`
        return text

    def range(self, node: cst.CSTNode) -> tuple[tuple[int, int], tuple[int, int]]:
        start, end = self._state.span(node)
        return self._point(start), self._point(end)


def _next_newline(code: str, index: int) -> int:
    n = code.find("\n", index)
    r = code.find("\r", index)
    if r < 0:
        return n
    if n < 0:
        return r
    return min(n, r)
