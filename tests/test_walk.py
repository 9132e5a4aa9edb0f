"""extract/walk.py visits the same nodes in the same order as libcst's own CSTNode.visit."""

import libcst as cst
import pytest
from conftest import FIXTURES

from evalparity.extract.walk import walk

ROOT = FIXTURES.parent.parent


# every file; one that libcst cannot parse (a fixture with a syntax error) is skipped by its test, which
# parses it anyway (filtering them here parsed every file at collection, in every xdist worker)
FILES = sorted([*FIXTURES.rglob("*.py"), *(ROOT / "examples").rglob("*.py"), *(ROOT / "src").rglob("*.py")])
TRIVIA = (cst.BaseParenthesizableWhitespace, cst.TrailingWhitespace, cst.EmptyLine, cst.Comment, cst.Newline,
          cst.LeftParen, cst.RightParen, cst.Comma, cst.Semicolon, cst.AssignEqual, cst.Colon, cst.Dot,
          cst.LeftSquareBracket, cst.RightSquareBracket, cst.LeftCurlyBrace, cst.RightCurlyBrace, cst.Asynchronous)
NODE_CLASSES = [c for c in vars(cst).values() if isinstance(c, type) and issubclass(c, cst.CSTNode)]


class LibcstRecorder(cst.CSTVisitor):
    def __init__(self):
        self.events = []

    def on_visit(self, node):
        if not isinstance(node, TRIVIA):
            self.events.append(("visit", id(node)))
        return True

    def on_leave(self, original_node):
        if not isinstance(original_node, TRIVIA):
            self.events.append(("leave", id(original_node)))


class WalkRecorder:
    def __init__(self):
        self.events = []


def _recording(kind):
    def record(self, node):
        if not isinstance(node, TRIVIA):
            self.events.append((kind, id(node)))
    return record


for _cls in NODE_CLASSES:
    setattr(WalkRecorder, f"visit_{_cls.__name__}", _recording("visit"))
    setattr(WalkRecorder, f"leave_{_cls.__name__}", _recording("leave"))


@pytest.mark.parametrize("path", FILES, ids=[p.relative_to(ROOT).as_posix() for p in FILES])
def test_same_nodes_in_the_same_order(path):
    try:
        module = cst.parse_module(path.read_bytes())
    except cst.ParserSyntaxError as error:  # Python parses it, libcst does not: nothing to walk
        pytest.skip(f"libcst cannot parse it: {error.message}")
    expected, actual = LibcstRecorder(), WalkRecorder()
    module.visit(expected)
    walk(module, actual)
    assert actual.events == expected.events


class Pruning:
    def __init__(self):
        self.seen = []

    def visit_FunctionDef(self, node):
        self.seen.append(node.name.value)
        return False

    def leave_FunctionDef(self, node):
        self.seen.append("/" + node.name.value)

    def visit_Name(self, node):
        self.seen.append(node.value)


def test_false_from_visit_skips_the_children_but_not_leave():
    module = cst.parse_module("def outer():\n    inner = 1\nx = 2\n")
    pruning = Pruning()
    walk(module, pruning)
    assert pruning.seen == ["outer", "/outer", "x"]
