"""Property tests (hypothesis, with the fixed `ci` profile of conftest.py): value comparison and constant
folding, suppression comments, baselines, notebook line mapping, SARIF escaping. Each property states what
must hold for every input, not for the handful of examples a fixture has room for."""

import json
import string

import libcst as cst
from hypothesis import assume, given
from hypothesis import strategies as st

from evalparity import baseline
from evalparity.checks.normalize_mismatch import _scaled_255
from evalparity.discovery.notebooks import notebook_source
from evalparity.extract.collector import collect
from evalparity.extract.folding import Folder
from evalparity.facts import Location
from evalparity.findings import Finding
from evalparity.report.sarif import _escape
from evalparity.suppress import Suppressions
from evalparity.vocabulary.values import close, const, equal, numbers, same_numbers, unknown

# ---- values: tolerant equality, the ×255 guard, unknowns ---------------------------------------------

stat = st.floats(min_value=0.01, max_value=1.0, allow_nan=False)
channels = st.lists(stat, min_size=1, max_size=4).map(tuple)
expressions = st.text(string.ascii_lowercase + "._[]'", min_size=1, max_size=12)


@given(channels, channels)
def test_equality_of_constants_is_symmetric_and_reflexive(a, b):
    assert equal(const(a), const(a)) is True
    assert equal(const(a), const(b)) is equal(const(b), const(a))
    assert equal(const(a), const(b)) in (True, False)  # two constants: always a verdict


@given(channels)
def test_a_scalar_broadcasts_over_channels(a):
    assert same_numbers((a[0],), (a[0],) * 3)
    assert same_numbers(a, a[:1]) is all(close(x, a[0]) for x in a)


@given(channels)
def test_the_same_statistics_on_the_0_255_scale_are_not_a_mismatch(a):
    scaled = tuple(x * 255 for x in a)
    assert _scaled_255(const(a), const(scaled)) and _scaled_255(const(scaled), const(a))


@given(channels, st.floats(min_value=0.05, max_value=0.5))
def test_statistics_off_by_more_than_the_tolerance_are_different(a, shift):
    other = tuple(x + shift for x in a)
    assert equal(const(a), const(other)) is False
    assert not _scaled_255(const(a), const(other))


@given(expressions, expressions, channels)
def test_unknown_values_are_never_a_mismatch(x, y, a):
    # two run-time expressions, however different, are never provably different; nor one against a constant
    assert equal(unknown(x), unknown(y)) in (True, None)
    assert equal(unknown(x), unknown(x)) is True
    assert equal(unknown(x), const(a)) is None and equal(const(a), unknown(x)) is None
    assert numbers(unknown(x)) is None and not _scaled_255(unknown(x), const(a))


# ---- folding: literal arithmetic folds to what Python computes ----------------------------------------

def _fold(source: str):
    module = cst.parse_module(source)
    data = collect(module, set())
    folder = Folder(lambda n: module.code_for_node(n), lambda n: Location("f.py", 1, 1, 1, 1), lambda q: None)
    return folder.fold(cst.Name("x"), data.module_scope)


literals = st.one_of(st.integers(min_value=1, max_value=300), st.sampled_from(["0.5", "0.229", "123.675", "255"]))


@st.composite
def arithmetic(draw, depth=2):
    if depth == 0 or draw(st.booleans()):
        return str(draw(literals))
    op = draw(st.sampled_from(["+", "-", "*", "/"]))
    return f"({draw(arithmetic(depth - 1))} {op} {draw(arithmetic(depth - 1))})"


@given(arithmetic(), st.integers(min_value=1, max_value=3))
def test_literal_arithmetic_folds_to_its_value(expr, n):
    try:
        expected = eval(expr)  # noqa: S307 (generated arithmetic on literals only)
    except ZeroDivisionError:
        assume(False)
    value = _fold(f"x = {expr}")
    assert value.is_const and close(float(value.const), expected)
    # a tuple of it, repeated, through a name
    value = _fold(f"m = ({expr},) * {n}\nx = m")
    assert value.is_const and len(value.const) == n and all(close(float(v), expected) for v in value.const)


@given(st.lists(st.sampled_from(["0.485", "0.456", "0.406", "123.675", "1"]), min_size=1, max_size=4))
def test_a_division_by_255_folds_elementwise(items):
    value = _fold("import numpy as np\nx = np.array([" + ", ".join(items) + "]) / 255")
    assert value.is_const and same_numbers(numbers(value), tuple(float(v) / 255 for v in items))


# ---- suppression comments -----------------------------------------------------------------------------

codes = st.lists(st.sampled_from(["EP101", "EP2", "EP501", "EP4", "E501", "EP902"]), min_size=1, max_size=4,
                 unique=True)
separators = st.sampled_from([",", ", ", " ", " , "])


def _finding(code, line):
    return Finding(code, "m", Location("a.py", line, 1, line, 5))


@given(codes, separators, st.sampled_from(["noqa", "NOQA", "NoQa"]), st.integers(min_value=1, max_value=6),
       st.integers(min_value=1, max_value=6), st.sampled_from(["EP101", "EP203", "EP501", "EP404", "EP902"]))
def test_a_line_noqa_suppresses_exactly_its_codes_on_exactly_its_line(listed, sep, word, at, line, code):
    lines = ["x = 1"] * 6
    lines[at - 1] = f"x = 1  # {word}: {sep.join(listed)}"
    comments = Suppressions("a.py", lines)
    assert comments.suppress(_finding(code, line)) is (line == at and any(code.startswith(c) for c in listed))


@given(st.integers(min_value=1, max_value=6), st.integers(min_value=1, max_value=6))
def test_a_bare_noqa_suppresses_every_code_on_its_line_only(at, line):
    lines = ["x = 1"] * 6
    lines[at - 1] = "x = 1  # noqa"
    assert Suppressions("a.py", lines).suppress(_finding("EP101", line)) is (line == at)


@given(codes, separators, st.integers(min_value=1, max_value=6))
def test_a_file_level_noqa_suppresses_its_codes_on_every_line(listed, sep, line):
    lines = ["# evalparity: noqa: " + sep.join(listed), "x = 1", "y = 2", "z = 3", "w = 4", "v = 5"]
    comments = Suppressions("a.py", lines)
    for code in ("EP101", "EP203", "EP501"):
        assert comments.suppress(_finding(code, line)) is any(code.startswith(c) for c in listed)


@given(codes, st.integers(min_value=1, max_value=3))
def test_noqa_inside_a_string_is_not_a_comment(listed, line):
    lines = ['a = "# noqa: ' + ", ".join(listed) + '"', "b = '# evalparity: noqa'", "c = 3"]
    assert not Suppressions("a.py", lines).suppress(_finding(listed[0] if listed[0].startswith("EP") else "EP101",
                                                             line))


# ---- baselines ----------------------------------------------------------------------------------------

@st.composite
def findings(draw):
    count = draw(st.integers(min_value=0, max_value=6))
    made = []
    for _ in range(count):
        code = draw(st.sampled_from(["EP101", "EP201", "EP404"]))
        path = draw(st.sampled_from(["a.py", "sub/b.py", "c d.py"]))
        content = draw(st.sampled_from(["p1", "p2", "p3"]))
        line = draw(st.integers(min_value=1, max_value=50))
        made.append(Finding(code, f"message {content}", Location(path, line, 1, line, 2), content_print=content))
    return made


@given(findings(), findings())
def test_a_baseline_hides_what_it_was_written_from_and_nothing_else(tmp_path_factory, old, new):
    folder = tmp_path_factory.mktemp("baseline")
    path = folder / "baseline.json"
    for f in old + new:
        f.location = Location(str(folder / f.location.path), f.location.line, 1, f.location.line, 2)
    baseline.write(path, old)
    known = baseline.load(path)
    assert baseline.apply(old, known) == ([], len(old))  # today's findings are all accepted
    shown, hidden = baseline.apply(old + new, known)
    assert shown == new and hidden == len(old)  # counted, not merged: the new ones all show
    # lines moved: the fingerprints do not contain them
    moved = [Finding(f.code, f.message, Location(f.location.path, f.location.line + 7, 1, f.location.line + 7, 2),
                     content_print=f.content_print) for f in old]
    assert baseline.apply(moved, known) == ([], len(old))
    assert json.loads(path.read_text())["version"] == baseline.VERSION


# ---- notebooks: each line of the joined module maps back to its cell and line ---------------------------

cell_line = st.text(string.ascii_letters + string.digits + " =()+#'", max_size=20).filter(lambda s: "\n" not in s)
cells = st.lists(st.tuples(st.sampled_from(["code", "markdown"]), st.lists(cell_line, min_size=1, max_size=4)),
                 min_size=1, max_size=5)


@given(cells, st.sampled_from([None, 1, 2]))
def test_notebook_lines_map_back_to_their_cell_and_line(layout, indent):
    notebook = {"cells": [{"cell_type": kind, "metadata": {}, "source": [line + "\n" for line in lines]}
                          for kind, lines in layout],
                "metadata": {"kernelspec": {"language": "python"}}, "nbformat": 4, "nbformat_minor": 5}
    text = json.dumps(notebook, indent=indent)
    source = notebook_source(text)
    joined = source.code.splitlines()
    expected = [(number, index, line) for number, (kind, lines) in enumerate(layout, 1) if kind == "code"
                for index, line in enumerate(lines, 1)]
    assert len(joined) == len(expected)
    for at, (number, index, line) in enumerate(expected, 1):
        assert source.locate(at) == (number, index)
        assert joined[at - 1] == line
        raw = source.raw_line(at)
        assert 1 <= raw <= len(text.splitlines())
        if indent is not None:  # one source string per line of the file: the mapping is exact
            assert json.dumps(line + "\n") in text.splitlines()[raw - 1]
    assert source.locate(len(joined) + 1) is None


# ---- SARIF: brackets are escaped so that only the links are links ------------------------------------

@given(st.text(alphabet=string.ascii_letters + "[]()\\ '\"`", max_size=40))
def test_sarif_escaping_leaves_no_bare_bracket_and_can_be_undone(text):
    escaped = _escape(text)
    unescaped, i = [], 0
    while i < len(escaped):
        if escaped[i] == "\\":
            assert escaped[i + 1] in "\\[]"  # only these are escaped
            unescaped.append(escaped[i + 1])
            i += 2
        else:
            assert escaped[i] not in "[]"
            unescaped.append(escaped[i])
            i += 1
    assert "".join(unescaped) == text
