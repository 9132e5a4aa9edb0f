"""extract/positions.py gives exactly libcst's PositionProvider ranges, node for node.

Compared on code that holds every node class of libcst (tests/every_syntax.py), and on the files of
tests/syntax_sample.py: scripts/syntax_sample.py chooses them among the fixtures and examples so that, with
tests/every_syntax.py, they hold all the syntax any of them holds (every node class, every field set,
whitespace, comments and punctuation included, every node class in parentheses of its own, CRLF, lone CR,
tabs, backslash continuations, non-ASCII text), in 1 % of their nodes."""

import every_syntax
import libcst as cst
import pytest
from conftest import FIXTURES
from libcst._nodes.base import CSTCodegenError
from libcst.metadata import MetadataWrapper, PositionProvider
from syntax_sample import POSITIONS

from evalparity.extract.positions import _WHITESPACE, Positions


class _Ranges(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self):
        self.ranges = {}

    def on_visit(self, node):
        self.ranges[node] = self.get_metadata(PositionProvider, node)
        return True


ROOT = FIXTURES.parent.parent
# the sample, and the code with every node class (NEWEST_SYNTAX: if this libcst parses it), also with the
# line ends of Windows and of old Macs (no file of the repository ends its lines with a lone CR)
SOURCES = [*POSITIONS, "EVERY_SYNTAX", "NEWEST_SYNTAX", "EVERY_SYNTAX CRLF", "EVERY_SYNTAX CR"]


def _parsed(name):
    """(module, libcst's ranges of every node, our Positions)."""
    if name.startswith(("EVERY_SYNTAX", "NEWEST_SYNTAX")):
        source, _, newline = name.partition(" ")
        source = getattr(every_syntax, source).replace("\n", {"": "\n", "CRLF": "\r\n", "CR": "\r"}[newline])
        try:
            module = cst.parse_module(source)
        except cst.ParserSyntaxError as error:
            pytest.skip(f"this libcst does not parse it: {error.message}")
    else:
        module = cst.parse_module((ROOT / name).read_bytes())
    visitor = _Ranges()
    MetadataWrapper(module, unsafe_skip_copy=True).visit(visitor)
    return module, visitor.ranges, Positions(module)


@pytest.fixture(scope="module", params=SOURCES)
def parsed(request):
    """Parsed once per file for both tests below (pytest runs a file's two tests one after the other)."""
    return _parsed(request.param)


def test_same_ranges_as_position_provider(parsed):
    _, ranges, mine = parsed
    for node, expected in ranges.items():
        if isinstance(node, (cst.Module, *_WHITESPACE)):
            continue
        start, end = mine.range(node)
        assert (start, end) == ((expected.start.line, expected.start.column),
                                (expected.end.line, expected.end.column)), type(node).__name__


def _collapsed(text):
    return " ".join(text.split())


def test_node_source_matches_code_for_node(parsed):
    """Node texts come from the one code generation that positions need, not one generation per node."""
    module, ranges, mine = parsed
    assert mine.code == module.code
    for node in ranges:
        try:
            expected = module.code_for_node(node)
        except CSTCodegenError:  # libcst cannot generate some nodes alone (an annotation's default indicator)
            continue
        assert _collapsed(mine.source(node)) == _collapsed(expected), type(node).__name__


def test_whitespace_has_no_position_and_libcst_keeps_its_own():
    """Whitespace is generated without bookkeeping only while positions are computed: libcst's own
    PositionProvider, asked afterwards, still locates every whitespace node."""
    module = cst.parse_module((FIXTURES / "EP101" / "names.py").read_bytes())
    mine = Positions(module)
    space = next(node for node in _all_nodes(module) if isinstance(node, cst.SimpleWhitespace))
    with pytest.raises(KeyError):
        mine.range(space)
    theirs = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    assert space in theirs


def _all_nodes(node):
    yield node
    for child in node.children:
        yield from _all_nodes(child)
