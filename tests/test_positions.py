"""extract/positions.py gives exactly libcst's PositionProvider ranges, node for node."""

import libcst as cst
import pytest
from conftest import EXAMPLES, FIXTURES
from libcst._nodes.base import CSTCodegenError
from libcst.metadata import MetadataWrapper, PositionProvider

from evalparity.extract.positions import _WHITESPACE, Positions


class _Ranges(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self):
        self.ranges = {}

    def on_visit(self, node):
        self.ranges[node] = self.get_metadata(PositionProvider, node)
        return True


def _sources():
    paths = sorted(FIXTURES.rglob("*.py")) + sorted(EXAMPLES.rglob("*.py"))
    return [p for p in paths if "EP901" not in p.parts or p.name.startswith("ok_")]


def _parsed(path):
    """(module, libcst's ranges of every node, our Positions)."""
    module = cst.parse_module(path.read_bytes())
    visitor = _Ranges()
    MetadataWrapper(module, unsafe_skip_copy=True).visit(visitor)
    return module, visitor.ranges, Positions(module)


@pytest.fixture(scope="module", params=_sources(), ids=lambda p: p.name)
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
