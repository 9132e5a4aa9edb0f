"""extract/walk.py visits the same nodes in the same order as libcst's own CSTNode.visit.

Compared on code that holds every node class of libcst (tests/every_syntax.py), and on the files of
tests/syntax_sample.py: scripts/syntax_sample.py chooses them so that, with tests/every_syntax.py, they hold
all the syntax the walk depends on that any fixture, example or source file holds (every node class, every
field the walk descends into set and left empty, every pair of such fields set in one node), in 1 % of the
nodes of all the files."""

import every_syntax
import libcst as cst
import pytest
from conftest import FIXTURES
from syntax_sample import WALK

from evalparity.extract.walk import walk

ROOT = FIXTURES.parent.parent

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


def _same_nodes_in_the_same_order(module):
    expected, actual = LibcstRecorder(), WalkRecorder()
    module.visit(expected)
    walk(module, actual)
    assert actual.events == expected.events


@pytest.mark.parametrize("name", WALK)
def test_same_nodes_in_the_same_order(name):
    _same_nodes_in_the_same_order(cst.parse_module((ROOT / name).read_bytes()))


def test_same_nodes_in_the_same_order_for_every_node_class():
    for module in every_syntax.modules():
        _same_nodes_in_the_same_order(module)


def test_every_syntax_holds_every_node_class_of_libcst():
    """A node class a newer libcst adds fails here until tests/every_syntax.py holds it."""
    seen = set().union(*(every_syntax.classes_in(module) for module in every_syntax.modules()))
    assert sorted(c.__name__ for c in every_syntax.concrete_node_classes() - seen) == []


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
