"""Extract: source text of one file → FileFacts. The only stage that touches CST nodes."""

from __future__ import annotations

import ast
import re

import libcst as cst
from libcst._nodes.base import CSTNode

from evalparity.extract.build import Builder
from evalparity.extract.collector import collect
from evalparity.extract.dataflow import add_dataflow_facts
from evalparity.extract.handprep import hand_chains
from evalparity.extract.header import import_line
from evalparity.extract.positions import Positions
from evalparity.extract.pretrained import pretrained_uses
from evalparity.extract.summaries import summarise
from evalparity.facts import FileFacts, Location
from evalparity.vocabulary.knowledge import KnowledgeBase

_SPACE = re.compile(r"\s+")
MAX_NESTING = 200  # CPython's own limit on nested brackets
_OPEN, _CLOSE = b"([{", b")]}"
_NOT_BRACKETS = bytes(b for b in range(256) if b not in _OPEN + _CLOSE)


def _nesting(source: str | bytes) -> int:
    """The deepest bracket nesting, counting brackets inside strings too (an overestimate)."""
    data = source.encode("utf-8", "surrogateescape") if isinstance(source, str) else source
    if data.count(b"(") + data.count(b"[") + data.count(b"{") <= MAX_NESTING:
        return 0
    depth = deepest = 0
    for byte in data.translate(None, _NOT_BRACKETS):
        depth += 1 if byte in _OPEN else -1
        deepest = max(deepest, depth)
    return deepest


_UNARY_RUN = re.compile(rb"(?:[-+~][ \t]*){%d}" % MAX_NESTING)


def _too_many_unary(source: str | bytes) -> bool:
    """A run of unary operators (`x = ------1`) deeper than CPython compiles: libcst's parser takes time
    quadratic in its length (20 s for 5000) before the analysis gives up on it anyway."""
    data = source.encode("utf-8", "surrogateescape") if isinstance(source, str) else source
    if data.count(b"-") + data.count(b"+") + data.count(b"~") < MAX_NESTING or not _UNARY_RUN.search(data):
        return False
    try:
        compile(data, "<check>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except RecursionError:
        return True
    except (SyntaxError, ValueError, MemoryError):
        return False
    return False


def pipeline_constructor_names(kb: KnowledgeBase) -> set[str]:
    names = {entry.name for entry in kb.all_entries() if entry.kind in ("compose", "factory")}
    datasets = {name for entries in kb.datasets.values() for name in entries}
    return names | datasets | {"Sequential"}


def _unchecked(self) -> None:
    pass


def parse_module(source: str | bytes) -> cst.Module:
    """`libcst.parse_module` without validating each node as it is built: CSTNode.__post_init__ checks
    the fields of every node made by hand, which a tree straight from the parser always satisfies; it is
    a fifth of the parse. (Nodes made in another thread during a parse are not validated either.)"""
    validate = CSTNode.__dict__["__post_init__"]
    CSTNode.__post_init__ = _unchecked
    try:
        return cst.parse_module(source)
    finally:
        CSTNode.__post_init__ = validate


def extract_source(path: str, source: str | bytes, kb: KnowledgeBase) -> FileFacts:
    if _nesting(source) > MAX_NESTING and not _compiles(source):
        # libcst's native parser can crash the process on extreme nesting, which CPython refuses anyway
        return _syntax_error(path, source, None)
    if _too_many_unary(source):
        raise RecursionError("unary operators nested too deeply")  # reported as too complex
    legacy = None
    try:
        module = parse_module(source)
    except cst.ParserSyntaxError as exc:
        rewritten, legacy = _as_python36(source)
        try:
            module = parse_module(rewritten) if legacy is not None else None
        except (cst.ParserSyntaxError, UnicodeDecodeError):
            module = None
        if module is None:
            return _syntax_error(path, source, exc)
    except UnicodeDecodeError as exc:
        return _decode_error(path, source, exc)
    positions = Positions(module)

    def loc(node) -> Location:
        (line, column), (end_line, end_column) = positions.range(node)
        return Location(path, line, column + 1, end_line, end_column + 1)

    position = positions.start

    def text(node) -> str:
        return _SPACE.sub(" ", positions.source(node)).strip()

    data = collect(module, pipeline_constructor_names(kb))
    builder = Builder(path, data, kb, text, loc, position)
    facts, datasets = builder.build()
    facts.hand_chains = hand_chains(path, source, module, data, kb, builder.folder, builder.steps, text, loc,
                                    facts.pipelines)
    facts.transform_summaries = summarise(builder, datasets)
    add_dataflow_facts(facts, module, data, kb, text, loc, source)
    if data.pretrained_calls:
        facts.pretrained = pretrained_uses(path, data, builder.folder, text, loc, positions.code)
    facts.lines = tuple(positions.code.splitlines())
    facts.import_line = import_line(module, positions)
    _unlink(data.module_scope)
    if legacy is not None:
        facts.legacy = "`async` as a keyword argument (parsed as Python 3.6)"
        facts.legacy_location = Location(path, *legacy, legacy[0], legacy[1] + len("async"))
    return facts


def _unlink(module_scope) -> None:
    """Cut the links between scopes (a scope's parent, the binding that defines a child scope): they form
    cycles that hold the whole syntax tree, which then waits for the cyclic garbage collector to scan and
    free it instead of going the moment extraction is done. The facts keep no scope."""
    todo = [module_scope]
    while todo:
        scope = todo.pop()
        scope.parent = None
        for bindings in scope.bindings.values():
            for binding in bindings:
                binding.scope = None
                if binding.defines is not None:
                    todo.append(binding.defines)
                    binding.defines = None


_ASYNC_ARGUMENT = re.compile(rb"(?<![\w.])async(?=\s*=[^=])")


def _as_python36(source: str | bytes) -> tuple[str | bytes, tuple[int, int] | None]:
    """Old PyTorch code passes `async=True` (`x.cuda(async=True)`), which Python 3.7 made a syntax error:
    the same source with a name of the same length there, so every position stays exact, and the line
    and column of the first one; (source, None) when there is none."""
    data = source.encode("utf-8", "surrogateescape") if isinstance(source, str) else source
    found = _ASYNC_ARGUMENT.search(data)
    if found is None:
        return source, None
    rewritten = _ASYNC_ARGUMENT.sub(b"asyn_", data)
    line = data.count(b"\n", 0, found.start()) + 1
    column = found.start() - (data.rfind(b"\n", 0, found.start()) + 1) + 1
    try:
        compile(data, "<check>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as error:  # where Python stops: the first `async=` in code, not in a string
        if error.lineno and error.offset:
            line, column = error.lineno, error.offset
    except (ValueError, MemoryError, RecursionError):
        pass
    if isinstance(source, str):
        return rewritten.decode("utf-8", "surrogateescape"), (line, column)
    return rewritten, (line, column)


def _decode_error(path: str, source: str | bytes, exc: UnicodeDecodeError) -> FileFacts:
    facts = FileFacts(path)
    data = source if isinstance(source, bytes) else b""
    line = data[: exc.start].count(b"\n") + 1
    column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
    facts.error = f"cannot decode the file as {exc.encoding}: {exc.reason} (byte {data[exc.start:exc.start + 1]!r})"
    facts.error_location = Location(path, line, column, line, column)
    return facts


def _compiles(source: str | bytes) -> bool:
    try:
        compile(source, "<check>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
        return True
    except (SyntaxError, ValueError, UnicodeDecodeError, MemoryError, RecursionError):
        return False


def _syntax_error(path: str, source: str | bytes, exc: cst.ParserSyntaxError | None) -> FileFacts:
    """libcst's positions for parse errors are often a line late; Python's own parser says where and why."""
    facts = FileFacts(path)
    if exc is not None:
        line, column, message = exc.editor_line, exc.editor_column, exc.message
    else:
        line, column, message = 1, 1, "brackets nested too deeply"
    try:
        compile(source, path, "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as error:
        if error.lineno:
            line, column, message = error.lineno, max(error.offset or 1, 1), error.msg
    except (ValueError, UnicodeDecodeError, MemoryError, RecursionError) as error:
        message = str(error) or type(error).__name__
    facts.error = f"syntax error: {message}"
    facts.error_location = Location(path, line, column, line, column)
    return facts
