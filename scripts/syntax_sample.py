"""Choose the source files tests/test_walk.py and tests/test_positions.py compare with libcst, and write them
to tests/syntax_sample.py.

Comparing our walk and positions with libcst's own on every source file of the repository took a third of the
test suite's time, and most files add nothing: the walk's behaviour is decided by each node class's fields
(extract/walk.py reads their order from libcst), the positions' by each node class's code generation and the
whitespace around it. So each file is described by the syntax it contains, and a greedy set cover keeps the
files that together contain all the syntax any file contains and tests/every_syntax.py (compared too) does
not, cheapest first:

- walk: every node class; every field the walk descends into, set and left empty or None, per class; every pair
  of such fields set in one node (their visiting order). Not the class of the child in each field: the walk
  does the same for any child (it reads each class's fields from libcst, and a child's class only chooses
  that class's entry, which "every node class" covers); counting it kept four times as many nodes.
- positions: every node class; every field set, over all fields, whitespace, comments and punctuation
  included; every node class with parentheses of its own; files with CRLF, a lone CR, a tab, a backslash
  continuation, non-ASCII text. Not the class of the child either: positions come from libcst's own code
  generation, which emits a child the same way in any field; what moves a position is the text before it
  (line ends, tabs, continuations, wide characters), and those are features of their own.

A file's cost is its number of nodes (plus a constant per file, the test's own setup). Rerun after adding
fixtures or code with syntax the repository did not use yet:

    .venv/bin/python scripts/syntax_sample.py           # rewrites tests/syntax_sample.py, prints the coverage
"""

from __future__ import annotations

import sys
from pathlib import Path

import libcst as cst

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from evalparity.extract.walk import TRIVIA_FIELDS  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"


def walk_files() -> list[Path]:
    return sorted([*FIXTURES.rglob("*.py"), *(ROOT / "examples").rglob("*.py"), *(ROOT / "src").rglob("*.py")])


def position_files() -> list[Path]:
    """Fixtures and examples: the code positions are reported in (EP901's files that do not parse left out)."""
    paths = sorted(FIXTURES.rglob("*.py")) + sorted((ROOT / "examples").rglob("*.py"))
    return [p for p in paths if "EP901" not in p.parts or p.name.startswith("ok_")]


def _children(value) -> list[cst.CSTNode]:
    if isinstance(value, (list, tuple)):
        return [item for item in value if isinstance(item, cst.CSTNode)]
    return [value] if isinstance(value, cst.CSTNode) else []


def _walked(field: str) -> bool:
    return field not in TRIVIA_FIELDS and not field.startswith("whitespace")


def features(module: cst.Module) -> tuple[set, set, int]:
    """(walk features, position features, number of nodes) of a parsed module."""
    walk, position, count, stack = set(), set(), 0, [module]
    while stack:
        node = stack.pop()
        count += 1
        kind = type(node).__name__
        walk.add(("class", kind))
        position.add(("class", kind))
        if getattr(node, "lpar", None):
            position.add(("parenthesized", kind))
        present = []
        for field in node.__dataclass_fields__:
            children = _children(getattr(node, field))
            stack.extend(children)
            if children:
                position.add(("field", kind, field))
            if not _walked(field):
                continue
            if not children:
                walk.add(("empty", kind, field))
                continue
            walk.add(("field", kind, field))
            present.append(field)
        walk.update(("order", kind, first, second) for i, first in enumerate(present) for second in present[i + 1:])
    code = module.code
    for name, there in (("crlf", "\r\n" in code), ("lone cr", "\r" in code.replace("\r\n", "")),
                        ("tab", "\t" in code), ("backslash", "\\\n" in code or "\\\r" in code),
                        ("non-ascii", not code.isascii())):
        if there:
            position.add(("text", name))
    return walk, position, count


def given() -> tuple[set, set]:
    """(walk features, position features) of the code both tests compare besides the sample:
    tests/every_syntax.py's modules, the positions' also with CRLF and lone-CR line ends."""
    sys.path.insert(0, str(ROOT / "tests"))
    import every_syntax

    walk, position = set(), set()
    for module in every_syntax.modules():
        found = features(module)
        walk |= found[0]
        position |= found[1]
    return walk, position | {("text", "crlf"), ("text", "lone cr")}


def cover(described: dict[str, tuple[set, int]], covered: set) -> tuple[list[str], int]:
    """Greedy set cover: repeatedly the file with the most features not yet covered per node."""
    left = set().union(*(found for found, _ in described.values())) - covered
    universe, chosen = len(left), []
    while left:
        best = max(sorted(described), key=lambda name: len(described[name][0] & left) / (described[name][1] + 50))
        chosen.append(best)
        left -= described[best][0]
    return sorted(chosen), universe


def main() -> None:
    walks, positions = {}, {}
    position_names = {p.relative_to(ROOT).as_posix() for p in position_files()}
    for path in walk_files():
        try:
            module = cst.parse_module(path.read_bytes())
        except cst.ParserSyntaxError:
            continue
        name = path.relative_to(ROOT).as_posix()
        walk, position, count = features(module)
        walks[name] = (walk, count)
        if name in position_names:
            positions[name] = (position, count)
    lines = ['"""Generated by scripts/syntax_sample.py (its docstring says how the files are chosen): the source',
             'files whose syntax, with tests/every_syntax.py\'s, is all the syntax of the repository\'s files. Do not',
             'edit by hand; rerun the script when a file named here is moved or deleted (its test then fails), or new',
             'syntax is added."""',
             ""]
    walk_given, position_given = given()
    for title, described, covered in (("WALK", walks, walk_given), ("POSITIONS", positions, position_given)):
        chosen, universe = cover(described, covered)
        nodes, total = sum(described[n][1] for n in chosen), sum(count for _, count in described.values())
        print(f"{title}: {len(chosen)} of {len(described)} files, {universe} features, "
              f"{nodes} of {total} nodes ({nodes / total:.0%})")
        lines += [f"# {len(chosen)} of {len(described)} files, {universe} features, {nodes / total:.0%} of the nodes",
                  f"{title} = ["] + [f'    "{name}",' for name in chosen] + ["]", ""]
    (ROOT / "tests" / "syntax_sample.py").write_text("\n".join(lines))


if __name__ == "__main__":
    main()
