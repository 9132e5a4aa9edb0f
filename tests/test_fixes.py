"""Per-fix fixtures: tests/fixes/<CODE>/<case>.in.py is fixed with `check --fix` (and `--unsafe-fixes`
for the unsafe rules) and must then equal <case>.out.py byte for byte. A folder is one multi-file case:
its .in.py/.out.py pairs are compared, its other files must stay as they were."""

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT

from evalparity.cli import cli

FIXES = ROOT / "tests" / "fixes"
SAFE = {"EP401", "EP405", "EP504"}


def _cases():
    cases = []
    for code in sorted(p for p in FIXES.iterdir() if p.is_dir()):
        for item in sorted(code.iterdir()):
            if item.is_dir() or item.name.endswith(".in.py"):
                cases.append(item)
    return cases


CASES = _cases()


def _stage(case, tmp_path):
    """Copy a case into tmp_path (`x.in.py` → `x.py`; a folder with its sub-folders, which may be packages);
    return {staged file: expected bytes}."""
    expected = {}
    if case.is_dir():
        sources = [(p, p.relative_to(case)) for p in sorted(case.rglob("*")) if p.is_file()]
    else:
        sources = [(case, Path(case.name))]
    for source, relative in sources:
        name = source.name
        if name.endswith(".out.py"):
            continue
        target = tmp_path / relative.with_name(name.replace(".in.py", ".py"))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        out = source.with_name(name.replace(".in.py", ".out.py"))
        expected[target] = out.read_bytes() if name.endswith(".in.py") else source.read_bytes()
    return expected


@pytest.mark.parametrize("case", CASES, ids=[c.relative_to(FIXES).as_posix() for c in CASES])
def test_fix_fixture(case, tmp_path, in_dir):
    code = case.parent.name
    expected = _stage(case, tmp_path)
    in_dir(tmp_path)
    args = ["check", ".", "--isolated", "--no-cache", "--select", code, "--fix"]
    if code not in SAFE:
        args.append("--unsafe-fixes")
    result = CliRunner().invoke(cli, args)
    assert result.exit_code in (0, 1), result.output
    for path, content in expected.items():
        assert path.read_bytes().decode() == content.decode(), path.name
    again = CliRunner().invoke(cli, ["check", ".", "--isolated", "--no-cache", "--select", code, "--diff",
                                     "--unsafe-fixes"])
    assert again.exit_code == 0, again.output  # idempotent: nothing left to fix
    assert not list(tmp_path.glob(".evalparity-*.tmp"))


def test_every_fixable_rule_has_a_fixture():
    assert {c.parent.name for c in CASES} >= {"EP101", "EP201", "EP202", "EP204", "EP401", "EP405", "EP501", "EP504"}


def test_a_fix_whose_edits_touch_the_same_text_is_not_offered():
    """Two edits of one span (a summarised project Normalize whose mean and std are one argument) could
    only be applied by dropping one: no fix, rather than one that does not do what it says."""
    from evalparity.fixes import fix

    edit = {"path": "a.py", "line": 3, "column": 5, "end_line": 3, "end_column": 9, "content": "x"}
    other = dict(edit, content="y")
    later = dict(edit, column=9, end_column=12, content="z")
    insertion = dict(edit, column=5, end_column=5, content="w")
    assert fix("unsafe", "d", [edit, other]) is None
    assert fix("unsafe", "d", [edit, later]) is not None  # adjacent, not overlapping
    assert fix("unsafe", "d", [insertion, edit]) is not None  # an insertion before the span
